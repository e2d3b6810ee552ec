#include "outdial/telephony/telnyx/call_flow.hpp"

namespace outdial::telephony::telnyx {

namespace {

bool is_human_result(const std::string& r) {
  // not_sure and silence count as human: the caller then hears the greeting and the opt-out
  // (the conservative reading; a machine would simply let the gather time out).
  return r == "human" || r == "not_sure" || r == "human_residence" || r == "human_business" || r == "silence";
}

const std::string& call_id(const FlowState& s, const TelnyxEvent& e) {
  return s.call_control_id.empty() ? e.call_control_id : s.call_control_id;
}

CallEvent base_event(const TelnyxEvent& e, CallEventKind kind) {
  CallEvent ev;
  ev.provider = kProviderName;
  ev.provider_call_id = e.call_control_id;
  ev.attempt_id = e.client_state ? e.client_state->attempt_id : 0;
  ev.kind = kind;
  ev.at = e.occurred_at;
  ev.sequence = e.sequence;
  ev.dedupe_key = e.id;
  return ev;
}

// An answer implied by a later event (digits, hang-up after talk) when no answer verdict was
// produced yet: ordered just before the implying event, keyed so a replay dedupes it.
CallEvent implied_answer(const TelnyxEvent& e) {
  CallEvent ev = base_event(e, CallEventKind::kAnsweredHuman);
  ev.sequence = e.sequence - 1;
  ev.dedupe_key = e.id + ":answered";
  return ev;
}

FlowCommand command(const FlowState& s, const TelnyxEvent& e, std::string action, std::string step,
                    std::string payload = {}) {
  FlowCommand c;
  c.action = std::move(action);
  c.step = std::move(step);
  c.command_id = call_id(s, e) + ":" + c.step;
  c.payload = std::move(payload);
  return c;
}

std::string joined_text(const std::vector<ivr::Prompt>& prompts) {
  std::string out;
  for (const auto& p : prompts) {
    if (p.kind != ivr::Prompt::Kind::kSay || p.value.empty()) continue;
    if (!out.empty()) out += ' ';
    out += p.value;
  }
  return out;
}

const std::vector<ivr::Prompt>* sequence_named(const ivr::IvrFlow& f, const std::string& name) {
  if (name == "optout") return &f.opt_out_confirmation;
  if (name == "noinput") return &f.no_input;
  if (name == "connecting") return &f.connecting;
  if (name == "unavailable") return &f.agent_unavailable;
  if (name == "voicemail") return &f.voicemail;
  return nullptr;
}

void hang_up(FlowState& s, FlowOutput& out, const TelnyxEvent& e) {
  if (s.hangup_issued || s.terminal) return;
  s.hangup_issued = true;
  out.commands.push_back(command(s, e, "hangup", "hangup"));
}

void transfer(FlowState& s, FlowOutput& out, const TelnyxEvent& e, const FlowScript& script) {
  FlowCommand c = command(s, e, "transfer", "transfer");
  c.to = script.flow.agent_number;
  c.from = script.flow.connect_caller_id;
  c.timeout_millis = script.flow.dial_timeout_seconds * 1000;
  out.commands.push_back(c);
}

// What follows the last prompt of a sequence.
void after_sequence(FlowState& s, FlowOutput& out, const TelnyxEvent& e, const FlowScript& script,
                    const std::string& name) {
  if (name == "connecting") {
    transfer(s, out, e, script);
  } else {
    hang_up(s, out, e);
  }
}

// Plays prompt `index` of sequence `name` (speak or playback_start), or what follows it.
void play(FlowState& s, FlowOutput& out, const TelnyxEvent& e, const FlowScript& script, const std::string& name,
          std::size_t index) {
  if (s.terminal) return;
  const auto* seq = sequence_named(script.flow, name);
  while (seq && index < seq->size() && (*seq)[index].value.empty()) ++index;
  if (!seq || index >= seq->size()) {
    after_sequence(s, out, e, script, name);
    return;
  }
  const auto& p = (*seq)[index];
  const std::string step = name + "." + std::to_string(index);
  out.commands.push_back(command(s, e, p.kind == ivr::Prompt::Kind::kPlay ? "playback_start" : "speak", step, p.value));
}

void gather(FlowState& s, FlowOutput& out, const TelnyxEvent& e, const FlowScript& script) {
  ++s.menu_tries;
  const bool first = s.menu_tries == 1;
  FlowCommand c = command(s, e, "gather_using_speak", first ? "menu" : "menu." + std::to_string(s.menu_tries),
                          joined_text(first ? script.flow.greeting : script.flow.menu_repeat));
  c.timeout_millis = script.flow.gather_timeout_seconds * 1000;
  out.commands.push_back(c);
}

void start_menu(FlowState& s, FlowOutput& out, const TelnyxEvent& e, const FlowScript& script) {
  if (s.menu_started || s.terminal || s.machine) return;
  s.menu_started = true;
  gather(s, out, e, script);
}

void verdict(FlowState& s, FlowOutput& out, const TelnyxEvent& e, bool machine) {
  s.answered = true;
  if (s.verdict_ingested) return;
  s.verdict_ingested = true;
  s.machine = machine;
  out.events.push_back(base_event(e, machine ? CallEventKind::kAnsweredMachine : CallEventKind::kAnsweredHuman));
}

void on_gather_ended(FlowState& s, FlowOutput& out, const TelnyxEvent& e, const FlowScript& script) {
  if (e.status == "cancelled_amd" || e.status == "call_hangup" || e.status == "cancelled") return;
  if (s.menu_done) return;
  s.menu_started = true;
  if (s.menu_tries == 0) s.menu_tries = 1;
  const bool got_digits = !e.digits.empty() && (e.status == "valid" || e.status.empty());
  if (got_digits) {
    // Someone pressed keys: a human, whatever AMD says later.
    if (!s.verdict_ingested) {
      out.events.push_back(implied_answer(e));
      s.verdict_ingested = true;
      s.answered = true;
    }
    CallEvent d = base_event(e, CallEventKind::kDigits);
    d.digits = e.digits;
    out.events.push_back(d);
  }
  const auto action = ivr::menu_action(script.flow, got_digits ? e.digits : std::string());
  // Press 2 is honoured even when the hang-up webhook overtook this one (DNC-INTERNAL).
  if (action == ivr::MenuAction::kOptOut) out.add_dnc = true;
  if (s.terminal) {
    s.menu_done = true;
    return;
  }
  switch (action) {
    case ivr::MenuAction::kConnect:
      s.menu_done = true;
      s.transferring = true;
      play(s, out, e, script, "connecting", 0);
      break;
    case ivr::MenuAction::kOptOut:
      s.menu_done = true;
      play(s, out, e, script, "optout", 0);
      break;
    case ivr::MenuAction::kInvalid:
      if (s.menu_tries < script.flow.max_menu_tries) {
        gather(s, out, e, script);
        break;
      }
      [[fallthrough]];
    case ivr::MenuAction::kNoInput:
      s.menu_done = true;
      play(s, out, e, script, "noinput", 0);
      break;
  }
}

// "voicemail.1" -> ("voicemail", 1); false when not a sequence step.
bool split_step(const std::string& step, std::string& name, std::size_t& index) {
  const auto dot = step.rfind('.');
  if (dot == std::string::npos || dot + 1 >= step.size()) return false;
  name = step.substr(0, dot);
  index = 0;
  for (std::size_t i = dot + 1; i < step.size(); ++i) {
    if (step[i] < '0' || step[i] > '9') return false;
    index = index * 10 + static_cast<std::size_t>(step[i] - '0');
  }
  return sequence_named(ivr::IvrFlow{}, name) != nullptr;
}

}  // namespace

FlowScript script_for(const DialRequest& req, const std::string& business_name) {
  ivr::IvrInputs in;
  in.business_name = business_name;
  in.script = req.script;
  in.voicemail = req.voicemail_text;
  in.agent_number = req.agent_number;
  in.caller_id = req.from;
  in.recorded = req.record;
  return FlowScript{ivr::build_flow(in), req.machine_detection};
}

CallEventKind unanswered_hangup_kind(const std::string& cause) {
  if (cause == "user_busy") return CallEventKind::kBusy;
  if (cause == "timeout" || cause == "no_answer") return CallEventKind::kNoAnswer;
  if (cause == "originator_cancel") return CallEventKind::kCanceled;
  return CallEventKind::kFailed;  // call_rejected (incl. SIP 403 over the channel limit), not_found, unspecified
}

FlowOutput advance(FlowState& s, const TelnyxEvent& e, const FlowScript& script) {
  FlowOutput out;
  if (!s.seen.insert(e.id).second) {
    out.duplicate = true;
    return out;
  }
  const std::string& t = e.event_type;
  const bool amd = e.client_state ? e.client_state->machine_detection : script.machine_detection;
  if (t == "call.initiated") {
    out.events.push_back(base_event(e, CallEventKind::kInitiated));
  } else if (t == "call.answered") {
    s.answered = true;
    // With AMD on the verdict waits for call.machine.detection.ended: answered_human ->
    // answered_machine is not a legal transition, so the first verdict must be the right one.
    if (!amd) verdict(s, out, e, false);
    start_menu(s, out, e, script);
  } else if (t == "call.machine.detection.ended" || t == "call.machine.premium.detection.ended") {
    verdict(s, out, e, !is_human_result(e.result));
    if (s.machine && !s.terminal) {
      if (e.result == "fax_detected") hang_up(s, out, e);  // nobody to leave a message for
      // else: wait for the beep (call.machine.greeting.ended)
    } else {
      start_menu(s, out, e, script);
    }
  } else if (t == "call.machine.greeting.ended" || t == "call.machine.premium.greeting.ended") {
    if (s.machine && !s.voicemail_started && !s.terminal) {
      s.voicemail_started = true;
      play(s, out, e, script, "voicemail", 0);
    }
  } else if (t == "call.gather.ended") {
    on_gather_ended(s, out, e, script);
  } else if (t == "call.speak.ended" || t == "call.playback.ended") {
    std::string name;
    std::size_t index = 0;
    const std::string step = e.client_state ? e.client_state->step : "";
    if (e.status != "call_hangup" && split_step(step, name, index)) play(s, out, e, script, name, index + 1);
  } else if (t == "call.bridged") {
    s.bridged = true;
  } else if (t == "call.hangup") {
    s.terminal = true;
    const bool talked = e.hangup_cause == "normal_clearing" || e.hangup_cause == "time_limit";
    const bool answered = s.answered || s.verdict_ingested || talked;
    if (answered && !s.verdict_ingested) {
      out.events.push_back(implied_answer(e));
      s.verdict_ingested = true;
    }
    CallEvent end = base_event(e, answered ? CallEventKind::kCompleted : unanswered_hangup_kind(e.hangup_cause));
    end.detail = e.hangup_cause;
    if (!e.sip_hangup_cause.empty() && e.sip_hangup_cause != "unspecified") end.detail += " sip:" + e.sip_hangup_cause;
    out.events.push_back(end);
  }
  // call.dtmf.received, call.speak.started, call.playback.started: informational.
  return out;
}

FlowOutput advance_agent_leg(FlowState& s, const TelnyxEvent& e, const FlowScript& script) {
  FlowOutput out;
  if (!s.seen.insert(e.id).second) {
    out.duplicate = true;
    return out;
  }
  if (e.event_type == "call.bridged") {
    s.bridged = true;
  } else if (e.event_type == "call.hangup" && !s.bridged && !s.terminal) {
    play(s, out, e, script, "unavailable", 0);  // the agent did not pick up
  }
  return out;
}

}  // namespace outdial::telephony::telnyx
