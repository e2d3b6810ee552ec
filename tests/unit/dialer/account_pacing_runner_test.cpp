// Pacing inside each provider account's limits (issue #3 §3) through a PacerDirectory: each call
// takes (and at its end gives back) the slot of the account it goes out through, found from its
// tenant and From; a round is sized by every account the campaign's calls may use; an attempt
// whose account cannot start it now waits queued under its key without holding up other
// accounts' attempts; a restart restores each account's calls in flight.
#include <map>
#include <set>
#include <string>
#include <thread>

#include "outdial/dialer/pacer_directory.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "unit/dialer/dialer_fixture.hpp"

namespace outdial::dialer {
namespace {

const std::string kFromA = "+15550001111";  // a number of account A
const std::string kFromB = "+15550002222";  // a number of account B
const std::string kFromInstall = "+15550003333";  // a configured caller ID: the install's account

class FakePacers final : public PacerDirectory {
 public:
  std::map<std::string, accounts::Pacer*> by_from;
  std::map<CampaignId, std::vector<accounts::Pacer*>> by_campaign;  // else the caller ID's
  std::optional<Error> failure;  // a store failure for every call
  int lookups = 0;
  int fail_after = 0;    // with failures > 0: lookups after the first fail_after fail ...
  int failures = 0;      // ... this many times

  Result<accounts::Pacer*> pacer_for_call(TenantId, const std::string& from) override {
    ++lookups;
    if (failure) return *failure;
    if (failures > 0 && lookups > fail_after) {
      --failures;
      return make_error(ErrorCode::kUnavailable, "store busy");
    }
    auto it = by_from.find(from);
    return it == by_from.end() ? nullptr : it->second;
  }
  Result<std::vector<accounts::Pacer*>> pacers_for_campaign(const Campaign& c) override {
    if (failure) return *failure;
    if (auto it = by_campaign.find(c.id); it != by_campaign.end()) return it->second;
    auto p = pacer_for_call(c.tenant_id, c.caller_id);
    return std::vector<accounts::Pacer*>{*p};
  }
};

ProviderLimits limits(int cps, int conc) {
  ProviderLimits l;
  l.calls_per_second = cps;
  l.max_concurrency = conc;
  return l;
}

struct AccountPacingRunnerTest : DialerFixture {
  testing::FakeProvider provider;
  testing::FakeGate gate;
  std::unique_ptr<FactsBuilder> facts;
  FakePacers pacers;
  accounts::Pacer a{limits(1, 2)};
  accounts::Pacer b{limits(3, 5)};
  accounts::Pacer install{limits(2, 10)};
  int contact_tail = 1000;

  void SetUp() override {
    DialerFixture::SetUp();
    facts = std::make_unique<FactsBuilder>(db.compliance(), db.calls(), db.campaigns(), nullptr,
                                           CallerIdDirectory{{{staff.tenant_id, {kFromA, kFromB, kFromInstall}}}});
    pacers.by_from = {{kFromA, &a}, {kFromB, &b}};
  }
  // A campaign of n fresh contacts (its own list) calling from `from`.
  Campaign campaign_from(const std::string& from, int n, int lines = 10) {
    list = db.contacts().create_list(ContactList{0, staff.tenant_id, "leads-" + from, kT0})->id;
    std::vector<Contact> cs;
    for (int i = 0; i < n; ++i) {
      Contact c;
      c.tenant_id = staff.tenant_id;
      c.list_id = list;
      c.phone_e164 = "+1212555" + std::to_string(contact_tail++);
      cs.push_back(c);
    }
    EXPECT_TRUE(db.contacts().insert_batch(cs));
    Campaign d = draft();
    d.name = "Reactivation_" + from;
    d.caller_id = from;
    d.lines = lines;
    d.max_concurrency = lines;
    d.calls_per_minute = 600;
    return make_active(d);
  }
  RunnerConfig config() {
    RunnerConfig cfg;
    cfg.pacer = &install;
    cfg.pacers = &pacers;
    cfg.refill_divisor = 1;
    return cfg;
  }
  // The call id ("P<n>") and From of each dial, in order.
  int dials_from(const std::string& from) const {
    int n = 0;
    for (const auto& d : provider.dials) n += d.from == from ? 1 : 0;
    return n;
  }
  std::string call_from(const std::string& from, int nth = 0) const {
    for (std::size_t i = 0; i < provider.dials.size(); ++i) {
      if (provider.dials[i].from == from && nth-- == 0) return "P" + std::to_string(i + 1);
    }
    return "";
  }
  CallEvent busy(const std::string& call) {
    CallEvent e;
    e.provider = "fake";
    e.provider_call_id = call;
    e.kind = CallEventKind::kBusy;
    e.sequence = 9;
    e.dedupe_key = call + ":9";
    e.at = clock.now();
    return e;
  }
  void expect_each_key_dialed_once() const {
    std::set<std::string> keys;
    for (const auto& d : provider.dials) EXPECT_TRUE(keys.insert(d.idempotency_key).second) << d.idempotency_key;
  }
};

TEST_F(AccountPacingRunnerTest, EachCallTakesAndGivesBackItsOwnAccountsSlot) {
  campaign_from(kFromA, 5);
  campaign_from(kFromB, 5);
  campaign_from(kFromInstall, 5);
  CampaignRunner runner(db, provider, gate, *facts, clock, config());
  const TickResult t = runner.tick();
  EXPECT_EQ(dials_from(kFromA), 1);        // account A: 1 per second
  EXPECT_EQ(dials_from(kFromB), 3);        // account B: 3 per second
  EXPECT_EQ(dials_from(kFromInstall), 2);  // the install's account: 2 per second
  EXPECT_EQ(t.dialed, 6);
  EXPECT_EQ(a.in_flight(), 1);
  EXPECT_EQ(b.in_flight(), 3);
  EXPECT_EQ(install.in_flight(), 2);
  ASSERT_TRUE(t.next_due.has_value());
  EXPECT_EQ(*t.next_due, kT0 + std::chrono::seconds(1));
  clock.advance(std::chrono::seconds(1));
  runner.tick();
  EXPECT_EQ(dials_from(kFromA), 2);
  EXPECT_EQ(dials_from(kFromB), 5);  // all of B's contacts (concurrency 5)
  EXPECT_EQ(a.in_flight(), 2);       // A's concurrency is full now
  clock.advance(std::chrono::seconds(1));
  runner.tick();
  EXPECT_EQ(dials_from(kFromA), 2);  // not above A's 2 in flight, whatever B and the install do
  // A call's end gives its slot back to its own account only.
  runner.sink().on_call_event(busy(call_from(kFromA)));
  EXPECT_EQ(a.in_flight(), 1);
  EXPECT_EQ(b.in_flight(), 5);
  runner.sink().on_call_event(busy(call_from(kFromB)));
  EXPECT_EQ(b.in_flight(), 4);
  EXPECT_EQ(a.in_flight(), 1);
  runner.tick();
  EXPECT_EQ(dials_from(kFromA), 3);
  expect_each_key_dialed_once();
}

// The caller IDs are chosen after the round is sized: a campaign whose calls may go out through
// several accounts is sized by the tightest (each round's targets fit whichever account each
// lands on), and each call then takes the slot of the account it really goes out through.
TEST_F(AccountPacingRunnerTest, ARoundIsSizedByTheTightestAccountTheCampaignMayUse) {
  const Campaign c = campaign_from(kFromB, 5);
  pacers.by_campaign[c.id] = {&a, &b};
  ASSERT_TRUE(a.try_acquire(kT0 - std::chrono::seconds(5)));  // A's 2 lines busy elsewhere
  ASSERT_TRUE(a.try_acquire(kT0 - std::chrono::seconds(3)));
  CampaignRunner runner(db, provider, gate, *facts, clock, config());
  const TickResult t = runner.tick();
  EXPECT_EQ(t.dialed, 0);  // a target might land on A, which can start nothing now
  EXPECT_TRUE(provider.dials.empty());
  EXPECT_EQ(db.campaigns().count_targets(c.id)->by_status["pending"], 5);  // none leased
  a.release();
  runner.tick();
  // Rounds of one (A admits one at a time), each call through B with B's slot: B's 3 per second.
  EXPECT_EQ(dials_from(kFromB), 3);
  EXPECT_EQ(b.in_flight(), 3);
  EXPECT_EQ(a.in_flight(), 1);  // A's slots were never taken by these calls
  EXPECT_EQ(db.campaigns().count_targets(c.id)->by_status["pending"], 2);
}

// A stale sizing (the campaign was thought to use the install's account) leases more targets
// than the call's own account can start: those attempts wait queued under their keys, in order,
// while the other accounts' calls go out; each is dialed once when its account has room.
TEST_F(AccountPacingRunnerTest, AttemptsWaitingForTheirAccountDoNotHoldUpOtherAccounts) {
  accounts::Pacer one{limits(0, 1)};  // 1 call in flight
  pacers.by_from[kFromA] = &one;
  const Campaign x = campaign_from(kFromA, 3, 3);
  pacers.by_campaign[x.id] = {nullptr};  // "the install's": stale
  const Campaign y = campaign_from(kFromB, 3, 3);
  CampaignRunner runner(db, provider, gate, *facts, clock, config());
  const TickResult t = runner.tick();
  EXPECT_EQ(t.dialed, 2 + 3);           // attempts stored: X's two (sized by the install's 2/s), Y's 3
  EXPECT_EQ(dials_from(kFromA), 1);     // X: one in flight through A
  EXPECT_EQ(dials_from(kFromB), 3);     // Y went out in the same tick, after X's waiting ones
  EXPECT_EQ(install.in_flight(), 0);    // X's calls never took the install's slots
  auto queued = [&] {
    int n = 0;
    auto all = db.calls().list_attempts(staff.tenant_id, x.id, 0, 10);
    EXPECT_TRUE(all.ok());
    if (!all) return -1;
    for (const auto& at : *all) {
      if (at.state == CallState::kQueued) {
        EXPECT_TRUE(at.provider_call_id.empty());
        ++n;
      }
    }
    return n;
  };
  EXPECT_EQ(queued(), 1);
  clock.advance(std::chrono::seconds(5));
  runner.tick();
  EXPECT_EQ(dials_from(kFromA), 1);  // A still full
  EXPECT_EQ(queued(), 2);            // X's third joined the queue behind the second
  runner.sink().on_call_event(busy(call_from(kFromA)));
  EXPECT_EQ(one.in_flight(), 0);
  runner.tick();
  EXPECT_EQ(dials_from(kFromA), 2);  // the oldest waiting attempt, under its own key
  EXPECT_EQ(one.in_flight(), 1);
  runner.sink().on_call_event(busy(call_from(kFromA, 1)));
  runner.tick();
  runner.sink().on_call_event(busy(call_from(kFromA, 2)));
  runner.tick();
  EXPECT_EQ(dials_from(kFromA), 3);
  expect_each_key_dialed_once();
}

// The account of a stored attempt cannot be looked up (the store failed): it is not dialed
// until it can, then once.
TEST_F(AccountPacingRunnerTest, AnAttemptWhoseAccountIsUnknownWaits) {
  const Campaign x = campaign_from(kFromA, 1, 1);
  pacers.by_campaign[x.id] = {&a};
  // Sizing succeeds (a cached answer), the call's own lookups fail three times.
  class FailingOnce final : public PacerDirectory {
   public:
    explicit FailingOnce(FakePacers& inner) : inner_(inner) {}
    Result<accounts::Pacer*> pacer_for_call(TenantId t, const std::string& from) override {
      if (fail > 0) {
        --fail;
        return make_error(ErrorCode::kUnavailable, "account store down");
      }
      return inner_.pacer_for_call(t, from);
    }
    Result<std::vector<accounts::Pacer*>> pacers_for_campaign(const Campaign& c) override {
      return inner_.pacers_for_campaign(c);
    }
    int fail = 3;

   private:
    FakePacers& inner_;
  };
  FailingOnce failing(pacers);
  RunnerConfig cfg = config();
  cfg.pacers = &failing;
  CampaignRunner flaky(db, provider, gate, *facts, clock, cfg);
  const TickResult t = flaky.tick();  // looked up when stored and again before its dial
  EXPECT_EQ(t.dialed, 1);  // stored
  EXPECT_TRUE(provider.dials.empty());  // not dialed: its account is unknown
  ASSERT_TRUE(t.next_due.has_value());
  EXPECT_LE(*t.next_due, kT0 + std::chrono::seconds(1));  // and retried soon
  clock.advance(std::chrono::seconds(1));
  flaky.tick();
  EXPECT_TRUE(provider.dials.empty());  // the third lookup failed too
  clock.advance(std::chrono::seconds(1));
  flaky.tick();
  ASSERT_EQ(provider.dials.size(), 1u);
  EXPECT_EQ(a.in_flight(), 1);
  flaky.tick();
  EXPECT_EQ(provider.dials.size(), 1u);
}

// After a restart each live attempt's account is found again from its tenant and From: its
// call holds that account's slot (given back at its end) and fills that account's windows; no
// account starts a call before one window after the restart (ended calls left no row).
TEST_F(AccountPacingRunnerTest, ARestartRestoresEachAccountsCallsInFlight) {
  campaign_from(kFromA, 4);
  campaign_from(kFromB, 4);
  campaign_from(kFromInstall, 4);
  {
    CampaignRunner before(db, provider, gate, *facts, clock, config());
    before.tick();
  }
  ASSERT_EQ(dials_from(kFromA), 1);
  ASSERT_EQ(dials_from(kFromB), 3);
  ASSERT_EQ(dials_from(kFromInstall), 2);
  clock.advance(Millis(300));
  // A new process: new pacers with the same limits.
  accounts::Pacer a2{limits(1, 2)};
  accounts::Pacer b2{limits(3, 5)};
  accounts::Pacer install2{limits(2, 10)};
  pacers.by_from = {{kFromA, &a2}, {kFromB, &b2}};
  RunnerConfig cfg = config();
  cfg.pacer = &install2;
  CampaignRunner after(db, provider, gate, *facts, clock, cfg);
  ASSERT_TRUE(after.recover());
  EXPECT_EQ(a2.in_flight(), 1);
  EXPECT_EQ(b2.in_flight(), 3);
  EXPECT_EQ(install2.in_flight(), 2);
  EXPECT_EQ(provider.dials.size(), 6u);  // nothing re-dialed
  // The windows: nothing before 1 s after the restart.
  TickResult t = after.tick();
  EXPECT_EQ(t.dialed, 0);
  ASSERT_TRUE(t.next_due.has_value());
  EXPECT_EQ(*t.next_due, kT0 + Millis(1300));
  clock.set(kT0 + Millis(1300));
  after.tick();
  EXPECT_EQ(dials_from(kFromA), 2);
  EXPECT_EQ(a2.in_flight(), 2);
  after.sink().on_call_event(busy(call_from(kFromA)));  // a call placed before the restart ends
  EXPECT_EQ(a2.in_flight(), 1);
  EXPECT_EQ(b2.in_flight(), 4);
  expect_each_key_dialed_once();
}

// Real time (a pace wait installed): each round's calls go out at their own account's evenly
// spaced slots, several per tick, and each account keeps its own spacing and rate while both
// dial at once.
TEST_F(AccountPacingRunnerTest, WithAPaceWaitEachAccountKeepsItsOwnEvenSpacing) {
  ProviderLimits fast = limits(10, 0);
  ProviderLimits slow = limits(4, 0);
  accounts::Pacer a10{fast, accounts::PacerOptions{true, 0.0}};  // 100 ms apart
  accounts::Pacer b4{slow, accounts::PacerOptions{true, 0.0}};   // 250 ms apart
  pacers.by_from = {{kFromA, &a10}, {kFromB, &b4}};
  campaign_from(kFromA, 20, 20);
  campaign_from(kFromB, 12, 12);
  RunnerConfig cfg = config();
  cfg.pace_horizon = Millis(350);
  // The runner's clock at each place_call, per From: the send instants.
  class Stamping final : public telephony::Provider {
   public:
    Stamping(telephony::Provider& inner, const Clock& clock) : inner_(inner), clock_(clock) {}
    std::string name() const override { return inner_.name(); }
    Result<telephony::DialAccepted> place_call(const telephony::DialRequest& r) override {
      sent[r.from].push_back(clock_.now());
      return inner_.place_call(r);
    }
    Status hangup(const std::string& id) override { return inner_.hangup(id); }
    Result<std::string> send_sms(const telephony::SmsRequest& r) override { return inner_.send_sms(r); }
    Result<std::optional<std::string>> find_call(const telephony::CallLookup& l) override {
      return inner_.find_call(l);
    }
    Status reconcile(const std::string& id) override { return inner_.reconcile(id); }
    std::map<std::string, std::vector<TimePoint>> sent;

   private:
    telephony::Provider& inner_;
    const Clock& clock_;
  };
  Stamping stamping(provider, clock);
  CampaignRunner runner(db, stamping, gate, *facts, clock, cfg);
  runner.set_pace_wait([&](TimePoint until) {
    if (until > clock.now()) clock.set(until);
  });
  int ticks = 0;
  while (provider.dials.size() < 32 && ticks < 1000) {
    ++ticks;
    const TickResult t = runner.tick();
    if (t.dialed == 0) {
      if (!t.next_due) break;
      clock.set(std::max(*t.next_due, clock.now()));
    }
  }
  ASSERT_EQ(provider.dials.size(), 32u);
  EXPECT_LT(ticks, 32);  // several calls per tick
  auto check = [](std::vector<TimePoint> at, Millis gap, int per_second) {
    std::sort(at.begin(), at.end());
    for (std::size_t i = 1; i < at.size(); ++i) EXPECT_GE(at[i] - at[i - 1], gap) << i;
    for (std::size_t i = 0; i < at.size(); ++i) {
      int in_window = 0;
      for (std::size_t j = i; j < at.size() && at[j] < at[i] + Millis(1000); ++j) ++in_window;
      EXPECT_LE(in_window, per_second) << i;
    }
  };
  ASSERT_EQ(stamping.sent[kFromA].size(), 20u);
  ASSERT_EQ(stamping.sent[kFromB].size(), 12u);
  check(stamping.sent[kFromA], Millis(100), 10);
  check(stamping.sent[kFromB], Millis(250), 4);
  // Both dialed at once: B's calls were not all after A's.
  EXPECT_LT(stamping.sent[kFromB].front(), stamping.sent[kFromA].back());
  expect_each_key_dialed_once();
}

// A store failure part-way through recover() (the second live attempt's account): no pacer is
// changed, and recover() again restores every account's calls in flight exactly once, however
// often it is repeated.
TEST_F(AccountPacingRunnerTest, ARecoverThatFailsPartWayChangesNoPacerAndARepeatCountsOnce) {
  campaign_from(kFromA, 4);
  campaign_from(kFromB, 4);
  campaign_from(kFromInstall, 4);
  {
    CampaignRunner before(db, provider, gate, *facts, clock, config());
    before.tick();
  }
  ASSERT_EQ(provider.dials.size(), 6u);
  clock.advance(Millis(300));
  accounts::Pacer a2{limits(1, 2)};
  accounts::Pacer b2{limits(3, 5)};
  accounts::Pacer install2{limits(2, 10)};
  pacers.by_from = {{kFromA, &a2}, {kFromB, &b2}};
  pacers.lookups = 0;
  pacers.fail_after = 1;
  pacers.failures = 1;
  RunnerConfig cfg = config();
  cfg.pacer = &install2;
  CampaignRunner after(db, provider, gate, *facts, clock, cfg);
  auto failed = after.recover();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(a2.in_flight() + b2.in_flight() + install2.in_flight(), 0);
  ASSERT_TRUE(after.recover());
  ASSERT_TRUE(after.recover());  // a repeat (say the caller retried after a later step failed)
  EXPECT_EQ(a2.in_flight(), 1);
  EXPECT_EQ(b2.in_flight(), 3);
  EXPECT_EQ(install2.in_flight(), 2);
  // Each call placed before the restart gives back its own account's slot, once.
  after.sink().on_call_event(busy(call_from(kFromB)));
  after.sink().on_call_event(busy(call_from(kFromB, 1)));
  EXPECT_EQ(b2.in_flight(), 1);
  EXPECT_EQ(provider.dials.size(), 6u);
  expect_each_key_dialed_once();
}

// The real-time driver does not tick over a failed recover(): it tries again (with back-off)
// until the accounts' calls in flight are restored.
TEST_F(AccountPacingRunnerTest, TheRealtimeDriverRetriesRecoverBeforeTicking) {
  campaign_from(kFromA, 4);
  campaign_from(kFromB, 4);
  {
    CampaignRunner before(db, provider, gate, *facts, clock, config());
    before.tick();
  }
  ASSERT_EQ(provider.dials.size(), 4u);
  accounts::Pacer a2{limits(1, 2)};
  accounts::Pacer b2{limits(3, 5)};
  pacers.by_from = {{kFromA, &a2}, {kFromB, &b2}};
  pacers.lookups = 0;
  pacers.fail_after = 1;
  pacers.failures = 3;  // three recover() calls fail
  CampaignRunner after(db, provider, gate, *facts, clock, config());
  RealtimeDriver driver(after, nullptr, clock, nullptr, 1.0, Millis(5));  // the manual clock stands still
  driver.set_recover_backoff(Millis(1), Millis(4));
  driver.start();
  for (int i = 0; i < 2000 && driver.turns() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  driver.stop();
  ASSERT_GT(driver.turns(), 0);
  EXPECT_EQ(pacers.failures, 0);
  EXPECT_EQ(a2.in_flight(), 1);
  EXPECT_EQ(b2.in_flight(), 3);
  EXPECT_EQ(provider.dials.size(), 4u);
}

}  // namespace
}  // namespace outdial::dialer
