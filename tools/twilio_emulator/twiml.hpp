#pragma once
// TwiML documents as the emulator reads them (provider-contracts.md §4). Parsed with expat into
// a small tree; the call engine interprets it verb by verb.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "outdial/core/result.hpp"

namespace outdial::twilio_emulator {

struct TwimlNode {
  std::string name;                          // "Response", "Say", "Gather", "Number", ...
  std::map<std::string, std::string> attrs;  // as written (case-sensitive, like Twilio)
  std::string text;                          // character data, whitespace-trimmed
  std::vector<TwimlNode> children;
  int line = 0;                              // where the element starts (for error messages)

  std::string attr(const std::string& name, const std::string& fallback = "") const;
};

// Parses a document whose root is <Response>. Errors are kInvalidArgument with details
// {"twilio_code": "12100", "line": ...}: malformed XML, a root other than <Response>, a verb
// TwiML does not have, a noun outside its verb (<Number> outside <Dial>), or a verb nested where
// Twilio does not allow it (<Gather> may hold only <Say>, <Play>, <Pause>).
Result<TwimlNode> parse_twiml(std::string_view xml);

// Seconds a <Say> of this text takes to speak (about 150 words a minute, at least 0.5 s).
double speech_seconds(const std::string& text);

}  // namespace outdial::twilio_emulator
