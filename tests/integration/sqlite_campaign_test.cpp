// Whole campaigns on the simulated carrier in virtual time against a real SQLite file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "integration/campaign_setup.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"
#include "testing/fake_gate.hpp"

namespace outdial {
namespace {

std::string temp_db() {
  char buf[] = "/tmp/outdial_sqlite_XXXXXX";
  int fd = mkstemp(buf);
  close(fd);
  return buf;
}

TEST(SqliteCampaign, RunsToCompletionInVirtualTime) {
  const std::string path = temp_db();
  auto db = storage::sqlite::SqliteDatabase::open(path);
  ASSERT_TRUE(db);
  ManualClock clock(itest::kStart);
  Actor staff;
  const int contacts = 1000;
  const CampaignId id = itest::setup_campaign(**db, clock, contacts, staff);
  ASSERT_NE(id, 0);
  Campaign c = *(*db)->campaigns().get_campaign_any(id);
  c.max_concurrency = 20;
  c.lines = 20;
  c.calls_per_minute = 120;
  ASSERT_TRUE((*db)->campaigns().update_campaign(c));
  auto sim = telephony::sim::SimCarrier::create(clock, itest::crash_profile(), itest::kSimSeed, "");
  ASSERT_TRUE(sim);
  testing::FakeGate gate;
  dialer::FactsBuilder facts((*db)->compliance(), (*db)->calls(), (*db)->campaigns(), nullptr,
                             dialer::CallerIdDirectory{{{staff.tenant_id, {itest::kCallerId}}}});
  dialer::CampaignRunner runner(**db, **sim, gate, facts, clock);
  (*sim)->set_sink(&runner.sink());
  ASSERT_TRUE(runner.recover());
  const auto wall0 = std::chrono::steady_clock::now();
  auto r = dialer::run_until_idle(runner, sim->get(), clock);
  const auto wall = std::chrono::steady_clock::now() - wall0;
  EXPECT_TRUE(r.all_complete);
  dialer::CampaignServiceImpl service((*db)->campaigns(), (*db)->contacts(), (*db)->calls(), (*db)->audit(), clock);
  auto p = service.progress(staff, id);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, "completed");
  EXPECT_EQ(p->in_flight, 0);
  EXPECT_EQ(p->targets["done"] + p->targets["exhausted"], contacts);
  EXPECT_EQ(p->attempts, static_cast<std::int64_t>((*sim)->ledger_calls().size()));
  // calls_per_minute = 120 bounds the virtual duration from below.
  EXPECT_GE(clock.now() - itest::kStart, std::chrono::minutes(p->attempts / 120));
  std::printf("%lld attempts, %lld events, virtual %lld min, wall %lld ms\n", static_cast<long long>(p->attempts),
              static_cast<long long>(r.events),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::minutes>(clock.now() - itest::kStart).count()),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(wall).count()));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace outdial
