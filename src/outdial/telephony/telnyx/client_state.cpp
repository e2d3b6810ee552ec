#include "outdial/telephony/telnyx/client_state.hpp"

#include <nlohmann/json.hpp>

#include "outdial/telephony/telnyx/webhook_verifier.hpp"

namespace outdial::telephony::telnyx {

std::string encode_client_state(const ClientState& s) {
  nlohmann::json j{{"k", s.idempotency_key}, {"a", s.attempt_id}, {"t", s.tenant_id}, {"c", s.campaign_id},
                   {"m", s.machine_detection}};
  if (!s.step.empty()) j["s"] = s.step;
  if (!s.parent_call_control_id.empty()) j["p"] = s.parent_call_control_id;
  return base64_encode(j.dump());
}

std::optional<ClientState> decode_client_state(const std::string& base64) {
  if (base64.empty()) return std::nullopt;
  std::string raw;
  if (!base64_decode(base64, raw)) return std::nullopt;
  const auto j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto k = j.find("k");
  if (k == j.end() || !k->is_string() || k->get<std::string>().empty()) return std::nullopt;
  ClientState s;
  s.idempotency_key = k->get<std::string>();
  auto int_of = [&](const char* name) -> std::int64_t {
    auto it = j.find(name);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
  };
  s.attempt_id = int_of("a");
  s.tenant_id = int_of("t");
  s.campaign_id = int_of("c");
  if (auto it = j.find("m"); it != j.end() && it->is_boolean()) s.machine_detection = it->get<bool>();
  if (auto it = j.find("s"); it != j.end() && it->is_string()) s.step = it->get<std::string>();
  if (auto it = j.find("p"); it != j.end() && it->is_string()) s.parent_call_control_id = it->get<std::string>();
  return s;
}

}  // namespace outdial::telephony::telnyx
