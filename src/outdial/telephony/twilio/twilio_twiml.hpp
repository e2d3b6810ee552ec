#pragma once
// TwiML documents for the outbound IVR (ivr.hpp), docs/provider-contracts.md §4. Pure string
// rendering: every attribute and text node is XML-escaped; served as text/xml.
#include <string>
#include <string_view>

#include "outdial/telephony/ivr.hpp"

namespace outdial::telephony::twilio {

inline constexpr const char* kTwimlContentType = "text/xml; charset=utf-8";

struct TwimlStyle {
  std::string voice = "Polly.Joanna";  // <Say voice=...>; empty = Twilio's default voice
};

// XML 1.0 escaping for text and attribute values (& < > " '); characters XML 1.0 forbids
// (C0 controls other than tab/LF/CR) become spaces.
std::string xml_escape(std::string_view s);

// On answer: one-digit <Gather> (action = gather_action_url) around the greeting; with no key
// the no-input goodbye, then <Hangup/>.
std::string render_greeting(const ivr::IvrFlow& flow, const std::string& gather_action_url, const TwimlStyle& style);
// A wrong key: "sorry" + the menu once more in a new gather (action = next_gather_action_url).
std::string render_menu_repeat(const ivr::IvrFlow& flow, const std::string& next_gather_action_url,
                               const TwimlStyle& style);
// Digit 1: "connecting" then <Dial callerId=campaign caller ID action=dial_action_url><Number>agent</Number></Dial>.
std::string render_connect(const ivr::IvrFlow& flow, const std::string& dial_action_url, const TwimlStyle& style);
// After <Dial>: a bridged call just ends; otherwise "nobody available" and hang up.
std::string render_dial_result(const ivr::IvrFlow& flow, std::string_view dial_call_status, const TwimlStyle& style);
// Digit 2 (after the do-not-call entry is stored): confirmation, then <Hangup/>.
std::string render_opt_out(const ivr::IvrFlow& flow, const TwimlStyle& style);
// No choice made: goodbye, then <Hangup/>.
std::string render_no_input(const ivr::IvrFlow& flow, const TwimlStyle& style);
// Answering machine after the beep: <Play>/<Say> the drop, then <Hangup/>.
std::string render_voicemail(const ivr::IvrFlow& flow, const TwimlStyle& style);
// Just <Hangup/> (unknown or finished attempts).
std::string render_hangup();
// Messaging reply: <Message>text</Message>, or an empty <Response/> when text is empty.
std::string render_message(std::string_view text);
// Nothing to do: <Response/>.
std::string render_empty();

}  // namespace outdial::telephony::twilio
