#pragma once
// POST <path> (default /webhooks/telnyx): Telnyx Call Control webhooks.
//   1. verify the Ed25519 signature (bad or stale -> 403, nothing changes);
//   2. parse the envelope (malformed -> 400);
//   3. advance the call's IVR flow (call_flow.hpp); a duplicate data.id -> 200, nothing changes;
//   4. ingest the flow's CallEvents (EventIngress: durable before we answer), on press 2 add the
//      internal DNC entry and revoke the number's consents (the tenant and number are the call's
//      as outdial stored them: the registry's entry, else the attempt in `calls`; never the
//      webhook's client_state or "to"; a call the registry does not know and `calls` has no
//      matching attempt for is no call of ours: acknowledged, ignored), issue the flow's commands (command_id per (call, step));
//      any failure -> 503 with the flow state not advanced, so Telnyx's redelivery redoes the
//      step (events dedupe by data.id, DNC adds are idempotent, commands dedupe by command_id);
//   5. 200.
// With an account directory (tenants' own Telnyx accounts, issue #3 §3), step 1 uses the key of
// the account that placed the call the webhook is about (named by its client_state's attempt and
// by its call_control_id; the body is only read to choose the key before it is verified): a
// webhook about a call of account A that verifies only under another account's key answers 403
// and changes nothing. Webhooks about no call of those accounts are verified with `verifier`.
//
// Webhooks of legs we did not dial (no client_state of ours, e.g. the transfer's agent leg) and
// other event types are acknowledged and ignored.
//
// Besides the call flow, on the same URL (the messaging profile's webhook may point here too):
//   message.received      inbound SMS: the shared keyword classifier (telephony/sms) -> STOP and
//                         the other opt-outs put the sender on the internal DNC at once and revoke
//                         its consents, START/UNSTOP restore SMS consent, HELP replies the tenant's
//                         help text; our reply (HELP, an opt-out Telnyx does not confirm itself)
//                         goes out through `send_sms`. A message id applied before changes nothing
//                         (remembered in memory, the last 20,000; after a restart a redelivered
//                         text is re-applied idempotently, only a reply could go out twice).
//                         Needs `tenants` and `campaigns` (the tenant is the one whose campaigns
//                         use the receiving number as caller ID); without them: ignored.
//   call.recording.saved  the recording URL into call_recordings (once per recording), for the
//                         attempt named by client_state or by the call's id. Needs `calls`.
// Store failures answer 503 (Telnyx redelivers); nothing is half-applied that a redelivery
// would not complete.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/net/router.hpp"
#include "outdial/storage/account_store.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "outdial/storage/compliance_store.hpp"
#include "outdial/storage/tenant_store.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/telnyx/call_flow.hpp"
#include "outdial/telephony/telnyx/call_registry.hpp"
#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "outdial/telephony/telnyx/webhook_verifier.hpp"

namespace outdial::telephony::telnyx {

// The Telnyx accounts of ours besides the configured one (implemented by the composition root over
// the account store and the credential vault). Telnyx signs every webhook with the one key of the
// account the call belongs to; a webhook carries no account name, so the call it is about decides.
// Thread-safe.
class TelnyxAccountDirectory {
 public:
  virtual ~TelnyxAccountDirectory() = default;
  // The verifier of the account that placed the call `unverified` is about (its client_state's
  // attempt, its call_control_id or, on a transfer's agent leg, the parent call's); nullopt when
  // that is the configured account or no call of ours (then the routes' own verifier is used).
  // kUnavailable/kInternal: the store failed (503, redelivered). Any other error (the call's
  // account cannot be resolved, e.g. its credentials do not open, or the client_state and the
  // call id name different accounts): the webhook is refused (403).
  virtual Result<std::optional<WebhookVerifier>> verifier_for(const TelnyxEvent& unverified) = 0;
};

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
  // Inbound SMS (message.received); both unset: acknowledged and ignored.
  storage::TenantStore* tenants = nullptr;
  storage::CampaignStore* campaigns = nullptr;
  // Optional: the tenants' numbers (a reply to a caller ID chosen per call finds its tenant).
  storage::AccountStore* accounts = nullptr;
  // Sends our SMS reply; unset: no reply (the opt-out itself is still applied).
  std::function<Status(const SmsRequest&)> send_sms = {};
  // Recordings (call.recording.saved); unset: acknowledged and ignored.
  storage::CallStore* calls = nullptr;
  // Optional: the tenants' own Telnyx accounts whose webhooks these routes take (see above);
  // null: only `verifier`'s (the configured account's).
  TelnyxAccountDirectory* account_directory = nullptr;
  // The key the drivers authenticate their client_state with (TelnyxConfig::client_state_key):
  // set, a webhook carrying a client_state of ours whose MAC does not verify is refused (403,
  // nothing changes), before any key is chosen. Null: client_states are not authenticated.
  std::shared_ptr<const ClientStateKey> client_state_key = nullptr;
};

// Counters for tests and /metrics-style inspection. Thread-safe reads.
struct TelnyxWebhookStats {
  std::atomic<std::int64_t> accepted{0};
  std::atomic<std::int64_t> rejected_signature{0};
  std::atomic<std::int64_t> malformed{0};
  std::atomic<std::int64_t> duplicates{0};
  std::atomic<std::int64_t> ignored{0};
  std::atomic<std::int64_t> failed{0};
  std::atomic<std::int64_t> messages{0};    // inbound SMS applied (keyword or not)
  std::atomic<std::int64_t> recordings{0};  // recordings stored
};

// Adds the route. The returned stats live as long as the route (shared with the handler).
std::shared_ptr<const TelnyxWebhookStats> register_telnyx_routes(net::Router& router, TelnyxWebhookDeps deps);

}  // namespace outdial::telephony::telnyx
