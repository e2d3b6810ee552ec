// TelnyxProvider::reconcile() against the Telnyx emulator over loopback: a call whose call.hangup
// webhook never reached outdial (Telnyx retries a webhook <= 5 times within 60 s) is ended by the
// restart's recovery, so its line is freed and its campaign completes (telnyx_stack.hpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/telnyx/telnyx_stack.hpp"

namespace outdial {
namespace {

using nlohmann::json;
namespace tx = telephony::telnyx;

using namespace itest::telnyx;  // the stack's numbers and script()

const std::string kLost = "+16465550011";    // answers; its call.hangup never reaches outdial
const std::string kSilent = "+16465550012";  // never answers; none of its webhooks reach outdial

bool terminal_event(const CallEvent& e) {
  const auto s = state_for(e.kind);
  return s && is_terminal(*s);
}

class TelnyxReconcileTest : public ::testing::Test, protected TelnyxStack {
 protected:
  void SetUp() override { set_up(); }
  void TearDown() override { tear_down(); }

  void configure(tools::telnyx::EmulatorOptions& o) override {
    o.script.numbers[kLost] = o.script.default_callee;  // a human who hangs up during the greeting
    o.script.numbers[kLost].hangup_after_ms = 2000;
    o.script.numbers[kSilent] = o.script.default_callee;
    o.script.numbers[kSilent].answer = "no_answer";  // rings until the dial's timeout_secs
  }

  // Ticks the dialer (outdial "up", but refusing what ingress_.refuse matches) until the attempt
  // to `number` has a call id and the emulator has ended that call and given up redelivering.
  std::optional<CallAttempt> until_ended(CampaignId id, const std::string& number) {
    for (int i = 0; i < 400; ++i) {
      ingress_.drain(runner_->sink());
      (void)runner_->tick();
      clock_.advance(std::chrono::seconds(1));
      auto a = attempt_to(id, number);
      if (a && !a->provider_call_id.empty() && emulator_call(a->provider_call_id)["state"] == "ended" &&
          emu_->wait_idle(5000)) {
        ingress_.drain(runner_->sink());
        return attempt_to(id, number);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return std::nullopt;
  }

  // A new process on the same database: a fresh dialer, outdial receiving webhooks again.
  void restart() {
    ingress_.refuse = nullptr;
    runner_.reset();
    runner_ = std::make_unique<dialer::CampaignRunner>(*db_, dialing_provider(), *gate_, *facts_, clock_,
                                                       runner_config());
    auto st = runner_->recover();
    ASSERT_TRUE(st) << st.error().message;
  }

  // The call's webhooks that outdial never accepted (every delivery refused), by type.
  std::vector<std::string> lost_webhooks(const std::string& ccid) {
    std::vector<std::string> lost;
    const json call = emulator_call(ccid);
    for (const auto& w : call["webhooks"]) {
      bool accepted = false;
      for (const auto& s : w["statuses"]) accepted = accepted || s == 200;
      if (!accepted) lost.push_back(w["event_type"]);
    }
    return lost;
  }

  CampaignStatus campaign_status(CampaignId id) {
    auto c = db_->campaigns().get_campaign(staff_.tenant_id, id);
    EXPECT_TRUE(c);
    return c ? c->status : CampaignStatus::kDraft;
  }
};

TEST_F(TelnyxReconcileTest, AnAnsweredCallWhoseHangupWasLostEndsAfterARestartAndFreesItsLine) {
  // One line: the busy contact waits for the first call's line.
  const CampaignId id = campaign("lost-hangup", {kLost, kBusy}, 1);
  ASSERT_NE(id, 0);
  ingress_.refuse = terminal_event;  // outdial is down when the call ends
  auto lost = until_ended(id, kLost);
  ASSERT_TRUE(lost) << emu_->calls_json();
  const std::string ccid = lost->provider_call_id;
  EXPECT_EQ(lost->state, CallState::kAnsweredHuman) << "the answer was received";
  EXPECT_EQ(lost_webhooks(ccid), std::vector<std::string>{"call.hangup"}) << emulator_call(ccid).dump();
  EXPECT_GE(emu_->stats().webhooks_failed, 1 + script().faults.max_retries);  // Telnyx gave up
  // Still "live" for outdial: it holds the campaign's only line, so the next contact waits.
  for (int i = 0; i < 5; ++i) {
    (void)runner_->tick();
    clock_.advance(std::chrono::seconds(30));
  }
  EXPECT_FALSE(attempt_to(id, kBusy));
  EXPECT_EQ(campaign_status(id), CampaignStatus::kActive);

  restart();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(run(id, 2)) << emu_->calls_json();
  auto ended = attempt_to(id, kLost);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->state, CallState::kCompleted) << "answered, then ended: completed";
  EXPECT_TRUE(ended->ended_at);
  auto busy = attempt_to(id, kBusy);
  ASSERT_TRUE(busy) << "the freed line dialed the next contact";
  EXPECT_EQ(busy->state, CallState::kBusy);
  for (int i = 0; i < 3; ++i) {
    (void)runner_->tick();
    clock_.advance(std::chrono::seconds(1));
  }
  EXPECT_EQ(campaign_status(id), CampaignStatus::kCompleted);
  auto target = db_->campaigns().get_target(id, ended->contact_id);
  ASSERT_TRUE(target && target->has_value());
  EXPECT_EQ((*target)->status, TargetStatus::kDone);

  // Reconciled again (another restart, or a real call.hangup arriving late): nothing changes.
  const std::size_t events = event_count(ccid);
  ASSERT_TRUE(provider_->reconcile(ccid));
  auto redelivered = emu_->redeliver(ccid, webhook_index(emulator_call(ccid), "call.hangup"));
  ASSERT_TRUE(redelivered) << redelivered.error().message;
  EXPECT_EQ(*redelivered, 200);
  ingress_.drain(runner_->sink());
  EXPECT_EQ(event_count(ccid), events + 1) << "the reconciled end deduplicated; the real hang-up only logged";
  auto again = attempt_to(id, kLost);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, CallState::kCompleted);
  EXPECT_EQ(again->ended_at, ended->ended_at);
}

TEST_F(TelnyxReconcileTest, ACallWhoseWebhooksWereAllLostFailsAfterARestartWithTheReason) {
  const CampaignId id = campaign("all-lost", {kSilent}, 1);
  ASSERT_NE(id, 0);
  ingress_.refuse = [](const CallEvent&) { return true; };  // outdial is down for the whole call
  auto silent = until_ended(id, kSilent);
  ASSERT_TRUE(silent) << emu_->calls_json();
  const std::string ccid = silent->provider_call_id;
  EXPECT_EQ(silent->state, CallState::kDialing);
  EXPECT_EQ(lost_webhooks(ccid), (std::vector<std::string>{"call.initiated", "call.hangup"}))
      << emulator_call(ccid).dump();

  restart();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(run(id, 1)) << emu_->calls_json();
  auto ended = attempt_to(id, kSilent);
  ASSERT_TRUE(ended);
  // Not answered as far as outdial knows, and how it ended is unknown: failed, saying why.
  EXPECT_EQ(ended->state, CallState::kFailed);
  EXPECT_EQ(ended->failure_reason, tx::kReconciledEndDetail);
  (void)runner_->tick();
  EXPECT_EQ(campaign_status(id), CampaignStatus::kCompleted);
  auto target = db_->campaigns().get_target(id, ended->contact_id);
  ASSERT_TRUE(target && target->has_value());
  EXPECT_EQ((*target)->status, TargetStatus::kExhausted);  // max_attempts 1
  EXPECT_EQ((*target)->last_outcome, "failed");
  EXPECT_EQ(emu_->stats().dials, 1);
}

TEST_F(TelnyxReconcileTest, ALiveCallIsLeftToItsWebhooksAndAnUnknownOneIsNotEnded) {
  const CampaignId id = campaign("live", {kSilent}, 1);
  ASSERT_NE(id, 0);
  std::optional<CallAttempt> live;
  for (int i = 0; i < 200 && !(live && !live->provider_call_id.empty()); ++i) {
    (void)runner_->tick();
    live = attempt_to(id, kSilent);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(live && !live->provider_call_id.empty());
  ASSERT_NE(emulator_call(live->provider_call_id)["state"], "ended");  // rings for >= 1.5 s
  ASSERT_TRUE(provider_->reconcile(live->provider_call_id));
  {
    std::lock_guard l(ingress_.mu);
    for (const auto& e : ingress_.queued) EXPECT_EQ(e.dedupe_key.find(":reconcile:"), std::string::npos);
  }
  // A call id this account does not know ("call not found": after a restart the call may have
  // been routed to the wrong account): kNotFound, nothing ingested, nothing ended.
  auto unknown = provider_->reconcile("v3:not-this-accounts-call");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  {
    std::lock_guard l(ingress_.mu);
    for (const auto& e : ingress_.queued) EXPECT_NE(e.provider_call_id, "v3:not-this-accounts-call");
  }
  ASSERT_TRUE(run(id, 1)) << emu_->calls_json();
  auto ended = attempt_to(id, kSilent);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->state, CallState::kNoAnswer) << "its own call.hangup decided";
}

}  // namespace
}  // namespace outdial
