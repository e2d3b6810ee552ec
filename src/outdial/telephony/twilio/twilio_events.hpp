#pragma once
// Pure mapping of Twilio callbacks (docs/provider-contracts.md §2) to normalized CallEvents, and
// of inbound SMS bodies to opt-out / opt-in / help intents. No I/O; unit-tested directly.
//
// Ordering and dedupe (the dialer's EventProcessor folds a call's events sorted by `sequence`,
// ties in arrival order, and drops a repeated (provider, dedupe_key)):
//  - a status callback's event has sequence = SequenceNumber and dedupe key CallSid:SequenceNumber;
//  - "the call was answered" is one event per call, dedupe key CallSid:answered, whichever of the
//    in-progress status callback (when it carries AnsweredBy, or when AMD is off), the async AMD
//    callback, or the terminal `completed` callback (which carries AnsweredBy) delivers it first;
//    the terminal callback emits it just before its own event with the same sequence, so a replay
//    applies answered -> completed in that order;
//  - DTMF from a <Gather> is CallSid:digits:<try>; a gather has no SequenceNumber, so its event
//    takes digits_sequence(): after the call's stored non-terminal events (the answer) and before
//    any terminal one (the dialer drops digits folded after the end). It used to be 0, which
//    sorted the key press before the answer (the cross-provider conformance test caught it).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outdial/core/call.hpp"
#include "outdial/core/result.hpp"
#include "outdial/telephony/sms/keywords.hpp"
#include "outdial/telephony/twilio/twilio_signature.hpp"

namespace outdial::telephony::twilio {

inline constexpr const char* kProviderName = "twilio";

// The first value of `name`, or "".
std::string form_value(const FormParams& params, std::string_view name);

// "Sun, 25 Mar 2018 09:53:19 +0000" (RFC 2822 / 5322, numeric zone). False on anything else.
bool parse_rfc2822(std::string_view text, TimePoint& out);

struct StatusCallback {
  std::string call_sid;
  std::string call_status;  // initiated ringing in-progress completed busy no-answer canceled failed
  std::optional<std::int64_t> sequence;
  std::string answered_by;
  int call_duration = 0;
  std::string sip_response_code;
  std::string error_code;
  std::optional<TimePoint> timestamp;
};

// kInvalidArgument naming the field: CallSid missing, CallStatus missing, SequenceNumber or
// CallDuration not a non-negative integer.
Result<StatusCallback> parse_status_callback(const FormParams& params);

// AnsweredBy -> answered kind: human/unknown -> human (the greeting is playing to whoever picked
// up: treating "unknown" as a person is the conservative reading), machine_* and fax -> machine,
// "" -> nullopt (not decided yet).
std::optional<CallEventKind> answered_kind(std::string_view answered_by);

// The events one status callback produces, in the order to ingest them. `amd_pending`: the call
// was placed with async AMD, so an in-progress callback without AnsweredBy waits for the AMD
// callback instead of declaring a human. An unknown CallStatus produces nothing. `at` is used
// when the callback has no Timestamp.
std::vector<CallEvent> status_events(const StatusCallback& cb, AttemptId attempt, bool amd_pending, TimePoint at);

// The async AMD callback's answered event; `sequence` = the highest sequence stored for the
// call so far (it sorts after the in-progress callback and before the terminal one).
std::optional<CallEvent> amd_event(std::string_view call_sid, std::string_view answered_by, AttemptId attempt,
                                   std::int64_t sequence, TimePoint at);

// The <Gather> result of menu try `try_number`.
CallEvent digits_event(std::string_view call_sid, std::string_view digits, int try_number, AttemptId attempt,
                       std::int64_t sequence, TimePoint at);
// The sequence for a digits event given the events stored for the call so far: the highest
// non-terminal one, kept below the lowest terminal one (and below kReconcileSequence); 0 when
// nothing is stored.
std::int64_t digits_sequence(const std::vector<CallEvent>& stored);

// Events that reconcile() derives from the call resource's status (GET Calls/{sid}.json) after a
// restart: sequence kReconcileSequence (after every callback), dedupe keys CallSid:reconcile:*,
// the answered event shared with the callbacks (CallSid:answered).
inline constexpr std::int64_t kReconcileSequence = 1'000'000;
std::vector<CallEvent> resource_events(std::string_view call_sid, std::string_view status, std::string_view answered_by,
                                       int duration_seconds, TimePoint at);

// Inbound SMS keywords: telephony/sms/keywords.hpp (shared with the Telnyx driver).
using sms::classify_inbound_sms;
using sms::SmsClassification;
using sms::SmsIntent;

}  // namespace outdial::telephony::twilio
