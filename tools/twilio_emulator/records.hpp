#pragma once
// What the emulator remembers about each call, message and webhook: the state it serves through
// the REST API and everything tests inspect (GET /_emulator/...). Plain values.
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "outdial/core/clock.hpp"
#include "script.hpp"

namespace outdial::twilio_emulator {

using Params = std::vector<std::pair<std::string, std::string>>;

// One <Say> (or <Play>) as the callee heard it.
struct Utterance {
  std::string verb;        // "Say" or "Play"
  std::string text;        // the spoken text, or the audio URL
  std::string voice;
  Millis offset{0};        // start, from the answer
  Millis length{0};        // as played (shorter when cut off by a key press or a hang-up)
  bool cut = false;        // interrupted (barge-in, hang-up, redirect)
  bool after_beep = false; // machine: started at or after the beep, so it is on the voicemail
};

struct Bridge {
  std::string number;      // the <Number> dialed
  std::string caller_id;   // what the agent saw: <Dial callerId> or, without it, the call's From
  bool caller_id_attr = false;  // callerId was set on <Dial>
  Millis offset{0};        // when <Dial> started, from the answer
  std::string dial_status; // DialCallStatus: completed, busy, no-answer, failed, canceled
  int talk_seconds = 0;    // DialCallDuration
  std::string dial_sid;    // DialCallSid (the child leg)
};

struct GatherRecord {
  Millis offset{0};        // <Gather> start, from the answer
  std::string digits;      // what was sent as Digits ("" = no input)
  std::string finished_on_key;
  std::string action;      // URL posted to ("" = fell through)
};

struct EmulatedCall {
  std::string sid;
  std::string to;
  std::string from;
  std::string status = "queued";  // the REST resource status
  std::string answered_by;        // set once AMD decided (only when AMD was requested)
  std::string direction = "outbound-api";
  // The create request, as sent.
  std::string url, method = "POST", twiml, fallback_url, fallback_method = "POST";
  std::string status_callback, status_callback_method = "POST";
  std::set<std::string> status_events;  // initiated, ringing, answered, completed
  std::string machine_detection;        // "", "Enable", "DetectMessageEnd"
  int machine_detection_timeout = 30;
  bool async_amd = false;
  std::string async_amd_callback, async_amd_callback_method = "POST";
  int timeout_seconds = 60;
  int time_limit_seconds = 14400;
  bool record = false;
  std::string recording_status_callback, recording_status_callback_method = "POST";
  std::string recording_sid;             // set when a recording was made (Record=true, answered)

  CalleeBehaviour behaviour;       // what the callee does on this call
  std::size_t nth = 0;             // which call to this number it is (0-based)
  TimePoint created_at{};
  std::optional<TimePoint> started_at;   // left the CPS queue: "initiated"
  std::optional<TimePoint> answered_at;
  std::optional<TimePoint> ended_at;
  std::optional<TimePoint> beep_at;      // machine: when the beep sounded
  int sip_response_code = 0;
  std::string end_reason;                // "twiml-ended", "hangup-verb", "callee-hung-up", "api", ...
  int next_sequence = 0;                 // SequenceNumber of the next status callback

  std::vector<Utterance> spoken;
  std::vector<GatherRecord> gathers;
  std::vector<Bridge> bridges;
  std::vector<std::string> documents;    // URLs (or "inline") whose TwiML ran, in order
  std::vector<std::string> errors;       // "11200 ..." / "12100 ..." debugger events
  std::size_t gather_count = 0;          // <Gather>s met (indexes behaviour.digits)

  // The call's flow; bumped by a hang-up or a redirect so stale steps drop out.
  std::uint64_t generation = 0;

  bool ended() const { return ended_at.has_value(); }
  // Text left on the voicemail: every utterance that started at or after the beep.
  std::string voicemail() const;
  // When the callee heard `phrase` start (offset from the answer): the first <Say> holding it,
  // at the emulator's speech rate (twiml.hpp speech_seconds); nullopt when never said or cut off
  // before it.
  std::optional<Millis> spoken_at(const std::string& phrase) const;
};

struct EmulatedMessage {
  std::string sid;
  std::string to, from, body;
  std::string direction;  // "outbound-api" or "inbound"
  std::string status;
  std::string status_callback;
  TimePoint created_at{};
  std::string reply;      // inbound: the webhook's TwiML answer
  std::string autoresponse;  // inbound: what Twilio itself answered ("opt_out", "opt_in", "help"; "" = nothing)
};

struct WebhookRecord {
  std::string kind;       // "status", "amd", "twiml", "gather", "dial", "redirect", "sms", "message-status"
  std::string call_sid;   // or message sid
  std::string method;
  std::string url;
  Params params;
  std::string signature;
  int sequence = -1;      // SequenceNumber for status callbacks
  int attempt = 1;
  bool duplicate = false; // a deliberate second delivery
  TimePoint at{};
  int http_status = 0;    // 0 = transport failure
  std::string error;
};

struct LogEntry {
  TimePoint at{};
  std::string sid;
  std::string text;
};

}  // namespace outdial::twilio_emulator
