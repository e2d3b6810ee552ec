#pragma once
// Scripted callee behaviour per number and injected faults: what the emulated "world" does.
// JSON shape (every field optional; see README "Twilio emulator"):
// {
//   "default": {"answer": "human", "ring_seconds": 3, "hangup_after_seconds": 60, ...},
//   (or a weighted mix for numbers not listed: "default": [{"weight": 6, "digits": ["1"]},
//    {"weight": 2, "answer": "machine"}, {"weight": 1, "answer": "busy"}]; each entry starts from
//    the plain defaults, and the pick is a function of (seed, number, nth call): reproducible)
//   "numbers": {"+15551230001": {"answer": "human", "digits": ["1"]},
//               "+15551230002": [{"answer": "busy"}, {"answer": "human"}]},   // 1st call, 2nd+ call
//   "sms_url": "http://127.0.0.1:8080/webhooks/twilio/sms",
//   "faults": {"rest": [{"kind": "429", "times": 2}],
//              "webhooks": {"duplicate": 0.1, "delay": 0.1, "delay_seconds": 5, "reorder": 0.1,
//                           "retries_on_5xx": 2, "retry_seconds": 2}}
// }
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/result.hpp"

namespace outdial::twilio_emulator {

enum class Answer { kHuman, kMachine, kFax, kBusy, kNoAnswer, kFailed };
const char* to_string(Answer a);

struct CalleeBehaviour {
  Answer answer = Answer::kHuman;
  double ring_seconds = 3;            // from "initiated" to answer / busy (no-answer: the Timeout)
  double hangup_after_seconds = 120;  // after the answer the callee hangs up; <= 0 = never
  // Keys pressed, one entry per <Gather> in the order the call meets them ("" = no input). A
  // "w" waits 0.5 s between keys (like SendDigits).
  std::vector<std::string> digits{};
  double press_after_seconds = -1;  // from the start of the <Gather>; < 0: 1 s after its prompts end
  double greeting_seconds = 8;      // machine: greeting length; the beep sounds at its end
  bool beep = true;                 // machine: false = ends in silence (machine_end_silence)
  double amd_human_seconds = 2.5;   // time AMD needs to call a human
  std::string amd_result{};         // forces AnsweredBy ("unknown", "machine_end_other", ...)
  double bridge_seconds = 30;       // when this number is <Dial>ed (an agent): talk time
  int sip_response_code = 0;        // overrides 486 (busy) / 487 (no-answer) / 404 (failed)
  int reject_code = 0;              // create answers this Twilio error (21214, 21216, 21217, ...)
};

enum class RestFaultKind { k429, k500, kTimeout };

// One injected REST fault, applied to the next `times` matching requests.
struct RestFault {
  RestFaultKind kind = RestFaultKind::k429;
  std::string resource = "calls";  // "calls" (create), "messages", "any"
  std::string to{};                // only requests with this To ("" = any)
  int times = 1;
  // kTimeout: the call IS created, then the answer is held this long (wall time) so the client's
  // own time-out fires first: the "may exist" case.
  double stall_seconds = 15;
};

struct WebhookFaults {
  double duplicate = 0;      // probability that a status/AMD callback is delivered twice
  double delay = 0;          // probability that one is held back delay_seconds
  double delay_seconds = 5;
  double reorder = 0;        // probability that a status callback is held until after the next
  int retries_on_5xx = 2;    // redeliveries when outdial answers 5xx or cannot be reached
  double retry_seconds = 2;  // between redeliveries (emulated time)
};

struct Script {
  CalleeBehaviour default_behaviour;
  std::vector<std::pair<double, CalleeBehaviour>> default_mix;  // weight, behaviour
  std::map<std::string, std::vector<CalleeBehaviour>> numbers;
  std::string sms_url;
  std::vector<RestFault> rest_faults;
  WebhookFaults webhook_faults;

  // Behaviour of the `nth` call (0-based) to `number`: the nth entry, the last one repeating;
  // a number not listed gets the default, or a pick from default_mix by (seed, number, nth).
  const CalleeBehaviour& behaviour(const std::string& number, std::size_t nth, std::uint64_t seed = 0) const;
};

// Errors are kInvalidArgument naming the JSON path, e.g. "numbers.+15551230001[1].answer: unknown
// answer 'maybe' (human, machine, fax, busy, no-answer, failed)".
Result<Script> parse_script(const std::string& json_text);
Result<CalleeBehaviour> parse_behaviour(const std::string& json_text);
Result<RestFault> parse_rest_fault(const std::string& json_text);
Result<WebhookFaults> parse_webhook_faults(const std::string& json_text);

}  // namespace outdial::twilio_emulator
