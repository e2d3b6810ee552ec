#include "outdial/telephony/telnyx/call_flow.hpp"

namespace outdial::telephony::telnyx {

namespace {

bool is_human_result(const std::string& r) {
  // not_sure and silence count as human: the caller then hears the greeting and the opt-out
  // (the conservative reading; a machine would simply let the gather time out).
  return r == "human" || r == "not_sure" || r == "human_residence" || r == "human_business" || r == "silence";
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
CallEvent implied_answer(const TelnyxEvent& e, bool machine) {
  CallEvent ev = base_event(e, machine ? CallEventKind::kAnsweredMachine : CallEventKind::kAnsweredHuman);
  ev.sequence = e.sequence - 1;
  ev.dedupe_key = e.id + ":answered";
  return ev;
}

FlowCommand command(const TelnyxEvent& e, std::string action, std::string step, std::string payload = {}) {
  FlowCommand c;
  c.action = std::move(action);
  c.step = std::move(step);
  c.command_id = e.call_control_id + ":" + c.step;
  c.payload = std::move(payload);
  return c;
}

void hang_up(FlowState& s, FlowOutput& out, const TelnyxEvent& e) {
  if (s.hangup_issued || s.terminal) return;
  s.hangup_issued = true;
  out.commands.push_back(command(e, "hangup", "hangup"));
}

void speak_then_hang_up(FlowState& s, FlowOutput& out, const TelnyxEvent& e, const std::string& step,
                        const std::string& text) {
  if (text.empty()) {
    hang_up(s, out, e);
    return;
  }
  out.commands.push_back(command(e, "speak", step, text));
}

void start_menu(FlowState& s, FlowOutput& out, const TelnyxEvent& e, const FlowScript& script) {
  if (s.menu_started || s.terminal || s.machine) return;
  s.menu_started = true;
  out.commands.push_back(command(e, "gather_using_speak", "menu", script.greeting));
}

void verdict(FlowState& s, FlowOutput& out, const TelnyxEvent& e, bool machine) {
  s.answered = true;
  if (s.verdict_ingested) return;
  s.verdict_ingested = true;
  s.machine = machine;
  CallEvent ev = base_event(e, machine ? CallEventKind::kAnsweredMachine : CallEventKind::kAnsweredHuman);
  out.events.push_back(ev);
}

void on_gather_ended(FlowState& s, FlowOutput& out, const TelnyxEvent& e, const FlowScript& script) {
  if (e.status == "cancelled_amd" || e.status == "call_hangup" || e.status == "cancelled") return;
  if (s.menu_done) return;
  s.menu_done = true;
  s.menu_started = true;
  const bool got_digits = !e.digits.empty() && (e.status == "valid" || e.status.empty());
  if (got_digits) {
    // Someone pressed keys: a human, whatever AMD says later.
    if (!s.verdict_ingested) {
      out.events.push_back(implied_answer(e, false));
      s.verdict_ingested = true;
      s.answered = true;
    }
    CallEvent d = base_event(e, CallEventKind::kDigits);
    d.digits = e.digits;
    out.events.push_back(d);
  }
  const char first = got_digits ? e.digits.front() : '\0';
  // Press 2 is honoured even when the hang-up webhook overtook this one.
  if (first == '2') out.add_dnc = true;  // before the confirmation and the hang-up (DNC-INTERNAL)
  if (s.terminal) return;
  if (first == '1' && !script.agent_number.empty()) {
    FlowCommand c = command(e, "transfer", "transfer");
    c.to = script.agent_number;
    c.from = script.caller_id;
    out.commands.push_back(c);
  } else if (first == '2') {
    speak_then_hang_up(s, out, e, "optout", script.opt_out_confirmation);
  } else {
    speak_then_hang_up(s, out, e, "goodbye", script.goodbye);
  }
}

}  // namespace

FlowScript script_for(const DialRequest& req) {
  FlowScript s;
  std::string greeting;
  if (req.record) greeting += "This call is recorded. ";
  // The opt-out comes first so it is offered within 2 seconds of the answer.
  greeting += "To stop these calls, press 2. ";
  greeting += req.script;
  if (!greeting.empty() && greeting.back() != ' ') greeting += ' ';
  greeting += "Press 1 to speak with an agent, or press 2 to be added to our do not call list.";
  s.greeting = greeting;
  s.voicemail = req.voicemail_text;
  s.opt_out_confirmation = "You have been added to our do not call list. Goodbye.";
  s.goodbye = "We did not receive any input. Goodbye.";
  s.agent_number = req.agent_number;
  s.caller_id = req.from;
  s.machine_detection = req.machine_detection;
  return s;
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
    const bool machine = !is_human_result(e.result);
    verdict(s, out, e, machine);
    if (s.machine && !s.terminal) {
      if (e.result == "fax_detected") hang_up(s, out, e);  // nobody to leave a message for
      // else: wait for the beep (call.machine.greeting.ended)
    } else {
      start_menu(s, out, e, script);
    }
  } else if (t == "call.machine.greeting.ended" || t == "call.machine.premium.greeting.ended") {
    if (s.machine && !s.voicemail_started && !s.terminal) {
      s.voicemail_started = true;
      speak_then_hang_up(s, out, e, "voicemail", script.voicemail);
    }
  } else if (t == "call.gather.ended") {
    on_gather_ended(s, out, e, script);
  } else if (t == "call.speak.ended") {
    const std::string step = e.client_state ? e.client_state->step : "";
    if ((step == "optout" || step == "goodbye" || step == "voicemail") && e.status != "call_hangup")
      hang_up(s, out, e);
  } else if (t == "call.hangup") {
    s.terminal = true;
    const bool talked = e.hangup_cause == "normal_clearing" || e.hangup_cause == "time_limit";
    const bool answered = s.answered || s.verdict_ingested || talked;
    if (answered && !s.verdict_ingested) {
      out.events.push_back(implied_answer(e, false));
      s.verdict_ingested = true;
    }
    CallEvent end = base_event(e, answered ? CallEventKind::kCompleted : unanswered_hangup_kind(e.hangup_cause));
    end.detail = e.hangup_cause;
    if (!e.sip_hangup_cause.empty() && e.sip_hangup_cause != "unspecified") end.detail += " sip:" + e.sip_hangup_cause;
    out.events.push_back(end);
  }
  // call.dtmf.received, call.speak.started, call.bridged, call.playback.*: informational.
  return out;
}

}  // namespace outdial::telephony::telnyx
