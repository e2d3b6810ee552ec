#include "outdial/telephony/sms/keywords.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace outdial::telephony::sms {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Surrounding punctuation (and the spaces it leaves) removed: "STOP!!" -> "STOP".
std::string strip_punctuation(std::string s) {
  auto is_punct = [](char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && (is_punct(s.back()) || s.back() == ' ')) s.pop_back();
  while (!s.empty() && (is_punct(s.front()) || s.front() == ' ')) s.erase(0, 1);
  return s;
}

bool listed(const std::vector<std::string_view>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

const char* to_string(SmsIntent intent) {
  switch (intent) {
    case SmsIntent::kNone: return "none";
    case SmsIntent::kOptOut: return "opt_out";
    case SmsIntent::kOptIn: return "opt_in";
    case SmsIntent::kHelp: return "help";
  }
  return "none";
}

SmsClassification classify_inbound_sms(std::string_view body) {
  SmsClassification out;
  // Normalize: trim whitespace and surrounding punctuation, collapse inner whitespace.
  std::string words;
  bool space = false;
  for (char ch : body) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isspace(c)) {
      space = !words.empty();
      continue;
    }
    if (space) words.push_back(' ');
    space = false;
    words.push_back(ch);
  }
  out.whole = upper(words);
  const std::string up = strip_punctuation(out.whole);

  static constexpr std::array<std::string_view, 9> kOptOut = {"STOP",  "STOPALL", "UNSUBSCRIBE", "CANCEL", "END",
                                                              "QUIT",  "REVOKE",  "OPTOUT",      "OPT OUT"};
  static constexpr std::array<std::string_view, 2> kOptIn = {"START", "UNSTOP"};
  static constexpr std::array<std::string_view, 2> kHelp = {"HELP", "INFO"};
  auto in = [&up](const auto& list) { return std::find(list.begin(), list.end(), up) != list.end(); };
  if (in(kOptOut)) {
    out.intent = SmsIntent::kOptOut;
    out.carrier_keyword = up != "OPT OUT";
    out.keyword = up;
    return out;
  }
  if (in(kOptIn)) {
    out.intent = SmsIntent::kOptIn;
    out.carrier_keyword = true;
    out.keyword = up;
    return out;
  }
  if (in(kHelp)) {
    out.intent = SmsIntent::kHelp;
    out.carrier_keyword = true;
    out.keyword = up;
    return out;
  }

  // Plain language (REVOKE: "any reasonable means"). Matched on whole words of the lower-cased,
  // apostrophe-free text.
  std::string plain = lower(words);
  // A typographic apostrophe (U+2019, as phones type it) counts as an apostrophe.
  for (auto pos = plain.find("\xE2\x80\x99"); pos != std::string::npos; pos = plain.find("\xE2\x80\x99", pos)) {
    plain.replace(pos, 3, "'");
  }
  std::string text;
  for (char ch : plain) {
    if (ch == '\'') continue;  // "don't" -> "dont"
    const bool word_char = std::isalnum(static_cast<unsigned char>(ch)) != 0;
    if (word_char) {
      text.push_back(ch);
    } else if (!text.empty() && text.back() != ' ') {
      text.push_back(' ');
    }
  }
  const std::string padded = " " + text + " ";
  static constexpr std::array<std::string_view, 24> kPhrases = {
      "stop calling",   "stop texting",  "stop messaging", "stop contacting", "stop sending",
      "remove me",      "remove my number", "take me off", "take my number off", "delete my number",
      "do not call",    "dont call",     "do not text",    "dont text",         "do not contact",
      "dont contact",   "no more calls", "no more texts",  "no more messages",  "unsubscribe",
      "opt me out",     "opt out",       "leave me alone", "wrong number"};
  for (auto phrase : kPhrases) {
    const std::string needle = " " + std::string(phrase) + " ";
    // Phrases match on word boundaries; "remove me" also matches "remove me from your list".
    if (padded.find(needle) != std::string::npos) {
      out.intent = SmsIntent::kOptOut;
      out.keyword = std::string(phrase);
      return out;
    }
  }
  // A message that starts with an opt-out keyword ("STOP please", "stop!!! who is this").
  const std::string first = upper(text.substr(0, text.find(' ')));
  if (first == "STOP" || first == "STOPALL" || first == "UNSUBSCRIBE" || first == "OPTOUT" ||
      first == "REVOKE") {
    out.intent = SmsIntent::kOptOut;
    out.keyword = first;
  }
  return out;
}

const CarrierKeywords& twilio_keywords() {
  static const CarrierKeywords k{"twilio",
                                 {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"},
                                 {"START", "YES", "UNSTOP"},
                                 {"HELP", "INFO"},
                                 /*short_codes=*/false};
  return k;
}

const CarrierKeywords& telnyx_keywords() {
  static const CarrierKeywords k{"telnyx",
                                 {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"},
                                 {"START", "UNSTOP"},
                                 {},
                                 /*short_codes=*/true};
  return k;
}

bool carrier_answers(const CarrierKeywords& carrier, const SmsClassification& c, std::string_view to) {
  if (!carrier.short_codes && (to.empty() || to.front() != '+')) return false;
  switch (c.intent) {
    case SmsIntent::kOptOut: return listed(carrier.opt_out, strip_punctuation(c.whole));
    case SmsIntent::kOptIn: return listed(carrier.opt_in, strip_punctuation(c.whole));
    case SmsIntent::kHelp: return listed(carrier.help, c.whole);
    case SmsIntent::kNone: break;
  }
  return false;
}

}  // namespace outdial::telephony::sms
