#pragma once
// What outdial puts in Telnyx's client_state (provider-contracts.md §5.1: a base64 string echoed
// on later webhooks): base64 of compact JSON {"k":key,"a":attempt,"t":tenant,"c":campaign,
// "m":amd,"s":step,"p":parent}. It correlates a webhook to our attempt even when the call_control_id was
// never stored (crash between dial and store), and carries the IVR step of the command that set it.
#include <optional>
#include <string>

#include "outdial/core/ids.hpp"

namespace outdial::telephony::telnyx {

struct ClientState {
  std::string idempotency_key;
  AttemptId attempt_id = 0;
  TenantId tenant_id = 0;
  CampaignId campaign_id = 0;
  bool machine_detection = false;
  std::string step;  // IVR step of the command that set it; "" on the dial; "agent" on a transfer leg
  std::string parent_call_control_id;  // on the agent leg of a transfer: the call it belongs to
};

std::string encode_client_state(const ClientState& s);
// nullopt when `base64` is empty, not base64, not JSON or lacks the key ("k").
std::optional<ClientState> decode_client_state(const std::string& base64);

}  // namespace outdial::telephony::telnyx
