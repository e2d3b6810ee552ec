#pragma once
// Inbound SMS keywords, provider-neutral (moved from the Twilio driver; the Telnyx driver uses the
// same list). Pure; no I/O.
#include <string>
#include <string_view>

namespace outdial::telephony::sms {

// Inbound SMS intent (provider-contracts §2.5; compliance-rules REVOKE: any reasonable means).
enum class SmsIntent { kNone, kOptOut, kOptIn, kHelp };
const char* to_string(SmsIntent intent);
struct SmsClassification {
  SmsIntent intent = SmsIntent::kNone;
  // A whole-message keyword (not plain language). Carriers handle some of these themselves on
  // long codes and toll-free numbers (they auto-reply): the driver then sends no reply of its
  // own, so the customer gets one confirmation, not two (Twilio: all of these; Telnyx:
  // carrier_confirms_opt_out()).
  bool carrier_keyword = false;
  std::string keyword;  // the matched keyword or phrase, upper-cased for keywords
};
// Whole-message keywords (trimmed, case-insensitive, trailing punctuation ignored): STOP,
// STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT (and "OPT OUT") -> opt-out; START,
// UNSTOP -> opt-in (Twilio also re-subscribes on YES, but a bare "yes" is too often an answer
// to a question to restore consent on); HELP, INFO -> help. Plain-language opt-outs anywhere in the text
// ("stop calling me", "remove me", "do not call", "take me off your list", "wrong number", a
// message starting with STOP, ...) -> opt-out; erring toward opt-out is deliberate.
SmsClassification classify_inbound_sms(std::string_view body);

// Telnyx's default opt-out handling (messaging profile without Advanced Opt-In/Out) blocks and
// auto-confirms STOP, STOPALL, STOP ALL, UNSUBSCRIBE, CANCEL, END and QUIT; REVOKE, OPTOUT,
// "OPT OUT" and plain language are ours to confirm, and HELP too (it is not in Telnyx's default
// list). Source: developers.telnyx.com, messaging "Advanced Opt-In/Out", default behaviour.
bool telnyx_confirms_opt_out(const SmsClassification& c);

}  // namespace outdial::telephony::sms
