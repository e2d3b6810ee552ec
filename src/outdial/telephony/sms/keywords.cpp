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
  auto is_punct = [](char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; };
  while (!words.empty() && is_punct(words.back())) words.pop_back();
  while (!words.empty() && is_punct(words.front())) words.erase(0, 1);
  while (!words.empty() && words.back() == ' ') words.pop_back();
  const std::string up = upper(words);

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

bool telnyx_confirms_opt_out(const SmsClassification& c) {
  // "STOP ALL" is on Telnyx's list too, but it classifies as a plain-language opt-out ("STOP ..."),
  // so it gets our confirmation as well: two confirmations rather than a missing one.
  static constexpr std::array<std::string_view, 6> kTelnyx = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"};
  return c.intent == SmsIntent::kOptOut && c.carrier_keyword &&
         std::find(kTelnyx.begin(), kTelnyx.end(), c.keyword) != kTelnyx.end();
}

}  // namespace outdial::telephony::sms
