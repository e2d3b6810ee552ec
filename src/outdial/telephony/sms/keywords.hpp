#pragma once
// Inbound SMS keywords, provider-neutral (moved from the Twilio driver; the Telnyx driver uses the
// same list). Pure; no I/O.
#include <string>
#include <string_view>
#include <vector>

namespace outdial::telephony::sms {

// Inbound SMS intent (provider-contracts §2.5; compliance-rules REVOKE: any reasonable means).
enum class SmsIntent { kNone, kOptOut, kOptIn, kHelp };
const char* to_string(SmsIntent intent);
struct SmsClassification {
  SmsIntent intent = SmsIntent::kNone;
  // A whole-message keyword (not plain language). Carriers handle some of these themselves on
  // long codes and toll-free numbers (they auto-reply): which ones, per carrier, is
  // carrier_answers() with the carrier's CarrierKeywords.
  bool carrier_keyword = false;
  std::string keyword;  // the matched keyword or phrase, upper-cased for keywords
  // The whole message upper-cased, outer whitespace trimmed and inner whitespace collapsed to one
  // space, punctuation kept ("  Stop. " -> "STOP."): what a carrier's own keyword match sees.
  std::string whole;
};
// Whole-message keywords (trimmed, case-insensitive, trailing punctuation ignored): STOP,
// STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT (and "OPT OUT") -> opt-out; START,
// UNSTOP -> opt-in (Twilio also re-subscribes on YES, but a bare "yes" is too often an answer
// to a question to restore consent on); HELP, INFO -> help. Plain-language opt-outs anywhere in the text
// ("stop calling me", "remove me", "do not call", "take me off your list", "wrong number", a
// message starting with STOP, ...) -> opt-out; erring toward opt-out is deliberate.
SmsClassification classify_inbound_sms(std::string_view body);

// The keywords a carrier answers on its own (auto-reply) before forwarding the text to us, so
// the contact gets exactly one confirmation / one help reply per keyword text (SMS-CONFIRM:
// one confirmation; HELP/INFO must be answered): when the carrier answers, we do not.
struct CarrierKeywords {
  const char* provider;
  std::vector<std::string_view> opt_out;  // whole-message keywords, upper-case
  std::vector<std::string_view> opt_in;
  std::vector<std::string_view> help;
  bool short_codes = true;  // false: no default handling on short codes (non-E.164 `to`)
};
// Twilio (provider-contracts §2.5, long codes and toll-free; standalone short codes: none):
// opt-out STOP STOPALL UNSUBSCRIBE CANCEL END QUIT REVOKE OPTOUT, opt-in START YES UNSTOP,
// help HELP INFO; whole single-word message, case-insensitive.
const CarrierKeywords& twilio_keywords();
// Telnyx default (messaging profile, developers.telnyx.com "Advanced Opt-In/Out", default
// behaviour): opt-out STOP STOPALL "STOP ALL" UNSUBSCRIBE CANCEL END QUIT, opt-in START UNSTOP;
// no help keyword (HELP is ours to answer).
const CarrierKeywords& telnyx_keywords();
// Whether `carrier` answered this text itself. The carrier matches the whole message,
// case-insensitive. Where the contract does not say whether surrounding punctuation ("Stop.")
// still matches, each doubt falls on the lawful side: an opt-out counts as answered when it
// matches without punctuation (a missing confirmation is lawful, a second one is not: at most
// one), a help request only on an exact match (HELP must get a reply; a second one is only noise).
bool carrier_answers(const CarrierKeywords& carrier, const SmsClassification& c, std::string_view to);

}  // namespace outdial::telephony::sms
