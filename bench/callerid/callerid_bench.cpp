// What choosing a caller ID costs the dialer per gate decision (issue #3 §3):
// app::AccountCallerIds::choose() on a SQLite file, for a campaign without a caller-ID policy
// (one primary-key read) and with local presence over pools of 10, 100 and 1,000 active numbers
// spread over US area codes (plus as many retired numbers, which are never read).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "outdial/accounts/caller_id_selector.hpp"
#include "outdial/app/account_caller_ids.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"

namespace outdial {
namespace {

const TimePoint kT0 = from_epoch_ms(1'790'000'000'000);

struct Setup {
  std::string path;
  std::unique_ptr<storage::Database> db;
  Campaign plain, local;
  std::vector<Contact> contacts;
  std::unique_ptr<app::AccountCallerIds> ids;

  explicit Setup(int pool) {
    char buf[] = "/tmp/outdial_callerid_bench_XXXXXX";
    close(mkstemp(buf));
    path = buf;
    db = std::move(storage::sqlite::SqliteDatabase::open(path)).value();
    auto t = db->tenants().create_tenant(Tenant{0, "acme", "US", true, "", kT0});
    auto list = db->contacts().create_list(ContactList{0, t->id, "leads", kT0});
    Campaign c;
    c.tenant_id = t->id;
    c.list_id = list->id;
    c.caller_id = "+15550001111";
    c.created_at = kT0;
    c.name = "plain";
    plain = *db->campaigns().create_campaign(c);
    c.name = "local";
    local = *db->campaigns().create_campaign(c);
    ProviderAccount a;
    a.tenant_id = t->id;
    a.name = "main";
    a.created_at = kT0;
    auto account = db->accounts().create_account(a);
    std::vector<std::string> npas;
    for (int npa = 201; npa <= 989; ++npa) {
      if (accounts::locate_us_number("+1" + std::to_string(npa) + "5550100")) npas.push_back(std::to_string(npa));
    }
    std::string first;
    for (int i = 0; i < 2 * pool; ++i) {
      PhoneNumber n;
      n.tenant_id = t->id;
      n.account_id = account->id;
      n.e164 = "+1" + npas[static_cast<std::size_t>(i) % npas.size()] + "555" + std::to_string(1000 + i);
      auto where = accounts::locate_us_number(n.e164);
      n.area_code = where->area_code;
      n.state = where->state;
      n.created_at = kT0;
      auto added = db->accounts().add_number(n);
      if (first.empty()) first = n.e164;
      if (i % 2 == 1) (void)db->accounts().set_number_status(t->id, added->id, NumberStatus::kRetired, "", kT0);
    }
    CallerIdPolicy p;
    p.tenant_id = t->id;
    p.campaign_id = local.id;
    p.strategy = CallerIdStrategy::kLocalPresence;
    p.default_number = first;
    p.updated_at = kT0;
    (void)db->accounts().set_caller_id_policy(p);
    for (std::size_t i = 0; i < 64; ++i) {
      Contact k;
      k.tenant_id = t->id;
      k.phone_e164 = "+1" + npas[(i * 37) % npas.size()] + "555" + std::to_string(2000 + i);
      contacts.push_back(k);
    }
    ids = std::make_unique<app::AccountCallerIds>(db->accounts(),
                                                  dialer::CallerIdDirectory{{{t->id, {"+15550001111"}}}});
  }
  ~Setup() {
    db.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
};

void run(benchmark::State& state, bool with_policy) {
  Setup s(static_cast<int>(state.range(0)));
  const Campaign& c = with_policy ? s.local : s.plain;
  std::size_t i = 0;
  for (auto _ : state) {
    auto pick = s.ids->choose(c, s.contacts[i++ % s.contacts.size()], kT0);
    if (!pick || !pick->owned) {
      state.SkipWithError("no owned caller ID");
      break;
    }
    benchmark::DoNotOptimize(pick->number);
  }
}

void BM_ChooseWithoutPolicy(benchmark::State& state) { run(state, false); }
void BM_ChooseLocalPresence(benchmark::State& state) { run(state, true); }
BENCHMARK(BM_ChooseWithoutPolicy)->Arg(10)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ChooseLocalPresence)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace outdial

BENCHMARK_MAIN();
