#pragma once
#include <optional>
#include <string>
#include <utility>

#include "outdial/core/call.hpp"
#include "outdial/core/ids.hpp"
#include "outdial/core/result.hpp"

namespace outdial::telephony {

struct DialRequest {
  // Unique per attempt ("<campaign>:<contact>:<n>"). A provider that sees the same key twice
  // must not place a second call (Telnyx command_id; Twilio: checked by find_call first).
  std::string idempotency_key;
  AttemptId attempt_id = 0;
  TenantId tenant_id = 0;
  CampaignId campaign_id = 0;
  std::string from;            // E.164 caller ID, owned by the tenant
  std::string to;              // E.164
  int ring_timeout_seconds = 30;  // RING-MIN: at least 15
  bool machine_detection = true;
  bool record = false;
  std::string script;          // locked campaign script (IVR greeting)
  std::string voicemail_text;  // dropped after the beep on a machine
  std::string agent_number;    // press 1 bridges here
};

// What find_call() gets to recognise a call it may have created before a crash. Carriers with
// an idempotency key (Telnyx command_id, the simulated carrier) use the key alone; Twilio has
// none, so its driver lists the calls to `to` from `from` created since `placed_after`.
struct CallLookup {
  CallLookup() = default;
  CallLookup(std::string key) : idempotency_key(std::move(key)) {}  // NOLINT: implicit on purpose
  CallLookup(const char* key) : idempotency_key(key) {}            // NOLINT: implicit on purpose
  std::string idempotency_key;
  std::string to;
  std::string from;
  TimePoint placed_after{};
  TenantId tenant_id = 0;  // whose call (a provider routing by the From number's account needs it)
};

struct DialAccepted {
  std::string provider_call_id;
};

struct SmsRequest {
  std::string idempotency_key;
  TenantId tenant_id = 0;
  std::string from;
  std::string to;
  std::string body;
};

// A recording the carrier keeps for a call (announced by its recording webhook, stored by the
// routes as storage::CallRecording). outdial keeps the ids, never the audio: fetch_recording()
// gets the bytes from the carrier when someone asks for them.
struct RecordingRef {
  std::string provider_call_id;  // the call it belongs to: names the account that placed it
  std::string recording_id;      // the carrier's id (Twilio RecordingSid, Telnyx recording_id)
};

struct RecordingMedia {
  std::string content_type;  // as the carrier sent it, e.g. "audio/mpeg"
  std::string bytes;
};

// The single event path: every provider (simulated carrier, Twilio/Telnyx webhooks) delivers
// normalized CallEvents here. Implementations must tolerate duplicates and out-of-order events
// (dedupe by CallEvent::dedupe_key, order by sequence). Called from provider threads.
class CallEventSink {
 public:
  virtual ~CallEventSink() = default;
  virtual void on_call_event(const CallEvent& event) = 0;
};

// A carrier or voice platform. Thread-safe.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string name() const = 0;
  // Places the call. Errors: kRateLimited (refused for now, certainly not placed: retry the same
  // key later), kInvalidArgument (bad number: do not retry), kPermissionDenied (destination
  // blocked), kUnavailable (transient; the call MAY have been created, e.g. a time-out after the
  // request was sent: the dialer resolves it with find_call() before it dials that key again).
  virtual Result<DialAccepted> place_call(const DialRequest& req) = 0;
  virtual Status hangup(const std::string& provider_call_id) = 0;
  virtual Result<std::string> send_sms(const SmsRequest& req) = 0;  // returns message id
  // The provider call id already created for this idempotency key, if any. Used after a crash
  // between "attempt stored" and "provider answered" to avoid dialing twice.
  virtual Result<std::optional<std::string>> find_call(const CallLookup& lookup) = 0;
  // Asks the provider to re-deliver the call's current status as events (after a restart).
  virtual Status reconcile(const std::string& provider_call_id) = 0;
  // The recording's audio, fetched from the carrier now (nothing is cached or stored), with the
  // credentials of the account that placed the call, sent only to that account's API base: the
  // request is built from the recording id, never from a URL a webhook carried. Errors:
  // kNotFound (the carrier has no such recording), kUnavailable (carrier unreachable, 5xx, or it
  // refused the account's credentials: details["carrier_status"]), kInvalidArgument (malformed
  // recording id), kFailedPrecondition (this provider keeps no recordings: the default).
  virtual Result<RecordingMedia> fetch_recording(const RecordingRef& recording) {
    return make_error(ErrorCode::kFailedPrecondition, "provider " + name() + " keeps no call recordings",
                      {{"provider", name()}, {"recording_id", recording.recording_id}});
  }
};

}  // namespace outdial::telephony
