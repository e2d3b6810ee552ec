// kill -9 of the real `outdial serve` process, several times while it dials, then restart it
// until the campaign completes. Set-up uses the CLI subcommands on the same database; progress
// is observed over HTTP; the end state is checked in the database and in the simulated
// carrier's ledger (<db>.sim-ledger): no idempotency key dialed twice, no attempt left open.
#include <gtest/gtest.h>

#include <ctime>
#include <regex>
#include <set>

#include "e2e/e2e_support.hpp"
#include "outdial/app/context.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/sim/call_plan.hpp"
#include "outdial/telephony/sim/sim_ledger.hpp"

namespace outdial::e2e {
namespace {

const std::string kBin = OUTDIAL_BIN;
constexpr const char* kCallerId = "+12127360000";
constexpr int kContacts = 30;
constexpr const char* kSpeed = "10000";  // virtual seconds per wall second
constexpr std::uint64_t kSimSeed = 42;

// The contacts' region: one whose calling window (08:00-21:00 local) is open at the current wall
// time when possible, so the accelerated clock does not first have to run through the night. Only
// the run time depends on this; the assertions do not.
struct Region {
  std::string area, state, zone;
};
// OUTDIAL_E2E_REGION=NY|HI forces one (to exercise the closed-window path by hand).
Region pick_region() {
  const Region ny{"212", "NY", "America/New_York"}, hi{"808", "HI", "Pacific/Honolulu"};
  if (const char* forced = std::getenv("OUTDIAL_E2E_REGION"); forced != nullptr) {
    return std::string(forced) == "HI" ? hi : ny;
  }
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const int ny_hour = (utc.tm_hour + 24 - 5) % 24;   // EST (close enough in summer: 1 h of margin)
  const int hi_hour = (utc.tm_hour + 24 - 10) % 24;  // HST, no DST
  if (ny_hour >= 8 && ny_hour < 19) return ny;
  if (hi_hour >= 8 && hi_hour < 19) return hi;
  return ny;
}

std::string today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &utc);
  return buf;
}

class E2eRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("restart");
    ASSERT_FALSE(dir_.empty());
    db_ = dir_ + "/outdial.db";
  }
  void TearDown() override {
    if (!HasFailure()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    } else {
      std::cerr << "kept " << dir_ << " for inspection\n";
    }
  }

  RunResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {kBin, "--db", db_, "--log-level", "warn"});
    return run(args, dir_, std::chrono::seconds(20));
  }

  // Starts `outdial serve`; returns the port it printed (0 on failure or after 10 s).
  std::uint16_t start_serve(std::unique_ptr<Child>& child, int run) {
    const std::string base = dir_ + "/serve" + std::to_string(run);
    child = std::make_unique<Child>(
        std::vector<std::string>{kBin, "--db", db_, "--log-level", "warn", "--dnc-index", registry_, "serve",
                                 "--port", "0", "--speed", kSpeed, "--caller-id", kCallerId,
                                 "--sim-seed", std::to_string(kSimSeed)},
        base + ".out", base + ".err");
    const std::regex serving(R"(outdial serving on http://127\.0\.0\.1:([0-9]+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      const std::string out = child->out();
      if (std::regex_search(out, m, serving)) return static_cast<std::uint16_t>(std::stoi(m[1]));
      if (child->wait_for(std::chrono::milliseconds(0))) break;  // exited early
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "serve did not report its port; stderr:\n" << child->err();
    return 0;
  }

  json progress(std::uint16_t port) {
    auto r = http(port, "GET", "/api/campaigns/1/progress", viewer_key_);
    return r.status == 200 ? r.body : json();
  }

  std::string dir_, db_, registry_, staff_key_, viewer_key_;
};

TEST_F(E2eRestart, KillNineWhileDialingThenRestartUntilComplete) {
  const auto test_start = std::chrono::steady_clock::now();
  const Region region = pick_region();

  // --- Set-up through the CLI on the same database. ---
  const std::string reg_dir = dir_ + "/registry";
  std::filesystem::create_directories(reg_dir);
  write_file(reg_dir + "/" + region.area + ".txt", region.area + "7369999\n" + region.area + "7369998\n");
  registry_ = dir_ + "/registry.idx";
  auto load = cli({"dnc", "load", "--dir", reg_dir, "--date", today_utc(), "--out", registry_});
  ASSERT_EQ(load.exit_code, 0) << load.out << load.err;

  ASSERT_EQ(cli({"tenant", "create", "--name", "Acme Dental"}).exit_code, 0);
  const std::regex key_re(R"(API key \(shown once, store it now\): (od_[0-9a-f]{48}))");
  std::smatch m;
  auto staff = cli({"user", "create", "--tenant", "1", "--email", "staff@acme.test", "--role", "operator_staff"});
  ASSERT_EQ(staff.exit_code, 0) << staff.err;
  ASSERT_TRUE(std::regex_search(staff.out, m, key_re)) << staff.out;
  staff_key_ = m[1];
  auto viewer = cli({"user", "create", "--tenant", "1", "--email", "owner@client.test", "--role", "client_viewer"});
  ASSERT_EQ(viewer.exit_code, 0) << viewer.err;
  ASSERT_TRUE(std::regex_search(viewer.out, m, key_re)) << viewer.out;
  viewer_key_ = m[1];

  std::string csv = "phone,first_name,state,timezone\n";
  std::vector<std::string> phones;
  for (int i = 0; i < kContacts; ++i) {
    const std::string local = "736" + std::to_string(3100 + i);
    phones.push_back("+1" + region.area + local);
    csv += "(" + region.area + ") " + local.substr(0, 3) + "-" + local.substr(3) + ",Contact" + std::to_string(i) +
           "," + region.state + "," + region.zone + "\n";
  }
  csv += "not-a-phone,Broken," + region.state + "," + region.zone + "\n";
  write_file(dir_ + "/contacts.csv", csv);
  auto imported = cli({"import", "--tenant", "1", "--list", "Past patients", dir_ + "/contacts.csv"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  ASSERT_NE(imported.out.find(std::to_string(kContacts) + " inserted, 1 rejected"), std::string::npos)
      << imported.out;
  EXPECT_TRUE(std::regex_search(imported.out, std::regex("row +" + std::to_string(kContacts + 1) + " REJECTED")))
      << imported.out;

  // There is no CLI for consents: record written consent through the store, as POST /api/consents does.
  {
    app::Config cfg;
    cfg.db_path = db_;
    auto db = app::open_database(cfg);
    ASSERT_TRUE(db.ok()) << db.error().message;
    TimePoint granted{};
    ASSERT_TRUE(parse_iso8601("2026-01-02T03:04:05Z", granted));
    for (const auto& p : phones) {
      ConsentRecord c;
      c.tenant_id = 1;
      c.phone_e164 = p;
      c.type = ConsentType::kPriorExpressWritten;
      c.channel = Channel::kVoice;
      c.source = "web form";
      c.granted_at = granted;
      ASSERT_TRUE(db.value()->compliance().add_consent(c).ok());
    }
  }

  const json campaign = {{"name", "Reactivation_Nov2026_AcmeDental"},
                         {"script", "Hi, this is Acme Dental."},
                         {"purpose", "reactivation"},
                         {"voice", "human"},
                         {"list_id", 1},
                         {"caller_id", kCallerId},
                         {"agent_number", "+12127360001"},
                         {"lines", 2},
                         {"max_concurrency", 2},
                         {"calls_per_minute", 6},
                         {"max_attempts", 3},
                         {"min_spacing_minutes", 0},
                         {"retry",
                          {{"busy", {{"max_attempts", 3}, {"backoff_minutes", 3}}},
                           {"no_answer", {{"max_attempts", 3}, {"backoff_minutes", 5}}},
                           {"machine", {{"max_attempts", 2}, {"backoff_minutes", 5}}},
                           {"failed", {{"max_attempts", 2}, {"backoff_minutes", 3}}}}}};
  write_file(dir_ + "/campaign.json", campaign.dump());
  auto created = cli({"campaign", "create", "--tenant", "1", "--file", dir_ + "/campaign.json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto viewer_start = cli({"campaign", "start", "--tenant", "1", "--id", "1", "--user", "2"});
  EXPECT_EQ(viewer_start.exit_code, 1) << viewer_start.out;  // a client viewer may not start it
  auto started = cli({"campaign", "start", "--tenant", "1", "--id", "1", "--user", "1"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_NE(started.out.find("campaign 1 is active"), std::string::npos) << started.out;

  // --- Serve, kill -9 at increasing attempt counts, restart. ---
  // -1: kill 20 ms after the port is printed, i.e. during start-up recovery of the calls the
  // previous process left in flight.
  const std::vector<std::int64_t> kill_after = {1, 6, -1, 14, 22, 30};
  std::vector<std::int64_t> killed_at;
  bool completed = false;
  int run_no = 0;
  for (const std::int64_t k : kill_after) {
    std::unique_ptr<Child> serve;
    const std::uint16_t port = start_serve(serve, run_no++);
    ASSERT_NE(port, 0);
    if (k < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ASSERT_TRUE(serve->running()) << "serve died: " << serve->err();
      serve->send(SIGKILL);
      ASSERT_TRUE(serve->wait_for(std::chrono::seconds(10)));
      EXPECT_EQ(serve->signal(), SIGKILL);
      continue;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(12);
    std::int64_t seen = -1;
    while (std::chrono::steady_clock::now() < deadline) {
      const json p = progress(port);
      if (p.is_object()) {
        seen = p.value("attempts", std::int64_t{-1});
        if (p.value("status", "") == "completed") {
          completed = true;
          break;
        }
        if (seen > k) break;
      }
      ASSERT_TRUE(serve->running()) << "serve died: " << serve->err();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    serve->send(SIGKILL);
    ASSERT_TRUE(serve->wait_for(std::chrono::seconds(10)));
    ASSERT_TRUE(completed || seen > k) << "no progress past " << k << " attempts in 12 s (saw " << seen
                                       << "); stderr:\n"
                                       << serve->err();
    if (completed) break;
    EXPECT_TRUE(serve->signaled());
    EXPECT_EQ(serve->signal(), SIGKILL);
    killed_at.push_back(seen);
  }
  EXPECT_GE(killed_at.size(), 3U) << "the campaign finished before the process was killed three times";

  // Last run: to completion, then a graceful SIGTERM.
  {
    std::unique_ptr<Child> serve;
    const std::uint16_t port = start_serve(serve, run_no++);
    ASSERT_NE(port, 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
    json p;
    while (!completed && std::chrono::steady_clock::now() < deadline) {
      p = progress(port);
      if (p.is_object() && p.value("status", "") == "completed") completed = true;
      if (!completed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    p = progress(port);
    ASSERT_TRUE(completed) << "campaign not completed after restarts: " << p.dump() << "\n" << serve->err();
    EXPECT_EQ(p["status"], "completed");
    EXPECT_EQ(p["contacts"], kContacts);
    EXPECT_EQ(p["in_flight"], 0) << p.dump();
    EXPECT_EQ(p["attempts"].get<std::int64_t>(),
              p["connects"].get<std::int64_t>() + p["voicemails"].get<std::int64_t>() +
                  p["busy"].get<std::int64_t>() + p["no_answer"].get<std::int64_t>() +
                  p["failed"].get<std::int64_t>() + p["dropped"].get<std::int64_t>())
        << p.dump();
    serve->send(SIGTERM);
    ASSERT_TRUE(serve->wait_for(std::chrono::seconds(10))) << "serve ignored SIGTERM";
    EXPECT_FALSE(serve->signaled());
    EXPECT_EQ(serve->exit_code(), 0) << serve->err();
  }

  // --- The end state. ---
  auto db = storage::sqlite::SqliteDatabase::open(db_);
  ASSERT_TRUE(db.ok());
  auto c = (*db)->campaigns().get_campaign_any(1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->status, CampaignStatus::kCompleted);
  auto targets = (*db)->campaigns().list_targets(1, 0, 1000);
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(static_cast<int>(targets->size()), kContacts);
  for (const auto& t : *targets) {
    EXPECT_TRUE(t.status == TargetStatus::kDone || t.status == TargetStatus::kExhausted)
        << "contact " << t.contact_id << " left " << to_string(t.status);
  }

  auto ledger = telephony::sim::SimLedger::open(db_ + ".sim-ledger");
  ASSERT_TRUE(ledger.ok());
  std::set<std::string> dialed;
  std::map<std::string, const telephony::sim::LedgerCall*> by_key;
  for (const auto& l : ledger->calls()) {
    EXPECT_TRUE(dialed.insert(l.idempotency_key).second) << "dialed twice: " << l.idempotency_key;
    by_key.emplace(l.idempotency_key, &l);
  }
  auto attempts = (*db)->calls().list_attempts(1, 1, 0, 100000);
  ASSERT_TRUE(attempts.ok());
  ASSERT_FALSE(attempts->empty());
  std::set<std::string> keys;
  std::map<ContactId, int> per_contact;
  for (const auto& a : *attempts) {
    EXPECT_TRUE(keys.insert(a.idempotency_key).second) << "two attempt rows for " << a.idempotency_key;
    EXPECT_TRUE(is_terminal(a.state)) << a.idempotency_key << " left " << to_string(a.state);
    if (a.dialed_at) {
      EXPECT_EQ(dialed.count(a.idempotency_key), 1U) << "dialed attempt missing from the ledger: " << a.idempotency_key;
    }
    // No outcome lost across the kills: the row ends in the state the carrier's plan produced.
    if (auto it = by_key.find(a.idempotency_key); it != by_key.end()) {
      const auto plan = telephony::sim::plan_call(telephony::sim::SimProfile{}, kSimSeed, it->second->to,
                                                  a.attempt_number, it->second->ring_timeout_seconds);
      ASSERT_FALSE(plan.empty());
      EXPECT_EQ(a.state, state_for(plan.back().kind).value_or(CallState::kQueued))
          << "outcome lost for " << a.idempotency_key << ": " << to_string(a.state);
    }
    per_contact[a.contact_id] = std::max(per_contact[a.contact_id], a.attempt_number);
  }
  for (const auto& key : dialed) EXPECT_EQ(keys.count(key), 1U) << "a carrier call without an attempt row: " << key;
  for (const auto& [contact, n] : per_contact) EXPECT_LE(n, 3) << "contact " << contact << " over max_attempts";
  EXPECT_EQ(static_cast<int>(per_contact.size()), kContacts);

  const auto elapsed = std::chrono::steady_clock::now() - test_start;
  EXPECT_LT(elapsed, std::chrono::seconds(60));
  std::cerr << "killed at attempts:";
  for (auto k : killed_at) std::cerr << " " << k;
  std::cerr << "; " << attempts->size() << " attempts, " << dialed.size() << " carrier dials, "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms, region "
            << region.state << "\n";
}

}  // namespace
}  // namespace outdial::e2e
