#pragma once
// Telnyx Call Control v2 + Messaging over net::HttpClient (provider-contracts.md §5, §7).
//
// Dial: POST /v2/calls with command_id = the attempt's idempotency key (Telnyx ignores a second
// dial with the same command_id, so re-sending after a time-out is safe) and client_state =
// base64 JSON naming the attempt (correlates webhooks even if the call_control_id was never
// stored). find_call: GET /v2/connections/{connection_id}/active_calls and match the decoded
// client_state's key; only live calls are listed, and a call that already ended was reported by
// its webhooks, whose client_state attaches it to the attempt (see EventProcessor).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/net/http_client.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/provider.hpp"
#include "outdial/telephony/telnyx/call_flow.hpp"
#include "outdial/telephony/telnyx/call_registry.hpp"
#include "outdial/telephony/telnyx/client_state.hpp"

namespace outdial::telephony::telnyx {

struct TelnyxConfig {
  std::string api_key;        // Bearer; never logged, never in an error message
  std::string connection_id;  // Call Control App id
  // The account's webhook signing key (base64 Ed25519 public key, §5.4). Not used by the driver:
  // kept with the account's driver so the webhook routes verify that account's webhooks with it.
  std::string public_key;
  std::string api_base = "https://api.telnyx.com/v2";
  std::string webhook_url;    // per-call webhook_url (our /webhooks/telnyx), "" = the app's default
  std::string voice = "female";
  std::string language = "en-US";
  std::string answering_machine_detection = "detect_beep";  // or greeting_end
  std::chrono::milliseconds timeout{10'000};
  // Names the caller in the IVR (the tenant's business name); unset = "our office".
  std::function<std::string(TenantId)> business_name;
  // Authenticates the client_state of every dial and command (client_state.hpp); null: unsigned.
  std::shared_ptr<const ClientStateKey> client_state_key = nullptr;
};

// Error mapping for a Telnyx API response that is not 2xx (errors[0].code/.detail/.source.pointer):
//   429 or code 10011                    -> kRateLimited (not processed; retry later)
//   400/422 pointing at /to, or 10015/10016 about the number -> kInvalidArgument (bad number)
//   401                                  -> kUnauthenticated
//   403 about concurrency/channel limits -> kRateLimited; other 403 -> kPermissionDenied
//   404                                  -> kNotFound
//   other 4xx                            -> kFailedPrecondition (our request/config is wrong)
//   5xx                                  -> kUnavailable (the call MAY exist)
// details: http_status, telnyx_code, pointer, operation. `operation` names the request.
Error map_api_error(int http_status, const std::string& body, const std::string& operation);
// A transport failure (net::HttpClient error) -> kUnavailable with details kept.
Error map_transport_error(const Error& e, const std::string& operation);

// The sequence of reconcile()'s synthetic events: after every real webhook of the call (their
// sequence is occurred_at in microseconds, about 1.8e15 today; this is year ~148,000).
inline constexpr std::int64_t kReconcileSequence = std::int64_t{1} << 62;
// Telnyx retries a webhook <= 5 times within 60 s (provider-contracts §5); with margin.
inline constexpr std::chrono::seconds kWebhookRetryWindow{90};
// The failure reason an attempt gets when reconcile() found its call ended unanswered.
inline constexpr const char* kReconciledEndDetail = "ended while outdial was not receiving webhooks (reconciled)";

// What reconcile() ingests for a call Telnyx reports ended (is_alive false, or 422 90018)
// whose call.hangup we may never have received. Telnyx's answer carries no hangup cause and
// outdial does not know here whether the call was answered, so it offers both endings and the
// event processor's state machine keeps the one that is legal for the attempt:
//   1. kCompleted (key "<id>:reconcile:end:answered", kReconcileSequence, `duration_seconds`):
//      applies only to an attempt whose stored events show an answer (answered_* -> completed);
//   2. kFailed (key "<id>:reconcile:end", kReconcileSequence + 1, detail kReconciledEndDetail):
//      applies only to one never seen answered (dialing/ringing -> failed).
// Whichever applies first makes the attempt terminal, so the other is recorded and changes
// nothing; an attempt already ended by its real call.hangup stays as it is, and a real
// call.hangup delivered later is late (terminal states never change). Why kFailed and not
// no_answer/busy: we do not know that the callee did not answer (the answer webhook may have
// been lost as well), so the outcome claims nothing about the callee; it is retried under the
// campaign's `failed` rule (RetryPolicy, default 2 tries, 60 min apart) within max_attempts.
// Fixed keys: reconciling again ingests duplicates, which change nothing.
std::vector<CallEvent> reconciled_end_events(const std::string& call_control_id, int duration_seconds, TimePoint at);

// Issues Call Control commands for the webhook flow (an interface so route tests can fake it).
class CommandIssuer {
 public:
  virtual ~CommandIssuer() = default;
  // POST /v2/calls/{id}/actions/{action} with command_id and client_state. A call that already
  // ended (404 / 422 "call has already ended") is success: there is nothing left to do.
  virtual Status issue(const std::string& call_control_id, const FlowCommand& command,
                       const ClientState& state) = 0;
};

class TelnyxProvider final : public Provider, public CommandIssuer {
 public:
  // `registry` may be null (no IVR script remembered; the routes then use their fallback).
  // `clock` (null: the system clock; else it must outlive this) dates reconcile()'s events.
  TelnyxProvider(net::HttpClient& http, TelnyxConfig config, CallRegistry* registry = nullptr,
                 const Clock* clock = nullptr);

  std::string name() const override { return kProviderName; }
  Result<DialAccepted> place_call(const DialRequest& req) override;
  Status hangup(const std::string& provider_call_id) override;
  Result<std::string> send_sms(const SmsRequest& req) override;
  Result<std::optional<std::string>> find_call(const CallLookup& lookup) override;
  // Telnyx cannot re-deliver past webhooks (it retries each one <= 5 times within 60 s), so the
  // call's status is asked for: GET /v2/calls/{id}.
  //   - data.is_alive true: nothing (its webhooks keep coming);
  //   - data.is_alive false, or 422 code 90018 "call has already ended": reconciled_end_events()
  //     go to the event ingress (dated data.end_time when given, else the clock's now;
  //     data.call_duration is the completed event's duration). When data.end_time is less than
  //     kWebhookRetryWindow ago, only the kCompleted one: Telnyx may still be retrying the real
  //     call.answered, and an answered call must not be recorded failed and dialed again;
  //   - 404 -> kNotFound, nothing ingested: after a restart this driver may not be the account
  //     that placed the call (its From number retired or moved), and another account's "call
  //     not found" must not end a live call. Known gap: a call Telnyx has forgotten (it answers
  //     404 about 10 minutes after the end) stays live until its attempt is resolved otherwise;
  //     storing the placing account on the attempt would make this account's 404 conclusive;
  //   - otherwise an error value and nothing ingested: unreadable answer (not JSON, no data, no
  //     boolean is_alive) -> kUnavailable; others by map_api_error. No event ingress set while
  //     the call ended -> kFailedPrecondition.
  Status reconcile(const std::string& provider_call_id) override;
  // The webhook's recording URLs are pre-signed and expire, so fresh ones are asked for:
  // GET {api_base}/recordings/{id} with this account's Bearer key, then the returned
  // download_urls.mp3 (else .wav) is downloaded WITHOUT the key (it is a pre-signed URL, often
  // on another host). kInvalidArgument for an id that cannot be one (before anything is sent);
  // 404 -> kNotFound; credentials refused, 5xx, no download URL, transport -> kUnavailable.
  Result<RecordingMedia> fetch_recording(const RecordingRef& recording) override;

  Status issue(const std::string& call_control_id, const FlowCommand& command, const ClientState& state) override;

  const TelnyxConfig& config() const { return config_; }
  // Replaces config().business_name; call before the first dial (not synchronized with it).
  void set_business_name(std::function<std::string(TenantId)> fn) { config_.business_name = std::move(fn); }
  // Where reconcile() delivers its events (null: none; then an ended call is an error).
  void set_event_ingress(EventIngress* ingress) { ingress_.store(ingress); }
  const Clock& clock() const { return clock_; }
  // Before the first call (wiring).
  void set_client_state_key(std::shared_ptr<const ClientStateKey> key) { config_.client_state_key = std::move(key); }

 private:
  Result<net::ClientResponse> send(const std::string& method, const std::string& path, const std::string& body,
                                   const std::string& operation);

  net::HttpClient& http_;
  TelnyxConfig config_;
  CallRegistry* registry_;
  const Clock& clock_;
  std::atomic<EventIngress*> ingress_{nullptr};
};

}  // namespace outdial::telephony::telnyx
