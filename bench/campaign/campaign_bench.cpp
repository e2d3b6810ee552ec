// Whole-system campaign benchmark: N contacts dialed to completion in virtual time on the
// simulated carrier, every gate decision, attempt and carrier event persisted to a real SQLite
// file (WAL). Wiring follows tests/integration/sqlite_campaign_test.cpp, with the real RuleGate.
//
//   campaign_bench [--contacts N] [--dir DIR] [--seed S] [--max-wall SECONDS] [--wal-autocheckpoint PAGES] [--cache-kib KIB]
//                  [--ledger-sync none|group|every]  (the simulated carrier's ledger; default none)
//                  [--refill-divisor N] [--refill-wait-ms MS]  (RunnerConfig line refill grouping)
//                  [--commits group|turn]  (group: the runner's grouped commits with the file dial
//                  journal, as `outdial demo` runs; turn: one commit per driver turn; default group)
//                  [--group-turns N]  (RunnerConfig::group_max_turns)
//
// Prints setup (data generation) and run (activation -> completion) wall times separately,
// persisted row counts, rates and peak RSS. Target (issue): 100k contacts in <= 20 s.
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "outdial/compliance/rule_gate.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/file/file_dial_journal.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/dnc/set_registry.hpp"
#include "outdial/geo/npa.hpp"
#include "outdial/heap/huge_pages.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"

namespace outdial::bench {
namespace {

using WallClock = std::chrono::steady_clock;

constexpr const char* kCallerId = "+15550001111";
constexpr double kConsentShare = 0.92;      // PEWC naming artificial voice
constexpr double kInternalDncShare = 0.03;  // on the tenant's internal DNC list
constexpr double kNationalDncShare = 0.02;  // of the contacts, on the national registry copy
constexpr int kNationalDncOthers = 200'000;  // other registry numbers (not in the list)

struct Options {
  int contacts = 10'000;
  std::string heap_pages = "huge";  // huge (what `outdial` uses) | 4k
  std::string dir = "/tmp/outdial_campaign_bench";
  std::uint64_t seed = 20261116;
  double max_wall_seconds = 0;  // 0 = run to completion; otherwise stop (and report) after this
  int wal_autocheckpoint = -1;  // -1 = the OpenOptions default
  int cache_kib = -1;           // -1 = the OpenOptions default (PRAGMA cache_size)
  int refill_divisor = 0;       // 0 = RunnerConfig default
  long long refill_wait_ms = -1;  // -1 = RunnerConfig default
  telephony::sim::LedgerSync ledger_sync = outdial::telephony::sim::LedgerSync::kNone;
  bool grouped = true;  // grouped commits with the dial journal
  int group_turns = 0;  // 0 = RunnerConfig default
};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double seconds_since(WallClock::time_point t0) {
  return std::chrono::duration<double>(WallClock::now() - t0).count();
}

// VmHWM / VmRSS from /proc/self/status, in KiB (0 if unavailable).
long proc_status_kib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string k = std::string(key) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(k, 0) == 0) return std::strtol(line.c_str() + k.size(), nullptr, 10);
  }
  return 0;
}

std::string load_average() {
  double l[3] = {0, 0, 0};
  if (getloadavg(l, 3) != 3) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", l[0], l[1], l[2]);
  return buf;
}

[[noreturn]] void die(const std::string& what, const Error& e) {
  std::fprintf(stderr, "campaign_bench: %s: %s (%s)\n", what.c_str(), e.message.c_str(), to_string(e.code));
  std::exit(1);
}

template <typename T>
T must(Result<T> r, const std::string& what) {
  if (!r) die(what, r.error());
  return std::move(r).value();
}

// Count rows with a separate read-only connection (the stores have no raw query API).
std::int64_t count_rows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  std::int64_t n = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return n;
}

struct Generated {
  Actor staff;
  ListId list = 0;
  int contacts = 0;
  int consents = 0;
  int dnc = 0;
  int npas = 0;
  int states = 0;
  std::vector<std::uint64_t> national_dnc;  // registry copy: 10-digit numbers
  int national_dnc_contacts = 0;
};

std::uint64_t ten_digits(const std::string& e164) { return std::strtoull(e164.c_str() + 2, nullptr, 10); }

// Deterministic population: numbers across every US geographic NPA of the table (so every state
// and territory, single- and multi-zone), stated time zone = the NPA's first candidate zone,
// stated state = the NPA's state, a line-type mix, PEWC (voice, artificial voice) for most and
// the internal DNC for some. Written through the stores, as an import would.
Generated generate(storage::Database& db, const Options& opt, TimePoint start) {
  Generated g;
  auto tenant = must(db.tenants().create_tenant(Tenant{0, "bench-tenant", "US", true, "", start}), "create_tenant");
  g.staff = Actor{1, tenant.id, Role::kOperatorStaff, "user:1"};
  auto list = must(db.contacts().create_list(ContactList{0, tenant.id, "reactivation-bench", start}), "create_list");
  g.list = list.id;

  const auto rows = geo::npa_rows();
  const auto& zone_names = geo::npa_zone_names();
  std::set<std::string> states;
  for (const auto& r : rows) states.insert(r.state);
  g.npas = static_cast<int>(rows.size());
  g.states = static_cast<int>(states.size());

  std::mt19937_64 rng(opt.seed);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  std::set<std::string> seen;
  std::vector<Contact> batch;
  std::vector<std::string> phones;
  phones.reserve(static_cast<std::size_t>(opt.contacts));
  constexpr std::size_t kBatch = 5000;
  const char* first_names[] = {"Ana", "Ben", "Carla", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "June"};
  const char* last_names[] = {"Lopez", "Smith", "Nguyen", "Patel", "Kim", "Brown", "Garcia", "Chen"};
  while (static_cast<int>(phones.size()) < opt.contacts) {
    const auto& row = rows[rng() % rows.size()];
    int exchange = 200 + static_cast<int>(rng() % 800);  // NXX: 200..999, no N11
    if (exchange % 100 == 11 || exchange == 555) continue;
    char number[16];
    std::snprintf(number, sizeof number, "+1%03d%03d%04d", static_cast<int>(row.npa), exchange,
                  static_cast<int>(rng() % 10000));
    if (!seen.insert(number).second) continue;
    Contact c;
    c.tenant_id = tenant.id;
    c.list_id = list.id;
    c.phone_e164 = number;
    c.first_name = first_names[rng() % std::size(first_names)];
    c.last_name = last_names[rng() % std::size(last_names)];
    c.timezone = std::string(zone_names[row.zone_a]);
    c.state = row.state;
    const double lt = u01(rng);
    c.line_type = lt < 0.70 ? LineType::kWireless : lt < 0.90 ? LineType::kLandline : LineType::kVoip;
    c.tags = {"reactivation"};
    c.created_at = start - std::chrono::hours(24 * 30);
    batch.push_back(std::move(c));
    phones.emplace_back(number);
    if (batch.size() == kBatch) {
      must(db.contacts().insert_batch(batch), "insert_batch");
      batch.clear();
    }
  }
  if (!batch.empty()) must(db.contacts().insert_batch(batch), "insert_batch");
  g.contacts = static_cast<int>(phones.size());

  // Consents and DNC: one transaction for the lot (the stores have no batch call).
  Status st = db.with_transaction([&]() -> Status {
    std::mt19937_64 crng(opt.seed ^ 0x9e3779b97f4a7c15ULL);
    std::uniform_real_distribution<double> cu(0.0, 1.0);
    for (const auto& phone : phones) {
      if (cu(crng) < kConsentShare) {
        ConsentRecord c;
        c.tenant_id = tenant.id;
        c.phone_e164 = phone;
        c.type = ConsentType::kPriorExpressWritten;
        c.channel = Channel::kVoice;
        c.covers_artificial_voice = true;
        c.source = "web form";
        c.evidence = "form:" + phone.substr(2);
        c.granted_at = start - std::chrono::hours(24 * (10 + static_cast<int>(crng() % 300)));
        auto r = db.compliance().add_consent(c);
        if (!r) return r.error();
        ++g.consents;
      }
      if (cu(crng) < kInternalDncShare) {
        auto r = db.compliance().add_dnc(DncEntry{0, tenant.id, phone, "press 2", "bench", start});
        if (!r) return r.error();
        ++g.dnc;
      }
    }
    return ok_status();
  });
  if (!st) die("consents/dnc", st.error());

  // National registry copy (in memory, downloaded 3 days ago): some of the list plus noise.
  std::mt19937_64 nrng(opt.seed ^ 0x5bd1e995ULL);
  std::uniform_real_distribution<double> nu(0.0, 1.0);
  for (const auto& phone : phones) {
    if (nu(nrng) < kNationalDncShare) {
      g.national_dnc.push_back(ten_digits(phone));
      ++g.national_dnc_contacts;
    }
  }
  for (int i = 0; i < kNationalDncOthers; ++i) {
    const auto& row = rows[nrng() % rows.size()];
    g.national_dnc.push_back(static_cast<std::uint64_t>(row.npa) * 10'000'000ULL + 2'000'000ULL + nrng() % 8'000'000ULL);
  }
  return g;
}

Campaign bench_campaign(ListId list) {
  Campaign c;
  c.name = "Reactivation_Bench";
  c.script = "Hi, this is an automated assistant calling about your account.";
  c.purpose = Purpose::kReactivation;
  c.voice = VoiceType::kAi;
  c.list_id = list;
  c.caller_id = kCallerId;
  // Generous pacing (the validated maximum for lines): the run measures the system, not the throttle.
  c.lines = 100;  // CampaignService caps lines at 100; min(lines, max_concurrency) = 100 in flight
  c.max_concurrency = 200;
  c.calls_per_minute = 2000;
  c.max_attempts = 3;
  c.min_spacing_minutes = 0;
  c.retry = RetryPolicy{{3, 5}, {2, 30}, {2, 60}, {2, 10}};
  return c;
}

int run(const Options& opt) {
  namespace fs = std::filesystem;
  fs::create_directories(opt.dir);
  const std::string db_path = opt.dir + "/campaign_" + std::to_string(opt.contacts) + ".db";
  const std::string ledger_path = opt.dir + "/ledger_" + std::to_string(opt.contacts) + ".log";
  for (const auto& p : {db_path, db_path + "-wal", db_path + "-shm", ledger_path, opt.dir + "/dials.journal"}) {
    fs::remove(p);
  }

  // Monday 2026-11-16 13:00 UTC (08:00 New York): the calling day opens coast to coast.
  const TimePoint start = std::chrono::sys_days{std::chrono::year{2026} / 11 / 16} + std::chrono::hours(13);
  ManualClock clock(start);
  std::printf("campaign_bench: %d contacts, seed %llu, db %s\n", opt.contacts,
              static_cast<unsigned long long>(opt.seed), db_path.c_str());
  std::printf("load average at start: %s\n", load_average().c_str());

  // --- setup: schema + data generation (not part of the measured run) ---
  const auto setup0 = WallClock::now();
  storage::sqlite::OpenOptions open_options;
  if (opt.wal_autocheckpoint >= 0) open_options.wal_autocheckpoint_pages = opt.wal_autocheckpoint;
  if (opt.cache_kib > 0) open_options.cache_size_kib = opt.cache_kib;
  auto db = must(storage::sqlite::SqliteDatabase::open(db_path, open_options), "open");
  const Generated g = generate(*db, opt, start);
  const double setup_s = seconds_since(setup0);
  std::printf("setup: %d contacts over %d NPAs / %d states+territories, %d consents, %d internal DNC, "
              "%d on national DNC (registry %zu numbers): %.2f s\n",
              g.contacts, g.npas, g.states, g.consents, g.dnc, g.national_dnc_contacts, g.national_dnc.size(), setup_s);
  const long rss_after_setup = proc_status_kib("VmRSS");

  // --- wiring (as the integration test, with the real RuleGate) ---
  const auto wire0 = WallClock::now();
  compliance::RuleGate gate;
  auto sim = must(telephony::sim::SimCarrier::create(clock, telephony::sim::SimProfile{}, opt.seed, ledger_path,
                                                       opt.ledger_sync),
                  "sim carrier");
  const dnc::SetRegistry registry(g.national_dnc, start - std::chrono::hours(72));
  dialer::FactsBuilder facts(db->compliance(), db->calls(), &registry,
                             dialer::CallerIdDirectory{{{g.staff.tenant_id, {kCallerId}}}});
  dialer::RunnerConfig runner_config;
  if (opt.refill_divisor > 0) runner_config.refill_divisor = opt.refill_divisor;
  if (opt.refill_wait_ms >= 0) runner_config.refill_max_wait = Millis(opt.refill_wait_ms);
  std::printf("runner: lines refilled in groups of capacity/%d or after %lld ms\n", runner_config.refill_divisor,
              static_cast<long long>(runner_config.refill_max_wait.count()));
  std::unique_ptr<dialer::file::FileDialJournal> journal;
  if (opt.grouped) {
    // As `outdial demo` runs it: the journal is written (no fsync, like the WAL at synchronous
    // NORMAL) before each round's dials, the store commits once per group of turns.
    journal = must(dialer::file::FileDialJournal::open(opt.dir + "/dials.journal", dialer::file::JournalSync::kNone),
                   "dial journal");
    runner_config.journal = journal.get();
    if (opt.group_turns > 0) runner_config.group_max_turns = opt.group_turns;
    std::printf("commits: grouped, up to %d turns or %d dials per commit, dial journal %s/dials.journal\n",
                runner_config.group_max_turns, runner_config.group_max_dials, opt.dir.c_str());
  } else {
    std::printf("commits: one per driver turn (no dial journal)\n");
  }
  dialer::CampaignRunner runner(*db, *sim, gate, facts, clock, runner_config);
  sim->set_sink(&runner.sink());
  if (auto r = runner.recover(); !r) die("recover", r.error());
  dialer::CampaignServiceImpl service(db->campaigns(), db->contacts(), db->calls(), db->audit(), clock);
  const Campaign draft = must(service.create(g.staff, bench_campaign(g.list)), "create campaign");
  const double wire_s = seconds_since(wire0);

  // --- measured: activation by a staff actor -> every target final ---
  const auto run0 = WallClock::now();
  const double cpu0 = cpu_seconds();
  const Campaign active = must(service.activate(g.staff, draft.id), "activate");
  // The driver runs in chunks of steps (same loop, resumable) so progress can be reported and a
  // wall budget enforced on a loaded machine.
  dialer::DriveResult r;
  for (;;) {
    constexpr std::int64_t kChunk = 20'000;
    const dialer::DriveResult part = dialer::run_until_idle(runner, sim.get(), clock, std::chrono::hours(24 * 30), kChunk);
    r.steps += part.steps;
    r.dials += part.dials;
    r.events += part.events;
    r.all_complete = part.all_complete;
    r.ended_at = part.ended_at;
    std::printf("  progress: %.1f s wall, %.1f s cpu, steps=%lld dials=%lld events=%lld virtual +%lld min\n",
                seconds_since(run0), cpu_seconds() - cpu0, static_cast<long long>(r.steps),
                static_cast<long long>(r.dials), static_cast<long long>(r.events),
                static_cast<long long>(std::chrono::duration_cast<std::chrono::minutes>(clock.now() - start).count()));
    std::fflush(stdout);
    if (part.steps < kChunk) break;  // finished (complete or idle)
    if (opt.max_wall_seconds > 0 && seconds_since(run0) > opt.max_wall_seconds) {
      std::printf("  stopped: wall budget of %.0f s exceeded\n", opt.max_wall_seconds);
      break;
    }
  }
  const double run_s = seconds_since(run0);
  const double run_cpu_s = cpu_seconds() - cpu0;

  auto p = must(service.progress(g.staff, active.id), "progress");
  sqlite3* ro = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &ro, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "campaign_bench: cannot reopen %s\n", db_path.c_str());
    return 1;
  }
  const std::int64_t events = count_rows(ro, "SELECT count(*) FROM call_events");
  const std::int64_t attempts = count_rows(ro, "SELECT count(*) FROM call_attempts");
  const std::int64_t decisions = count_rows(ro, "SELECT count(*) FROM gate_decisions");
  sqlite3_close(ro);

  const auto virtual_min = std::chrono::duration_cast<std::chrono::minutes>(clock.now() - start).count();
  const long peak_rss = proc_status_kib("VmHWM");
  const std::int64_t finished = p.targets["done"] + p.targets["exhausted"] + p.targets["blocked"];

  std::printf("status: %s (all_complete=%d), targets done=%lld exhausted=%lld blocked=%lld pending=%lld in_progress=%lld\n",
              p.status.c_str(), r.all_complete ? 1 : 0, static_cast<long long>(p.targets["done"]),
              static_cast<long long>(p.targets["exhausted"]), static_cast<long long>(p.targets["blocked"]),
              static_cast<long long>(p.targets["pending"]), static_cast<long long>(p.targets["in_progress"]));
  std::printf("blocked by rule:");
  for (const auto& [rule, n] : p.blocked_by_rule) std::printf(" %s=%lld", rule.c_str(), static_cast<long long>(n));
  std::printf("\n");
  std::printf("outcomes: connects=%lld voicemails=%lld busy=%lld no_answer=%lld failed=%lld dropped=%lld\n",
              static_cast<long long>(p.connects), static_cast<long long>(p.voicemails), static_cast<long long>(p.busy),
              static_cast<long long>(p.no_answer), static_cast<long long>(p.failed), static_cast<long long>(p.dropped));
  std::printf("driver: steps=%lld dials=%lld events delivered=%lld, virtual time %lld min (%.1f h)\n",
              static_cast<long long>(r.steps), static_cast<long long>(r.dials), static_cast<long long>(r.events),
              static_cast<long long>(virtual_min), static_cast<double>(virtual_min) / 60.0);
  std::printf("persisted: call_events=%lld call_attempts=%lld decisions=%lld (gate calls %lld)\n",
              static_cast<long long>(events), static_cast<long long>(attempts), static_cast<long long>(decisions),
              static_cast<long long>(runner.gate_calls()));
  std::printf("wiring (gate tables, carrier, create campaign): %.2f s\n", wire_s);
  std::printf("RUN (activation -> completion): %.2f s wall | %.0f events/s | %.0f attempts/s | %.0f decisions/s\n",
              run_s, static_cast<double>(events) / run_s, static_cast<double>(attempts) / run_s,
              static_cast<double>(decisions) / run_s);
  std::printf("RUN CPU time (user+sys of this process): %.2f s | %.0f events per CPU-second\n", run_cpu_s,
              static_cast<double>(events) / run_cpu_s);
  std::printf("peak RSS: %.1f MiB (RSS after setup %.1f MiB)\n", static_cast<double>(peak_rss) / 1024.0,
              static_cast<double>(rss_after_setup) / 1024.0);
  std::printf("load average at end: %s\n", load_average().c_str());
  if (opt.contacts == 100'000) {
    std::printf("target <= 20 s for 100k: %s (wall; CPU %.2f s)\n", run_s <= 20.0 ? "met" : "NOT met", run_cpu_s);
  } else {
    std::printf("target <= 20 s applies to 100k contacts (this run: %d)\n", opt.contacts);
  }

  const bool complete = r.all_complete && p.status == "completed" && finished == g.contacts && p.in_flight == 0;
  if (!complete) std::fprintf(stderr, "campaign_bench: campaign did not run to completion\n");
  return complete ? 0 : 2;
}

}  // namespace
}  // namespace outdial::bench

int main(int argc, char** argv) {
  outdial::bench::Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--contacts" && has_value) {
      opt.contacts = std::atoi(argv[++i]);
    } else if (a == "--dir" && has_value) {
      opt.dir = argv[++i];
    } else if (a == "--max-wall" && has_value) {
      opt.max_wall_seconds = std::atof(argv[++i]);
    } else if (a == "--refill-divisor" && has_value) {
      opt.refill_divisor = std::atoi(argv[++i]);
    } else if (a == "--refill-wait-ms" && has_value) {
      opt.refill_wait_ms = std::atoll(argv[++i]);
    } else if (a == "--commits" && has_value) {
      const std::string v = argv[++i];
      if (v != "group" && v != "turn") {
        std::fprintf(stderr, "--commits: expected group or turn, got %s\n", v.c_str());
        return 2;
      }
      opt.grouped = v == "group";
    } else if (a == "--group-turns" && has_value) {
      opt.group_turns = std::atoi(argv[++i]);
    } else if (a == "--ledger-sync" && has_value) {
      const std::string v = argv[++i];
      opt.ledger_sync = v == "group"   ? outdial::telephony::sim::LedgerSync::kGroup
                        : v == "every" ? outdial::telephony::sim::LedgerSync::kEveryRecord
                                       : outdial::telephony::sim::LedgerSync::kNone;
    } else if (a == "--wal-autocheckpoint" && has_value) {
      opt.wal_autocheckpoint = std::atoi(argv[++i]);
    } else if (a == "--cache-kib" && has_value) {
      opt.cache_kib = std::atoi(argv[++i]);
    } else if (a == "--heap-pages" && has_value &&
               (std::string_view(argv[i + 1]) == "huge" || std::string_view(argv[i + 1]) == "4k")) {
      opt.heap_pages = argv[++i];
    } else if (a == "--seed" && has_value) {
      opt.seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: %s [--contacts N] [--dir DIR] [--seed S] [--max-wall SECONDS] [--wal-autocheckpoint PAGES] [--cache-kib KIB] [--ledger-sync none|group|every] [--refill-divisor N] [--refill-wait-ms MS] [--commits group|turn] [--group-turns N] [--heap-pages huge|4k]\n", argv[0]);
      return 64;
    }
  }
  if (opt.contacts <= 0) return 64;
  // As `outdial` does first thing in main(); --heap-pages 4k measures the difference.
  std::printf("heap: %s\n", opt.heap_pages == "4k"
                               ? "4 KiB pages (--heap-pages 4k)"
                               : std::string(outdial::heap::describe(outdial::heap::back_heap_with_huge_pages())).c_str());
  return outdial::bench::run(opt);
}
