#include "outdial/telephony/twilio/twilio_events.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace outdial::telephony::twilio {
namespace {

const TimePoint kNow = from_epoch_ms(1'700'000'000'000);

StatusCallback cb(const FormParams& p) {
  auto r = parse_status_callback(p);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : StatusCallback{};
}

TEST(TwilioEvents, Rfc2822) {
  TimePoint t{};
  ASSERT_TRUE(parse_rfc2822("Sun, 25 Mar 2018 09:53:19 +0000", t));
  EXPECT_EQ(format_iso8601(t), "2018-03-25T09:53:19.000Z");
  ASSERT_TRUE(parse_rfc2822("Tue, 31 Aug 2010 20:36:28 -0230", t));
  EXPECT_EQ(format_iso8601(t), "2010-08-31T23:06:28.000Z");
  ASSERT_TRUE(parse_rfc2822("1 Jan 2026 00:00:00 GMT", t));
  EXPECT_FALSE(parse_rfc2822("Sun, 31 Feb 2018 09:53:19 +0000", t));
  EXPECT_FALSE(parse_rfc2822("2018-03-25T09:53:19Z", t));
  EXPECT_FALSE(parse_rfc2822("", t));
}

TEST(TwilioEvents, ObservedTerminalCallbackGivesAnsweredThenCompleted) {
  // provider-contracts §2.1, observed terminal callback.
  auto params = parse_form(
      "CallSid=CA1&AccountSid=AC1&From=%2B15017122661&To=%2B15558675310&Direction=outbound-api&ApiVersion=2010-04-01&"
      "CallStatus=completed&CallDuration=49&Duration=1&Timestamp=Sun%2C%2025%20Mar%202018%2009%3A53%3A19%20%2B0000&"
      "CallbackSource=call-progress-events&SequenceNumber=3&AnsweredBy=human");
  ASSERT_TRUE(params.ok());
  const auto evs = status_events(cb(*params), 42, true, kNow);
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].kind, CallEventKind::kAnsweredHuman);
  EXPECT_EQ(evs[0].dedupe_key, "CA1:answered");
  EXPECT_EQ(evs[0].sequence, 3);
  EXPECT_EQ(evs[1].kind, CallEventKind::kCompleted);
  EXPECT_EQ(evs[1].dedupe_key, "CA1:3");
  EXPECT_EQ(evs[1].sequence, 3);
  EXPECT_EQ(evs[1].duration_seconds, 49);
  EXPECT_EQ(evs[1].provider, "twilio");
  EXPECT_EQ(evs[1].provider_call_id, "CA1");
  EXPECT_EQ(evs[1].attempt_id, 42);
  EXPECT_EQ(format_iso8601(evs[1].at), "2018-03-25T09:53:19.000Z");
}

TEST(TwilioEvents, EveryCallStatusMapsToItsKind) {
  const std::vector<std::pair<std::string, CallEventKind>> cases = {
      {"initiated", CallEventKind::kInitiated}, {"ringing", CallEventKind::kRinging},
      {"busy", CallEventKind::kBusy},           {"no-answer", CallEventKind::kNoAnswer},
      {"canceled", CallEventKind::kCanceled},   {"failed", CallEventKind::kFailed}};
  for (const auto& [status, kind] : cases) {
    const auto evs = status_events(cb({{"CallSid", "CA9"}, {"CallStatus", status}, {"SequenceNumber", "5"}}), 1,
                                   false, kNow);
    ASSERT_EQ(evs.size(), 1u) << status;
    EXPECT_EQ(evs[0].kind, kind) << status;
    EXPECT_EQ(evs[0].sequence, 5);
    EXPECT_EQ(evs[0].dedupe_key, "CA9:5");
    EXPECT_EQ(evs[0].at, kNow);  // no Timestamp: the handler's clock
  }
  EXPECT_TRUE(status_events(cb({{"CallSid", "CA9"}, {"CallStatus", "teleported"}}), 1, false, kNow).empty());
}

TEST(TwilioEvents, FailureDetailCarriesSipOrErrorCode) {
  auto evs = status_events(cb({{"CallSid", "CA9"}, {"CallStatus", "busy"}, {"SipResponseCode", "486"}}), 1, false, kNow);
  EXPECT_EQ(evs[0].detail, "sip:486");
  evs = status_events(cb({{"CallSid", "CA9"}, {"CallStatus", "failed"}, {"ErrorCode", "32009"}}), 1, false, kNow);
  EXPECT_EQ(evs[0].detail, "twilio:32009");
}

TEST(TwilioEvents, InProgressWaitsForAsyncAmdUnlessAnsweredByIsKnown) {
  const FormParams p = {{"CallSid", "CA2"}, {"CallStatus", "in-progress"}, {"SequenceNumber", "2"}};
  EXPECT_TRUE(status_events(cb(p), 1, true, kNow).empty());
  auto evs = status_events(cb(p), 1, false, kNow);  // AMD off: answered = a person
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, CallEventKind::kAnsweredHuman);
  EXPECT_EQ(evs[0].dedupe_key, "CA2:answered");
  FormParams m = p;
  m.emplace_back("AnsweredBy", "machine_end_beep");
  evs = status_events(cb(m), 1, true, kNow);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, CallEventKind::kAnsweredMachine);
}

TEST(TwilioEvents, AnsweredByValues) {
  EXPECT_EQ(answered_kind("human"), CallEventKind::kAnsweredHuman);
  EXPECT_EQ(answered_kind("unknown"), CallEventKind::kAnsweredHuman);
  for (const char* m : {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}) {
    EXPECT_EQ(answered_kind(m), CallEventKind::kAnsweredMachine) << m;
  }
  EXPECT_EQ(answered_kind(""), std::nullopt);
}

TEST(TwilioEvents, AmdAndDigitsEvents) {
  auto e = amd_event("CA3", "machine_end_silence", 7, 2, kNow);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, CallEventKind::kAnsweredMachine);
  EXPECT_EQ(e->dedupe_key, "CA3:answered");
  EXPECT_EQ(e->sequence, 2);
  EXPECT_EQ(e->detail, "amd:machine_end_silence");
  EXPECT_FALSE(amd_event("CA3", "", 7, 2, kNow).has_value());
  const auto d = digits_event("CA3", "2", 1, 7, 4, kNow);
  EXPECT_EQ(d.kind, CallEventKind::kDigits);
  EXPECT_EQ(d.digits, "2");
  EXPECT_EQ(d.dedupe_key, "CA3:digits:1");
  EXPECT_EQ(d.sequence, 4);
}

// A key press sorts after the answer and before the end of the call (it was sequence 0, before
// the answer: found by tests/integration/conformance against Telnyx's order).
TEST(TwilioEvents, DigitsSortAfterTheAnswerAndBeforeTheEnd) {
  auto ev = [](CallEventKind k, std::int64_t seq) {
    CallEvent e;
    e.kind = k;
    e.sequence = seq;
    return e;
  };
  EXPECT_EQ(digits_sequence({}), 0);
  // initiated 0, ringing 1, in-progress 2 with the AMD answer at 2: digits at 2, after them.
  const std::vector<CallEvent> live = {ev(CallEventKind::kInitiated, 0), ev(CallEventKind::kRinging, 1),
                                       ev(CallEventKind::kAnsweredHuman, 2)};
  EXPECT_EQ(digits_sequence(live), 2);
  // The terminal callback already stored (3), with the answer it carries (3): below both.
  const std::vector<CallEvent> ended = {ev(CallEventKind::kInitiated, 0), ev(CallEventKind::kRinging, 1),
                                        ev(CallEventKind::kAnsweredHuman, 3), ev(CallEventKind::kCompleted, 3)};
  EXPECT_EQ(digits_sequence(ended), 2);
  // Reconciled events (kReconcileSequence) never pull digits up to them.
  const std::vector<CallEvent> reconciled = {ev(CallEventKind::kAnsweredHuman, kReconcileSequence)};
  EXPECT_EQ(digits_sequence(reconciled), kReconcileSequence - 1);
  // Folded in sequence order, the digits come before the end, so the dialer keeps them.
  std::vector<CallEvent> all = ended;
  all.push_back(ev(CallEventKind::kDigits, digits_sequence(ended)));
  std::stable_sort(all.begin(), all.end(), [](const CallEvent& a, const CallEvent& b) { return a.sequence < b.sequence; });
  EXPECT_EQ(all[2].kind, CallEventKind::kDigits);
}

TEST(TwilioEvents, MalformedStatusCallbacksAreRefusedNamingTheField) {
  auto r = parse_status_callback({{"CallStatus", "ringing"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().details.at("field"), "CallSid");
  r = parse_status_callback({{"CallSid", "CA1"}, {"CallStatus", "ringing"}, {"SequenceNumber", "-1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().details.at("field"), "SequenceNumber");
  r = parse_status_callback({{"CallSid", "CA1"}, {"CallStatus", "completed"}, {"CallDuration", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().details.at("field"), "CallDuration");
  r = parse_status_callback({{"CallSid", "CA1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().details.at("field"), "CallStatus");
}

TEST(TwilioEvents, ResourceEventsForReconcile) {
  auto evs = resource_events("CA4", "completed", "machine_end_beep", 20, kNow);
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].kind, CallEventKind::kAnsweredMachine);
  EXPECT_EQ(evs[0].dedupe_key, "CA4:answered");
  EXPECT_EQ(evs[1].kind, CallEventKind::kCompleted);
  EXPECT_EQ(evs[1].dedupe_key, "CA4:reconcile:completed");
  EXPECT_EQ(evs[1].sequence, kReconcileSequence);
  EXPECT_EQ(resource_events("CA4", "no-answer", "", 0, kNow).at(0).kind, CallEventKind::kNoAnswer);
  EXPECT_TRUE(resource_events("CA4", "in-progress", "", 0, kNow).empty());
}

}  // namespace
}  // namespace outdial::telephony::twilio
