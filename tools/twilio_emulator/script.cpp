#include "script.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace outdial::twilio_emulator {
namespace {

using nlohmann::json;

Error bad(const std::string& path, const std::string& msg) {
  return make_error(ErrorCode::kInvalidArgument, path + ": " + msg, {{"field", path}});
}

std::optional<Error> num(const json& j, const std::string& key, const std::string& path, double& out) {
  if (!j.contains(key)) return std::nullopt;
  if (!j[key].is_number()) return bad(path + "." + key, "must be a number");
  out = j[key].get<double>();
  return std::nullopt;
}
std::optional<Error> integer(const json& j, const std::string& key, const std::string& path, int& out) {
  if (!j.contains(key)) return std::nullopt;
  if (!j[key].is_number_integer()) return bad(path + "." + key, "must be an integer");
  out = j[key].get<int>();
  return std::nullopt;
}
std::optional<Error> str(const json& j, const std::string& key, const std::string& path, std::string& out) {
  if (!j.contains(key)) return std::nullopt;
  if (!j[key].is_string()) return bad(path + "." + key, "must be a string");
  out = j[key].get<std::string>();
  return std::nullopt;
}
std::optional<Error> check_keys(const json& j, const std::string& path, std::initializer_list<const char*> keys) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const char* k : keys) known = known || it.key() == k;
    if (!known) return bad(path + "." + it.key(), "unknown field");
  }
  return std::nullopt;
}

#define OUTDIAL_TRY(expr)              \
  do {                                 \
    if (auto e_ = (expr)) return *e_;  \
  } while (0)

Result<CalleeBehaviour> behaviour_from(const json& j, const std::string& path, CalleeBehaviour b) {
  if (!j.is_object()) return bad(path, "must be an object");
  OUTDIAL_TRY(check_keys(j, path,
                         {"answer", "ring_seconds", "hangup_after_seconds", "digits", "press_after_seconds",
                          "greeting_seconds", "beep", "amd_human_seconds", "amd_result", "bridge_seconds",
                          "sip_response_code", "reject_code"}));
  if (j.contains("answer")) {
    std::string a;
    OUTDIAL_TRY(str(j, "answer", path, a));
    if (a == "human") b.answer = Answer::kHuman;
    else if (a == "machine") b.answer = Answer::kMachine;
    else if (a == "fax") b.answer = Answer::kFax;
    else if (a == "busy") b.answer = Answer::kBusy;
    else if (a == "no-answer") b.answer = Answer::kNoAnswer;
    else if (a == "failed") b.answer = Answer::kFailed;
    else return bad(path + ".answer", "unknown answer '" + a + "' (human, machine, fax, busy, no-answer, failed)");
  }
  OUTDIAL_TRY(num(j, "ring_seconds", path, b.ring_seconds));
  OUTDIAL_TRY(num(j, "hangup_after_seconds", path, b.hangup_after_seconds));
  OUTDIAL_TRY(num(j, "press_after_seconds", path, b.press_after_seconds));
  OUTDIAL_TRY(num(j, "greeting_seconds", path, b.greeting_seconds));
  OUTDIAL_TRY(num(j, "amd_human_seconds", path, b.amd_human_seconds));
  OUTDIAL_TRY(num(j, "bridge_seconds", path, b.bridge_seconds));
  OUTDIAL_TRY(str(j, "amd_result", path, b.amd_result));
  OUTDIAL_TRY(integer(j, "sip_response_code", path, b.sip_response_code));
  OUTDIAL_TRY(integer(j, "reject_code", path, b.reject_code));
  if (j.contains("beep")) {
    if (!j["beep"].is_boolean()) return bad(path + ".beep", "must be true or false");
    b.beep = j["beep"].get<bool>();
  }
  if (j.contains("digits")) {
    const json& d = j["digits"];
    b.digits.clear();
    if (d.is_string()) {
      b.digits.push_back(d.get<std::string>());
    } else if (d.is_array()) {
      for (std::size_t i = 0; i < d.size(); ++i) {
        if (!d[i].is_string()) return bad(path + ".digits[" + std::to_string(i) + "]", "must be a string");
        b.digits.push_back(d[i].get<std::string>());
      }
    } else {
      return bad(path + ".digits", "must be a string or an array of strings");
    }
    for (std::size_t i = 0; i < b.digits.size(); ++i) {
      for (char c : b.digits[i]) {
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '*' || c == '#' || c == 'w')) {
          return bad(path + ".digits[" + std::to_string(i) + "]", std::string("'") + c + "' is not a key (0-9 * # w)");
        }
      }
    }
  }
  if (b.ring_seconds < 0) return bad(path + ".ring_seconds", "must be >= 0");
  if (b.greeting_seconds < 0) return bad(path + ".greeting_seconds", "must be >= 0");
  return b;
}

Result<RestFault> rest_fault_from(const json& j, const std::string& path) {
  if (!j.is_object()) return bad(path, "must be an object");
  OUTDIAL_TRY(check_keys(j, path, {"kind", "resource", "to", "times", "stall_seconds"}));
  RestFault f;
  std::string kind;
  OUTDIAL_TRY(str(j, "kind", path, kind));
  if (kind == "429") f.kind = RestFaultKind::k429;
  else if (kind == "500") f.kind = RestFaultKind::k500;
  else if (kind == "timeout") f.kind = RestFaultKind::kTimeout;
  else return bad(path + ".kind", "unknown fault '" + kind + "' (429, 500, timeout)");
  OUTDIAL_TRY(str(j, "resource", path, f.resource));
  if (f.resource != "calls" && f.resource != "messages" && f.resource != "any") {
    return bad(path + ".resource", "must be calls, messages or any");
  }
  OUTDIAL_TRY(str(j, "to", path, f.to));
  OUTDIAL_TRY(integer(j, "times", path, f.times));
  OUTDIAL_TRY(num(j, "stall_seconds", path, f.stall_seconds));
  if (f.times < 1) return bad(path + ".times", "must be >= 1");
  return f;
}

Result<WebhookFaults> webhook_faults_from(const json& j, const std::string& path) {
  if (!j.is_object()) return bad(path, "must be an object");
  OUTDIAL_TRY(check_keys(j, path, {"duplicate", "delay", "delay_seconds", "reorder", "retries_on_5xx", "retry_seconds"}));
  WebhookFaults w;
  OUTDIAL_TRY(num(j, "duplicate", path, w.duplicate));
  OUTDIAL_TRY(num(j, "delay", path, w.delay));
  OUTDIAL_TRY(num(j, "delay_seconds", path, w.delay_seconds));
  OUTDIAL_TRY(num(j, "reorder", path, w.reorder));
  OUTDIAL_TRY(integer(j, "retries_on_5xx", path, w.retries_on_5xx));
  OUTDIAL_TRY(num(j, "retry_seconds", path, w.retry_seconds));
  const std::pair<const char*, double> probabilities[] = {
      {"duplicate", w.duplicate}, {"delay", w.delay}, {"reorder", w.reorder}};
  for (const auto& [name, p] : probabilities) {
    if (p < 0 || p > 1) return bad(path + "." + name, "is a probability: 0..1");
  }
  if (w.retries_on_5xx < 0) return bad(path + ".retries_on_5xx", "must be >= 0");
  return w;
}

Result<json> parse_json(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    return make_error(ErrorCode::kInvalidArgument, std::string("script is not valid JSON: ") + e.what(),
                      {{"byte", std::to_string(e.byte)}});
  }
}

}  // namespace

const char* to_string(Answer a) {
  switch (a) {
    case Answer::kHuman: return "human";
    case Answer::kMachine: return "machine";
    case Answer::kFax: return "fax";
    case Answer::kBusy: return "busy";
    case Answer::kNoAnswer: return "no-answer";
    case Answer::kFailed: return "failed";
  }
  return "?";
}

const CalleeBehaviour& Script::behaviour(const std::string& number, std::size_t nth, std::uint64_t seed) const {
  auto it = numbers.find(number);
  if (it != numbers.end() && !it->second.empty()) return it->second[std::min(nth, it->second.size() - 1)];
  if (default_mix.empty()) return default_behaviour;
  // FNV-1a over (seed, number, nth): the same call gets the same callee in every run.
  std::uint64_t h = 1469598103934665603ULL;
  const auto mix = [&h](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 1099511628211ULL;
    }
  };
  mix(seed);
  for (unsigned char ch : number) mix(ch);
  mix(nth);
  double total = 0;
  for (const auto& [w, b] : default_mix) total += w;
  double x = static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53) * total;
  for (const auto& [w, b] : default_mix) {
    if (x < w) return b;
    x -= w;
  }
  return default_mix.back().second;
}

Result<Script> parse_script(const std::string& json_text) {
  auto parsed = parse_json(json_text);
  if (!parsed.ok()) return parsed.error();
  const json& j = parsed.value();
  if (!j.is_object()) return bad("(root)", "must be an object");
  OUTDIAL_TRY(check_keys(j, "(root)", {"default", "numbers", "sms_url", "faults"}));
  Script s;
  if (j.contains("default") && j["default"].is_array()) {
    const json& mix = j["default"];
    if (mix.empty()) return bad("default", "a mix must not be empty");
    for (std::size_t i = 0; i < mix.size(); ++i) {
      const std::string path = "default[" + std::to_string(i) + "]";
      if (!mix[i].is_object()) return bad(path, "must be an object");
      json entry = mix[i];
      double weight = 1;
      if (entry.contains("weight")) {
        if (!entry["weight"].is_number() || entry["weight"].get<double>() <= 0) {
          return bad(path + ".weight", "must be a number > 0");
        }
        weight = entry["weight"].get<double>();
        entry.erase("weight");
      }
      auto b = behaviour_from(entry, path, CalleeBehaviour{});
      if (!b.ok()) return b.error();
      s.default_mix.emplace_back(weight, b.value());
    }
  } else if (j.contains("default")) {
    auto b = behaviour_from(j["default"], "default", CalleeBehaviour{});
    if (!b.ok()) return b.error();
    s.default_behaviour = b.value();
  }
  if (j.contains("numbers")) {
    if (!j["numbers"].is_object()) return bad("numbers", "must be an object keyed by E.164 number");
    for (auto it = j["numbers"].begin(); it != j["numbers"].end(); ++it) {
      const std::string path = "numbers." + it.key();
      std::vector<CalleeBehaviour> seq;
      if (it.value().is_array()) {
        if (it.value().empty()) return bad(path, "must not be empty");
        for (std::size_t i = 0; i < it.value().size(); ++i) {
          // Each entry starts from the default, so a script only states what differs.
          auto b = behaviour_from(it.value()[i], path + "[" + std::to_string(i) + "]", s.default_behaviour);
          if (!b.ok()) return b.error();
          seq.push_back(b.value());
        }
      } else {
        auto b = behaviour_from(it.value(), path, s.default_behaviour);
        if (!b.ok()) return b.error();
        seq.push_back(b.value());
      }
      s.numbers[it.key()] = std::move(seq);
    }
  }
  OUTDIAL_TRY(str(j, "sms_url", "(root)", s.sms_url));
  if (j.contains("faults")) {
    const json& f = j["faults"];
    if (!f.is_object()) return bad("faults", "must be an object");
    OUTDIAL_TRY(check_keys(f, "faults", {"rest", "webhooks"}));
    if (f.contains("rest")) {
      if (!f["rest"].is_array()) return bad("faults.rest", "must be an array");
      for (std::size_t i = 0; i < f["rest"].size(); ++i) {
        auto r = rest_fault_from(f["rest"][i], "faults.rest[" + std::to_string(i) + "]");
        if (!r.ok()) return r.error();
        s.rest_faults.push_back(r.value());
      }
    }
    if (f.contains("webhooks")) {
      auto w = webhook_faults_from(f["webhooks"], "faults.webhooks");
      if (!w.ok()) return w.error();
      s.webhook_faults = w.value();
    }
  }
  return s;
}

Result<CalleeBehaviour> parse_behaviour(const std::string& json_text) {
  auto parsed = parse_json(json_text);
  if (!parsed.ok()) return parsed.error();
  return behaviour_from(parsed.value(), "(root)", CalleeBehaviour{});
}

Result<RestFault> parse_rest_fault(const std::string& json_text) {
  auto parsed = parse_json(json_text);
  if (!parsed.ok()) return parsed.error();
  return rest_fault_from(parsed.value(), "(root)");
}

Result<WebhookFaults> parse_webhook_faults(const std::string& json_text) {
  auto parsed = parse_json(json_text);
  if (!parsed.ok()) return parsed.error();
  return webhook_faults_from(parsed.value(), "(root)");
}

}  // namespace outdial::twilio_emulator
