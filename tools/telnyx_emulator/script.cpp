#include <nlohmann/json.hpp>

#include "emulator.hpp"

namespace outdial::tools::telnyx {

namespace {

using nlohmann::json;

Error bad(const std::string& where, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "telnyx emulator script: " + where + ": " + what, {{"key", where}});
}

// Reads an int field when present; false (with `err`) when present with the wrong type.
bool read_int(const json& o, const char* k, int& out, const std::string& where, Error& err) {
  auto it = o.find(k);
  if (it == o.end()) return true;
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0) {
    err = bad(where + "." + k, "must be a non-negative integer");
    return false;
  }
  out = it->get<int>();
  return true;
}

bool read_string(const json& o, const char* k, std::string& out, const std::string& where, Error& err) {
  auto it = o.find(k);
  if (it == o.end()) return true;
  if (!it->is_string()) {
    err = bad(where + "." + k, "must be a string");
    return false;
  }
  out = it->get<std::string>();
  return true;
}

bool read_callee(const json& o, CalleeBehaviour& b, const std::string& where, Error& err) {
  if (!o.is_object()) {
    err = bad(where, "must be an object");
    return false;
  }
  if (!read_string(o, "answer", b.answer, where, err) || !read_int(o, "ring_ms", b.ring_ms, where, err) ||
      !read_int(o, "digits_after_ms", b.digits_after_ms, where, err) ||
      !read_int(o, "hangup_after_ms", b.hangup_after_ms, where, err) || !read_int(o, "amd_ms", b.amd_ms, where, err) ||
      !read_string(o, "amd_result", b.amd_result, where, err) ||
      !read_int(o, "greeting_ms", b.greeting_ms, where, err))
    return false;
  static const char* kAnswers[] = {"human", "machine", "busy", "no_answer", "failed", "reject", "invalid"};
  if (std::find(std::begin(kAnswers), std::end(kAnswers), b.answer) == std::end(kAnswers)) {
    err = bad(where + ".answer", "must be one of human, machine, busy, no_answer, failed, reject, invalid");
    return false;
  }
  if (auto d = o.find("digits"); d != o.end()) {
    b.digits.clear();
    if (d->is_string()) {
      b.digits.push_back(d->get<std::string>());
    } else if (d->is_array()) {
      for (const auto& x : *d) {
        if (!x.is_string()) {
          err = bad(where + ".digits", "must be a string or an array of strings");
          return false;
        }
        b.digits.push_back(x.get<std::string>());
      }
    } else {
      err = bad(where + ".digits", "must be a string or an array of strings");
      return false;
    }
  }
  return true;
}

}  // namespace

Result<EmulatorScript> parse_script(const std::string& text) {
  const auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("(root)", "not a JSON object");
  EmulatorScript s;
  Error err;
  if (auto d = j.find("default"); d != j.end() && !read_callee(*d, s.default_callee, "default", err)) return err;
  if (auto n = j.find("numbers"); n != j.end()) {
    if (!n->is_object()) return bad("numbers", "must be an object keyed by E.164 number");
    for (const auto& [number, o] : n->items()) {
      CalleeBehaviour b = s.default_callee;
      if (!read_callee(o, b, "numbers." + number, err)) return err;
      s.numbers[number] = b;
    }
  }
  if (auto a = j.find("agent"); a != j.end()) {
    if (!a->is_object()) return bad("agent", "must be an object");
    if (auto x = a->find("answers"); x != a->end()) {
      if (!x->is_boolean()) return bad("agent.answers", "must be true or false");
      s.agent.answers = x->get<bool>();
    }
    if (!read_int(*a, "ring_ms", s.agent.ring_ms, "agent", err) ||
        !read_int(*a, "hangup_after_ms", s.agent.hangup_after_ms, "agent", err))
      return err;
  }
  if (auto f = j.find("faults"); f != j.end()) {
    if (!f->is_object()) return bad("faults", "must be an object");
    if (auto x = f->find("duplicate_rate"); x != f->end()) {
      if (!x->is_number() || x->get<double>() < 0 || x->get<double>() > 1) return bad("faults.duplicate_rate", "must be 0..1");
      s.faults.duplicate_rate = x->get<double>();
    }
    if (auto x = f->find("out_of_order"); x != f->end()) {
      if (!x->is_boolean()) return bad("faults.out_of_order", "must be true or false");
      s.faults.out_of_order = x->get<bool>();
    }
    if (!read_int(*f, "hold_ms", s.faults.hold_ms, "faults", err) || !read_int(*f, "delay_ms", s.faults.delay_ms, "faults", err) ||
        !read_int(*f, "max_retries", s.faults.max_retries, "faults", err) ||
        !read_int(*f, "retry_backoff_ms", s.faults.retry_backoff_ms, "faults", err) ||
        !read_int(*f, "rate_limit_first_dials", s.faults.rate_limit_first_dials, "faults", err))
      return err;
  }
  return s;
}

}  // namespace outdial::tools::telnyx
