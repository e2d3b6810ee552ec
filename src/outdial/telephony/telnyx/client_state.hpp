#pragma once
// What outdial puts in Telnyx's client_state (provider-contracts.md §5.1: a base64 string echoed
// on later webhooks): base64 of compact JSON {"k":key,"a":attempt,"t":tenant,"c":campaign,
// "m":amd,"s":step,"p":parent}. It correlates a webhook to our attempt even when the call_control_id was
// never stored (crash between dial and store), and carries the IVR step of the command that set it.
//
// With a ClientStateKey the state is authenticated: "h" = base64 of HMAC-SHA-256 (libsodium
// crypto_auth_hmacsha256) under the install's key over the compact JSON of the other fields (as
// nlohmann dumps it: keys sorted). Only outdial can mint one; the webhook routes refuse a state
// that does not verify, so a tenant that signs webhooks with its own Telnyx account still cannot
// name another attempt, tenant or campaign.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "outdial/core/ids.hpp"
#include "outdial/core/result.hpp"

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

// Thread-safe (immutable); the key is wiped on destruction.
class ClientStateKey {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  // Exactly 32 bytes; kInvalidArgument otherwise.
  static Result<std::shared_ptr<const ClientStateKey>> from_raw(std::string_view key);
  ClientStateKey(const ClientStateKey&) = delete;
  ClientStateKey& operator=(const ClientStateKey&) = delete;
  ~ClientStateKey();
  // HMAC-SHA-256 of `message` (32 raw bytes).
  std::string mac(std::string_view message) const;

 private:
  ClientStateKey() = default;
  std::array<unsigned char, kKeyBytes> key_{};
};

// With `key`, the state carries "h" (see above).
std::string encode_client_state(const ClientState& s, const ClientStateKey* key = nullptr);
// Whether `base64` is a client_state whose "h" verifies under `key` for exactly its other fields.
bool client_state_authentic(const std::string& base64, const ClientStateKey& key);
// nullopt when `base64` is empty, not base64, not JSON or lacks the key ("k").
std::optional<ClientState> decode_client_state(const std::string& base64);

}  // namespace outdial::telephony::telnyx
