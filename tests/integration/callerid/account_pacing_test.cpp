// Pacing inside each provider account's limits (issue #3 §3) on SQLite: the composition root's
// AccountPacers (one pacer per tenant account, from its stored limits) and AccountCallerIds
// behind the runner, the real compliance gate, in virtual time. A carrier that keeps each call
// up for a set time records every place_call instant and From; every window is then checked
// over those instants, per account:
//   - two tenants' accounts with different limits (Twilio-like 1 call/s and 2 in flight;
//     Telnyx-like 5 starts in any 5 s and 3 in flight) dialing at once each stay within their
//     own limits, across all of the tenant's campaigns; calls from a number that is no
//     account's are paced by the install's pacer;
//   - limits changed in the store take effect (looser and tighter);
//   - after a restart (a new runner and directory over the same SQLite file) the windows and
//     the concurrency limits hold across it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "outdial/accounts/caller_id_selector.hpp"
#include "outdial/app/account_caller_ids.hpp"
#include "outdial/app/account_pacers.hpp"
#include "outdial/compliance/rule_gate.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "integration/callerid/account_fixture.hpp"
#include "testing/provider_limits.hpp"

namespace outdial {
namespace {

using std::chrono::seconds;

// Accepts every call and keeps it up for duration(from, n) (n: the From's n-th call), then ends
// it (busy) through the sink the test names. Records each call's From and its place and end
// instants. A key placed twice is counted, never a second call.
class HeldCarrier final : public telephony::Provider {
 public:
  struct Call {
    std::string id, key, from;
    TimePoint placed{};
    TimePoint ends{};
    bool ended = false;
  };
  HeldCarrier(const Clock& clock, std::function<Millis(const std::string&, int)> duration)
      : clock_(clock), duration_(std::move(duration)) {}

  std::string name() const override { return "held"; }
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest& r) override {
    std::lock_guard lock(mu_);
    if (auto it = by_key_.find(r.idempotency_key); it != by_key_.end()) {
      ++same_key_again;
      return telephony::DialAccepted{calls[it->second].id};
    }
    Call c;
    c.id = "H" + std::to_string(calls.size() + 1);
    c.key = r.idempotency_key;
    c.from = r.from;
    c.placed = clock_.now();
    c.ends = c.placed + duration_(r.from, per_from_[r.from]++);
    by_key_[c.key] = calls.size();
    calls.push_back(c);
    return telephony::DialAccepted{c.id};
  }
  Status hangup(const std::string&) override { return ok_status(); }
  Result<std::string> send_sms(const telephony::SmsRequest& r) override { return "S" + r.idempotency_key; }
  Result<std::optional<std::string>> find_call(const telephony::CallLookup& l) override {
    std::lock_guard lock(mu_);
    auto it = by_key_.find(l.idempotency_key);
    if (it == by_key_.end()) return std::optional<std::string>();
    return std::optional<std::string>(calls[it->second].id);
  }
  Status reconcile(const std::string&) override { return ok_status(); }

  // Ends every call due by now (outside the lock: the sink applies the event).
  void end_due(telephony::CallEventSink& sink) {
    std::vector<CallEvent> due;
    {
      std::lock_guard lock(mu_);
      for (auto& c : calls) {
        if (c.ended || c.ends > clock_.now()) continue;
        c.ended = true;
        CallEvent e;
        e.provider = "held";
        e.provider_call_id = c.id;
        e.kind = CallEventKind::kBusy;
        e.sequence = 1;
        e.dedupe_key = c.id + ":end";
        e.at = c.ends;
        due.push_back(e);
      }
    }
    for (const auto& e : due) sink.on_call_event(e);
  }
  std::optional<TimePoint> next_end() const {
    std::lock_guard lock(mu_);
    std::optional<TimePoint> next;
    for (const auto& c : calls) {
      if (!c.ended && (!next || c.ends < *next)) next = c.ends;
    }
    return next;
  }
  int live() const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& c : calls) n += c.ended ? 0 : 1;
    return n;
  }
  // The place instants and [placed, ends) intervals of the calls from these numbers.
  std::vector<Call> from(const std::set<std::string>& numbers) const {
    std::lock_guard lock(mu_);
    std::vector<Call> out;
    for (const auto& c : calls) {
      if (numbers.count(c.from) > 0) out.push_back(c);
    }
    return out;
  }

  std::vector<Call> calls;
  int same_key_again = 0;

 private:
  const Clock& clock_;
  std::function<Millis(const std::string&, int)> duration_;
  mutable std::mutex mu_;
  std::map<std::string, std::size_t> by_key_;
  std::map<std::string, int> per_from_;
};

std::vector<TimePoint> starts_of(const std::vector<HeldCarrier::Call>& calls, TimePoint from = TimePoint{}) {
  std::vector<TimePoint> out;
  for (const auto& c : calls) {
    if (c.placed >= from) out.push_back(c.placed);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The most starts in any window [a, a + length) with a >= from (the worst one begins at a start).
int max_in_any_window(const std::vector<TimePoint>& sorted, Millis length, TimePoint from = TimePoint{}) {
  int best = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] < from) continue;
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] < sorted[i] + length) ++j;
    best = std::max(best, static_cast<int>(j - i));
  }
  return best;
}

// The most calls up at once ([placed, ends): an end and a start at one instant do not overlap),
// counted at each start at or after `from`.
int max_concurrent(const std::vector<HeldCarrier::Call>& calls, TimePoint from = TimePoint{}) {
  int best = 0;
  for (const auto& c : calls) {
    if (c.placed < from) continue;
    int up = 0;
    for (const auto& d : calls) up += d.placed <= c.placed && c.placed < d.ends ? 1 : 0;
    best = std::max(best, up);
  }
  return best;
}

using outdial::testing::limits;

struct AccountPacingTest : itest::AccountFixture {
  // Configured caller ID of the install's account (no tenant account owns it).
  const std::string kInstallFrom = "+15550007777";
  dialer::CallerIdDirectory directory;
  accounts::Pacer install{limits(2, 0, 0, 3)};

  // The runner as app/ builds it: AccountCallerIds behind the FactsBuilder, AccountPacers (every
  // active non-sim account places its own calls here) next to the install's pacer.
  struct Wiring {
    Wiring(AccountPacingTest& t, telephony::Provider& carrier, Millis refresh)
        : caller_ids(t.db->accounts(), t.directory),
          facts(t.db->compliance(), t.db->calls(), t.db->campaigns(), t.registry.get(), t.directory),
          pacers(
              t.db->accounts(), *t.clock,
              [](const ProviderAccount& a) {
                return a.provider != ProviderKind::kSim && a.status == AccountStatus::kActive;
              },
              accounts::PacerOptions{}, refresh) {
      facts.set_caller_id_source(&caller_ids);
      dialer::RunnerConfig rc;
      rc.pacer = &t.install;
      rc.pacers = &pacers;
      rc.refill_divisor = 1;
      runner = std::make_unique<dialer::CampaignRunner>(*t.db, carrier, t.gate, facts, *t.clock, rc);
    }
    app::AccountCallerIds caller_ids;
    dialer::FactsBuilder facts;
    app::AccountPacers pacers;
    std::unique_ptr<dialer::CampaignRunner> runner;
  };
  std::unique_ptr<Wiring> wire(telephony::Provider& carrier, Millis refresh = Millis(1000)) {
    return std::make_unique<Wiring>(*this, carrier, refresh);
  }

  // Ticks and delivers call ends like a driver, until `until` or every call of `expected` is
  // placed and over.
  void drive(Wiring& w, HeldCarrier& carrier, TimePoint until, std::size_t expected = 0) {
    while (clock->now() < until) {
      carrier.end_due(w.runner->sink());
      const dialer::TickResult t = w.runner->tick();
      if (expected > 0 && carrier.calls.size() >= expected && carrier.live() == 0) return;
      TimePoint next = clock->now() + Millis(500);
      if (t.next_due) next = std::min(next, *t.next_due);
      if (auto e = carrier.next_end()) next = std::min(next, *e);
      clock->set(std::min(until, std::max(next, clock->now() + Millis(1))));
    }
  }

  void set_limits(TenantId t, ProviderAccountId id, ProviderLimits l) {
    auto a = db->accounts().get_account(t, id);
    ASSERT_TRUE(a);
    a->limits = l;
    ASSERT_TRUE(db->accounts().update_account(*a));
  }
  std::string number(TenantId t, ProviderAccountId acct, const std::string& e164) {
    return AccountFixture::number(t, acct, e164).e164;
  }
  ListId contacts(const Actor& a, const std::string& npa, int n, int tail) {
    return AccountFixture::contacts(a, {npa}, n, tail);
  }
  Campaign campaign(const Actor& a, ListId list, const std::string& caller_id, int lines = 6) {
    return active_campaign(a, list, caller_id, [&](Campaign& d) {
      d.lines = lines;
      d.max_concurrency = lines;
      d.calls_per_minute = 600;
      d.max_attempts = 1;
    });
  }
  void expect_all_dialed_once(const HeldCarrier& carrier, std::size_t expected) {
    EXPECT_EQ(carrier.same_key_again, 0);
    EXPECT_EQ(carrier.calls.size(), expected);
    std::set<std::string> keys;
    for (const auto& c : carrier.calls) EXPECT_TRUE(keys.insert(c.key).second) << c.key;
  }
};

TEST_F(AccountPacingTest, TwoTenantsAccountsDialingAtOnceEachStayWithinTheirOwnLimits) {
  // Acme: a Twilio-like account, 1 call per second and 2 in flight, two campaigns on it.
  const Actor acme = tenant("Acme Dental");
  const ProviderAccountId twilio = account(acme.tenant_id, ProviderKind::kTwilio, limits(1, 0, 0, 2));
  const std::string ny212 = number(acme.tenant_id, twilio, "+12125550100");
  const std::string ny718 = number(acme.tenant_id, twilio, "+17185550100");
  campaign(acme, contacts(acme, "212", 12, 3000), ny212);
  const Campaign acme_lp = campaign(acme, contacts(acme, "718", 12, 3100), "+15550009999");
  local_presence(acme_lp, ny212);
  // Beta: a Telnyx-like account, 5 starts in any 5 s and 3 in flight.
  const Actor beta = tenant("Beta Clinic");
  const ProviderAccountId telnyx = account(beta.tenant_id, ProviderKind::kTelnyx, limits(0, 5, 5, 3));
  const std::string fl305 = number(beta.tenant_id, telnyx, "+13055550100");
  campaign(beta, contacts(beta, "305", 15, 4000), fl305);
  // Gamma: no account; its configured caller ID goes out through the install's account.
  const Actor gamma = tenant("Gamma Care");
  directory.owned[gamma.tenant_id].insert(kInstallFrom);
  campaign(gamma, contacts(gamma, "212", 10, 5000), kInstallFrom);

  // Short and long calls mixed, so both the rate and the concurrency limits bind.
  HeldCarrier carrier(*clock, [](const std::string&, int n) { return n % 3 == 0 ? Millis(6000) : Millis(700); });
  auto w = wire(carrier);
  ASSERT_TRUE(w->runner->recover());
  drive(*w, carrier, start + std::chrono::minutes(5), 49);

  expect_all_dialed_once(carrier, 49u);
  const auto acme_calls = carrier.from({ny212, ny718});
  const auto beta_calls = carrier.from({fl305});
  const auto install_calls = carrier.from({kInstallFrom});
  ASSERT_EQ(acme_calls.size(), 24u);
  ASSERT_EQ(beta_calls.size(), 15u);
  ASSERT_EQ(install_calls.size(), 10u);
  // Each account's limits over its own starts, across the tenant's campaigns ...
  EXPECT_EQ(max_in_any_window(starts_of(acme_calls), Millis(1000)), 1);
  EXPECT_EQ(max_concurrent(acme_calls), 2);  // reached, never above
  EXPECT_EQ(max_in_any_window(starts_of(beta_calls), Millis(5000)), 5);
  EXPECT_LE(max_concurrent(beta_calls), 3);
  // ... and the install's over the calls that are no account's.
  EXPECT_EQ(max_in_any_window(starts_of(install_calls), Millis(1000)), 2);
  EXPECT_LE(max_concurrent(install_calls), 3);
  // They ran at the same time, each at its own pace: Beta's 5 per 5 s is not Acme's 1 per s.
  EXPECT_GE(max_in_any_window(starts_of(beta_calls), Millis(1000)), 2);
  EXPECT_LT(starts_of(beta_calls).front(), starts_of(acme_calls).back());
  // Every slot was given back when its call ended.
  EXPECT_EQ(w->pacers.pacer_of(twilio)->in_flight(), 0);
  EXPECT_EQ(w->pacers.pacer_of(telnyx)->in_flight(), 0);
  EXPECT_EQ(install.in_flight(), 0);
}

TEST_F(AccountPacingTest, LimitsChangedInTheStoreTakeEffect) {
  const Actor acme = tenant("Acme Dental");
  const ProviderAccountId twilio = account(acme.tenant_id, ProviderKind::kTwilio, limits(1, 0, 0, 1));
  const std::string ny212 = number(acme.tenant_id, twilio, "+12125550100");
  campaign(acme, contacts(acme, "212", 40, 3000), ny212, 8);
  HeldCarrier carrier(*clock, [](const std::string&, int) { return Millis(4000); });
  auto w = wire(carrier, Millis(1000));  // campaign pacers re-read every second
  ASSERT_TRUE(w->runner->recover());

  drive(*w, carrier, start + seconds(20));
  const auto first = carrier.from({ny212});
  EXPECT_EQ(max_concurrent(first), 1);
  EXPECT_GE(first.size(), 4u);

  const TimePoint loosened = clock->now();
  set_limits(acme.tenant_id, twilio, limits(2, 0, 0, 4));
  drive(*w, carrier, loosened + seconds(20));
  const auto second = carrier.from({ny212});
  EXPECT_EQ(max_concurrent(second, loosened), 4);  // the new concurrency, reached
  EXPECT_EQ(max_in_any_window(starts_of(second), Millis(1000), loosened), 2);

  const TimePoint tightened = clock->now();
  set_limits(acme.tenant_id, twilio, limits(1, 0, 0, 1));
  drive(*w, carrier, tightened + std::chrono::minutes(3), 40);
  const auto all = carrier.from({ny212});
  // Once the change is read (within the refresh, plus a tick), a start only when nothing else is
  // up, and at most 1 per second, though 4 were up at the change.
  const TimePoint read_by = tightened + Millis(2000);
  EXPECT_GT(starts_of(all, read_by).size(), 3u);
  EXPECT_EQ(max_concurrent(all, read_by), 1);
  EXPECT_EQ(max_in_any_window(starts_of(all), Millis(1000), read_by), 1);
  expect_all_dialed_once(carrier, 40u);
}

TEST_F(AccountPacingTest, AfterARestartTheWindowsAndConcurrencyHoldAcrossIt) {
  const Actor acme = tenant("Acme Dental");
  const ProviderAccountId twilio = account(acme.tenant_id, ProviderKind::kTwilio, limits(1, 0, 0, 2));
  const std::string ny212 = number(acme.tenant_id, twilio, "+12125550100");
  campaign(acme, contacts(acme, "212", 10, 3000), ny212);
  const Actor beta = tenant("Beta Clinic");
  const ProviderAccountId telnyx = account(beta.tenant_id, ProviderKind::kTelnyx, limits(0, 5, 5, 3));
  const std::string fl305 = number(beta.tenant_id, telnyx, "+13055550100");
  campaign(beta, contacts(beta, "305", 20, 4000), fl305);
  // Acme's calls outlast the restart (they hold its 2 lines across it); Beta's end within a
  // second, so the restarted process finds none of its recent starts in flight.
  HeldCarrier carrier(*clock, [&](const std::string& from, int) {
    return from == ny212 ? Millis(9000) : Millis(400);
  });
  TimePoint crash{};
  {
    auto before = wire(carrier);
    ASSERT_TRUE(before->runner->recover());
    drive(*before, carrier, start + Millis(12'300));
    crash = clock->now();
  }  // the process stops: no more ticks, its pacers are gone
  const auto beta_before = starts_of(carrier.from({fl305}));
  ASSERT_FALSE(beta_before.empty());
  EXPECT_GT(beta_before.back(), crash - Millis(5000));  // Beta's window was in use at the crash
  EXPECT_EQ(carrier.from({ny212}).size() - static_cast<std::size_t>(
                std::count_if(carrier.calls.begin(), carrier.calls.end(),
                               [&](const HeldCarrier::Call& c) { return c.from == ny212 && c.ended; })),
            2u);  // Acme's two lines are up at the crash

  db.reset();
  open();  // a new process over the same SQLite file
  clock->advance(Millis(200));
  auto after = wire(carrier);
  ASSERT_TRUE(after->runner->recover());
  EXPECT_EQ(after->pacers.pacer_of(twilio)->in_flight(), 2);
  drive(*after, carrier, clock->now() + std::chrono::minutes(5), 30);

  expect_all_dialed_once(carrier, 30u);
  const auto acme_calls = carrier.from({ny212});
  const auto beta_calls = carrier.from({fl305});
  EXPECT_EQ(max_in_any_window(starts_of(acme_calls), Millis(1000)), 1);
  EXPECT_LE(max_concurrent(acme_calls), 2);
  EXPECT_LE(max_in_any_window(starts_of(beta_calls), Millis(5000)), 5);
  EXPECT_LE(max_concurrent(beta_calls), 3);
  EXPECT_GT(starts_of(beta_calls).size(), beta_before.size());  // dialing went on after it
  EXPECT_EQ(after->pacers.pacer_of(twilio)->in_flight(), 0);  // the old calls' ends gave them back
  EXPECT_EQ(after->pacers.pacer_of(telnyx)->in_flight(), 0);
}

}  // namespace
}  // namespace outdial
