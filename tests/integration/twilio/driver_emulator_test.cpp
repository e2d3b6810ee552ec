// The real Twilio driver and the real dialer with the real compliance gate on SQLite, against the
// Twilio emulator over loopback (twilio_stack.hpp). Nothing here waits on the wall clock except
// the one REST time-out case.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include <nlohmann/json.hpp>

#include "integration/twilio/twilio_stack.hpp"
#include "twiml.hpp"

namespace outdial {
namespace {

using namespace outdial::twilio_emulator;
using namespace outdial::twilio_emulator::testing;
using nlohmann::json;

using itest::twilio::kAgent;
using itest::twilio::kBusiness;
using itest::twilio::kCallerId;

class TwilioDriverTest : public ::testing::Test, protected itest::twilio::TwilioStack {
 protected:
  void SetUp() override { set_up(); }
  void TearDown() override { tear_down(); }
};

TEST_F(TwilioDriverTest, PressOneIsBridgedToTheAgentWithTheCampaignCallerId) {
  const std::string n = "+12125550101";
  emu_->set_behaviour(n, {CalleeBehaviour{.digits = {"1"}, .press_after_seconds = 9}});
  const CampaignId c = make_campaign({n});
  wire();
  drive();

  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 1u);
  const EmulatedCall& call = calls[0];
  EXPECT_EQ(call.from, kCallerId);
  // Identification first, and the opt-out offer starts within 2 s of its end; the key itself
  // ("press 2") is named before the campaign script.
  const std::string ident = "Hi, this is Acme Dental.";
  const auto hi = call.spoken_at(ident);
  const auto offer = call.spoken_at("To stop calls from us");
  const auto key = call.spoken_at("press 2");
  const auto script = call.spoken_at("We have openings");
  ASSERT_TRUE(hi && offer && key && script) << (call.spoken.empty() ? "nothing said" : call.spoken[0].text);
  EXPECT_LE(*hi, Millis(1000));
  const Millis ident_end = *hi + Millis(static_cast<std::int64_t>(speech_seconds(ident) * 1000));
  EXPECT_LE(*offer - ident_end, Millis(2000));
  EXPECT_LT(*key, *script);
  ASSERT_EQ(call.gathers.size(), 1u);
  EXPECT_EQ(call.gathers[0].digits, "1");
  ASSERT_EQ(call.bridges.size(), 1u);
  EXPECT_EQ(call.bridges[0].number, kAgent);
  EXPECT_EQ(call.bridges[0].caller_id, kCallerId);
  EXPECT_EQ(call.bridges[0].dial_status, "completed");
  EXPECT_EQ(call.status, "completed");

  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].provider_call_id, call.sid);
  EXPECT_EQ(a[0].state, CallState::kCompleted);
  EXPECT_EQ(a[0].digits, "1");
  EXPECT_FALSE(a[0].answered_by_machine);
  for (const auto& w : emu_->webhooks()) EXPECT_LT(w.http_status, 300) << w.kind << " " << w.url << " " << w.error;
}

TEST_F(TwilioDriverTest, PressTwoGoesOnTheInternalListBeforeTheHangUpAndIsNeverCalledAgain) {
  const std::string n = "+12125550102";
  emu_->set_behaviour(n, {CalleeBehaviour{.digits = {"2"}, .press_after_seconds = 4}});
  const CampaignId c = make_campaign({n});
  wire();
  drive();
  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 1u);
  const EmulatedCall& call = calls[0];
  auto dnc = db_->compliance().find_dnc(tenant_, n);
  ASSERT_TRUE(dnc);
  ASSERT_TRUE(dnc->has_value()) << "press 2 did not put the number on the internal list";
  // Stored before the confirmation was spoken, and so before the hang-up.
  const auto confirmed = call.spoken_at("do not call list");
  ASSERT_TRUE(confirmed);
  EXPECT_LE((*dnc)->created_at, *call.answered_at + *confirmed);
  EXPECT_LE((*dnc)->created_at, *call.ended_at);
  EXPECT_TRUE(call.bridges.empty());
  EXPECT_EQ(attempts(c).at(0).digits, "2");

  // A later campaign over the same list never calls the number.
  const CampaignId again = make_campaign({n});
  drive();
  EXPECT_EQ(emu_->calls_to(n).size(), 1u);
  EXPECT_TRUE(attempts(again).empty());
}

TEST_F(TwilioDriverTest, VoicemailIsLeftAfterTheBeep) {
  const std::string n = "+12125550103";
  emu_->set_behaviour(n, {CalleeBehaviour{.answer = Answer::kMachine, .greeting_seconds = 7}});
  const CampaignId c = make_campaign({n}, [](Campaign& d) { d.retry.machine = RetryRule{1, 240}; });
  wire();
  drive();
  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 1u);
  const EmulatedCall& call = calls[0];
  EXPECT_EQ(call.answered_by, "machine_end_beep");
  const std::string vm = call.voicemail();
  EXPECT_NE(vm.find("Hi, this is Acme Dental."), std::string::npos) << vm;
  EXPECT_NE(vm.find("We have openings next week"), std::string::npos) << vm;
  EXPECT_NE(vm.find("text STOP"), std::string::npos) << vm;
  // What was said over the greeting is not on the tape; the voicemail began at the beep.
  for (const auto& u : call.spoken) {
    if (u.text.find("We have openings next week") != std::string::npos) {
      EXPECT_TRUE(u.after_beep);
      EXPECT_GE(*call.answered_at + u.offset, *call.beep_at);
    }
  }
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(a[0].answered_by_machine);
  EXPECT_TRUE(is_terminal(a[0].state));
}

TEST_F(TwilioDriverTest, BusyIsRetriedPerThePolicy) {
  const std::string n = "+12125550104";
  emu_->set_behaviour(n, {CalleeBehaviour{.answer = Answer::kBusy}, CalleeBehaviour{.answer = Answer::kBusy},
                          CalleeBehaviour{.answer = Answer::kHuman}});
  const CampaignId c = make_campaign({n});  // busy: 3 attempts, 10 minutes apart
  wire();
  drive();
  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].status, "busy");
  EXPECT_EQ(calls[1].status, "busy");
  EXPECT_EQ(calls[2].status, "completed");
  for (std::size_t i = 1; i < calls.size(); ++i) {
    EXPECT_GE(*calls[i].started_at - *calls[i - 1].ended_at, std::chrono::minutes(10));
  }
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].state, CallState::kBusy);
  EXPECT_EQ(a[1].state, CallState::kBusy);
  EXPECT_EQ(a[2].state, CallState::kCompleted);
  EXPECT_NE(a[0].idempotency_key, a[1].idempotency_key);
}

TEST_F(TwilioDriverTest, ForgedAndReplayedWebhooksChangeNothing) {
  const std::string n = "+12125550105";
  emu_->set_behaviour(n, {CalleeBehaviour{.answer = Answer::kBusy}});
  const CampaignId c = make_campaign({n}, [](Campaign& d) { d.max_attempts = 1; });
  wire();
  drive();
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(a[0].state, CallState::kBusy);
  const std::string sid = a[0].provider_call_id;
  const std::size_t events = events_of(sid);
  ASSERT_GT(events, 0u);

  // A forged "completed, 60 s" for the same call: signed with another token.
  WebhookRecord last;
  for (const auto& w : emu_->webhooks()) {
    if (w.kind == "status" && w.call_sid == sid) last = w;
  }
  ASSERT_FALSE(last.url.empty());
  Params forged = last.params;
  for (auto& [k, v] : forged) {
    if (k == "CallStatus") v = "completed";
    if (k == "CallDuration") v = "60";
    if (k == "SequenceNumber") v = "9";
  }
  const std::string bad_sig = telephony::twilio::compute_signature("not-the-token", last.url, forged);
  auto r = post_to_outdial(last.url, forged, bad_sig);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 403);
  // The emulator's real signature over the original parameters does not cover the changed ones.
  r = post_to_outdial(last.url, forged, last.signature);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 403);
  r = post_to_outdial(last.url, forged, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 403);

  // A replay of every genuine callback, byte for byte.
  for (const auto& w : emu_->webhooks()) {
    if (w.call_sid != sid || w.kind != "status") continue;
    auto rr = post_to_outdial(w.url, w.params, w.signature);
    ASSERT_TRUE(rr.ok());
    EXPECT_LT(rr.value().status, 300) << w.url;
  }
  (void)runner_->tick();
  auto after = attempts(c);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].state, CallState::kBusy);
  EXPECT_EQ(after[0].ended_at, a[0].ended_at);
  EXPECT_EQ(events_of(sid), events);
  EXPECT_EQ(emu_->calls_to(n).size(), 1u);
}

TEST_F(TwilioDriverTest, DuplicateAndReorderedCallbacksGiveTheSameOutcome) {
  const std::string n = "+12125550106";
  emu_->set_behaviour(n, {CalleeBehaviour{.digits = {"1"}}});
  emu_->set_webhook_faults(WebhookFaults{.duplicate = 1, .reorder = 1});
  const CampaignId c = make_campaign({n});
  wire();
  drive();
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].state, CallState::kCompleted);
  EXPECT_EQ(a[0].digits, "1");
  EXPECT_EQ(emu_->calls_to(n).size(), 1u);
  EXPECT_EQ(emu_->calls_to(n)[0].bridges.size(), 1u);
}

TEST_F(TwilioDriverTest, CallbacksArrivingLongAfterTheCallEndedGiveTheSameOutcome) {
  const std::string busy = "+12125550111", human = "+12125550112";
  emu_->set_behaviour(busy, {CalleeBehaviour{.answer = Answer::kBusy}});
  emu_->set_behaviour(human, {CalleeBehaviour{.digits = {"1"}}});
  emu_->set_webhook_faults(WebhookFaults{.delay = 1, .delay_seconds = 90});
  const CampaignId c = make_campaign({busy, human}, [](Campaign& d) { d.max_attempts = 1; });
  wire();
  drive();
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 2u);
  for (const auto& at : a) {
    EXPECT_EQ(at.state, at.to_number == busy ? CallState::kBusy : CallState::kCompleted) << at.to_number;
  }
  EXPECT_EQ(emu_->calls().size(), 2u);
}

TEST_F(TwilioDriverTest, RateLimitedCreateBacksOffAndDialsOnce) {
  const std::string n = "+12125550107";
  emu_->add_rest_fault(RestFault{.kind = RestFaultKind::k429, .times = 2});
  const CampaignId c = make_campaign({n});
  wire();
  drive();
  EXPECT_EQ(emu_->create_requests(), 3u);
  ASSERT_EQ(emu_->calls_to(n).size(), 1u);
  // The refusals and the dial that went through are spread out in time, not a tight loop.
  std::vector<TimePoint> refused;
  for (const auto& e : emu_->log()) {
    if (e.text.find("answered 429") != std::string::npos) refused.push_back(e.at);
  }
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_GT(refused[1], refused[0]);
  EXPECT_GT(emu_->calls_to(n)[0].created_at, refused[1]);
  auto a = attempts(c);
  EXPECT_EQ(a.back().provider_call_id, emu_->calls_to(n)[0].sid);
  EXPECT_TRUE(is_terminal(a.back().state));
}

TEST_F(TwilioDriverTest, TimeOutAfterTheRequestWasSentDoesNotDialTwice) {
  const std::string n = "+12125550108";
  config_.request_timeout = std::chrono::milliseconds(300);
  emu_->add_rest_fault(RestFault{.kind = RestFaultKind::kTimeout, .to = n, .stall_seconds = 1.5});
  const CampaignId c = make_campaign({n});
  wire();
  drive();
  EXPECT_EQ(emu_->create_requests(), 1u);
  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 1u);
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].provider_call_id, calls[0].sid);  // find_call attached it
  EXPECT_TRUE(is_terminal(a[0].state));
}

TEST_F(TwilioDriverTest, ABurstOverTheAccountCpsIsQueuedAndStartedAtTheCps) {
  std::vector<std::string> numbers;
  for (int i = 0; i < 8; ++i) numbers.push_back("+1212555" + std::to_string(1200 + i));
  const CampaignId c = make_campaign(numbers, [](Campaign& d) {
    d.lines = 8;
    d.max_concurrency = 8;
    d.calls_per_minute = 120;
  });
  wire();
  drive();
  auto calls = emu_->calls();
  ASSERT_EQ(calls.size(), 8u);
  EXPECT_EQ(emu_->max_starts_per_second(), 1);  // the emulator's account CPS is 1
  TimePoint first = *calls[0].started_at, last = first;
  for (const auto& call : calls) {
    first = std::min(first, *call.started_at);
    last = std::max(last, *call.started_at);
  }
  EXPECT_GE(last - first, Millis(7000));
  for (const auto& a : attempts(c)) EXPECT_EQ(a.state, CallState::kCompleted) << a.to_number;
}

TEST_F(TwilioDriverTest, AnOutcomeReachedWhileOutdialWasDownIsRecoveredFromTheCallResource) {
  const std::string n = "+12125550110";
  emu_->set_behaviour(n, {CalleeBehaviour{.ring_seconds = 3, .hangup_after_seconds = 5}});
  const CampaignId c = make_campaign({n}, [](Campaign& d) { d.max_attempts = 1; });
  wire();
  (void)runner_->tick();
  sched_.advance(std::chrono::seconds(4));  // answered at +3 s
  ASSERT_EQ(emu_->calls_to(n).at(0).status, "in-progress");
  // outdial goes down: its webhooks answer 503 (the emulator redelivers, then gives up) and the
  // dialer is gone; the callee hangs up meanwhile.
  ingress_.set(nullptr);
  runner_.reset();
  sched_.advance(std::chrono::minutes(2));
  const EmulatedCall call = emu_->calls_to(n).at(0);
  ASSERT_EQ(call.status, "completed");
  int refused = 0;
  for (const auto& w : emu_->webhooks()) refused += (w.kind == "status" && w.http_status == 503) ? 1 : 0;
  EXPECT_GE(refused, 3);  // the final callback and its redeliveries
  auto before = attempts(c);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_FALSE(is_terminal(before[0].state));
  // Restart: recover() reconciles the live attempt from GET Calls/{sid}.json.
  runner_ = std::make_unique<dialer::CampaignRunner>(*db_, *provider_, gate_, *facts_, sched_);
  ingress_.set(&runner_->sink());
  ASSERT_TRUE(runner_->recover());
  drive();
  auto after = attempts(c);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].state, CallState::kCompleted);
  EXPECT_EQ(after[0].provider_call_id, call.sid);
  EXPECT_EQ(emu_->calls_to(n).size(), 1u);  // recovered, not re-dialed
}

TEST_F(TwilioDriverTest, CredentialsNeverAppearInLogsOrResponses) {
  const std::string n = "+12125550109";
  emu_->set_behaviour(n, {CalleeBehaviour{.digits = {"1"}}});
  make_campaign({n});
  wire();
  drive();
  // A driver with a wrong token: the error names neither token.
  telephony::twilio::TwilioConfig wrong = config_;
  wrong.auth_token = "wrong-secret-token-1234";
  telephony::twilio::TwilioProvider bad(wrong, *http_, sched_);
  telephony::DialRequest req;
  req.attempt_id = 999;
  req.idempotency_key = "x:y:1";
  req.from = kCallerId;
  req.to = n;
  auto r = bad.place_call(req);
  ASSERT_FALSE(r.ok());
  std::string everything = r.error().message;
  for (const auto& [k, v] : r.error().details) everything += " " + k + "=" + v;
  auto found = bad.find_call(telephony::CallLookup{});
  if (!found.ok()) everything += " " + found.error().message;
  for (const auto& w : warnings()) everything += "\n" + w;
  for (const auto& e : emu_->log()) everything += "\n" + e.text;
  for (const char* path : {"/_emulator/calls", "/_emulator/log", "/_emulator/webhooks", "/_emulator/stats"}) {
    net::Request q;
    q.method = "GET";
    q.path = path;
    everything += "\n" + emu_->handle(q).body;
  }
  // What outdial answered to every webhook (TwiML, empty bodies, 403s).
  for (const auto& w : emu_->webhooks()) {
    auto rr = post_to_outdial(w.url, w.params, w.signature);
    if (rr.ok()) everything += "\n" + rr.value().body;
  }
  EXPECT_EQ(everything.find(kToken), std::string::npos);
  EXPECT_EQ(everything.find("wrong-secret-token-1234"), std::string::npos);
  EXPECT_EQ(everything.find(base64(std::string(kSid) + ":" + kToken)), std::string::npos);
}

}  // namespace
}  // namespace outdial
