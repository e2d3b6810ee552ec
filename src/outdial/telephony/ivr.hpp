#pragma once
// The outbound IVR as a provider-neutral flow (header-only, part of the telephony interface):
// built from the campaign's locked script and the tenant, rendered by each driver in its own
// terms (Twilio: TwiML documents; Telnyx: Call Control speak/gather/transfer/hangup commands).
//
// What the flow guarantees (compliance-rules.md PRERECORD-SCRIPT, AI-VOICE, REC-ALLPARTY,
// DNC-INTERNAL; seed "AI Outbound Call Policy": opt-out in every call, locked script):
//  1. When the call is recorded, the recording disclosure is spoken first.
//  2. Then "Hi, this is <business>." immediately followed by the key opt-out ("press 2"), so the
//     opt-out is offered within two seconds of the identification.
//  3. Then the campaign script, then the offer "press 1 to be connected" (only when the campaign
//     has an agent number).
//  4. The whole greeting is interruptible: one key press ends it (gather of one digit).
//  5. 1 -> connect to the campaign's agent number presenting the campaign's caller ID;
//     2 -> the number goes on the tenant's internal do-not-call list BEFORE the confirmation is
//     spoken and the call hangs up; no input -> goodbye and hang up; any other key -> the menu
//     once more, then goodbye.
//  6. Answering machine -> after the beep: the recorded asset (if the campaign's voicemail is an
//     http(s) URL) or the voicemail text, always with the business name, the callback number and
//     how to opt out (text STOP to the caller ID, which reaches the inbound-SMS opt-out); then
//     hang up.
#include <string>
#include <string_view>
#include <vector>

namespace outdial::telephony::ivr {

// Everything the flow is built from (campaign + tenant); no provider specifics.
struct IvrInputs {
  std::string business_name;   // tenant name: who is calling
  std::string script;          // the campaign's locked script
  std::string voicemail;       // text, or an http(s) URL of a recorded asset
  std::string agent_number;    // E.164; empty = no "press 1" offer
  std::string caller_id;       // E.164 caller ID presented to the agent leg and spoken as callback number
  bool recorded = false;       // the call is recorded: disclosure first
  std::string language = "en-US";
};

struct Prompt {
  enum class Kind { kSay, kPlay };
  Kind kind = Kind::kSay;
  std::string value;  // text to speak, or audio URL to play
  bool operator==(const Prompt&) const = default;
};

// Caller choice after the greeting.
enum class MenuAction { kConnect, kOptOut, kNoInput, kInvalid };

struct IvrFlow {
  std::string language = "en-US";
  // Spoken on answer inside a one-digit gather, in this order.
  std::vector<Prompt> greeting;
  int gather_timeout_seconds = 6;  // silence after the greeting before "no input"
  int max_menu_tries = 2;          // the greeting, then the bare menu once more on a wrong key
  std::vector<Prompt> menu_repeat;   // wrong key: said before the menu is offered again
  std::vector<Prompt> no_input;      // goodbye, then hang up
  // Digit 1.
  bool can_connect = false;
  std::vector<Prompt> connecting;
  std::string agent_number;
  std::string connect_caller_id;
  int dial_timeout_seconds = 30;
  std::vector<Prompt> agent_unavailable;  // the agent leg did not answer; then hang up
  // Digit 2: spoken only after the do-not-call entry is stored; then hang up.
  std::vector<Prompt> opt_out_confirmation;
  // Answering machine, after the beep; then hang up.
  std::vector<Prompt> voicemail;
};

// "+15551234567" -> "5 5 5, 1 2 3, 4 5 6 7" so text-to-speech reads the digits one by one.
inline std::string spoken_number(std::string_view e164) {
  std::string digits;
  for (char c : e164) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (digits.size() == 11 && digits.front() == '1') digits.erase(0, 1);  // NANP: drop the country code
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0) out += (digits.size() == 10 && (i == 3 || i == 6)) ? ", " : " ";
    out.push_back(digits[i]);
  }
  return out;
}

inline bool is_audio_url(std::string_view s) {
  return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0;
}

inline IvrFlow build_flow(const IvrInputs& in) {
  IvrFlow f;
  f.language = in.language;
  const std::string business = in.business_name.empty() ? std::string("our office") : in.business_name;
  const std::string callback = spoken_number(in.caller_id);
  const std::string opt_out = "To stop calls from us, press 2 at any time.";
  if (in.recorded) f.greeting.push_back({Prompt::Kind::kSay, "This call is recorded."});
  f.greeting.push_back({Prompt::Kind::kSay, "Hi, this is " + business + ". " + opt_out});
  if (!in.script.empty()) f.greeting.push_back({Prompt::Kind::kSay, in.script});
  f.can_connect = !in.agent_number.empty();
  const std::string menu = f.can_connect ? "Press 1 to be connected with our team, or press 2 to stop calls from us."
                                         : "Press 2 to stop calls from us.";
  f.greeting.push_back({Prompt::Kind::kSay, menu});
  f.menu_repeat = {{Prompt::Kind::kSay, "Sorry, that is not an option. " + menu}};
  f.no_input = {{Prompt::Kind::kSay, "We did not receive a choice. Thank you, goodbye."}};
  f.agent_number = in.agent_number;
  f.connect_caller_id = in.caller_id;
  f.connecting = {{Prompt::Kind::kSay, "Connecting you now. Please hold."}};
  std::string unavailable = "Sorry, nobody is available right now.";
  if (!callback.empty()) unavailable += " You can call us back at " + callback + ".";
  f.agent_unavailable = {{Prompt::Kind::kSay, unavailable + " Goodbye."}};
  f.opt_out_confirmation = {{Prompt::Kind::kSay, "You have been added to the do not call list of " + business +
                                                     ". You will not be called again. Goodbye."}};
  if (is_audio_url(in.voicemail)) {
    // A recorded asset carries its own wording; the identification and opt-out still follow it.
    f.voicemail.push_back({Prompt::Kind::kPlay, in.voicemail});
    std::string tail = "This message was from " + business + ".";
    if (!callback.empty()) tail += " You can reach us at " + callback + ". To stop calls from us, text STOP to " + callback + ".";
    f.voicemail.push_back({Prompt::Kind::kSay, tail});
  } else {
    std::string vm = "Hi, this is " + business + ".";
    if (!in.voicemail.empty()) vm += " " + in.voicemail;
    if (!callback.empty()) {
      vm += " You can reach us at " + callback + ". To stop calls from us, text STOP to " + callback + ".";
    }
    f.voicemail.push_back({Prompt::Kind::kSay, vm});
  }
  return f;
}

// The caller's key: exactly "1" (with an agent number) connects, "2" opts out, "" is no input,
// anything else is invalid. A "2" anywhere in multi-digit input also opts out: a caller who
// pressed 2 asked to stop and must never be bridged or called again.
inline MenuAction menu_action(const IvrFlow& flow, std::string_view digits) {
  if (digits.find('2') != std::string_view::npos) return MenuAction::kOptOut;
  if (digits.empty()) return MenuAction::kNoInput;
  if (digits == "1" && flow.can_connect) return MenuAction::kConnect;
  return MenuAction::kInvalid;
}

}  // namespace outdial::telephony::ivr
