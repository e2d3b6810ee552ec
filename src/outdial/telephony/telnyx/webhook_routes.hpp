#pragma once
// POST <path> (default /webhooks/telnyx): Telnyx Call Control webhooks.
//   1. verify the Ed25519 signature (bad or stale -> 403, nothing changes);
//   2. parse the envelope (malformed -> 400);
//   3. advance the call's IVR flow (call_flow.hpp); a duplicate data.id -> 200, nothing changes;
//   4. ingest the flow's CallEvents (EventIngress: durable before we answer), on press 2 add the
//      internal DNC entry and revoke the number's consents, issue the flow's commands (command_id per (call, step));
//      any failure -> 503 with the flow state not advanced, so Telnyx's redelivery redoes the
//      step (events dedupe by data.id, DNC adds are idempotent, commands dedupe by command_id);
//   5. 200.
// Webhooks of legs we did not dial (no client_state of ours, e.g. the transfer's agent leg) and
// non-call events are acknowledged and ignored.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/net/router.hpp"
#include "outdial/storage/compliance_store.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/telnyx/call_flow.hpp"
#include "outdial/telephony/telnyx/call_registry.hpp"
#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "outdial/telephony/telnyx/webhook_verifier.hpp"

namespace outdial::telephony::telnyx {

struct TelnyxWebhookDeps {
  WebhookVerifier verifier;
  EventIngress& ingress;
  storage::ComplianceStore& compliance;
  CommandIssuer& commands;
  CallRegistry& registry;
  const Clock& clock;
  // The IVR script of a call the registry does not know (dialed before a restart). Unset or
  // nullopt: a neutral script that still offers the opt-out.
  std::function<std::optional<FlowScript>(const ClientState&)> script_lookup;
  std::string path = "/webhooks/telnyx";
};

// Counters for tests and /metrics-style inspection. Thread-safe reads.
struct TelnyxWebhookStats {
  std::atomic<std::int64_t> accepted{0};
  std::atomic<std::int64_t> rejected_signature{0};
  std::atomic<std::int64_t> malformed{0};
  std::atomic<std::int64_t> duplicates{0};
  std::atomic<std::int64_t> ignored{0};
  std::atomic<std::int64_t> failed{0};
};

// Adds the route. The returned stats live as long as the route (shared with the handler).
std::shared_ptr<const TelnyxWebhookStats> register_telnyx_routes(net::Router& router, TelnyxWebhookDeps deps);

}  // namespace outdial::telephony::telnyx
