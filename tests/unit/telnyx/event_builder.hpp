#pragma once
// Builds Telnyx webhook bodies for tests (the §5.3 envelope).
#include <nlohmann/json.hpp>

#include <string>

#include "outdial/telephony/telnyx/client_state.hpp"

namespace outdial::testing::telnyx {

inline std::string webhook_body(const std::string& id, const std::string& type, const std::string& ccid,
                                const std::string& client_state, nlohmann::json extra = nlohmann::json::object(),
                                const std::string& occurred_at = "2026-11-22T10:00:00.000000Z") {
  nlohmann::json payload{{"call_control_id", ccid},  {"call_leg_id", "leg-" + ccid}, {"call_session_id", "s-" + ccid},
                         {"client_state", client_state}, {"connection_id", "conn-1"}, {"from", "+15550001111"},
                         {"to", "+16465551234"}};
  for (auto& [k, v] : extra.items()) payload[k] = v;
  nlohmann::json j{{"data", {{"record_type", "event"}, {"event_type", type}, {"id", id}, {"occurred_at", occurred_at},
                             {"payload", payload}}},
                   {"meta", {{"attempt", 1}, {"delivered_to", "http://127.0.0.1/webhooks/telnyx"}}}};
  return j.dump();
}

inline std::string client_state(bool amd = true, const std::string& step = "") {
  outdial::telephony::telnyx::ClientState cs;
  cs.idempotency_key = "7:42:1";
  cs.attempt_id = 99;
  cs.tenant_id = 3;
  cs.campaign_id = 7;
  cs.machine_detection = amd;
  cs.step = step;
  return outdial::telephony::telnyx::encode_client_state(cs);
}

}  // namespace outdial::testing::telnyx
