// Drives each call as Twilio would (provider-contracts.md §1.1, §2, §4): the CPS queue, the
// callee's scripted answer, AMD, status callbacks, and the TwiML interpreter.
#include <algorithm>
#include <cmath>

#include "emulator_impl.hpp"

namespace outdial::twilio_emulator {
namespace {

Millis seconds(double s) { return Millis(static_cast<std::int64_t>(std::llround(s * 1000.0))); }

int int_attr(const TwimlNode& n, const std::string& name, int fallback) {
  const std::string v = n.attr(name);
  if (v.empty()) return fallback;
  try {
    std::size_t used = 0;
    const int x = std::stoi(v, &used);
    return used == v.size() ? x : fallback;
  } catch (...) {
    return fallback;
  }
}

// Whole seconds of talk, rounded up (Twilio bills started seconds).
int whole_seconds(Millis d) { return static_cast<int>((std::max<std::int64_t>(d.count(), 0) + 999) / 1000); }

}  // namespace

// ---------------------------------------------------------------- CPS queue and call set-up

void TwilioEmulator::Impl::enqueue_call(const std::string& sid) {
  cps_queue.push_back(sid);
  pump();
}

void TwilioEmulator::Impl::pump() {
  // Twilio queues calls over the account's CPS rather than refusing them (§7). Start slots are
  // spaced ceil(1000/cps) ms apart, so no one-second window ever holds more than `cps` starts.
  const Millis spacing(static_cast<std::int64_t>(std::ceil(1000.0 / std::max(opts.cps, 0.001))));
  while (!cps_queue.empty() && (opts.max_concurrency <= 0 || active < opts.max_concurrency)) {
    const std::string sid = cps_queue.front();
    cps_queue.pop_front();
    auto it = calls.find(sid);
    if (it == calls.end() || it->second.ended()) continue;  // canceled while queued
    const TimePoint slot = std::max(sched.now(), next_slot);
    next_slot = slot + spacing;
    ++active;
    holding.insert(sid);
    const std::uint64_t gen = it->second.generation;
    flow_at(sid, gen, slot, [this, sid] { start_call(sid); });
  }
}

void TwilioEmulator::Impl::flow_at(const std::string& sid, std::uint64_t gen, TimePoint when, std::function<void()> fn) {
  sched.at(when, [this, sid, gen, fn = std::move(fn)] {
    {
      std::lock_guard lock(mu);
      auto it = calls.find(sid);
      if (it == calls.end() || it->second.ended() || it->second.generation != gen) return;
    }
    fn();
  });
}

Millis TwilioEmulator::Impl::since_answer(const EmulatedCall& c) const {
  if (!c.answered_at) return Millis(0);
  return sched.now() - *c.answered_at;
}

Params TwilioEmulator::Impl::voice_params(const EmulatedCall& c) const {
  const auto country = [](const std::string& n) { return n.rfind("+1", 0) == 0 ? std::string("US") : std::string(); };
  return {{"AccountSid", opts.account_sid},
          {"ApiVersion", "2010-04-01"},
          {"CallSid", c.sid},
          {"CallStatus", c.status},
          {"Called", c.to},
          {"CalledCountry", country(c.to)},
          {"Caller", c.from},
          {"CallerCountry", country(c.from)},
          {"Direction", c.direction},
          {"From", c.from},
          {"FromCountry", country(c.from)},
          {"To", c.to},
          {"ToCountry", country(c.to)}};
}

void TwilioEmulator::Impl::emit_status(EmulatedCall& c, const std::string& event, const std::string& call_status) {
  if (c.status_callback.empty()) return;
  const bool terminal = event == "completed";
  // With no StatusCallbackEvent only `completed` is sent (§1.1).
  if (c.status_events.empty() ? !terminal : c.status_events.count(event) == 0) return;
  Params p = voice_params(c);
  for (auto& [k, v] : p) {
    if (k == "CallStatus") v = call_status;
  }
  p.emplace_back("CallbackSource", "call-progress-events");
  const int seq = c.next_sequence++;
  p.emplace_back("SequenceNumber", std::to_string(seq));
  p.emplace_back("Timestamp", rfc2822(sched.now()));
  if (terminal) {
    const int talk = c.answered_at && c.ended_at ? whole_seconds(*c.ended_at - *c.answered_at) : 0;
    p.emplace_back("CallDuration", std::to_string(talk));
    p.emplace_back("Duration", std::to_string((talk + 59) / 60));
    if (c.sip_response_code > 0) p.emplace_back("SipResponseCode", std::to_string(c.sip_response_code));
  }
  if (!c.machine_detection.empty() && !c.answered_by.empty()) p.emplace_back("AnsweredBy", c.answered_by);
  Outgoing o;
  o.rec.kind = "status";
  o.rec.call_sid = c.sid;
  o.rec.method = c.status_callback_method;
  o.rec.url = c.status_callback;
  o.rec.params = std::move(p);
  o.rec.sequence = seq;
  o.terminal = terminal;
  post_async(std::move(o));
}

void TwilioEmulator::Impl::start_call(const std::string& sid) {
  std::lock_guard lock(mu);
  EmulatedCall& c = calls.at(sid);
  const TimePoint now = sched.now();
  c.started_at = now;
  log_line(sid, "initiated: " + c.from + " -> " + c.to + " (callee: " + to_string(c.behaviour.answer) + ")");
  emit_status(c, "initiated", "initiated");
  const CalleeBehaviour& b = c.behaviour;
  const std::uint64_t gen = c.generation;
  if (b.answer == Answer::kFailed) {
    const int sip = b.sip_response_code > 0 ? b.sip_response_code : 404;
    flow_at(sid, gen, now + Millis(1000), [this, sid, sip] {
      std::lock_guard l(mu);
      end_call(calls.at(sid), "failed", sip, "callee-failed");
    });
    return;
  }
  const Millis ring_for = seconds(b.ring_seconds);
  if (ring_for > Millis(500) || b.answer == Answer::kNoAnswer) {
    flow_at(sid, gen, now + Millis(500), [this, sid] { ring(sid); });
  }
  const Millis timeout = Millis(1000LL * c.timeout_seconds);
  if (b.answer == Answer::kBusy) {
    const int sip = b.sip_response_code > 0 ? b.sip_response_code : 486;
    flow_at(sid, gen, now + std::min(ring_for, timeout), [this, sid, sip] {
      std::lock_guard l(mu);
      end_call(calls.at(sid), "busy", sip, "callee-busy");
    });
  } else if (b.answer == Answer::kNoAnswer || ring_for >= timeout) {
    // Twilio gives up after Timeout seconds of ringing: no-answer, SIP 487 (§2.1).
    const int sip = b.sip_response_code > 0 ? b.sip_response_code : 487;
    flow_at(sid, gen, now + timeout, [this, sid, sip] {
      std::lock_guard l(mu);
      end_call(calls.at(sid), "no-answer", sip, "ring-timeout");
    });
  } else {
    flow_at(sid, gen, now + ring_for, [this, sid] { answer(sid); });
  }
}

void TwilioEmulator::Impl::ring(const std::string& sid) {
  std::lock_guard lock(mu);
  EmulatedCall& c = calls.at(sid);
  if (c.status != "queued") return;
  c.status = "ringing";
  log_line(sid, "ringing");
  emit_status(c, "ringing", "ringing");
}

void TwilioEmulator::Impl::answer(const std::string& sid) {
  std::lock_guard lock(mu);
  EmulatedCall& c = calls.at(sid);
  const TimePoint now = sched.now();
  c.status = "in-progress";
  c.answered_at = now;
  const CalleeBehaviour& b = c.behaviour;
  if (b.answer == Answer::kMachine) c.beep_at = now + seconds(b.greeting_seconds);
  log_line(sid, std::string("answered by a ") + to_string(b.answer));
  emit_status(c, "answered", "in-progress");

  // The callee's own hang-up and TimeLimit end the call whatever the TwiML is doing.
  if (b.hangup_after_seconds > 0) {
    sched.at(now + seconds(b.hangup_after_seconds), [this, sid] {
      std::lock_guard l(mu);
      end_call(calls.at(sid), "completed", 200, "callee-hung-up");
    });
  }
  sched.at(now + Millis(1000LL * c.time_limit_seconds), [this, sid] {
    std::lock_guard l(mu);
    end_call(calls.at(sid), "completed", 200, "time-limit");
  });

  const std::uint64_t gen = c.generation;
  if (c.machine_detection.empty()) {
    flow_at(sid, gen, now, [this, sid, gen] { start_twiml(sid, gen, {}); });
    return;
  }
  // AMD (§2.2): Enable answers human|machine_start|fax|unknown as soon as it knows;
  // DetectMessageEnd waits for the greeting's end (the beep) for machines.
  std::string result;
  Millis took{0};
  switch (b.answer) {
    case Answer::kMachine:
      if (c.machine_detection == "DetectMessageEnd") {
        result = b.beep ? "machine_end_beep" : "machine_end_silence";
        took = seconds(b.greeting_seconds + (b.beep ? 0.0 : 2.0));
      } else {
        result = "machine_start";
        took = seconds(std::min(b.greeting_seconds, 4.0));
      }
      break;
    case Answer::kFax:
      result = "fax";
      took = Millis(2000);
      break;
    default:
      result = "human";
      took = seconds(b.amd_human_seconds);
  }
  if (!b.amd_result.empty()) result = b.amd_result;
  if (took > Millis(1000LL * c.machine_detection_timeout)) {
    result = "unknown";
    took = Millis(1000LL * c.machine_detection_timeout);
  }
  if (c.async_amd) {
    // Async: the TwiML runs at once; the result is posted to AsyncAmdStatusCallback later.
    flow_at(sid, gen, now, [this, sid, gen] { start_twiml(sid, gen, {}); });
  }
  sched.at(now + took, [this, sid, result, took, gen] { on_amd(sid, result, took, gen); });
}

void TwilioEmulator::Impl::on_amd(const std::string& sid, const std::string& result, Millis took, std::uint64_t gen) {
  {
    std::lock_guard lock(mu);
    EmulatedCall& c = calls.at(sid);
    if (c.ended()) return;
    c.answered_by = result;
    log_line(sid, "AMD: " + result + " after " + std::to_string(took.count()) + " ms");
    if (c.async_amd) {
      if (c.async_amd_callback.empty()) return;
      Outgoing o;
      o.rec.kind = "amd";
      o.rec.call_sid = sid;
      o.rec.method = c.async_amd_callback_method;
      o.rec.url = c.async_amd_callback;
      o.rec.params = {{"AccountSid", opts.account_sid},
                      {"AnsweredBy", result},
                      {"CallSid", sid},
                      {"MachineDetectionDuration", std::to_string(took.count())}};
      post_async(std::move(o));
      return;
    }
    if (c.generation != gen) return;
  }
  // Sync AMD: the TwiML request waited for the result and carries it (§2.2).
  start_twiml(sid, gen, {{"AnsweredBy", result}});
}

void TwilioEmulator::Impl::start_twiml(const std::string& sid, std::uint64_t gen, Params extra) {
  std::string url, method, twiml;
  {
    std::lock_guard lock(mu);
    const EmulatedCall& c = calls.at(sid);
    if (c.ended() || c.generation != gen) return;
    url = c.url;
    method = c.method;
    twiml = c.twiml;
  }
  // Url wins over Twiml when both were sent (§1.1).
  if (url.empty()) return run_inline(sid, gen, twiml);
  fetch_and_run(sid, gen, "twiml", url, method, std::move(extra), true);
}

// ---------------------------------------------------------------- TwiML

void TwilioEmulator::Impl::fetch_and_run(const std::string& sid, std::uint64_t gen, const std::string& kind, std::string url,
                                         std::string method, Params extra, bool use_fallback) {
  WebhookRecord rec;
  std::string token;
  {
    std::lock_guard lock(mu);
    const EmulatedCall& c = calls.at(sid);
    if (c.ended() || c.generation != gen) return;
    rec.params = voice_params(c);
    token = new_token();
  }
  for (auto& kv : extra) rec.params.push_back(std::move(kv));
  rec.kind = kind;
  rec.call_sid = sid;
  rec.method = method.empty() ? "POST" : method;
  rec.url = url;
  auto res = send_now(rec, token);
  std::string error;
  std::shared_ptr<const TwimlNode> doc;
  if (!res.ok()) {
    error = "11200 HTTP retrieval failure: " + res.error().message;
  } else if (res.value().status < 200 || res.value().status > 299) {
    error = "11200 HTTP retrieval failure: " + url + " answered " + std::to_string(res.value().status);
  } else {
    auto parsed = parse_twiml(res.value().body);
    if (parsed.ok()) {
      doc = std::make_shared<const TwimlNode>(std::move(parsed.value()));
    } else {
      error = "12100 Document parse failure: " + url + ": " + parsed.error().message;
    }
  }
  std::string fallback, fallback_method;
  {
    std::lock_guard lock(mu);
    EmulatedCall& c = calls.at(sid);
    if (c.ended() || c.generation != gen) return;
    if (doc) {
      flows[sid] = Flow{doc, url.substr(0, url.find('#')), 0};
      c.documents.push_back(url);
    } else {
      c.errors.push_back(error);
      log_line(sid, error);
      if (use_fallback && !c.fallback_url.empty()) {
        fallback = c.fallback_url;
        fallback_method = c.fallback_method;
      } else {
        // What Twilio does: "An application error has occurred", then it hangs up.
        end_call(c, "completed", 200, "application-error");
        return;
      }
    }
  }
  if (!doc) return fetch_and_run(sid, gen, kind, fallback, fallback_method, {}, false);
  run_next(sid, gen);
}

void TwilioEmulator::Impl::run_inline(const std::string& sid, std::uint64_t gen, const std::string& twiml) {
  auto parsed = parse_twiml(twiml);
  {
    std::lock_guard lock(mu);
    EmulatedCall& c = calls.at(sid);
    if (c.ended() || c.generation != gen) return;
    if (!parsed.ok()) {
      c.errors.push_back("12100 Document parse failure: inline Twiml: " + parsed.error().message);
      log_line(sid, c.errors.back());
      end_call(c, "completed", 200, "application-error");
      return;
    }
    flows[sid] = Flow{std::make_shared<const TwimlNode>(std::move(parsed.value())), "", 0};
    c.documents.push_back("inline");
  }
  run_next(sid, gen);
}

Millis TwilioEmulator::Impl::play_prompt(EmulatedCall& c, const TwimlNode& v, TimePoint at) {
  int loops = std::max(1, std::min(int_attr(v, "loop", 1), 10));  // loop="0" (forever) capped
  if (v.attr("loop") == "0") loops = 10;
  Millis len{0};
  Utterance u;
  u.verb = v.name;
  u.offset = c.answered_at ? at - *c.answered_at : Millis(0);
  u.after_beep = c.beep_at && at >= *c.beep_at;
  if (v.name == "Say") {
    u.text = v.text;
    u.voice = v.attr("voice");
    len = seconds(speech_seconds(v.text) * loops);
  } else if (v.name == "Play") {
    if (!v.attr("digits").empty()) {
      u.text = "digits:" + v.attr("digits");
      len = Millis(500LL * static_cast<std::int64_t>(v.attr("digits").size()));
    } else {
      u.text = v.text;
      len = Millis(5000LL * loops);  // audio length is unknown to the emulator
    }
  } else if (v.name == "Pause") {
    return Millis(1000LL * std::max(0, int_attr(v, "length", 1)));
  } else {
    return Millis(0);
  }
  u.length = len;
  c.spoken.push_back(std::move(u));
  return len;
}

void TwilioEmulator::Impl::run_next(const std::string& sid, std::uint64_t gen) {
  std::lock_guard lock(mu);
  EmulatedCall& c = calls.at(sid);
  if (c.ended() || c.generation != gen) return;
  auto fit = flows.find(sid);
  if (fit == flows.end() || !fit->second.doc || fit->second.pc >= fit->second.doc->children.size()) {
    // Out of verbs: Twilio hangs up (§4).
    end_call(c, "completed", 200, "twiml-ended");
    return;
  }
  const Flow& f = fit->second;
  const std::shared_ptr<const TwimlNode> doc = f.doc;  // keeps `v` alive whatever happens to flows
  const TwimlNode& v = doc->children[fit->second.pc++];
  const TimePoint now = sched.now();
  const auto next_at = [&](TimePoint when) { flow_at(sid, gen, when, [this, sid, gen] { run_next(sid, gen); }); };
  if (v.name == "Say" || v.name == "Play" || v.name == "Pause") {
    const Millis len = play_prompt(c, v, now);
    if (v.name == "Say") log_line(sid, "Say at +" + std::to_string(since_answer(c).count()) + " ms: " + v.text);
    next_at(now + len);
  } else if (v.name == "Gather") {
    run_gather(c, f, v);
  } else if (v.name == "Dial") {
    run_dial(c, f, v);
  } else if (v.name == "Redirect") {
    const std::string url = resolve_url(f.url, v.text);
    const std::string method = v.attr("method", "POST");
    log_line(sid, "Redirect to " + url);
    flow_at(sid, gen, now, [this, sid, gen, url, method] { fetch_and_run(sid, gen, "redirect", url, method, {}, false); });
  } else if (v.name == "Hangup" || v.name == "Reject") {
    end_call(c, "completed", 200, v.name == "Hangup" ? "hangup-verb" : "reject-verb");
  } else if (v.name == "Record") {
    // Nothing is said into it; it ends after `timeout` seconds of silence (default 5).
    const Millis len = Millis(1000LL * std::max(1, int_attr(v, "timeout", 5)));
    const std::string action = v.attr("action").empty() ? "" : resolve_url(f.url, v.attr("action"));
    const std::string method = v.attr("method", "POST");
    log_line(sid, "Record (silence)");
    if (action.empty()) {
      next_at(now + len);
    } else {
      const std::string rsid = new_sid("RE");
      Params extra = {{"RecordingSid", rsid},
                      {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + opts.account_sid + "/Recordings/" + rsid},
                      {"RecordingDuration", "0"},
                      {"Digits", ""}};
      flow_at(sid, gen, now + len, [this, sid, gen, action, method, extra] {
        fetch_and_run(sid, gen, "record", action, method, extra, false);
      });
    }
  } else {
    c.errors.push_back("emulator: <" + v.name + "> is not acted out; skipped");
    log_line(sid, c.errors.back());
    next_at(now);
  }
}

void TwilioEmulator::Impl::run_gather(EmulatedCall& c, const Flow& f, const TwimlNode& v) {
  const std::string sid = c.sid;
  const std::uint64_t gen = c.generation;
  const TimePoint start = sched.now();
  const Millis timeout = Millis(1000LL * std::max(1, int_attr(v, "timeout", 5)));
  const int num_digits = std::max(0, int_attr(v, "numDigits", 0));
  const std::string finish_on_key = v.attrs.count("finishOnKey") ? v.attr("finishOnKey") : "#";
  // action defaults to the current document's URL (§4).
  const std::string action = v.attr("action").empty() ? f.url : resolve_url(f.url, v.attr("action"));
  const std::string method = v.attr("method", "POST");
  const bool on_empty = v.attr("actionOnEmptyResult") == "true";

  // The nested prompts play one after another.
  const std::size_t first_prompt = c.spoken.size();
  TimePoint t = start;
  for (const TwimlNode& child : v.children) t += play_prompt(c, child, t);
  const TimePoint prompts_end = t;

  // What the callee presses: the script's entry for this <Gather> (humans only).
  const CalleeBehaviour& b = c.behaviour;
  const std::size_t index = c.gather_count++;
  const std::string keys = b.answer == Answer::kHuman && index < b.digits.size() ? b.digits[index] : "";
  const TimePoint press_at =
      b.press_after_seconds >= 0 ? start + seconds(b.press_after_seconds) : prompts_end + Millis(1000);
  std::string digits, finished;
  TimePoint done = prompts_end + timeout;  // no input: Twilio waits `timeout` after the prompts
  if (!keys.empty() && press_at <= prompts_end + timeout) {
    // A key press stops the prompt (barge-in): prompts after it never play.
    const Millis press_offset = c.answered_at ? press_at - *c.answered_at : Millis(0);
    for (std::size_t i = c.spoken.size(); i-- > first_prompt;) {
      Utterance& u = c.spoken[i];
      if (u.offset >= press_offset) {
        c.spoken.erase(c.spoken.begin() + static_cast<std::ptrdiff_t>(i));
      } else if (u.offset + u.length > press_offset) {
        u.length = press_offset - u.offset;
        u.cut = true;
      }
    }
    TimePoint k = press_at;
    bool complete = false;
    for (char ch : keys) {
      if (ch == 'w') {
        k += Millis(500);
        continue;
      }
      if (!finish_on_key.empty() && finish_on_key.find(ch) != std::string::npos) {
        finished = std::string(1, ch);
        complete = true;
        break;
      }
      digits.push_back(ch);
      if (num_digits > 0 && static_cast<int>(digits.size()) >= num_digits) {
        complete = true;
        break;
      }
      k += Millis(250);
    }
    // Without numDigits or finishOnKey the input ends `timeout` after the last key.
    done = complete ? k : k + timeout;
    log_line(sid, "callee pressed " + keys + " at +" + std::to_string(press_offset.count()) + " ms");
  }
  // Logged once the key press is known: what actually played (a prompt cut by it says so).
  for (std::size_t i = first_prompt; i < c.spoken.size(); ++i) {
    log_line(sid, c.spoken[i].verb + " at +" + std::to_string(c.spoken[i].offset.count()) + " ms" +
                      (c.spoken[i].cut ? " (cut at +" + std::to_string((c.spoken[i].offset + c.spoken[i].length).count()) + " ms)"
                                       : "") +
                      ": " + c.spoken[i].text);
  }
  const bool empty = digits.empty();
  GatherRecord g;
  g.offset = c.answered_at ? start - *c.answered_at : Millis(0);
  g.digits = digits;
  g.finished_on_key = finished;
  if (empty && !on_empty) {
    c.gathers.push_back(std::move(g));
    flow_at(sid, gen, done, [this, sid, gen] { run_next(sid, gen); });  // falls through
    return;
  }
  if (action.empty()) {
    c.errors.push_back("emulator: <Gather> with input but no action URL (inline Twiml); falling through");
    c.gathers.push_back(std::move(g));
    flow_at(sid, gen, done, [this, sid, gen] { run_next(sid, gen); });
    return;
  }
  g.action = action;
  c.gathers.push_back(std::move(g));
  Params extra = {{"Digits", digits}, {"FinishedOnKey", finished}};
  flow_at(sid, gen, done, [this, sid, gen, action, method, extra] {
    fetch_and_run(sid, gen, "gather", action, method, extra, false);
  });
}

void TwilioEmulator::Impl::run_dial(EmulatedCall& c, const Flow& f, const TwimlNode& v) {
  const std::string sid = c.sid;
  const std::uint64_t gen = c.generation;
  const TimePoint now = sched.now();
  std::string number = v.text;
  for (const TwimlNode& child : v.children) {
    if (child.name == "Number") {
      number = child.text;
      break;
    }
    c.errors.push_back("emulator: <Dial><" + child.name + "> is not acted out");
  }
  if (number.empty()) {
    c.errors.push_back("emulator: <Dial> without a <Number>; skipped");
    log_line(sid, c.errors.back());
    flow_at(sid, gen, now, [this, sid, gen] { run_next(sid, gen); });
    return;
  }
  const Millis timeout = Millis(1000LL * std::max(1, int_attr(v, "timeout", 30)));
  const std::size_t nth = calls_per_number[number]++;
  const CalleeBehaviour& agent = script.behaviour(number, nth, opts.seed);
  Bridge br;
  br.number = number;
  br.caller_id_attr = v.attrs.count("callerId") != 0;
  br.caller_id = br.caller_id_attr ? v.attr("callerId") : c.from;
  br.offset = since_answer(c);
  br.dial_sid = new_sid("CA");
  const Millis ring = seconds(agent.ring_seconds);
  TimePoint done = now;
  switch (agent.answer) {
    case Answer::kBusy:
      br.dial_status = "busy";
      done = now + std::min(ring, timeout);
      break;
    case Answer::kNoAnswer:
      br.dial_status = "no-answer";
      done = now + timeout;
      break;
    case Answer::kFailed:
      br.dial_status = "failed";
      done = now + Millis(1000);
      break;
    default:
      if (ring >= timeout) {
        br.dial_status = "no-answer";
        done = now + timeout;
      } else {
        br.dial_status = "completed";
        br.talk_seconds = static_cast<int>(std::lround(agent.bridge_seconds));
        done = now + ring + seconds(agent.bridge_seconds);
      }
  }
  log_line(sid, "Dial " + number + " (callerId " + br.caller_id + "): " + br.dial_status +
                    (br.talk_seconds > 0 ? ", bridged " + std::to_string(br.talk_seconds) + " s" : ""));
  Params extra = {{"DialCallSid", br.dial_sid},
                  {"DialCallStatus", br.dial_status},
                  {"DialCallDuration", std::to_string(br.talk_seconds)},
                  {"DialBridged", br.dial_status == "completed" ? "true" : "false"}};
  c.bridges.push_back(std::move(br));
  const std::string action = v.attr("action").empty() ? "" : resolve_url(f.url, v.attr("action"));
  const std::string method = v.attr("method", "POST");
  if (action.empty()) {
    flow_at(sid, gen, done, [this, sid, gen] { run_next(sid, gen); });
  } else {
    flow_at(sid, gen, done, [this, sid, gen, action, method, extra] {
      fetch_and_run(sid, gen, "dial", action, method, extra, false);
    });
  }
}

void TwilioEmulator::Impl::redirect_call(EmulatedCall& c, const std::string& url, const std::string& method,
                                         const std::string& twiml) {
  if (!url.empty()) {
    c.url = url;
    c.method = method.empty() ? "POST" : method;
  } else {
    c.url.clear();
    c.twiml = twiml;
  }
  if (c.status != "in-progress") return;  // not answered yet: used when the callee answers
  // The current TwiML is abandoned (§1.2): whatever was playing stops now.
  const Millis at = since_answer(c);
  for (auto it = c.spoken.begin(); it != c.spoken.end();) {
    if (it->offset >= at) {
      it = c.spoken.erase(it);
      continue;
    }
    if (it->offset + it->length > at) {
      it->length = at - it->offset;
      it->cut = true;
    }
    ++it;
  }
  c.generation++;
  flows.erase(c.sid);
  const std::string sid = c.sid;
  const std::uint64_t gen = c.generation;
  log_line(sid, "redirected by the API to " + (url.empty() ? std::string("inline Twiml") : url));
  if (url.empty()) {
    flow_at(sid, gen, sched.now(), [this, sid, gen, twiml] { run_inline(sid, gen, twiml); });
  } else {
    const std::string m = c.method;
    flow_at(sid, gen, sched.now(), [this, sid, gen, url, m] { fetch_and_run(sid, gen, "redirect", url, m, {}, true); });
  }
}

void TwilioEmulator::Impl::end_call(EmulatedCall& c, const std::string& status, int sip_code, const std::string& reason) {
  if (c.ended()) return;
  const TimePoint now = sched.now();
  c.ended_at = now;
  c.status = status;
  c.sip_response_code = sip_code;
  c.end_reason = reason;
  c.generation++;
  flows.erase(c.sid);
  if (c.answered_at) {
    // Whatever was still playing is cut off; what had not started never played.
    const Millis end = now - *c.answered_at;
    for (auto it = c.spoken.begin(); it != c.spoken.end();) {
      if (it->offset >= end && it->length > Millis(0)) {
        it = c.spoken.erase(it);
        continue;
      }
      if (it->offset + it->length > end) {
        it->length = end - it->offset;
        it->cut = true;
      }
      ++it;
    }
  }
  log_line(c.sid, "ended: " + status + " (" + reason + ")");
  emit_status(c, "completed", status);
  if (c.record && c.answered_at) {
    // Record=true records from the answer; the recording is ready when the call ends (§2.3).
    c.recording_sid = new_sid("RE");
    log_line(c.sid, "recording " + c.recording_sid + " completed");
    if (!c.recording_status_callback.empty()) {
      Outgoing o;
      o.rec.kind = "recording";
      o.rec.call_sid = c.sid;
      o.rec.method = c.recording_status_callback_method;
      o.rec.url = c.recording_status_callback;
      o.rec.params = {{"AccountSid", opts.account_sid},
                      {"CallSid", c.sid},
                      {"RecordingChannels", "1"},
                      {"RecordingDuration", std::to_string(whole_seconds(now - *c.answered_at))},
                      {"RecordingSid", c.recording_sid},
                      {"RecordingSource", "OutboundAPI"},
                      {"RecordingStartTime", rfc2822(*c.answered_at)},
                      {"RecordingStatus", "completed"},
                      {"RecordingTrack", "both"},
                      {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + opts.account_sid +
                                           "/Recordings/" + c.recording_sid}};
      post_async(std::move(o));
    }
  }
  release_held(c.sid);
  if (holding.erase(c.sid) > 0) {
    --active;
    pump();
  }
}

}  // namespace outdial::twilio_emulator
