#pragma once
// A parsed Telnyx Call Control webhook (provider-contracts.md §5.3). Only the fields outdial
// uses; unknown fields and event types are tolerated.
#include <cstdint>
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"
#include "outdial/telephony/telnyx/client_state.hpp"

namespace outdial::telephony::telnyx {

struct TelnyxEvent {
  std::string id;          // data.id: unique per event, the dedupe key
  std::string event_type;  // "call.answered", ...
  TimePoint occurred_at{};
  // Telnyx webhooks carry no sequence number; occurred_at in microseconds orders them.
  std::int64_t sequence = 0;
  std::string call_control_id;
  std::string call_session_id;
  std::string client_state_raw;
  std::optional<ClientState> client_state;  // ours, decoded; nullopt on foreign/absent state
  // call.*: payload.from / payload.to. message.*: payload.from.phone_number and the first
  // payload.to[].phone_number (an inbound message has one recipient: our number).
  std::string from;
  std::string to;
  std::string message_id;        // message.*: payload.id
  std::string text;              // message.received: payload.text
  std::string recording_id;      // call.recording.saved: payload.recording_id ("" when absent)
  std::string recording_url;     // call.recording.saved: recording_urls.mp3, else .wav, else the public ones
  int recording_seconds = 0;     // call.recording.saved: recording_ended_at - recording_started_at
  std::string hangup_cause;      // call.hangup
  std::string hangup_source;
  std::string sip_hangup_cause;
  std::string result;            // call.machine.*: human/machine/not_sure/beep_detected/...
  std::string digits;            // call.gather.ended, call.dtmf.received ("digit")
  std::string status;            // call.gather.ended, call.speak.ended
  int attempt = 1;               // meta.attempt (delivery attempt)
};

// Parses the envelope {"data":{"event_type","id","occurred_at","payload":{...}},"meta":{...}}.
// call.* events need payload.call_control_id; message.received needs payload.id and a
// payload.from.phone_number.
// kInvalidArgument naming the missing/malformed field (details["field"], JSON pointer style).
Result<TelnyxEvent> parse_event(const std::string& body);

// "2023-11-14T22:13:20.123456Z" -> microseconds since the epoch; false on bad input.
bool parse_telnyx_time(const std::string& text, std::int64_t& micros);

}  // namespace outdial::telephony::telnyx
