// The dialer with the real compliance gate (RuleGate) on SQLite and the simulated carrier:
// facts come from the stores, blocks carry the rule id, night-time attempts are deferred to the
// gate's allowed_at and no call is placed outside the federal calling window.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "outdial/compliance/rule_gate.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"
#include "testing/fake_registry.hpp"

namespace outdial {
namespace {

TEST(RuleGateCampaign, DefersAtNightBlocksByRuleAndCompletes) {
  char buf[] = "/tmp/outdial_gate_XXXXXX";
  close(mkstemp(buf));
  auto db = storage::sqlite::SqliteDatabase::open(buf);
  ASSERT_TRUE(db);
  TimePoint start;
  ASSERT_TRUE(parse_iso8601("2026-11-23T07:00:00Z", start));  // Monday 02:00 in New York
  ManualClock clock(start);
  auto tenant = (*db)->tenants().create_tenant(Tenant{0, "gate-tenant", "US", true, "", start});
  ASSERT_TRUE(tenant);
  Actor staff{1, tenant->id, Role::kOperatorAdmin, "user:1"};
  auto list = (*db)->contacts().create_list(ContactList{0, tenant->id, "gate-list", start});
  std::vector<Contact> cs;
  const int n = 30;
  for (int i = 0; i < n; ++i) {
    Contact c;
    c.tenant_id = tenant->id;
    c.list_id = list->id;
    c.phone_e164 = "+1212555" + std::to_string(2000 + i);
    c.timezone = "America/New_York";
    c.state = "NY";
    c.created_at = start;
    cs.push_back(c);
  }
  ASSERT_TRUE((*db)->contacts().insert_batch(cs));
  // Written consent naming AI calls for all but the last 5; contact 0 is on the internal list.
  for (int i = 0; i < n - 5; ++i) {
    ConsentRecord r;
    r.tenant_id = tenant->id;
    r.phone_e164 = cs[static_cast<std::size_t>(i)].phone_e164;
    r.type = ConsentType::kPriorExpressWritten;
    r.covers_artificial_voice = true;
    r.source = "web form";
    r.evidence = "form-" + std::to_string(i);
    r.granted_at = start - std::chrono::hours(24 * 30);
    ASSERT_TRUE((*db)->compliance().add_consent(r));
  }
  DncEntry dnc;
  dnc.tenant_id = tenant->id;
  dnc.phone_e164 = cs[0].phone_e164;
  dnc.reason = "manual";
  dnc.created_at = start;
  ASSERT_TRUE((*db)->compliance().add_dnc(dnc));

  dialer::CampaignServiceImpl service((*db)->campaigns(), (*db)->contacts(), (*db)->calls(), (*db)->audit(), clock);
  Campaign d;
  d.name = "Reactivation_Nov2026_Gate";
  d.script = "Hi, this is Acme. Press 2 to opt out.";
  d.list_id = list->id;
  d.caller_id = "+15550001111";
  d.purpose = Purpose::kReactivation;
  d.voice = VoiceType::kAi;
  d.lines = 5;
  d.max_concurrency = 5;
  d.calls_per_minute = 30;
  d.max_attempts = 2;
  d.min_spacing_minutes = 60;
  d.retry = RetryPolicy{{2, 60}, {2, 120}, {2, 240}, {2, 60}};
  auto created = service.create(staff, d);
  ASSERT_TRUE(created) << created.error().message;
  auto active = service.activate(staff, created->id);
  ASSERT_TRUE(active);

  compliance::RuleGate gate;
  testing::FakeRegistry registry(start - std::chrono::hours(24));
  dialer::FactsBuilder facts((*db)->compliance(), (*db)->calls(), (*db)->campaigns(), &registry,
                             dialer::CallerIdDirectory{{{tenant->id, {"+15550001111"}}}});
  auto sim = telephony::sim::SimCarrier::create(clock, telephony::sim::SimProfile{}, 77, "");
  ASSERT_TRUE(sim);
  dialer::CampaignRunner runner(**db, **sim, gate, facts, clock);
  (*sim)->set_sink(&runner.sink());
  ASSERT_TRUE(runner.recover());
  auto r = dialer::run_until_idle(runner, sim->get(), clock);
  EXPECT_TRUE(r.all_complete);

  auto p = service.progress(staff, created->id);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, "completed");
  EXPECT_EQ(p->blocked_by_rule["DNC-INTERNAL"], 1);
  EXPECT_EQ(p->blocked, 6) << "5 without consent + 1 on the internal list";
  EXPECT_EQ(p->targets["done"] + p->targets["exhausted"], n - 6);
  // Nothing dialed before 08:00 or after 21:00 New York time (UTC-5 in November).
  auto calls = (*sim)->ledger_calls();
  ASSERT_FALSE(calls.empty());
  for (const auto& c : calls) {
    const auto since_midnight = to_epoch_ms(c.placed_at) % 86'400'000;
    const auto local_hour = ((since_midnight / 3'600'000) + 24 - 5) % 24;
    EXPECT_GE(local_hour, 8);
    EXPECT_LT(local_hour, 21);
  }
  // Every decision was stored, and the night-time ones were deferrals with allowed_at.
  auto decisions = (*db)->compliance().list_decisions(tenant->id, created->id, 10000);
  ASSERT_TRUE(decisions);
  int defers = 0;
  for (const auto& dec : *decisions) {
    if (dec.verdict == "defer") {
      ++defers;
      EXPECT_TRUE(dec.allowed_at.has_value());
    }
  }
  EXPECT_GT(defers, 0);
  std::remove(buf);
}

}  // namespace
}  // namespace outdial
