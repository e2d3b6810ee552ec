// Caller ID per call on SQLite (issue #3 §3): the composition root's AccountCallerIds over the
// tenant's numbers, the real compliance gate and the simulated carrier in virtual time.
//   - local presence: each contact is called from a number in its area code, else its state,
//     else the default number; a retired or flagged number is never used, also when it is
//     retired in the middle of the campaign;
//   - a tenant without a caller-ID policy keeps the campaign's caller ID;
//   - the From is stored on the attempt: a queued attempt sent again after a restart keeps it;
//   - the outcomes feed number health (answer samples per From).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "outdial/accounts/caller_id_selector.hpp"
#include "outdial/accounts/number_health.hpp"
#include "outdial/app/account_caller_ids.hpp"
#include "outdial/compliance/rule_gate.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"
#include "integration/callerid/account_fixture.hpp"

namespace outdial {
namespace {

using std::chrono::minutes;

// The carrier as the runner sees it, recording the From of every dial that reached it; the
// first `fail_next` dials fail with 503 before reaching it (nothing created).
class RecordingProvider final : public telephony::Provider {
 public:
  explicit RecordingProvider(telephony::Provider& inner, const Clock& clock) : inner_(inner), clock_(clock) {}
  struct Dial {
    std::string key, from, to;
    TimePoint at{};
  };
  std::string name() const override { return inner_.name(); }
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest& r) override {
    {
      std::lock_guard lock(mu_);
      if (fail_next > 0) {
        --fail_next;
        return make_error(ErrorCode::kUnavailable, "503 from the carrier");
      }
      dials.push_back({r.idempotency_key, r.from, r.to, clock_.now()});
    }
    return inner_.place_call(r);
  }
  Status hangup(const std::string& id) override { return inner_.hangup(id); }
  Result<std::string> send_sms(const telephony::SmsRequest& r) override { return inner_.send_sms(r); }
  Result<std::optional<std::string>> find_call(const telephony::CallLookup& l) override {
    return inner_.find_call(l);
  }
  Status reconcile(const std::string& id) override { return inner_.reconcile(id); }

  int fail_next = 0;
  std::vector<Dial> dials;

 private:
  telephony::Provider& inner_;
  const Clock& clock_;
  std::mutex mu_;
};

struct CallerIdCampaignTest : itest::AccountFixture {
  // The dialer's caller-ID wiring as app/ builds it (AccountCallerIds behind the FactsBuilder),
  // over a seeded simulated carrier whose dials are recorded. Heap-held: facts points at
  // caller_ids.
  struct Wiring {
    Wiring(storage::Database& db, const dnc::NationalRegistry* registry, const dialer::CallerIdDirectory& directory)
        : caller_ids(db.accounts(), directory),
          facts(db.compliance(), db.calls(), db.campaigns(), registry, directory) {
      facts.set_caller_id_source(&caller_ids);
    }
    app::AccountCallerIds caller_ids;
    dialer::FactsBuilder facts;
    std::unique_ptr<telephony::sim::SimCarrier> sim;
    std::unique_ptr<RecordingProvider> carrier;
  };
  std::unique_ptr<Wiring> wire(std::uint64_t seed, const dialer::CallerIdDirectory& directory = {}) {
    auto w = std::make_unique<Wiring>(*db, registry.get(), directory);
    auto sim = telephony::sim::SimCarrier::create(*clock, telephony::sim::SimProfile{}, seed, "");
    EXPECT_TRUE(sim);
    if (!sim) return nullptr;
    w->sim = std::move(sim).value();
    w->carrier = std::make_unique<RecordingProvider>(*w->sim, *clock);
    return w;
  }

  Campaign campaign(const Actor& a, ListId list, const std::string& caller_id, int lines = 3, int per_minute = 10) {
    return active_campaign(a, list, caller_id, [&](Campaign& d) {
      d.lines = lines;
      d.max_concurrency = lines;
      d.calls_per_minute = per_minute;
      d.max_attempts = 2;
      d.retry = RetryPolicy{{2, 5}, {2, 10}, {2, 10}, {2, 5}};
    });
  }
  std::vector<CallAttempt> attempts(TenantId t, CampaignId c) {
    auto all = db->calls().list_attempts(t, c, 0, 100000);
    EXPECT_TRUE(all);
    return *all;
  }
};

TEST_F(CallerIdCampaignTest, LocalPresencePerContactNeverARetiredOrFlaggedNumber) {
  const Actor acme = tenant("Acme Dental");
  const ProviderAccountId acct = account(acme.tenant_id);
  const std::string ny212 = number(acme.tenant_id, acct, "+12125550100").e164;
  const std::string ny718 = number(acme.tenant_id, acct, "+17185550100").e164;
  const std::string ca415 = number(acme.tenant_id, acct, "+14155550100").e164;
  const std::string ca213 = number(acme.tenant_id, acct, "+12135550100").e164;
  const std::string fl305 = number(acme.tenant_id, acct, "+13055550100").e164;
  const std::string retired646 = number(acme.tenant_id, acct, "+16465550100", NumberStatus::kRetired).e164;
  const std::string flagged310 = number(acme.tenant_id, acct, "+13105550100", NumberStatus::kFlagged).e164;
  // 415 last in the list: those contacts are first dialed after 415's number is retired below.
  const ListId acme_list = contacts(acme, {"212", "718", "213", "305", "646", "310", "512", "617", "415"}, 4);
  const Campaign lp = campaign(acme, acme_list, "+15550009999");
  local_presence(lp, ny212);

  // Another tenant: a number of its own but no caller-ID policy -> the campaign's caller ID.
  const Actor beta = tenant("Beta Clinic");
  number(beta.tenant_id, account(beta.tenant_id), "+12125550200");
  const Campaign plain = campaign(beta, contacts(beta, {"212", "415"}, 3, 4000), "+15550002222");

  const dialer::CallerIdDirectory directory{{{beta.tenant_id, {"+15550002222"}}}};
  auto w = wire(4242, directory);
  ASSERT_TRUE(w);
  auto& facts = w->facts;
  auto& carrier = *w->carrier;
  auto& sim = w->sim;
  dialer::CampaignRunner runner(*db, carrier, gate, facts, *clock);
  sim->set_sink(&runner.sink());
  ASSERT_TRUE(runner.recover());

  dialer::run_until_idle(runner, sim.get(), *clock, minutes(1));
  const TimePoint retired_at = clock->now();
  auto n415 = db->accounts().find_number(acme.tenant_id, ca415);
  ASSERT_TRUE(n415 && n415->has_value());
  ASSERT_TRUE(db->accounts().set_number_status(acme.tenant_id, (**n415).id, NumberStatus::kRetired, "ported out",
                                               retired_at));
  auto r = dialer::run_until_idle(runner, sim.get(), *clock);
  EXPECT_TRUE(r.all_complete);

  // What the carrier was asked, per contact number (Acme's contacts end in 300x, Beta's in 400x).
  std::map<std::string, std::set<std::string>> froms_by_to;
  std::set<std::string> acme_415_before, acme_415_after;
  for (const auto& d : carrier.dials) {
    froms_by_to[d.to].insert(d.from);
    EXPECT_NE(d.from, retired646);
    EXPECT_NE(d.from, flagged310);
    if (d.at >= retired_at) {
      EXPECT_NE(d.from, ca415) << d.to << " dialed after the retirement";
    }
    if (d.to.compare(0, 9, "+14155553") == 0) (d.at < retired_at ? acme_415_before : acme_415_after).insert(d.to);
  }
  EXPECT_TRUE(acme_415_before.empty());  // the list order put them after the retirement
  EXPECT_EQ(acme_415_after.size(), 4u);
  auto expect_from = [&](const std::string& npa, char tenant_digit, const std::set<std::string>& allowed) {
    int seen = 0;
    for (const auto& [to, froms] : froms_by_to) {
      if (to.size() != 12 || to.compare(2, 3, npa) != 0 || to[8] != tenant_digit) continue;
      ++seen;
      for (const auto& f : froms) EXPECT_TRUE(allowed.count(f) > 0) << to << " was called from " << f;
    }
    return seen;
  };
  // Area code first, then the state, then the default number.
  EXPECT_EQ(expect_from("212", '3', {ny212}), 4);
  EXPECT_EQ(expect_from("718", '3', {ny718}), 4);
  EXPECT_EQ(expect_from("213", '3', {ca213}), 4);
  EXPECT_EQ(expect_from("305", '3', {fl305}), 4);
  EXPECT_EQ(expect_from("646", '3', {ny212, ny718}), 4);  // 646's own number is retired: NY
  EXPECT_EQ(expect_from("310", '3', {ca415, ca213}), 4);  // 310's own number is flagged: CA
  EXPECT_EQ(expect_from("512", '3', {ny212}), 4);         // no TX number: the default
  EXPECT_EQ(expect_from("617", '3', {ny212}), 4);         // no MA number: the default
  EXPECT_EQ(expect_from("415", '3', {ca213}), 4);         // 415's number retired mid-campaign: CA
  // Beta has no policy: its campaign caller ID, never its own pool number.
  EXPECT_EQ(expect_from("212", '4', {"+15550002222"}), 3);
  EXPECT_EQ(expect_from("415", '4', {"+15550002222"}), 3);

  // The stored From is the one dialed; Acme's attempts all come from its pool, Beta's all from
  // the campaign's caller ID (its pool number is not used without a policy).
  std::map<std::string, std::string> from_by_key;
  for (const auto& d : carrier.dials) from_by_key[d.key] = d.from;
  const std::set<std::string> pool = {ny212, ny718, ca415, ca213, fl305};
  auto acme_attempts = attempts(acme.tenant_id, lp.id);
  ASSERT_GE(acme_attempts.size(), 36u);
  for (const auto& a : acme_attempts) {
    EXPECT_EQ(a.from_number, from_by_key[a.idempotency_key]) << a.idempotency_key;
    EXPECT_TRUE(pool.count(a.from_number) > 0) << a.from_number;
  }
  auto beta_attempts = attempts(beta.tenant_id, plain.id);
  ASSERT_GE(beta_attempts.size(), 6u);
  for (const auto& a : beta_attempts) EXPECT_EQ(a.from_number, "+15550002222");

  // The gate judged the chosen numbers: nothing was blocked for its caller ID.
  for (CampaignId id : {lp.id, plain.id}) {
    const TenantId t = id == lp.id ? acme.tenant_id : beta.tenant_id;
    auto decisions = db->compliance().list_decisions(t, id, 100000);
    ASSERT_TRUE(decisions);
    for (const auto& d : *decisions) EXPECT_NE(d.verdict, "block") << d.rule << ": " << d.reason;
  }

  // Number health sees each call under the number it came from.
  auto samples = db->accounts().answer_samples(acme.tenant_id, start, clock->now() + Millis(1));
  ASSERT_TRUE(samples);
  std::vector<std::string> numbers(pool.begin(), pool.end());
  numbers.push_back(retired646);
  numbers.push_back(flagged310);
  auto health = accounts::number_health(*samples, numbers, clock->now(), accounts::HealthPolicy{});
  int total = 0;
  for (const auto& n : pool) total += health[n].attempts;
  EXPECT_GE(samples->size(), 36u);
  EXPECT_EQ(total, static_cast<int>(samples->size()));
  EXPECT_GT(health[ny718].attempts, 0);
  EXPECT_EQ(health[retired646].attempts, 0);
  EXPECT_EQ(health[flagged310].attempts, 0);
  EXPECT_EQ(health[ny718].attempts,
            static_cast<int>(std::count_if(acme_attempts.begin(), acme_attempts.end(), [&](const CallAttempt& a) {
              return a.from_number == ny718 && a.state != CallState::kCanceled;
            })));
}

TEST_F(CallerIdCampaignTest, NoUsableNumberIsACallerIdBlockThatSaysWhy) {
  const Actor acme = tenant("Acme Dental");
  const ProviderAccountId acct = account(acme.tenant_id);
  const std::string ny212 = number(acme.tenant_id, acct, "+12125550100").e164;
  const Campaign lp = campaign(acme, contacts(acme, {"212", "617"}, 2), "+15550009999");
  local_presence(lp, "");  // no default number: a MA contact has no caller ID

  auto w = wire(7);
  ASSERT_TRUE(w);
  auto& facts = w->facts;
  auto& carrier = *w->carrier;
  auto& sim = w->sim;
  dialer::CampaignRunner runner(*db, carrier, gate, facts, *clock);
  sim->set_sink(&runner.sink());
  ASSERT_TRUE(runner.recover());
  EXPECT_TRUE(dialer::run_until_idle(runner, sim.get(), *clock).all_complete);
  for (const auto& d : carrier.dials) {
    EXPECT_EQ(d.from, ny212);
    EXPECT_EQ(d.to.compare(2, 3, "212"), 0) << d.to;
  }
  auto decisions = db->compliance().list_decisions(acme.tenant_id, lp.id, 1000);
  ASSERT_TRUE(decisions);
  int blocked = 0;
  for (const auto& d : *decisions) {
    if (d.verdict != "block") continue;
    ++blocked;
    EXPECT_EQ(d.rule, "CID-VALID");
    EXPECT_EQ(d.phone_e164.compare(2, 3, "617"), 0);
    EXPECT_NE(d.reason.find("no active number in area code 617 or state MA"), std::string::npos) << d.reason;
  }
  EXPECT_EQ(blocked, 2);
}

TEST_F(CallerIdCampaignTest, ADedicatedNumberCallsOnlyForItsCampaign) {
  const Actor acme = tenant("Acme Dental");
  const ProviderAccountId acct = account(acme.tenant_id);
  const std::string ny212 = number(acme.tenant_id, acct, "+12125550100").e164;
  const PhoneNumber fl305 = number(acme.tenant_id, acct, "+13055550100");
  const Campaign dedicated = campaign(acme, contacts(acme, {"305", "212"}, 3), "+15550009999");
  const Campaign other = campaign(acme, contacts(acme, {"305"}, 3, 4000), "+15550009999");
  ASSERT_TRUE(db->accounts().dedicate_number(acme.tenant_id, fl305.id, dedicated.id,
                                             accounts::dedicated_number_label(start, "Acme Dental")));
  CallerIdPolicy p;
  p.tenant_id = acme.tenant_id;
  p.campaign_id = dedicated.id;
  p.strategy = CallerIdStrategy::kDedicated;
  p.updated_at = start;
  ASSERT_TRUE(db->accounts().set_caller_id_policy(p));
  local_presence(other, ny212);  // 305 is the area code of its contacts, but that number is taken

  auto w = wire(11);
  ASSERT_TRUE(w);
  auto& facts = w->facts;
  auto& carrier = *w->carrier;
  auto& sim = w->sim;
  dialer::CampaignRunner runner(*db, carrier, gate, facts, *clock);
  sim->set_sink(&runner.sink());
  ASSERT_TRUE(runner.recover());
  EXPECT_TRUE(dialer::run_until_idle(runner, sim.get(), *clock).all_complete);
  auto from_of = [&](CampaignId id) {
    std::set<std::string> froms;
    for (const auto& a : attempts(acme.tenant_id, id)) froms.insert(a.from_number);
    return froms;
  };
  EXPECT_EQ(from_of(dedicated.id), (std::set<std::string>{fl305.e164}));  // its 212 contacts too
  EXPECT_EQ(from_of(other.id), (std::set<std::string>{ny212}));
  EXPECT_GE(carrier.dials.size(), 9u);
}

TEST_F(CallerIdCampaignTest, ARestartSendsAQueuedAttemptFromTheNumberItWasCreatedWith) {
  const Actor acme = tenant("Acme Dental");
  const ProviderAccountId acct = account(acme.tenant_id);
  const std::string ca415 = number(acme.tenant_id, acct, "+14155550100").e164;
  const std::string ny212 = number(acme.tenant_id, acct, "+12125550100").e164;
  const Campaign lp = campaign(acme, contacts(acme, {"415"}, 2), "+15550009999", /*lines=*/1);
  local_presence(lp, ny212);

  auto w = wire(9);
  ASSERT_TRUE(w);
  auto& facts = w->facts;
  auto& carrier = *w->carrier;
  auto& sim = w->sim;
  {
    dialer::CampaignRunner first(*db, carrier, gate, facts, *clock);
    sim->set_sink(&first.sink());
    ASSERT_TRUE(first.recover());
    carrier.fail_next = 1;
    EXPECT_EQ(first.tick().dialed, 1);  // stored, then the dial failed; the process dies here
    sim->set_sink(nullptr);
  }
  auto queued = attempts(acme.tenant_id, lp.id);
  ASSERT_EQ(queued.size(), 1u);
  ASSERT_EQ(queued[0].state, CallState::kQueued);
  EXPECT_EQ(queued[0].from_number, ca415);
  EXPECT_TRUE(carrier.dials.empty());

  // Meanwhile the campaign moved to a static caller ID: a new attempt would use it ...
  CallerIdPolicy p;
  p.tenant_id = acme.tenant_id;
  p.campaign_id = lp.id;
  p.strategy = CallerIdStrategy::kStatic;
  p.static_number = ny212;
  p.updated_at = start;
  ASSERT_TRUE(db->accounts().set_caller_id_policy(p));
  auto contact = db->contacts().get_contact(acme.tenant_id, queued[0].contact_id);
  ASSERT_TRUE(contact);
  auto now_pick = w->caller_ids.choose(lp, *contact, clock->now());
  ASSERT_TRUE(now_pick);
  ASSERT_EQ(now_pick->number, ny212);

  // ... but the restarted runner sends the queued attempt under its key from its own number.
  dialer::CampaignRunner second(*db, carrier, gate, facts, *clock);
  sim->set_sink(&second.sink());
  ASSERT_TRUE(second.recover());
  ASSERT_EQ(carrier.dials.size(), 1u);
  EXPECT_EQ(carrier.dials[0].key, queued[0].idempotency_key);
  EXPECT_EQ(carrier.dials[0].from, ca415);
  EXPECT_TRUE(dialer::run_until_idle(second, sim.get(), *clock).all_complete);
  for (const auto& d : carrier.dials) {
    EXPECT_EQ(d.from, d.key == queued[0].idempotency_key ? ca415 : ny212) << d.key;
  }
  EXPECT_GE(carrier.dials.size(), 2u);
}

}  // namespace
}  // namespace outdial
