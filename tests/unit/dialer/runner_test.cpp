#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "outdial/compliance/rule_ids.hpp"
#include "outdial/dialer/retry_policy.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"
#include "unit/dialer/dialer_fixture.hpp"

namespace outdial::dialer {
namespace {

using compliance::Decision;
using compliance::Verdict;

struct RunnerTest : DialerFixture {
  testing::FakeProvider provider;
  std::unique_ptr<FactsBuilder> facts;
  void SetUp() override {
    DialerFixture::SetUp();
    facts =
        std::make_unique<FactsBuilder>(db.compliance(), db.calls(), db.campaigns(), nullptr, caller_ids());
  }
  CallEvent ev(const std::string& call, CallEventKind k, std::int64_t seq, std::string digits = "") {
    CallEvent e;
    e.provider = "fake";
    e.provider_call_id = call;
    e.kind = k;
    e.sequence = seq;
    e.dedupe_key = call + ":" + std::to_string(seq);
    e.at = clock.now();
    e.digits = std::move(digits);
    return e;
  }
  // What a crash between storing the attempts and dialing leaves: `n` targets leased by
  // node-1 at kT0, each with its first attempt stored (queued, no provider call id).
  std::vector<CallAttempt> stored_before_crash(const Campaign& c, int n) {
    auto claimed = db.campaigns().claim_targets(c.id, "node-1", kT0, std::chrono::minutes(15), n);
    EXPECT_EQ(claimed->size(), static_cast<std::size_t>(n));
    std::vector<CallAttempt> out;
    for (auto& t : *claimed) {
      CallAttempt a;
      a.tenant_id = c.tenant_id;
      a.campaign_id = c.id;
      a.contact_id = t.contact_id;
      a.attempt_number = 1;
      a.idempotency_key = std::to_string(c.id) + ":" + std::to_string(t.contact_id) + ":1";
      a.provider = "fake";
      a.to_number = "+12125559999";
      a.created_at = kT0;
      auto stored = db.calls().create_attempt(a);
      EXPECT_TRUE(stored);
      if (stored) out.push_back(*stored);
    }
    return out;
  }
  CallAttempt only_attempt(CampaignId c) {
    auto all = db.calls().list_attempts(staff.tenant_id, c, 0, 10);
    EXPECT_EQ(all->size(), 1u);
    return all->front();
  }
};

TEST_F(RunnerTest, DuplicateLateAndOutOfOrderEvents) {
  add_contacts(1);
  Campaign c = make_active(draft());
  testing::FakeGate gate;
  CampaignRunner runner(db, provider, gate, *facts, clock);
  EXPECT_EQ(runner.tick().dialed, 1);
  auto& sink = runner.sink();
  sink.on_call_event(ev("P1", CallEventKind::kInitiated, 1));
  sink.on_call_event(ev("P1", CallEventKind::kInitiated, 1));  // duplicate
  EXPECT_EQ(runner.events().duplicates(), 1);
  // completed (seq 4) before answered (seq 3): recorded, no move yet
  sink.on_call_event(ev("P1", CallEventKind::kCompleted, 4));
  EXPECT_EQ(only_attempt(c.id).state, CallState::kDialing);
  sink.on_call_event(ev("P1", CallEventKind::kAnsweredHuman, 3));
  auto a = only_attempt(c.id);
  EXPECT_EQ(a.state, CallState::kCompleted);  // the predecessor arrived: both applied in order
  // late ringing after the end: stored, state unchanged
  sink.on_call_event(ev("P1", CallEventKind::kRinging, 2));
  EXPECT_EQ(only_attempt(c.id).state, CallState::kCompleted);
  EXPECT_EQ(db.calls().events_for_call("fake", "P1")->size(), 4u);
  auto t = db.campaigns().get_target(c.id, a.contact_id);
  EXPECT_EQ((*t)->status, TargetStatus::kDone);
  EXPECT_EQ((*t)->last_outcome, "completed");
}

// A webhook can overtake the carrier's answer to the dial: its event is stored before any
// attempt knows the call id (attempt 0), and the placement must still apply it.
TEST_F(RunnerTest, AnEventThatArrivesBeforeThePlacementIsStoredIsApplied) {
  add_contacts(1);
  Campaign c = make_active(draft());
  testing::FakeGate gate;
  CampaignRunner runner(db, provider, gate, *facts, clock);
  provider.on_created = [&](const telephony::DialRequest&, const std::string& call_id) {
    runner.sink().on_call_event(ev(call_id, CallEventKind::kRinging, 2));
  };
  EXPECT_EQ(runner.tick().dialed, 1);
  EXPECT_EQ(db.calls().events_for_call("fake", "P1")->front().attempt_id, 0);  // stored unattached
  EXPECT_EQ(only_attempt(c.id).state, CallState::kRinging);
  // The call is remembered with its events: the next one moves it on.
  runner.sink().on_call_event(ev("P1", CallEventKind::kAnsweredHuman, 3));
  runner.sink().on_call_event(ev("P1", CallEventKind::kCompleted, 4));
  EXPECT_EQ(only_attempt(c.id).state, CallState::kCompleted);
  EXPECT_EQ((*db.campaigns().get_target(c.id, only_attempt(c.id).contact_id))->status, TargetStatus::kDone);
}

// The same race when the event names the attempt: it attaches the call id itself, and the
// placement finds the attempt already moved on.
TEST_F(RunnerTest, AnEventNamingTheAttemptBeforeThePlacementIsStoredIsApplied) {
  add_contacts(1);
  Campaign c = make_active(draft());
  testing::FakeGate gate;
  CampaignRunner runner(db, provider, gate, *facts, clock);
  provider.on_created = [&](const telephony::DialRequest& r, const std::string& call_id) {
    CallEvent e = ev(call_id, CallEventKind::kAnsweredHuman, 3);
    e.attempt_id = r.attempt_id;
    runner.sink().on_call_event(e);
  };
  EXPECT_EQ(runner.tick().dialed, 1);
  const CallAttempt a = only_attempt(c.id);
  EXPECT_EQ(a.state, CallState::kAnsweredHuman);
  EXPECT_EQ(a.provider_call_id, "P1");
  runner.sink().on_call_event(ev("P1", CallEventKind::kCompleted, 4));
  EXPECT_EQ(only_attempt(c.id).state, CallState::kCompleted);
  EXPECT_EQ(provider.dials.size(), 1u);
}

TEST_F(RunnerTest, BusyRetriesWithBackoffThenExhausts) {
  add_contacts(1);
  Campaign d = draft();
  d.retry.busy = {2, 10};
  Campaign c = make_active(d);
  testing::FakeGate gate;
  CampaignRunner runner(db, provider, gate, *facts, clock);
  runner.tick();
  runner.sink().on_call_event(ev("P1", CallEventKind::kBusy, 2));
  EXPECT_EQ(runner.tick().dialed, 0);
  auto t = db.campaigns().get_target(c.id, provider.dials.size() ? only_attempt(c.id).contact_id : 0);
  EXPECT_EQ((*t)->status, TargetStatus::kPending);
  EXPECT_EQ((*t)->next_eligible_at, kT0 + std::chrono::minutes(10));
  clock.advance(std::chrono::minutes(10));
  EXPECT_EQ(runner.tick().dialed, 1);
  EXPECT_EQ(provider.dials.back().idempotency_key, std::to_string(c.id) + ":" + std::to_string((*t)->contact_id) + ":2");
  runner.sink().on_call_event(ev("P2", CallEventKind::kBusy, 2));
  t = db.campaigns().get_target(c.id, (*t)->contact_id);
  EXPECT_EQ((*t)->status, TargetStatus::kExhausted);
  runner.tick();
  EXPECT_EQ(db.campaigns().get_campaign_any(c.id)->status, CampaignStatus::kCompleted);
}

TEST_F(RunnerTest, DeferUsesAllowedAtWithoutPolling) {
  add_contacts(1);
  Campaign c = make_active(draft());
  const TimePoint open = kT0 + std::chrono::hours(9);
  testing::FakeGate gate([&](const compliance::AttemptFacts& f) {
    if (f.at < open) return Decision{Verdict::kDefer, "FED-TIME", "too early", open};
    return Decision{Verdict::kAllow, "OK", "", std::nullopt};
  });
  CampaignRunner runner(db, provider, gate, *facts, clock);
  auto r = runner.tick();
  EXPECT_EQ(gate.calls(), 1);
  EXPECT_EQ(r.next_due, open);
  for (int i = 0; i < 50; ++i) {  // ticking before allowed_at never asks the gate again
    clock.advance(std::chrono::minutes(10));
    if (clock.now() >= open) break;
    runner.tick();
  }
  EXPECT_EQ(gate.calls(), 1);
  clock.set(open);
  EXPECT_EQ(runner.tick().dialed, 1);
  EXPECT_EQ(gate.calls(), 2);
  auto decisions = db.compliance().list_decisions(staff.tenant_id, c.id, 10);
  ASSERT_EQ(decisions->size(), 2u);
  EXPECT_EQ((*decisions)[1].verdict, "defer");
  EXPECT_EQ((*decisions)[1].allowed_at, open);
}

TEST_F(RunnerTest, BlockMarksTargetWithRule) {
  add_contacts(2);
  Campaign c = make_active(draft());
  testing::FakeGate gate([](const compliance::AttemptFacts&) {
    return Decision{Verdict::kBlock, "DNC-INTERNAL", "on list", std::nullopt};
  });
  CampaignRunner runner(db, provider, gate, *facts, clock);
  runner.tick();
  EXPECT_TRUE(provider.dials.empty());
  auto p = service->progress(staff, c.id);
  EXPECT_EQ(p->blocked, 2);
  EXPECT_EQ(p->blocked_by_rule["DNC-INTERNAL"], 2);
  runner.tick();
  EXPECT_EQ(db.campaigns().get_campaign_any(c.id)->status, CampaignStatus::kCompleted);
}

TEST_F(RunnerTest, ConcurrencyCapPauseResumeAndStop) {
  add_contacts(10);
  Campaign d = draft();
  d.max_concurrency = 3;
  Campaign c = make_active(d);
  testing::FakeGate gate;
  CampaignRunner runner(db, provider, gate, *facts, clock);
  EXPECT_EQ(runner.tick().dialed, 3);
  EXPECT_EQ(runner.tick().dialed, 0);
  ASSERT_TRUE(service->pause(staff, c.id));
  runner.sink().on_call_event(ev("P1", CallEventKind::kBusy, 2));  // in-flight calls still finish
  EXPECT_EQ(runner.tick().dialed, 0);
  ASSERT_TRUE(service->resume(staff, c.id));
  EXPECT_EQ(runner.tick().dialed, 1);
  ASSERT_TRUE(service->stop(staff, c.id));
  runner.sink().on_call_event(ev("P2", CallEventKind::kBusy, 2));
  EXPECT_EQ(runner.tick().dialed, 0);
  EXPECT_EQ(provider.dials.size(), 4u);
}

TEST_F(RunnerTest, ExpiryStopsDialing) {
  add_contacts(3);
  Campaign d = draft();
  d.max_concurrency = 1;
  d.expires_at = kT0 + std::chrono::minutes(5);
  Campaign c = make_active(d);
  testing::FakeGate gate;
  CampaignRunner runner(db, provider, gate, *facts, clock);
  runner.tick();
  clock.advance(std::chrono::minutes(6));
  runner.sink().on_call_event(ev("P1", CallEventKind::kBusy, 2));
  EXPECT_EQ(runner.tick().dialed, 0);
  EXPECT_EQ(db.campaigns().get_campaign_any(c.id)->status, CampaignStatus::kExpired);
}

TEST_F(RunnerTest, RecoverAttachesOrPlacesWithSameKey) {
  add_contacts(2);
  Campaign c = make_active(draft());
  // Simulate a crash: two leased targets, attempts stored, one call reached the provider.
  const auto stored = stored_before_crash(c, 2);
  ASSERT_EQ(stored.size(), 2u);
  const std::vector<std::string> keys{stored[0].idempotency_key, stored[1].idempotency_key};
  telephony::DialRequest first;
  first.idempotency_key = keys[0];
  ASSERT_TRUE(provider.place_call(first));
  testing::FakeGate gate;
  CampaignRunner runner(db, provider, gate, *facts, clock);
  ASSERT_TRUE(runner.recover());
  ASSERT_EQ(provider.dials.size(), 2u);  // one before the crash, one placed by recovery
  EXPECT_EQ(provider.dials[1].idempotency_key, keys[1]);
  EXPECT_EQ(provider.reconciled.size(), 1u);
  auto live = db.calls().live_attempts(c.id);
  ASSERT_EQ(live->size(), 2u);
  for (auto& a : *live) EXPECT_FALSE(a.provider_call_id.empty());
  EXPECT_EQ(gate.calls(), 1);  // the re-placed call was allowed again first; the attached one not
}

TEST_F(RunnerTest, RecoverNeverPlacesAQueuedAttemptTheGateNowRefuses) {
  add_contacts(1);
  Campaign c = make_active(draft());
  // The attempt was stored and the process died before the dial; it restarts after the calling
  // window closed.
  const auto stored = stored_before_crash(c, 1);
  ASSERT_EQ(stored.size(), 1u);
  const CallAttempt& a = stored[0];
  clock.advance(std::chrono::hours(13));
  testing::FakeGate gate([&](const compliance::AttemptFacts&) {
    return Decision{Verdict::kDefer, compliance::rule_id::kFedTime, "outside 8am-9pm local", clock.now() + std::chrono::hours(11)};
  });
  CampaignRunner runner(db, provider, gate, *facts, clock);
  ASSERT_TRUE(runner.recover());
  EXPECT_TRUE(provider.dials.empty()) << "never dialed outside the window";
  EXPECT_EQ(gate.calls(), 1);
  const CallAttempt after = only_attempt(c.id);
  EXPECT_EQ(after.state, CallState::kCanceled);
  EXPECT_NE(after.failure_reason.find("FED-TIME"), std::string::npos) << after.failure_reason;
  auto t = db.campaigns().get_target(c.id, a.contact_id);
  EXPECT_NE((*t)->status, TargetStatus::kInProgress);  // released: the runner owns no live call
  EXPECT_EQ(runner.tick().dialed, 0);
  EXPECT_TRUE(provider.dials.empty());
}

// An attempt canceled before its dial (restart recovery re-gated it after the window closed) is
// not an attempt made: the contact still gets max_attempts real calls, under new keys (the
// canceled attempt's key is never dialed nor reused).
TEST_F(RunnerTest, AnAttemptCanceledBeforeItsDialDoesNotCountTowardMaxAttempts) {
  add_contacts(1);
  Campaign d = draft();
  d.max_attempts = 2;
  d.retry.no_answer = {3, 10};
  Campaign c = make_active(d);
  const auto stored = stored_before_crash(c, 1);
  ASSERT_EQ(stored.size(), 1u);
  const ContactId contact = stored[0].contact_id;
  auto key = [&](int n) { return std::to_string(c.id) + ":" + std::to_string(contact) + ":" + std::to_string(n); };
  clock.advance(std::chrono::hours(13));
  bool window_open = false;
  std::vector<int> attempts_made;  // what FREQ-CAMPAIGN saw at each allowed decision
  testing::FakeGate gate([&](const compliance::AttemptFacts& f) {
    if (!window_open) {
      return Decision{Verdict::kDefer, compliance::rule_id::kFedTime, "outside 8am-9pm local",
                      clock.now() + std::chrono::hours(11)};
    }
    attempts_made.push_back(f.campaign.attempts_made);
    return Decision{Verdict::kAllow, "OK", "allowed", std::nullopt};
  });
  CampaignRunner runner(db, provider, gate, *facts, clock);
  ASSERT_TRUE(runner.recover());
  ASSERT_EQ(only_attempt(c.id).state, CallState::kCanceled);
  EXPECT_EQ(runner.tick().dialed, 0);  // still outside the window
  EXPECT_TRUE(provider.dials.empty());
  clock.advance(std::chrono::hours(11));
  window_open = true;
  EXPECT_EQ(runner.tick().dialed, 1);
  ASSERT_EQ(provider.dials.size(), 1u);
  EXPECT_EQ(provider.dials[0].idempotency_key, key(2));
  runner.sink().on_call_event(ev("P1", CallEventKind::kNoAnswer, 2));
  auto t = db.campaigns().get_target(c.id, contact);
  EXPECT_EQ((*t)->status, TargetStatus::kPending) << "one real call of max_attempts=2";
  clock.advance(std::chrono::minutes(10));
  EXPECT_EQ(runner.tick().dialed, 1);
  ASSERT_EQ(provider.dials.size(), 2u);
  EXPECT_EQ(provider.dials[1].idempotency_key, key(3));
  runner.sink().on_call_event(ev("P2", CallEventKind::kNoAnswer, 2));
  t = db.campaigns().get_target(c.id, contact);
  EXPECT_EQ((*t)->status, TargetStatus::kExhausted);
  EXPECT_EQ(attempts_made, (std::vector<int>{0, 1}));
  for (const auto& dial : provider.dials) EXPECT_NE(dial.idempotency_key, key(1));
}

TEST_F(RunnerTest, WholeCampaignOnSimInVirtualTime) {
  add_contacts(200);
  Campaign d = draft();
  d.max_concurrency = 10;
  d.lines = 10;
  d.calls_per_minute = 60;
  d.expires_at = clock.now() + std::chrono::hours(24 * 30);
  Campaign c = make_active(d);
  auto sim = telephony::sim::SimCarrier::create(clock, {}, 11, "");
  ASSERT_TRUE(sim);
  testing::FakeGate gate;
  CampaignRunner runner(db, **sim, gate, *facts, clock);
  (*sim)->set_sink(&runner.sink());
  auto r = run_until_idle(runner, sim->get(), clock);
  EXPECT_TRUE(r.all_complete);
  EXPECT_EQ(db.campaigns().get_campaign_any(c.id)->status, CampaignStatus::kCompleted);
  auto counts = db.campaigns().count_targets(c.id);
  EXPECT_EQ(counts->by_status["pending"] + counts->by_status["in_progress"], 0);
  EXPECT_EQ(counts->by_status["done"] + counts->by_status["exhausted"], 200);
  // one ledger dial per attempt row, and each key unique
  auto calls = (*sim)->ledger_calls();
  std::set<std::string> keys;
  for (auto& l : calls) EXPECT_TRUE(keys.insert(l.idempotency_key).second);
  auto p = service->progress(staff, c.id);
  EXPECT_EQ(p->attempts, static_cast<std::int64_t>(calls.size()));
  EXPECT_EQ(p->in_flight, 0);
  EXPECT_GT(p->connects, 0);
  // The driver stops when the last call ends, not at the campaign's expiry instant.
  auto attempts = db.calls().list_attempts(c.tenant_id, c.id, 0, 100000);
  TimePoint last_end{};
  for (const auto& a : *attempts) {
    if (a.ended_at && *a.ended_at > last_end) last_end = *a.ended_at;
  }
  ASSERT_TRUE(c.expires_at.has_value());
  EXPECT_LT(r.ended_at, *c.expires_at);
  EXPECT_LE(r.ended_at - last_end, Millis(std::chrono::minutes(1)));
}

}  // namespace
}  // namespace outdial::dialer

namespace outdial::dialer {
namespace {

TEST_F(RunnerTest, AcceleratedRealtimeDriverFinishesACampaign) {
  add_contacts(20);
  Campaign d = draft();
  d.calls_per_minute = 600;
  d.retry = RetryPolicy{{2, 5}, {2, 5}, {2, 5}, {2, 5}};
  Campaign c = make_active(d);
  auto sim = telephony::sim::SimCarrier::create(clock, {}, 5, "");
  ASSERT_TRUE(sim);
  testing::FakeGate gate;
  CampaignRunner runner(db, **sim, gate, *facts, clock);
  (*sim)->set_sink(&runner.sink());
  SystemClock wall;
  // 1 wall second = 2 virtual hours: backoffs of minutes pass in milliseconds.
  RealtimeDriver driver(runner, sim->get(), wall, &clock, 7200.0, Millis(5));
  driver.start();
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (db.campaigns().get_campaign_any(c.id)->status == CampaignStatus::kCompleted) break;
  }
  driver.stop();
  EXPECT_EQ(db.campaigns().get_campaign_any(c.id)->status, CampaignStatus::kCompleted);
  EXPECT_GT(driver.turns(), 0);
}

}  // namespace
}  // namespace outdial::dialer

namespace outdial::dialer {
namespace {

TEST_F(RunnerTest, LateEventForOldAttemptDoesNotReleaseReclaimedTarget) {
  add_contacts(1);
  Campaign d = draft();
  d.retry.busy = {3, 0};
  Campaign c = make_active(d);
  testing::FakeGate gate;
  CampaignRunner runner(db, provider, gate, *facts, clock);
  runner.tick();
  runner.sink().on_call_event(ev("P1", CallEventKind::kBusy, 2));
  // Another thread claims the target for attempt 2; before its attempt row exists a late
  // event for attempt 1 arrives.
  auto claimed = db.campaigns().claim_targets(c.id, "node-1", clock.now(), std::chrono::minutes(15), 1);
  ASSERT_EQ(claimed->size(), 1u);
  runner.sink().on_call_event(ev("P1", CallEventKind::kCompleted, 9));
  auto t = db.campaigns().get_target(c.id, claimed->front().contact_id);
  EXPECT_EQ((*t)->status, TargetStatus::kInProgress);
  EXPECT_EQ((*t)->lease_owner, "node-1");
}

TEST_F(RunnerTest, RunnerHonorsCallsPerMinute) {
  add_contacts(40);
  Campaign d = draft();
  d.calls_per_minute = 10;
  d.max_concurrency = 50;
  d.lines = 50;
  make_active(d);
  testing::FakeGate gate;
  CampaignRunner runner(db, provider, gate, *facts, clock);
  auto r = runner.tick();
  EXPECT_EQ(r.dialed, 10);
  EXPECT_EQ(r.next_due, kT0 + std::chrono::minutes(1));
  clock.advance(std::chrono::seconds(59));
  EXPECT_EQ(runner.tick().dialed, 0);
  clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(runner.tick().dialed, 10);
  // A restarted runner does not burst: the last minute's attempts count against it.
  CampaignRunner restarted(db, provider, gate, *facts, clock);
  EXPECT_EQ(restarted.tick().dialed, 0);
}

}  // namespace
}  // namespace outdial::dialer

namespace outdial::dialer {
namespace {

// A batch whose commit fails (SQLITE_BUSY at COMMIT) rolls back the carrier events it applied,
// which the carrier had already popped: the runner reconciles its live calls so the events come
// again, and a call id lost with the rollback is found by key, never dialed twice.
TEST_F(RunnerTest, RolledBackEventBatchIsRedeliveredWithoutASecondDial) {
  add_contacts(40);
  Campaign d = draft();
  d.max_concurrency = 5;
  d.lines = 5;
  d.calls_per_minute = 60;
  d.expires_at = clock.now() + std::chrono::hours(24 * 30);
  Campaign c = make_active(d);
  auto sim = telephony::sim::SimCarrier::create(clock, {}, 17, "");
  ASSERT_TRUE(sim);
  testing::FakeGate gate;
  CampaignRunner runner(db, **sim, gate, *facts, clock);
  (*sim)->set_sink(&runner.sink());
  // One batch at a time; fail the commit of batches that delivered carrier events.
  std::int64_t lost_events = 0;
  int failed_with_events = 0;
  for (int i = 0; i < 2000 && failed_with_events < 4; ++i) {
    const bool arm = i % 3 == 2;
    if (arm) db.fail_next_transactions(1);
    const int failed_before = db.failed_transactions();
    auto r = run_until_idle(runner, sim->get(), clock, std::chrono::hours(24 * 30), 1);
    db.fail_next_transactions(0);
    if (arm && db.failed_transactions() > failed_before && r.events > 0) {
      lost_events += r.events;
      ++failed_with_events;
    }
  }
  ASSERT_EQ(failed_with_events, 4);
  ASSERT_GT(lost_events, 0);
  auto r = run_until_idle(runner, sim->get(), clock);
  EXPECT_TRUE(r.all_complete);
  EXPECT_EQ(db.campaigns().get_campaign_any(c.id)->status, CampaignStatus::kCompleted);
  auto counts = db.campaigns().count_targets(c.id);
  EXPECT_EQ(counts->by_status["pending"] + counts->by_status["in_progress"], 0);
  auto attempts = db.calls().list_attempts(c.tenant_id, c.id, 0, 100000);
  ASSERT_TRUE(attempts);
  std::map<std::string, std::string> call_of_key;
  for (const auto& a : *attempts) {
    EXPECT_TRUE(is_terminal(a.state)) << a.idempotency_key << " " << to_string(a.state);
    call_of_key[a.idempotency_key] = a.provider_call_id;
  }
  // one ledger dial per attempt row, each key once, and the attempt holds that dial's call id
  auto calls = (*sim)->ledger_calls();
  std::set<std::string> keys;
  for (const auto& l : calls) {
    EXPECT_TRUE(keys.insert(l.idempotency_key).second) << l.idempotency_key;
    auto it = call_of_key.find(l.idempotency_key);
    ASSERT_NE(it, call_of_key.end()) << l.idempotency_key;
    EXPECT_EQ(it->second, l.call_id);
  }
  EXPECT_EQ(calls.size(), attempts->size());
  auto live = db.calls().live_attempts(0);
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->empty());
}

}  // namespace
}  // namespace outdial::dialer

namespace outdial::dialer {
namespace {

// Dial errors that do not prove the number bad (issue #3: "nothing is retried blindly"): the
// attempt keeps its key, and a later resolution asks the carrier before dialing again.
struct DialFaultTest : RunnerTest {
  testing::FakeGate gate;
  std::vector<CallAttempt> attempts(CampaignId c) { return *db.calls().list_attempts(staff.tenant_id, c, 0, 10); }
};

TEST_F(DialFaultTest, RateLimitedDialIsSentAgainUnderTheSameKey) {
  add_contacts(1);
  Campaign c = make_active(draft());
  CampaignRunner runner(db, provider, gate, *facts, clock);
  provider.faults.push_back({make_error(ErrorCode::kRateLimited, "20429"), false});
  EXPECT_EQ(runner.tick().dialed, 1);
  ASSERT_EQ(attempts(c.id).size(), 1u);
  EXPECT_EQ(attempts(c.id)[0].state, CallState::kQueued);  // not failed, not finished
  EXPECT_TRUE(provider.dials.empty());
  clock.advance(std::chrono::seconds(4));
  runner.tick();
  EXPECT_EQ(provider.place_calls, 1);  // back-off not over yet
  clock.advance(std::chrono::seconds(1));
  auto t = runner.tick();
  EXPECT_EQ(t.dialed, 0);  // the same attempt, no new one
  ASSERT_EQ(provider.dials.size(), 1u);
  auto all = attempts(c.id);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(provider.dials[0].idempotency_key, all[0].idempotency_key);
  EXPECT_EQ(all[0].state, CallState::kDialing);
  EXPECT_EQ(all[0].provider_call_id, "P1");
  EXPECT_EQ(provider.lookups, 1);  // asked the carrier before dialing again
}

TEST_F(DialFaultTest, TimeOutAfterTheCarrierCreatedTheCallIsAttachedNotDialedTwice) {
  add_contacts(1);
  Campaign c = make_active(draft());
  CampaignRunner runner(db, provider, gate, *facts, clock);
  provider.faults.push_back({make_error(ErrorCode::kUnavailable, "timed out", {{"timeout", "true"}}), true});
  runner.tick();
  EXPECT_EQ(attempts(c.id)[0].state, CallState::kQueued);
  ASSERT_EQ(provider.dials.size(), 1u);  // the carrier did create it
  clock.advance(std::chrono::seconds(5));
  runner.tick();
  EXPECT_EQ(provider.place_calls, 1);  // never sent again
  EXPECT_EQ(provider.dials.size(), 1u);
  auto a = attempts(c.id);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].state, CallState::kDialing);
  EXPECT_EQ(a[0].provider_call_id, "P1");
  // The call's events now reach the attempt.
  runner.sink().on_call_event(ev("P1", CallEventKind::kBusy, 1));
  EXPECT_EQ(attempts(c.id)[0].state, CallState::kBusy);
}

TEST_F(DialFaultTest, BadNumberFailsAtOnceAndIsNeverRetried) {
  add_contacts(1);
  Campaign c = make_active(draft());
  CampaignRunner runner(db, provider, gate, *facts, clock);
  provider.faults.push_back({make_error(ErrorCode::kInvalidArgument, "21211 invalid To"), false});
  runner.tick();
  auto a = attempts(c.id);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].state, CallState::kFailed);
  auto t = db.campaigns().get_target(c.id, a[0].contact_id);
  EXPECT_EQ((*t)->status, TargetStatus::kExhausted);
  EXPECT_EQ((*t)->last_outcome, "undialable");
  clock.advance(std::chrono::hours(2));
  runner.tick();
  EXPECT_EQ(provider.place_calls, 1);
}

// What a refusal says about the number outlives the campaign: later campaigns' facts carry it.
struct RefusalTest : DialFaultTest {
  // Dials one contact into a refusal, then builds a second campaign's facts for the same number.
  compliance::AttemptFacts refuse_then_facts(Error refusal) {
    add_contacts(1);
    Campaign c = make_active(draft());
    CampaignRunner runner(db, provider, gate, *facts, clock);
    provider.faults.push_back({std::move(refusal), false});
    runner.tick();
    EXPECT_EQ(only_attempt(c.id).state, CallState::kFailed);
    clock.advance(std::chrono::hours(1));
    Campaign next = make_active(draft());
    auto contact = db.contacts().get_contact(staff.tenant_id, only_attempt(c.id).contact_id);
    EXPECT_TRUE(contact);
    if (!contact) return {};
    auto f = facts->build(next, *contact, clock.now());
    EXPECT_TRUE(f);
    return f ? *f : compliance::AttemptFacts{};
  }
};

TEST_F(RefusalTest, AnInvalidNumberIsRecordedAsRejectedForEveryLaterCampaign) {
  auto f = refuse_then_facts(make_error(ErrorCode::kInvalidArgument, "twilio place_call: HTTP 400 code 21211",
                                        {{"provider", "twilio"}, {"provider_code", "21211"}}));
  EXPECT_TRUE(f.carrier_rejected);
  EXPECT_NE(f.carrier_rejected_reason.find("21211"), std::string::npos);
  EXPECT_FALSE(f.on_internal_dnc);
  auto r = db.compliance().find_rejected(staff.tenant_id, "+12125551000", Channel::kVoice);
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->provider, "twilio");
  EXPECT_EQ((*r)->provider_code, "21211");
  EXPECT_EQ((*r)->rejected_at, kT0);
  // Only the voice channel: a text to the number is a different question.
  EXPECT_FALSE(db.compliance().find_rejected(staff.tenant_id, "+12125551000", Channel::kSms)->has_value());
}

TEST_F(RefusalTest, AGeoPermissionRefusalBlocksTheDestination) {
  auto f = refuse_then_facts(make_error(ErrorCode::kPermissionDenied, "twilio place_call: code 21215",
                                        {{"provider", "twilio"}, {"provider_code", "21215"}, {"geo_permission", "true"}}));
  EXPECT_TRUE(f.carrier_rejected);
  EXPECT_FALSE(f.on_internal_dnc);
}

TEST_F(RefusalTest, ACarrierOptOutPutsTheNumberOnTheInternalDoNotCallList) {
  auto f = refuse_then_facts(make_error(ErrorCode::kPermissionDenied, "twilio place_call: code 21610",
                                        {{"provider", "twilio"}, {"provider_code", "21610"}, {"opted_out", "true"}}));
  EXPECT_TRUE(f.on_internal_dnc);
  EXPECT_FALSE(f.carrier_rejected);
  auto d = db.compliance().find_dnc(staff.tenant_id, "+12125551000");
  ASSERT_TRUE(d && d->has_value());
  EXPECT_EQ((*d)->reason, "carrier: opted out");
  EXPECT_EQ((*d)->source.rfind("twilio:", 0), 0u) << (*d)->source;
}

TEST_F(RefusalTest, ARefusalAboutTheAccountSaysNothingAboutTheNumber) {
  // 21219: a trial account may only call verified numbers. The number itself is fine.
  auto f = refuse_then_facts(make_error(ErrorCode::kPermissionDenied, "twilio place_call: code 21219",
                                        {{"provider", "twilio"}, {"provider_code", "21219"}}));
  EXPECT_FALSE(f.carrier_rejected);
  EXPECT_FALSE(f.on_internal_dnc);
}

TEST_F(DialFaultTest, NoRedialOnceTheCampaignIsPausedOrTheGateSaysNo) {
  add_contacts(2);
  Campaign c = make_active(draft());
  CampaignRunner runner(db, provider, gate, *facts, clock);
  provider.faults.push_back({make_error(ErrorCode::kUnavailable, "503"), false});
  provider.faults.push_back({make_error(ErrorCode::kUnavailable, "503"), false});
  runner.tick();
  ASSERT_EQ(attempts(c.id).size(), 2u);
  Campaign paused = *db.campaigns().get_campaign_any(c.id);
  paused.status = CampaignStatus::kPaused;
  ASSERT_TRUE(db.campaigns().update_campaign(paused));
  clock.advance(std::chrono::seconds(5));
  runner.tick();
  EXPECT_EQ(provider.place_calls, 2);  // nothing sent again
  for (const auto& a : attempts(c.id)) {
    EXPECT_EQ(a.state, CallState::kCanceled);
    EXPECT_NE(a.failure_reason.find("paused"), std::string::npos) << a.failure_reason;
  }
  EXPECT_EQ(provider.lookups, 2);  // each checked with the carrier first
}

TEST_F(DialFaultTest, GivesUpAfterTheConfiguredTriesWhenTheCarrierConfirmsNoCall) {
  add_contacts(1);
  Campaign c = make_active(draft());
  RunnerConfig cfg;
  cfg.max_resolve_tries = 3;
  CampaignRunner runner(db, provider, gate, *facts, clock, cfg);
  for (int i = 0; i < 3; ++i) provider.faults.push_back({make_error(ErrorCode::kUnavailable, "503"), false});
  runner.tick();
  for (int i = 0; i < 10; ++i) {
    clock.advance(std::chrono::minutes(5));
    runner.tick();
  }
  const auto all = attempts(c.id);
  const CallAttempt* first = nullptr;
  for (const auto& a : all) {
    if (a.attempt_number == 1) first = &a;
  }
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->state, CallState::kFailed);
  EXPECT_NE(first->failure_reason.find("503"), std::string::npos) << first->failure_reason;
  // Three sends under the first key, none of which created a call; any later call is a new
  // attempt chosen by the retry policy.
  EXPECT_GE(provider.place_calls, 3);
  for (const auto& d : provider.dials) EXPECT_NE(d.idempotency_key, first->idempotency_key);
}

// A call whose account cannot be used (a Telnyx account without its connection_id or key):
// place_call and find_call both answer kFailedPrecondition ("certainly not placed"). That counts
// toward max_resolve_tries like a confirmed absence: the attempt fails instead of waiting
// forever with its line, and the campaign can finish.
TEST_F(DialFaultTest, AnAccountThatCannotPlaceCallsCountsTowardTheTries) {
  add_contacts(1);
  Campaign d = draft();
  d.max_attempts = 1;
  Campaign c = make_active(d);
  RunnerConfig cfg;
  cfg.max_resolve_tries = 3;
  CampaignRunner runner(db, provider, gate, *facts, clock, cfg);
  const Error unusable = make_error(ErrorCode::kFailedPrecondition,
                                    "provider account 7 cannot place calls: it has no connection_id");
  provider.faults.push_back({unusable, false});
  provider.find_error = unusable;
  runner.tick();
  for (int i = 0; i < 10; ++i) {
    clock.advance(std::chrono::minutes(5));
    runner.tick();
  }
  const auto all = attempts(c.id);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].state, CallState::kFailed);
  EXPECT_NE(all[0].failure_reason.find("cannot place calls"), std::string::npos) << all[0].failure_reason;
  EXPECT_TRUE(provider.dials.empty());
  EXPECT_EQ(db.campaigns().get_campaign_any(c.id)->status, CampaignStatus::kCompleted);
}

}  // namespace
}  // namespace outdial::dialer

namespace outdial::dialer {
namespace {

// Provider account pacing (issue #3 §3): the runner never starts more calls than the account's
// limits allow, in any window, and a call's end gives its concurrency slot back.
struct PacedRunnerTest : RunnerTest {
  CallEvent end(const std::string& call) { return ev(call, CallEventKind::kBusy, 9); }
  testing::FakeGate gate;
};

TEST_F(PacedRunnerTest, CallsPerSecondAndConcurrencyHold) {
  add_contacts(10);
  Campaign d = draft();
  d.lines = 10;
  d.max_concurrency = 10;
  Campaign c = make_active(d);
  ProviderLimits limits;
  limits.calls_per_second = 2;
  limits.max_concurrency = 3;
  accounts::Pacer pacer(limits);
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  cfg.refill_divisor = 1;
  CampaignRunner runner(db, provider, gate, *facts, clock, cfg);
  auto t = runner.tick();
  EXPECT_EQ(t.dialed, 2);  // 2 per second
  ASSERT_TRUE(t.next_due.has_value());
  EXPECT_EQ(*t.next_due, kT0 + std::chrono::seconds(1));  // wakes at the next slot, no polling
  EXPECT_EQ(runner.tick().dialed, 0);
  clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(runner.tick().dialed, 1);  // concurrency 3
  clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(runner.tick().dialed, 0);  // still 3 in flight
  EXPECT_EQ(pacer.in_flight(), 3);
  runner.sink().on_call_event(end("P1"));
  EXPECT_EQ(pacer.in_flight(), 2);
  EXPECT_EQ(runner.tick().dialed, 1);
  EXPECT_EQ(provider.dials.size(), 4u);
  (void)c;
}

TEST_F(PacedRunnerTest, BlockedTargetsDoNotSpendSlots) {
  add_contacts(4);
  Campaign c = make_active(draft());
  ProviderLimits limits;
  limits.calls_per_second = 1;
  accounts::Pacer pacer(limits);
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  testing::FakeGate picky([&](const compliance::AttemptFacts& f) {
    // Only the last contact may be called.
    if (f.phone_e164.back() != '3') return compliance::Decision{compliance::Verdict::kBlock, "DNC-INTERNAL", "no", {}};
    return compliance::Decision{compliance::Verdict::kAllow, "OK", "allowed", std::nullopt};
  });
  CampaignRunner runner(db, provider, picky, *facts, clock, cfg);
  runner.tick();
  ASSERT_EQ(provider.dials.size(), 1u);  // the one slot of this second went to the allowed call
  EXPECT_EQ(provider.dials[0].to.back(), '3');
  (void)c;
}

}  // namespace
}  // namespace outdial::dialer

namespace outdial::dialer {
namespace {

// Even spacing (the production pacer, issue #3): several evenly spaced starts per tick, each at
// its own pacer slot taken at a fresh clock read right before its place_call. The pace wait is
// a ManualClock step, so nothing here sleeps.
struct EvenPacedRunnerTest : RunnerTest {
  // The runner's clock at each place_call: the send instants.
  class Stamped final : public telephony::Provider {
   public:
    Stamped(telephony::Provider& inner, const Clock& clock) : inner_(inner), clock_(clock) {}
    std::string name() const override { return inner_.name(); }
    Result<telephony::DialAccepted> place_call(const telephony::DialRequest& r) override {
      sent.push_back(clock_.now());
      keys.push_back(r.idempotency_key);
      auto accepted = inner_.place_call(r);
      count.fetch_add(1);
      return accepted;
    }
    Status hangup(const std::string& id) override { return inner_.hangup(id); }
    Result<std::string> send_sms(const telephony::SmsRequest& r) override { return inner_.send_sms(r); }
    Result<std::optional<std::string>> find_call(const telephony::CallLookup& l) override {
      return inner_.find_call(l);
    }
    Status reconcile(const std::string& id) override { return inner_.reconcile(id); }
    std::vector<TimePoint> sent;  // read them from another thread only after the dialing stopped
    std::vector<std::string> keys;
    std::atomic<std::size_t> count{0};

   private:
    telephony::Provider& inner_;
    const Clock& clock_;
  };
  // Polls (for a real-time driver on its own thread) until `n` calls went out or 10 s passed.
  bool wait_for_sends(std::size_t n) {
    for (int i = 0; i < 1000 && stamped.count.load() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return stamped.count.load() >= n;
  }

  testing::FakeGate gate;
  Stamped stamped{provider, clock};
  std::vector<Millis> waited_ahead;  // how far ahead of the clock each real wait reached

  // The pace wait: the clock moves to `until` (what sleeping would do in real time).
  void install_wait(CampaignRunner& runner, std::function<void(TimePoint)> on_wait = nullptr) {
    runner.set_pace_wait([this, on_wait](TimePoint until) {
      if (until <= clock.now()) return;  // "catch up": the ManualClock is always current
      waited_ahead.push_back(until - clock.now());
      clock.set(until);
      if (on_wait) on_wait(until);
    });
  }
  Campaign wide_campaign(int n) {
    add_contacts(n);
    Campaign d = draft();
    d.lines = n;
    d.max_concurrency = n;
    d.calls_per_minute = 6000;
    return make_active(d);
  }
  static int max_in_any_window(std::vector<TimePoint> starts, Millis length) {
    std::sort(starts.begin(), starts.end());
    int best = 0;
    std::size_t j = 0;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      while (starts[j] <= starts[i] - length) ++j;  // window (starts[i] - length, starts[i]]
      best = std::max(best, static_cast<int>(i - j + 1));
    }
    return best;
  }
  static Millis min_gap(std::vector<TimePoint> starts) {
    std::sort(starts.begin(), starts.end());
    Millis gap = Millis::max();
    for (std::size_t i = 1; i < starts.size(); ++i) gap = std::min(gap, starts[i] - starts[i - 1]);
    return gap;
  }
  // Ticks like the real-time driver until `calls` were placed; returns the number of ticks.
  int drive(CampaignRunner& runner, std::size_t calls) {
    int ticks = 0;
    while (stamped.sent.size() < calls && ticks < 10'000) {
      ++ticks;
      const TickResult t = runner.tick();
      if (t.dialed == 0) {
        if (!t.next_due) break;
        clock.set(std::max(*t.next_due, clock.now()));
      }
    }
    return ticks;
  }
  // Each attempt's dialed_at is the instant its place_call went out, and each key went once.
  void expect_dialed_at_send_instants(CampaignId c) {
    auto all = db.calls().list_attempts(staff.tenant_id, c, 0, 10'000);
    ASSERT_TRUE(all);
    std::map<std::string, TimePoint> sent_at;
    for (std::size_t i = 0; i < stamped.keys.size(); ++i) {
      EXPECT_TRUE(sent_at.emplace(stamped.keys[i], stamped.sent[i]).second) << "dialed twice: " << stamped.keys[i];
    }
    for (const auto& a : *all) {
      auto it = sent_at.find(a.idempotency_key);
      ASSERT_NE(it, sent_at.end()) << a.idempotency_key;
      ASSERT_TRUE(a.dialed_at.has_value());
      EXPECT_EQ(*a.dialed_at, it->second) << a.idempotency_key;
    }
    EXPECT_EQ(all->size(), stamped.keys.size());
  }
};

TEST_F(EvenPacedRunnerTest, SeveralEvenlySpacedStartsPerTickNeverAboveTheRate) {
  Campaign c = wide_campaign(60);
  ProviderLimits limits;
  limits.calls_per_second = 10;
  accounts::Pacer pacer(limits, accounts::PacerOptions{true, 0.0});  // 100 ms apart
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  cfg.pace_horizon = Millis(350);
  CampaignRunner runner(db, stamped, gate, *facts, clock, cfg);
  install_wait(runner);
  const TickResult first = runner.tick();
  // One tick: the slots at 0, 100, 200, 300 ms (one round), then the next round's.
  EXPECT_GE(first.dialed, 4);
  ASSERT_GE(stamped.sent.size(), 4u);
  EXPECT_EQ(stamped.sent[0], kT0);
  EXPECT_EQ(stamped.sent[1], kT0 + Millis(100));
  EXPECT_EQ(stamped.sent[3], kT0 + Millis(300));
  const int ticks = drive(runner, 60);
  ASSERT_EQ(stamped.sent.size(), 60u);
  EXPECT_LE(ticks, 15);  // one call per tick would take 59 more
  EXPECT_LE(max_in_any_window(stamped.sent, Millis(1000)), 10);
  EXPECT_GE(min_gap(stamped.sent), Millis(100));
  for (Millis ahead : waited_ahead) EXPECT_LE(ahead, cfg.pace_horizon);
  expect_dialed_at_send_instants(c.id);
  EXPECT_EQ(pacer.in_flight(), 60);  // every placed call holds its slot until it ends
}

// 4/s and 12 per 5 s (Telnyx-like rolling window), with and without even spacing.
void telnyx_like(EvenPacedRunnerTest& f, bool spaced) {
  Campaign c = f.wide_campaign(40);
  ProviderLimits limits;
  limits.calls_per_second = 4;
  limits.window_seconds = 5;
  limits.window_max = 12;
  accounts::Pacer pacer(limits, accounts::PacerOptions{spaced, 0.0});
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  cfg.pace_horizon = Millis(1500);
  CampaignRunner runner(f.db, f.stamped, f.gate, *f.facts, f.clock, cfg);
  f.install_wait(runner);
  EXPECT_GE(runner.tick().dialed, 2);
  f.drive(runner, 40);
  ASSERT_EQ(f.stamped.sent.size(), 40u);
  EXPECT_LE(EvenPacedRunnerTest::max_in_any_window(f.stamped.sent, Millis(1000)), 4);
  EXPECT_LE(EvenPacedRunnerTest::max_in_any_window(f.stamped.sent, Millis(5000)), 12);
  if (spaced) {
    EXPECT_GE(EvenPacedRunnerTest::min_gap(f.stamped.sent), Millis(416));  // 5000 / 12 = 416.7
  }
  f.expect_dialed_at_send_instants(c.id);
}

TEST_F(EvenPacedRunnerTest, TelnyxLikeFiveSecondWindowHoldsWithEvenSpacing) { telnyx_like(*this, true); }
TEST_F(EvenPacedRunnerTest, TelnyxLikeFiveSecondWindowHoldsWithBursts) { telnyx_like(*this, false); }

TEST_F(EvenPacedRunnerTest, WithoutAPaceWaitOneSlotPerInstantAndTheClockNeverMoves) {
  Campaign c = wide_campaign(10);
  ProviderLimits limits;
  limits.calls_per_second = 10;
  accounts::Pacer pacer(limits, accounts::PacerOptions{true, 0.0});
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  CampaignRunner runner(db, stamped, gate, *facts, clock, cfg);  // no pace wait: virtual time
  const TickResult t = runner.tick();
  EXPECT_EQ(t.dialed, 1);
  EXPECT_EQ(clock.now(), kT0);  // the runner never moved (or waited on) the clock
  ASSERT_TRUE(t.next_due.has_value());
  EXPECT_EQ(*t.next_due, kT0 + Millis(100));
  // Only the one target was leased: the others stay pending, not parked until the slot.
  auto counts = db.campaigns().count_targets(c.id);
  EXPECT_EQ(counts->by_status["pending"], 9);
  EXPECT_EQ(runner.tick().dialed, 0);
  drive(runner, 10);
  ASSERT_EQ(stamped.sent.size(), 10u);
  EXPECT_EQ(stamped.sent.back(), kT0 + Millis(900));
  EXPECT_GE(min_gap(stamped.sent), Millis(100));
  expect_dialed_at_send_instants(c.id);
}

TEST_F(EvenPacedRunnerTest, VirtualTimeDriverCompletesAPacedCampaignAndFreesEverySlot) {
  add_contacts(40);
  Campaign d = draft();
  d.lines = 10;
  d.max_concurrency = 10;
  d.calls_per_minute = 600;
  d.expires_at = clock.now() + std::chrono::hours(24 * 30);
  Campaign c = make_active(d);
  auto sim = telephony::sim::SimCarrier::create(clock, {}, 23, "");
  ASSERT_TRUE(sim);
  Stamped sim_stamped(**sim, clock);
  ProviderLimits limits;
  limits.calls_per_second = 2;
  limits.max_concurrency = 3;
  accounts::Pacer pacer(limits, accounts::PacerOptions{true, 0.0});
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  CampaignRunner runner(db, sim_stamped, gate, *facts, clock, cfg);
  (*sim)->set_sink(&runner.sink());
  auto r = run_until_idle(runner, sim->get(), clock);
  EXPECT_TRUE(r.all_complete);
  EXPECT_EQ(db.campaigns().get_campaign_any(c.id)->status, CampaignStatus::kCompleted);
  EXPECT_GE(sim_stamped.sent.size(), 40u);
  EXPECT_LE(max_in_any_window(sim_stamped.sent, Millis(1000)), 2);
  EXPECT_GE(min_gap(sim_stamped.sent), Millis(500));
  EXPECT_EQ(pacer.in_flight(), 0);  // every call's end gave its slot back
  std::set<std::string> keys(sim_stamped.keys.begin(), sim_stamped.keys.end());
  EXPECT_EQ(keys.size(), sim_stamped.keys.size());  // no key dialed twice
}

// Another user of the same account's pacer takes the slots meanwhile: the stored attempt keeps
// its place in the queue (no call, no slot), and goes out later under the same key.
TEST_F(EvenPacedRunnerTest, AttemptWithoutASlotWaitsQueuedAndIsDialedOnceLater) {
  Campaign c = wide_campaign(3);
  ProviderLimits limits;
  limits.calls_per_second = 10;
  limits.max_concurrency = 3;
  accounts::Pacer pacer(limits, accounts::PacerOptions{true, 0.0});
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  cfg.pace_horizon = Millis(350);
  CampaignRunner runner(db, stamped, gate, *facts, clock, cfg);
  int steal = 1;
  install_wait(runner, [&](TimePoint until) {
    if (steal > 0 && pacer.try_acquire(until)) --steal;  // the other user dials at that slot
  });
  const TickResult t = runner.tick();
  EXPECT_EQ(t.dialed, 3);  // three attempts stored (the pacer promised three)
  ASSERT_EQ(stamped.sent.size(), 2u);  // the third found the account's concurrency full
  EXPECT_EQ(stamped.sent[1], kT0 + Millis(200));  // after the stolen slot at 100
  auto all = db.calls().list_attempts(staff.tenant_id, c.id, 0, 10);
  ASSERT_EQ(all->size(), 3u);
  int queued = 0;
  for (const auto& a : *all) {
    if (a.state == CallState::kQueued) {
      ++queued;
      EXPECT_TRUE(a.provider_call_id.empty());
      EXPECT_FALSE(a.dialed_at.has_value());
    }
  }
  EXPECT_EQ(queued, 1);
  clock.advance(Millis(500));
  EXPECT_EQ(runner.tick().dialed, 0);  // still full: nothing sent, nothing new leased
  EXPECT_EQ(stamped.sent.size(), 2u);
  pacer.release();  // the other user's call ended
  runner.tick();
  ASSERT_EQ(stamped.sent.size(), 3u);
  EXPECT_EQ(stamped.sent[2], clock.now());
  expect_dialed_at_send_instants(c.id);
  EXPECT_EQ(pacer.in_flight(), 3);
  runner.sink().on_call_event(ev("P1", CallEventKind::kBusy, 9));
  EXPECT_EQ(pacer.in_flight(), 2);  // the call's end gave its slot back
}

// An attempt that waits queued for its account's slot (here: the account's concurrency is full,
// which only another call's end frees: no bound on the wait) is asked the gate again when its
// slot comes if its decision is older than RunnerConfig::max_gate_age (1 s): a do-not-call entry
// or a pause that arrived meanwhile cancels it (never sent; not an attempt made), an allow sends
// it under its key. The re-gate does not count the attempt itself (FREQ-CAMPAIGN, spacing).
struct WaitingAttemptTest : EvenPacedRunnerTest {
  ProviderLimits limits() const {
    ProviderLimits l;
    l.calls_per_second = 10;
    l.max_concurrency = 3;
    return l;
  }
  accounts::Pacer pacer{limits(), accounts::PacerOptions{true, 0.0}};
  std::vector<compliance::AttemptFacts> asked;  // every decision's facts
  testing::FakeGate dnc_gate{[this](const compliance::AttemptFacts& f) {
    asked.push_back(f);
    if (f.on_internal_dnc) return Decision{Verdict::kBlock, "DNC-INTERNAL", "on the internal list", std::nullopt};
    return Decision{Verdict::kAllow, "OK", "allowed", std::nullopt};
  }};
  std::unique_ptr<CampaignRunner> runner;
  Campaign c;
  // Three attempts stored, two sent, the third queued behind a slot another user took.
  CallAttempt start() {
    c = wide_campaign(3);
    RunnerConfig cfg;
    cfg.pacer = &pacer;
    cfg.pace_horizon = Millis(350);
    runner = std::make_unique<CampaignRunner>(db, stamped, dnc_gate, *facts, clock, cfg);
    int steal = 1;
    install_wait(*runner, [&, steal](TimePoint until) mutable {
      if (steal > 0 && pacer.try_acquire(until)) --steal;
    });
    EXPECT_EQ(runner->tick().dialed, 3);
    EXPECT_EQ(stamped.sent.size(), 2u);
    CallAttempt waiting;
    auto all = db.calls().list_attempts(staff.tenant_id, c.id, 0, 10);
    EXPECT_TRUE(all);
    for (const auto& a : all ? *all : std::vector<CallAttempt>{}) {
      if (a.state == CallState::kQueued) waiting = a;
    }
    EXPECT_NE(waiting.id, 0);
    EXPECT_EQ(asked.size(), 3u);
    return waiting;
  }
  void add_dnc(const std::string& phone) {
    DncEntry e;
    e.tenant_id = staff.tenant_id;
    e.phone_e164 = phone;
    e.reason = "asked by phone";
    e.source = "staff";
    e.created_at = clock.now();
    ASSERT_TRUE(db.compliance().add_dnc(e));
  }
  void expect_never_sent(const CallAttempt& waiting, const std::string& why) {
    for (const auto& k : stamped.keys) EXPECT_NE(k, waiting.idempotency_key);
    auto after = db.calls().get_attempt(waiting.id);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->state, CallState::kCanceled);
    EXPECT_FALSE(after->dialed_at.has_value());
    EXPECT_NE(after->failure_reason.find(why), std::string::npos) << after->failure_reason;
    EXPECT_FALSE(counts_as_attempt(*after));
  }
};

TEST_F(WaitingAttemptTest, ADoNotCallEntryArrivingWhileItWaitsMeansItIsNeverSent) {
  const CallAttempt waiting = start();
  clock.advance(std::chrono::seconds(2));
  add_dnc(waiting.to_number);
  pacer.release();  // the other user's call ended: the slot is there
  runner->tick();
  EXPECT_EQ(stamped.sent.size(), 2u);
  ASSERT_GE(asked.size(), 4u);  // asked again before the send
  EXPECT_TRUE(asked[3].on_internal_dnc);
  expect_never_sent(waiting, "DNC-INTERNAL");
  // Back to pending (no attempt made), leased again only for the gate to block it.
  clock.advance(std::chrono::seconds(1));
  runner->tick();
  EXPECT_EQ(stamped.sent.size(), 2u);
  auto t = db.campaigns().get_target(c.id, waiting.contact_id);
  EXPECT_EQ((*t)->status, TargetStatus::kBlocked);
}

TEST_F(WaitingAttemptTest, APauseArrivingWhileItWaitsMeansItIsNeverSent) {
  const CallAttempt waiting = start();
  clock.advance(std::chrono::seconds(2));
  Campaign paused = *db.campaigns().get_campaign_any(c.id);
  paused.status = CampaignStatus::kPaused;
  ASSERT_TRUE(db.campaigns().update_campaign(paused));
  pacer.release();
  runner->tick();
  EXPECT_EQ(stamped.sent.size(), 2u);
  expect_never_sent(waiting, "paused");
  EXPECT_EQ(pacer.in_flight(), 2);  // no slot kept for it
}

TEST_F(WaitingAttemptTest, StillAllowedAfterTheWaitItIsSentUnderItsKey) {
  const CallAttempt waiting = start();
  clock.advance(std::chrono::seconds(2));
  pacer.release();
  runner->tick();
  ASSERT_EQ(stamped.sent.size(), 3u);
  EXPECT_EQ(stamped.keys.back(), waiting.idempotency_key);
  ASSERT_EQ(asked.size(), 4u);  // the re-gate, which does not count the attempt itself
  EXPECT_EQ(asked.back().campaign.attempts_made, 0);
  EXPECT_TRUE(asked.back().prior_attempts.empty());
  EXPECT_EQ(db.calls().get_attempt(waiting.id)->state, CallState::kDialing);
}

TEST_F(WaitingAttemptTest, AWaitWithinTheBoundIsNotAskedAgain) {
  const CallAttempt waiting = start();
  clock.advance(Millis(500));  // decided at kT0, sent before kT0 + 1 s
  pacer.release();
  runner->tick();
  ASSERT_EQ(stamped.sent.size(), 3u);
  EXPECT_EQ(stamped.keys.back(), waiting.idempotency_key);
  EXPECT_EQ(asked.size(), 3u);
}

// A virtual-time batch that rolls back drops its attempts before any slot is taken.
TEST_F(EvenPacedRunnerTest, RolledBackBatchTakesNoSlotAndDialsNothing) {
  Campaign c = wide_campaign(5);
  ProviderLimits limits;
  limits.calls_per_second = 10;
  limits.max_concurrency = 5;
  accounts::Pacer pacer(limits, accounts::PacerOptions{true, 0.0});
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  CampaignRunner runner(db, stamped, gate, *facts, clock, cfg);
  db.fail_next_transactions(1);
  run_until_idle(runner, nullptr, clock, std::chrono::hours(1), 1);
  db.fail_next_transactions(0);
  EXPECT_TRUE(stamped.sent.empty());
  EXPECT_EQ(pacer.in_flight(), 0);
  run_until_idle(runner, nullptr, clock, std::chrono::hours(1), 100);
  ASSERT_EQ(stamped.sent.size(), 5u);
  EXPECT_EQ(pacer.in_flight(), 5);
  EXPECT_GE(min_gap(stamped.sent), Millis(100));
  expect_dialed_at_send_instants(c.id);
}

// A dial refused with 429 stays queued under its key (never a second key); its re-dial is a
// start too, so it waits for a rate slot of the account before asking the carrier again.
TEST_F(EvenPacedRunnerTest, RateLimitedRedialWaitsForARateSlotAndKeepsItsKey) {
  Campaign c = wide_campaign(2);
  ProviderLimits limits;
  limits.calls_per_second = 10;
  limits.max_concurrency = 5;
  accounts::Pacer pacer(limits, accounts::PacerOptions{true, 0.0});
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  cfg.pace_horizon = Millis(350);
  CampaignRunner runner(db, stamped, gate, *facts, clock, cfg);
  install_wait(runner);
  provider.faults.push_back({make_error(ErrorCode::kRateLimited, "20429"), false});
  runner.tick();
  ASSERT_EQ(stamped.sent.size(), 2u);  // the 429 at 0 and the second call at 100
  EXPECT_EQ(pacer.in_flight(), 2);
  clock.set(kT0 + std::chrono::seconds(5));  // the back-off is over
  ASSERT_TRUE(pacer.try_start(clock.now()));  // but another start took this instant
  runner.tick();
  EXPECT_EQ(stamped.sent.size(), 2u);  // not yet: no slot
  EXPECT_EQ(provider.lookups, 0);      // and the carrier was not asked yet either
  clock.set(kT0 + Millis(5100));
  runner.tick();
  ASSERT_EQ(stamped.sent.size(), 3u);
  EXPECT_EQ(stamped.sent[2], kT0 + Millis(5100));
  EXPECT_EQ(stamped.keys[2], stamped.keys[0]);  // the same key again
  EXPECT_EQ(provider.lookups, 1);
  EXPECT_EQ(pacer.in_flight(), 2);  // still one concurrency slot per call
  EXPECT_EQ(provider.dials.size(), 2u);
  (void)c;
}

// The real-time driver (speed 1, advancing the runner's clock as `outdial serve` and the
// origination bench do) gives the runner its pace wait: each turn sends several calls, each at
// its own slot. Only the order and spacing of the instants are checked, not how long it took.
TEST_F(EvenPacedRunnerTest, RealtimeDriverSendsSeveralSpacedCallsPerTurn) {
  Campaign c = wide_campaign(20);
  ProviderLimits limits;
  limits.calls_per_second = 100;
  accounts::Pacer pacer(limits, accounts::PacerOptions{true, 0.0});  // 10 ms apart
  RunnerConfig cfg;
  cfg.pacer = &pacer;
  cfg.pace_horizon = Millis(30);
  cfg.refill_divisor = 1;  // the last free line is not held back for a group
  CampaignRunner runner(db, stamped, gate, *facts, clock, cfg);
  SystemClock wall;
  RealtimeDriver driver(runner, nullptr, wall, &clock, 1.0);
  driver.start();
  const bool all = wait_for_sends(20);
  driver.stop();
  ASSERT_TRUE(all);
  ASSERT_EQ(stamped.sent.size(), 20u);
  EXPECT_GE(min_gap(stamped.sent), Millis(10));
  EXPECT_LE(max_in_any_window(stamped.sent, Millis(1000)), 100);
  EXPECT_LT(driver.turns(), 20);  // one call per turn would need at least 20
  expect_dialed_at_send_instants(c.id);
  EXPECT_EQ(pacer.in_flight(), 20);
}

// A call's end wakes a real-time driver that sleeps because every line is busy: the next call
// goes out then, not after max_sleep (60 s here, far beyond the 10 s this test waits).
TEST_F(EvenPacedRunnerTest, RealtimeDriverWakesWhenACallEnds) {
  add_contacts(3);
  Campaign d = draft();
  d.lines = 1;
  d.max_concurrency = 1;
  make_active(d);
  CampaignRunner runner(db, stamped, gate, *facts, clock);
  SystemClock wall;
  RealtimeDriver driver(runner, nullptr, wall, &clock, 1.0, Millis(60'000));
  driver.start();
  ASSERT_TRUE(wait_for_sends(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let it go to sleep (either way works)
  EXPECT_EQ(stamped.count.load(), 1u);  // the one line is busy
  runner.sink().on_call_event(ev("P1", CallEventKind::kBusy, 9));
  const bool next = wait_for_sends(2);
  driver.stop();
  EXPECT_TRUE(next);
}

}  // namespace
}  // namespace outdial::dialer
