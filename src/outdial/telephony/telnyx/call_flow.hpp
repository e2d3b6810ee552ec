#pragma once
// The outbound IVR as Telnyx Call Control commands: a pure function
//   (flow state, webhook event, script) -> (CallEvents to ingest, internal DNC?, commands)
// driven by webhooks. No I/O here; webhook_routes.cpp performs the output in order: ingest the
// events, add the DNC entry, then issue the commands, and only then commits the new state.
//
// The flow (issue #3; same as the TwiML rendering of telephony/ivr):
//   answered            -> gather_using_speak(greeting + menu)  (at once: the opt-out is offered
//                          within 2 s of the answer, before AMD has decided)
//   gather "1"          -> transfer to the agent number with the campaign's caller ID
//   gather "2"          -> internal DNC (synchronously, before the call ends), speak the
//                          confirmation, then hang up
//   gather timeout/other-> speak goodbye, then hang up
//   AMD machine         -> (Telnyx cancels the gather: status cancelled_amd) wait for
//                          call.machine.greeting.ended (the beep), speak the voicemail, hang up
//   call.hangup         -> terminal CallEvent by hangup_cause
// Every command carries command_id "<call_control_id>:<step>", so a re-delivered webhook that
// produces the same command again is ignored by Telnyx (duplicates per call_control_id).
#include <set>
#include <string>
#include <vector>

#include "outdial/core/call.hpp"
#include "outdial/telephony/provider.hpp"
#include "outdial/telephony/telnyx/telnyx_event.hpp"

namespace outdial::telephony::telnyx {

inline constexpr const char* kProviderName = "telnyx";

// What the IVR says and where it transfers, derived from the DialRequest.
struct FlowScript {
  std::string greeting;              // names the caller, discloses recording, offers 1 / 2
  std::string voicemail;             // dropped after the beep; "" = hang up on a machine
  std::string opt_out_confirmation;  // after press 2
  std::string goodbye;               // no / invalid input
  std::string agent_number;          // press 1 transfers here ("" = goodbye instead)
  std::string caller_id;             // the campaign's caller ID, shown to the agent
  bool machine_detection = true;
};

// The script for a dial request (texts from the campaign script + fixed compliance wording).
FlowScript script_for(const DialRequest& req);

struct FlowCommand {
  std::string action;      // gather_using_speak | speak | transfer | hangup
  std::string step;        // menu | optout | goodbye | voicemail | transfer | hangup
  std::string command_id;  // "<call_control_id>:<step>"
  std::string payload;     // speech text (gather_using_speak, speak)
  std::string to;          // transfer target
  std::string from;        // transfer caller ID
};

struct FlowState {
  bool answered = false;
  bool verdict_ingested = false;  // an answered_human/_machine event was produced
  bool machine = false;
  bool menu_started = false;
  bool menu_done = false;         // a gather result was acted on
  bool voicemail_started = false;
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

// Advances `state` by `event`. A duplicate (same data.id) returns duplicate=true and changes
// nothing. Events arriving out of order are tolerated: e.g. a gather result before
// call.answered implies a human answered; a command never follows call.hangup.
FlowOutput advance(FlowState& state, const TelnyxEvent& event, const FlowScript& script);

// The CallEvent kind for a call.hangup of a call that was never answered.
CallEventKind unanswered_hangup_kind(const std::string& hangup_cause);

}  // namespace outdial::telephony::telnyx
