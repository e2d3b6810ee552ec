#pragma once
// The provider-neutral outbound IVR (telephony/ivr.hpp) rendered as Telnyx Call Control
// commands: a pure function
//   (flow state, webhook event, script) -> (CallEvents to ingest, internal DNC?, commands)
// driven by webhooks. No I/O here; webhook_routes.cpp performs the output in order: ingest the
// events, add the DNC entry, then issue the commands, and only then commits the new state.
//
//   call.answered        -> gather_using_speak(greeting) at once (disclosure, identification
//                           and the opt-out first), before AMD has decided
//   gather "1"           -> speak "connecting", then transfer to the agent number presenting
//                           the campaign's caller ID; the agent leg hanging up unbridged ->
//                           "nobody is available", hang up
//   gather "2"           -> internal DNC (synchronously, before anything is spoken), speak the
//                           confirmation, hang up
//   gather other key     -> the menu once more (max_menu_tries), then goodbye
//   gather timeout       -> goodbye, hang up
//   AMD machine          -> (Telnyx cancels the gather: status cancelled_amd) wait for
//                           call.machine.greeting.ended (the beep), play/speak the voicemail, hang up
//   call.hangup          -> terminal CallEvent by hangup_cause
// Prompt sequences advance on call.speak.ended / call.playback.ended, recognised by the step in
// the echoed client_state ("<name>.<index>"). Every command carries command_id
// "<call_control_id>:<step>", so a re-delivered webhook that produces the same command again is
// ignored by Telnyx (duplicates per call_control_id).
#include <set>
#include <string>
#include <vector>

#include "outdial/core/call.hpp"
#include "outdial/telephony/ivr.hpp"
#include "outdial/telephony/provider.hpp"
#include "outdial/telephony/telnyx/telnyx_event.hpp"

namespace outdial::telephony::telnyx {

inline constexpr const char* kProviderName = "telnyx";

struct FlowScript {
  ivr::IvrFlow flow;
  bool machine_detection = true;
};

// The script for a dial request; `business_name` names the caller (the tenant).
FlowScript script_for(const DialRequest& req, const std::string& business_name);

struct FlowCommand {
  std::string action;      // gather_using_speak | speak | playback_start | transfer | bridge | hangup
  std::string step;        // menu, menu.2, optout.0, noinput.0, connecting.0, transfer, voicemail.1, hangup ...
  std::string command_id;  // "<call_control_id>:<step>"
  std::string payload;     // speech text, or the audio URL for playback_start
  std::string to;          // transfer target / bridge: the other call_control_id
  std::string from;        // transfer caller ID
  int timeout_millis = 0;  // gather: silence before "no input"
};

struct FlowState {
  std::string call_control_id;    // the leg we dialed (commands go here)
  bool answered = false;
  bool verdict_ingested = false;  // an answered_human/_machine event was produced
  bool machine = false;
  bool menu_started = false;
  int menu_tries = 0;             // gathers started
  bool menu_done = false;         // a final menu choice was acted on
  bool voicemail_started = false;
  bool transferring = false;
  bool bridged = false;
  bool hangup_issued = false;
  bool terminal = false;          // call.hangup seen: no more commands
  std::set<std::string> seen;     // data.id of events already applied
};

struct FlowOutput {
  std::vector<CallEvent> events;       // to ingest, in this order
  bool add_dnc = false;                // press 2: add `to` to the tenant's internal DNC first
  std::vector<FlowCommand> commands;   // then issue these
  bool duplicate = false;              // event already applied: nothing to do
};

// Advances `state` by an event of the dialed leg. A duplicate (same data.id) returns
// duplicate=true and changes nothing. Out-of-order events are tolerated: e.g. a gather result
// before call.answered implies a human answered; no command follows call.hangup.
FlowOutput advance(FlowState& state, const TelnyxEvent& event, const FlowScript& script);
// Advances `state` (of the dialed leg) by an event of the transfer's agent leg. Produces no
// CallEvents (the agent leg is not an attempt).
FlowOutput advance_agent_leg(FlowState& state, const TelnyxEvent& event, const FlowScript& script);

// The CallEvent kind for a call.hangup of a call that was never answered.
CallEventKind unanswered_hangup_kind(const std::string& hangup_cause);

}  // namespace outdial::telephony::telnyx
