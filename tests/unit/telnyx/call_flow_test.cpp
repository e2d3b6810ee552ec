#include "outdial/telephony/telnyx/call_flow.hpp"

#include <gtest/gtest.h>

#include "unit/telnyx/event_builder.hpp"

namespace outdial::telephony::telnyx {
namespace {

using outdial::testing::telnyx::client_state;
using outdial::testing::telnyx::webhook_body;

int g_seq = 0;

TelnyxEvent ev(const std::string& type, nlohmann::json extra = nlohmann::json::object(), bool amd = true,
               const std::string& step = "") {
  ++g_seq;
  char ts[64];
  std::snprintf(ts, sizeof ts, "2026-11-22T10:00:%02d.000000Z", g_seq % 60);
  auto r = parse_event(webhook_body("id-" + std::to_string(g_seq), type, "v3:call", client_state(amd, step), extra, ts));
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return *r;
}

FlowScript script() {
  DialRequest req;
  req.from = "+15550001111";
  req.agent_number = "+15559990000";
  req.script = "We are calling about your appointment.";
  req.voicemail_text = "Please call us back.";
  return script_for(req, "Sunburst Dental");
}

TEST(TelnyxEvent, ParsesEnvelopeAndClientState) {
  auto e = ev("call.hangup", {{"hangup_cause", "user_busy"}, {"sip_hangup_cause", "486"}});
  EXPECT_EQ(e.event_type, "call.hangup");
  EXPECT_EQ(e.call_control_id, "v3:call");
  ASSERT_TRUE(e.client_state);
  EXPECT_EQ(e.client_state->attempt_id, 99);
  EXPECT_EQ(e.client_state->idempotency_key, "7:42:1");
  EXPECT_EQ(e.hangup_cause, "user_busy");
  EXPECT_EQ(e.sip_hangup_cause, "486");
  EXPECT_GT(e.sequence, 0);
}

TEST(TelnyxEvent, MalformedNamesTheField) {
  EXPECT_EQ(parse_event("nope").error().details.at("field"), "/");
  EXPECT_EQ(parse_event(R"({"data":{"event_type":"call.answered","occurred_at":"2026-11-22T10:00:00Z","payload":{}}})")
                .error()
                .details.at("field"),
            "/data/id");
  EXPECT_EQ(parse_event(R"({"data":{"id":"x","event_type":"call.answered","occurred_at":"yesterday","payload":{}}})")
                .error()
                .details.at("field"),
            "/data/occurred_at");
  EXPECT_EQ(parse_event(R"({"data":{"id":"x","event_type":"call.answered","occurred_at":"2026-11-22T10:00:00Z","payload":{}}})")
                .error()
                .details.at("field"),
            "/data/payload/call_control_id");
}

TEST(TelnyxEvent, MicrosecondOrdering) {
  std::int64_t a = 0, b = 0;
  ASSERT_TRUE(parse_telnyx_time("2024-03-15T07:46:33.335947Z", a));
  ASSERT_TRUE(parse_telnyx_time("2024-03-15T07:46:33.335948Z", b));
  EXPECT_EQ(b - a, 1);
  EXPECT_FALSE(parse_telnyx_time("2024-03-15T07:46:33.Z", a));
}

TEST(TelnyxEvent, ForeignClientStateIsNotOurs) {
  auto r = parse_event(webhook_body("x", "call.answered", "v3:other", "eyJqb2IiOjF9"));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->client_state);  // {"job":1}: no key
}

TEST(CallFlow, HumanPressesOneIsTransferredToTheAgent) {
  FlowState s;
  auto o = advance(s, ev("call.initiated"), script());
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].kind, CallEventKind::kInitiated);
  EXPECT_EQ(o.events[0].attempt_id, 99);
  EXPECT_EQ(o.events[0].provider, "telnyx");

  o = advance(s, ev("call.answered"), script());
  EXPECT_TRUE(o.events.empty());  // AMD on: the verdict waits for detection
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].action, "gather_using_speak");  // greeting at once, before AMD
  EXPECT_EQ(o.commands[0].command_id, "v3:call:menu");
  EXPECT_NE(o.commands[0].payload.find("Sunburst Dental"), std::string::npos);
  EXPECT_LT(o.commands[0].payload.find("press 2"), 60u);  // identification + opt-out first
  EXPECT_GT(o.commands[0].timeout_millis, 0);

  o = advance(s, ev("call.machine.detection.ended", {{"result", "human"}}), script());
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].kind, CallEventKind::kAnsweredHuman);
  EXPECT_TRUE(o.commands.empty());  // menu already running

  o = advance(s, ev("call.gather.ended", {{"digits", "1"}, {"status", "valid"}}), script());
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].kind, CallEventKind::kDigits);
  EXPECT_EQ(o.events[0].digits, "1");
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].action, "speak");
  EXPECT_EQ(o.commands[0].step, "connecting.0");
  EXPECT_FALSE(o.add_dnc);
  o = advance(s, ev("call.speak.ended", {{"status", "completed"}}, true, "connecting.0"), script());
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].action, "transfer");
  EXPECT_EQ(o.commands[0].to, "+15559990000");
  EXPECT_EQ(o.commands[0].from, "+15550001111");
  EXPECT_FALSE(o.add_dnc);

  o = advance(s, ev("call.hangup", {{"hangup_cause", "normal_clearing"}}), script());
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].kind, CallEventKind::kCompleted);
  EXPECT_EQ(o.events[0].detail, "normal_clearing");
  EXPECT_TRUE(o.commands.empty());
}

TEST(CallFlow, PressTwoAddsDncThenConfirmsThenHangsUp) {
  FlowState s;
  (void)advance(s, ev("call.answered", {}, false), script());
  auto o = advance(s, ev("call.gather.ended", {{"digits", "2"}, {"status", "valid"}}, false), script());
  EXPECT_TRUE(o.add_dnc);
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].action, "speak");
  EXPECT_EQ(o.commands[0].step, "optout.0");
  EXPECT_NE(o.commands[0].payload.find("do not call"), std::string::npos);
  o = advance(s, ev("call.speak.ended", {{"status", "completed"}}, false, "optout.0"), script());
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].action, "hangup");
  EXPECT_EQ(o.commands[0].command_id, "v3:call:hangup");
}

TEST(CallFlow, AmdOffAnswerIsHuman) {
  FlowState s;
  auto o = advance(s, ev("call.answered", {}, false), script());
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].kind, CallEventKind::kAnsweredHuman);
}

TEST(CallFlow, MachineGetsVoicemailAfterTheBeep) {
  FlowState s;
  (void)advance(s, ev("call.answered"), script());
  auto o = advance(s, ev("call.machine.detection.ended", {{"result", "machine"}}), script());
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].kind, CallEventKind::kAnsweredMachine);
  EXPECT_TRUE(o.commands.empty());  // wait for the beep
  o = advance(s, ev("call.gather.ended", {{"status", "cancelled_amd"}}), script());
  EXPECT_TRUE(o.commands.empty());
  EXPECT_TRUE(o.events.empty());
  o = advance(s, ev("call.machine.greeting.ended", {{"result", "beep_detected"}}), script());
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].step, "voicemail.0");
  EXPECT_NE(o.commands[0].payload.find("Please call us back."), std::string::npos);
  EXPECT_NE(o.commands[0].payload.find("Sunburst Dental"), std::string::npos);
  o = advance(s, ev("call.speak.ended", {{"status", "completed"}}, true, "voicemail.0"), script());
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].action, "hangup");
}

TEST(CallFlow, NoInputSaysGoodbye) {
  FlowState s;
  (void)advance(s, ev("call.answered", {}, false), script());
  auto o = advance(s, ev("call.gather.ended", {{"status", "timeout"}, {"digits", ""}}, false), script());
  EXPECT_TRUE(o.events.empty());
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].step, "noinput.0");
}

TEST(CallFlow, WrongKeyRepeatsTheMenuOnceThenGoodbye) {
  FlowState s;
  (void)advance(s, ev("call.answered", {}, false), script());
  auto o = advance(s, ev("call.gather.ended", {{"status", "valid"}, {"digits", "7"}}, false), script());
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].action, "gather_using_speak");
  EXPECT_EQ(o.commands[0].step, "menu.2");
  EXPECT_NE(o.commands[0].payload.find("not an option"), std::string::npos);
  o = advance(s, ev("call.gather.ended", {{"status", "valid"}, {"digits", "9"}}, false), script());
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].step, "noinput.0");
}

TEST(CallFlow, RecordedCallDisclosesFirst) {
  DialRequest req;
  req.record = true;
  req.agent_number = "+15559990000";
  FlowState s;
  auto o = advance(s, ev("call.answered", {}, false), script_for(req, "Sunburst Dental"));
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].payload.rfind("This call is recorded.", 0), 0u);
}

TEST(CallFlow, UnansweredAgentLegSaysNobodyIsAvailable) {
  FlowState s;
  s.call_control_id = "v3:call";
  (void)advance(s, ev("call.answered", {}, false), script());
  (void)advance(s, ev("call.gather.ended", {{"status", "valid"}, {"digits", "1"}}, false), script());
  auto o = advance_agent_leg(s, ev("call.hangup", {{"hangup_cause", "timeout"}}, false, "agent"), script());
  EXPECT_TRUE(o.events.empty());  // the agent leg is not an attempt
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0].step, "unavailable.0");
  EXPECT_EQ(o.commands[0].command_id, "v3:call:unavailable.0");
  FlowState bridged;
  (void)advance_agent_leg(bridged, ev("call.bridged", {}, false, "agent"), script());
  o = advance_agent_leg(bridged, ev("call.hangup", {{"hangup_cause", "normal_clearing"}}, false, "agent"), script());
  EXPECT_TRUE(o.commands.empty());
}

TEST(CallFlow, HangupCausesMapToOutcomes) {
  struct Case {
    const char* cause;
    CallEventKind kind;
  } cases[] = {{"user_busy", CallEventKind::kBusy},
               {"timeout", CallEventKind::kNoAnswer},
               {"no_answer", CallEventKind::kNoAnswer},
               {"originator_cancel", CallEventKind::kCanceled},
               {"call_rejected", CallEventKind::kFailed},
               {"not_found", CallEventKind::kFailed},
               {"unspecified", CallEventKind::kFailed}};
  for (const auto& c : cases) {
    FlowState s;
    auto o = advance(s, ev("call.hangup", {{"hangup_cause", c.cause}}), script());
    ASSERT_EQ(o.events.size(), 1u) << c.cause;
    EXPECT_EQ(o.events[0].kind, c.kind) << c.cause;
    EXPECT_EQ(o.events[0].detail, c.cause);
  }
}

TEST(CallFlow, TalkWithoutAmdVerdictImpliesHumanBeforeCompletion) {
  FlowState s;
  auto o = advance(s, ev("call.hangup", {{"hangup_cause", "normal_clearing"}}), script());
  ASSERT_EQ(o.events.size(), 2u);
  EXPECT_EQ(o.events[0].kind, CallEventKind::kAnsweredHuman);
  EXPECT_LT(o.events[0].sequence, o.events[1].sequence);
  EXPECT_NE(o.events[0].dedupe_key, o.events[1].dedupe_key);
  EXPECT_EQ(o.events[1].kind, CallEventKind::kCompleted);
}

TEST(CallFlow, DigitsBeforeAnsweredImplyHumanAndStillAct) {
  FlowState s;
  auto o = advance(s, ev("call.gather.ended", {{"digits", "2"}, {"status", "valid"}}), script());
  ASSERT_EQ(o.events.size(), 2u);
  EXPECT_EQ(o.events[0].kind, CallEventKind::kAnsweredHuman);
  EXPECT_EQ(o.events[1].kind, CallEventKind::kDigits);
  EXPECT_TRUE(o.add_dnc);
  // The late call.answered starts no second menu.
  o = advance(s, ev("call.answered"), script());
  EXPECT_TRUE(o.commands.empty());
}

TEST(CallFlow, DuplicateChangesNothing) {
  FlowState s;
  auto gather = ev("call.gather.ended", {{"digits", "1"}, {"status", "valid"}}, false);
  auto o1 = advance(s, gather, script());
  EXPECT_FALSE(o1.duplicate);
  auto o2 = advance(s, gather, script());
  EXPECT_TRUE(o2.duplicate);
  EXPECT_TRUE(o2.events.empty());
  EXPECT_TRUE(o2.commands.empty());
}

TEST(CallFlow, NothingIsCommandedAfterHangup) {
  FlowState s;
  (void)advance(s, ev("call.hangup", {{"hangup_cause", "normal_clearing"}}), script());
  auto o = advance(s, ev("call.answered", {}, false), script());
  EXPECT_TRUE(o.commands.empty());
  o = advance(s, ev("call.gather.ended", {{"digits", "2"}, {"status", "valid"}}), script());
  EXPECT_TRUE(o.commands.empty());
  EXPECT_TRUE(o.add_dnc);  // the request to stop calls still counts
  ASSERT_FALSE(o.events.empty());  // the digits are still recorded
  EXPECT_EQ(o.events.back().kind, CallEventKind::kDigits);
}

}  // namespace
}  // namespace outdial::telephony::telnyx
