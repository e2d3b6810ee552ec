// Smoke tests of the built `outdial` binary: demo, check, import and bad usage, each as a
// subprocess with a bounded run time.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <regex>

#include "e2e/e2e_support.hpp"

namespace outdial::e2e {
namespace {

const std::string kBin = OUTDIAL_BIN;
const std::string kRoot = OUTDIAL_REPO_ROOT;

class E2eCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("cli");
    ASSERT_FALSE(dir_.empty());
    db_ = dir_ + "/outdial.db";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RunResult outdial(std::vector<std::string> args, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    args.insert(args.begin(), kBin);
    return run(args, dir_, limit);
  }
  std::string dir_, db_;
};

TEST_F(E2eCli, DemoRunsToCompletionAndPrintsTheFinalReport) {
  auto r = outdial({"--db", db_, "--log-level", "warn", "demo", "--wall-ms", "0", "--port", "0", "--contacts",
                    kRoot + "/examples/sample_contacts.csv", "--registry-dir", kRoot + "/examples/dnc-registry"},
                   std::chrono::seconds(45));
  ASSERT_FALSE(r.timed_out) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Final report"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("completed"), std::string::npos) << r.out;
  // The refused start by the client viewer is shown, not allowed.
  EXPECT_NE(r.out.find("client viewer tries to start it"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("ALLOWED (unexpected)"), std::string::npos) << r.out;
  // Import issues are listed with their row numbers.
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(row +[0-9]+ REJECTED)"))) << r.out;
  // The carrier made exactly as many dials as the report counts attempts.
  std::smatch attempts, dials;
  ASSERT_TRUE(std::regex_search(r.out, attempts, std::regex(R"(\n  attempts +([0-9]+)\n)"))) << r.out;
  ASSERT_TRUE(std::regex_search(r.out, dials, std::regex(R"(simulated carrier dials: ([0-9]+))"))) << r.out;
  EXPECT_EQ(attempts[1], dials[1]) << r.out;
  EXPECT_GT(std::stoi(attempts[1]), 0);
}

// kill -9 in the middle of `outdial import`, then the same command again: what was committed
// before the kill is intact (integrity check) and whole, the second run stores the rest, and every
// row of the file is in the list exactly once.
TEST_F(E2eCli, ImportKilledMidwayAndRunAgainStoresEveryRowOnce) {
  ASSERT_EQ(outdial({"--db", db_, "tenant", "create", "--name", "Acme Dental"}).exit_code, 0);
  constexpr long kRows = 200000;
  std::string text = "phone,first_name\n";
  for (long i = 0; i < kRows; ++i)
    text += "646" + std::to_string(3000000 + i) + ",C" + std::to_string(i) + "\n";
  const std::string csv = dir_ + "/big.csv";
  write_file(csv, text);
  // One reading of the database from outside, as another process would do it.
  auto query = [&](const char* sql) -> std::string {
    sqlite3* db = nullptr;
    std::string out = "(error)";
    if (sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 2000);
      sqlite3_stmt* s = nullptr;
      if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(s, 0);
        out = t != nullptr ? reinterpret_cast<const char*>(t) : "";
      }
      sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
  };
  auto contacts = [&] {
    const std::string n = query("SELECT COUNT(*) FROM contacts");
    return n == "(error)" ? -1L : std::stol(n);
  };
  const std::vector<std::string> import{kBin,       "--db", db_,      "--log-level", "warn",   "import",
                                        "--tenant", "1",    "--list", "Past",        "--json", csv};
  {
    Child first(import, dir_ + "/first.out", dir_ + "/first.err");
    ASSERT_TRUE(first.started());
    // Killed as soon as some batches are in, long before the last one.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline && first.running() && contacts() < 20000) {
      first.wait_for(std::chrono::milliseconds(1));
    }
    first.send(SIGKILL);
    ASSERT_TRUE(first.wait_for(std::chrono::seconds(10)));
    ASSERT_TRUE(first.signaled()) << "the import ended before it could be killed: " << first.out();
  }
  EXPECT_EQ(query("PRAGMA integrity_check"), "ok");
  const long kept = contacts();
  EXPECT_GE(kept, 20000);
  EXPECT_LT(kept, kRows);
  // Whole rows only, in file order: the committed contacts are exactly the file's first rows.
  EXPECT_EQ(query("SELECT COUNT(*) FROM contacts WHERE first_name = 'C' || (id - 1)"), std::to_string(kept));
  // The killed load had deferred its number keys (migration 17): none written, the list marked.
  EXPECT_EQ(query("SELECT COUNT(*) FROM contact_numbers"), "0");
  EXPECT_EQ(query("SELECT numbers_pending_from FROM contact_lists"), "1");

  auto again = outdial(
      {"--db", db_, "--log-level", "warn", "import", "--tenant", "1", "--list", "Past", "--json", csv},
      std::chrono::seconds(120));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto report = json::parse(again.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << again.out.substr(0, 2000);
  EXPECT_EQ(report["rows"], kRows);
  EXPECT_EQ(report["inserted"], kRows - kept);
  EXPECT_EQ(report["duplicates"], kept);  // the rows the first run committed: already in the list
  EXPECT_EQ(contacts(), kRows);
  EXPECT_EQ(query("SELECT COUNT(DISTINCT phone_e164) FROM contacts"), std::to_string(kRows));
  EXPECT_EQ(query("PRAGMA integrity_check"), "ok");
  // Every contact has its number key, both runs' (the second completed the first's), none pending.
  EXPECT_EQ(query("SELECT COUNT(*) FROM contacts c JOIN contact_numbers n ON n.contact_id = c.id"
                  " AND n.list_id = c.list_id AND n.phone_key = CAST(substr(c.phone_e164, 2) AS INTEGER)"),
            std::to_string(kRows));
  EXPECT_EQ(query("SELECT COUNT(*) FROM contact_numbers"), std::to_string(kRows));
  EXPECT_EQ(query("SELECT COUNT(*) FROM contact_lists WHERE numbers_pending_from IS NOT NULL"), "0");
}

TEST_F(E2eCli, CheckPrintsTheDecision) {
  const std::string file = dir_ + "/attempt.json";
  write_file(file, R"({"phone": "+12127363101", "stated_state": "NY", "stated_timezone": "America/New_York",
    "at": "2026-11-25T02:30:00Z", "purpose": "informational", "voice": "human", "autodialed": false,
    "line_type": "landline", "caller_id": "+12127360000", "caller_id_owned": true})");
  auto r = outdial({"check", "--file", file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["decision"], "defer") << r.out;
  EXPECT_EQ(j["rule"], "FED-TIME") << r.out;
  EXPECT_EQ(j["allowed_at"], "2026-11-25T13:00:00.000Z") << r.out;

  // A schema error is exit 1 with the field named.
  write_file(file, R"({"phone": "+12127363101", "at": "2026-11-25T02:30:00Z", "voice": "robot"})");
  auto bad = outdial({"check", "--file", file});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("voice"), std::string::npos) << bad.err;
  // Not JSON at all.
  write_file(file, "{nope");
  auto garbage = outdial({"check", "--file", file});
  EXPECT_EQ(garbage.exit_code, 1) << garbage.err;
  EXPECT_NE(garbage.err.find("not valid JSON"), std::string::npos) << garbage.err;
}

TEST_F(E2eCli, ImportReportsBadRowsWithTheirRowNumbers) {
  auto t = outdial({"--db", db_, "tenant", "create", "--name", "Acme Dental"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("tenant 1 \"Acme Dental\" created"), std::string::npos) << t.out;

  const std::string csv = dir_ + "/contacts.csv";
  write_file(csv,
             "phone,first_name\n"
             "(212) 736-3101,Ann\n"
             "212-736-3102,Bob\n"
             "call me maybe,Zed\n"
             "2127363104,Dee\n");
  // Validate only: reported, nothing written.
  auto v = outdial({"--db", db_, "import", "--tenant", "1", "--list", "Past", "--validate-only", csv});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("validate only: nothing written"), std::string::npos) << v.out;
  EXPECT_TRUE(std::regex_search(v.out, std::regex(R"(row +3 REJECTED +phone +"call me maybe")"))) << v.out;

  auto r = outdial({"--db", db_, "import", "--tenant", "1", "--list", "Past", csv});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Imported 4 rows into list 1: 3 inserted, 1 rejected"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(row +3 REJECTED +phone +"call me maybe")"))) << r.out;

  // --json: the full report, row and line numbers included. Re-importing finds duplicates.
  auto j = outdial({"--db", db_, "import", "--tenant", "1", "--list", "Past", "--json", csv});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto report = json::parse(j.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << j.out;
  EXPECT_EQ(report["rows"], 4);
  EXPECT_EQ(report["inserted"], 0);
  EXPECT_EQ(report["duplicates"], 3);
  bool row3 = false;
  for (const auto& issue : report["issues"]) {
    if (issue["row"] == 3 && issue["rejected"] == true) {
      row3 = true;
      EXPECT_EQ(issue["line"], 4);
      EXPECT_EQ(issue["raw"], "call me maybe");
    }
  }
  EXPECT_TRUE(row3) << j.out;

  // Importing into a tenant that does not exist fails cleanly.
  auto missing = outdial({"--db", db_, "import", "--tenant", "99", csv});
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
  EXPECT_NE(missing.err.find("outdial: "), std::string::npos) << missing.err;
}

TEST_F(E2eCli, BadUsageExitsNonZeroWithAMessage) {
  auto none = outdial({});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_FALSE((none.out + none.err).empty());

  auto unknown = outdial({"frobnicate"});
  EXPECT_NE(unknown.exit_code, 0);
  // CLI11 checks the required subcommand before extras, so the message does not name the word.
  EXPECT_NE((unknown.out + unknown.err).find("subcommand"), std::string::npos) << unknown.out << unknown.err;

  auto missing_flag = outdial({"--db", db_, "import", "x.csv"});  // --tenant is required
  EXPECT_NE(missing_flag.exit_code, 0);
  EXPECT_NE((missing_flag.out + missing_flag.err).find("--tenant"), std::string::npos) << missing_flag.err;

  auto bad_role = outdial({"--db", db_, "user", "create", "--tenant", "1", "--email", "a@b.test", "--role", "king"});
  EXPECT_EQ(bad_role.exit_code, 1);
  EXPECT_NE(bad_role.err.find("unknown role \"king\""), std::string::npos) << bad_role.err;

  ASSERT_EQ(outdial({"--db", db_, "tenant", "create", "--name", "T"}).exit_code, 0);
  auto no_user = outdial({"--db", db_, "campaign", "start", "--tenant", "1", "--id", "1"});
  EXPECT_EQ(no_user.exit_code, 1);
  EXPECT_NE(no_user.err.find("needs --user"), std::string::npos) << no_user.err;

  auto bad_date = outdial({"dnc", "load", "--dir", dir_, "--date", "yesterday", "--out", dir_ + "/x.idx"});
  EXPECT_EQ(bad_date.exit_code, 1);
  EXPECT_NE(bad_date.err.find("--date must be YYYY-MM-DD"), std::string::npos) << bad_date.err;

  auto no_file = outdial({"check", "--file", dir_ + "/does-not-exist.json"});
  EXPECT_EQ(no_file.exit_code, 1);
  EXPECT_NE(no_file.err.find("cannot open"), std::string::npos) << no_file.err;

  auto help = outdial({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("serve"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace outdial::e2e
