#pragma once
// Calls this process dialed, by call_control_id: the IVR script and the client_state that the
// webhook handler needs. Filled by TelnyxProvider::place_call, read by the webhook routes.
// In-memory; after a restart the routes fall back to TelnyxWebhookDeps::script_lookup and the
// client_state carried by every webhook. Thread-safe.
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "outdial/telephony/telnyx/call_flow.hpp"
#include "outdial/telephony/telnyx/client_state.hpp"

namespace outdial::telephony::telnyx {

struct RegisteredCall {
  FlowScript script;
  ClientState state;
  std::string to;  // the number dialed (E.164): what a press 2 opts out
};

class CallRegistry {
 public:
  void put(const std::string& call_control_id, RegisteredCall call) {
    std::lock_guard l(mu_);
    by_id_[call_control_id] = std::move(call);
  }
  std::optional<RegisteredCall> get(const std::string& call_control_id) const {
    std::lock_guard l(mu_);
    auto it = by_id_.find(call_control_id);
    if (it == by_id_.end()) return std::nullopt;
    return it->second;
  }
  void erase(const std::string& call_control_id) {
    std::lock_guard l(mu_);
    by_id_.erase(call_control_id);
  }
  std::size_t size() const {
    std::lock_guard l(mu_);
    return by_id_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, RegisteredCall> by_id_;
};

}  // namespace outdial::telephony::telnyx
