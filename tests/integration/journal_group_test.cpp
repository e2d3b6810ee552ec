// Grouped commits with a dial journal (CampaignRunner::group) on a real SQLite file: no dial
// reaches the carrier before its attempt is durable (committed, or in the journal), the run ends
// exactly as an ungrouped one, and a failed group commit loses no dial and dials nothing twice.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "integration/campaign_setup.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/pacer_directory.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"
#include "testing/fake_gate.hpp"

namespace outdial {
namespace {

std::string temp_db() {
  char buf[] = "/tmp/outdial_journal_XXXXXX";
  int fd = mkstemp(buf);
  close(fd);
  return buf;
}

// The journal as the runner sees it, kept in memory (the file driver has its own tests).
class MemoryJournal final : public dialer::DialJournal {
 public:
  Status append(const std::vector<dialer::JournaledDial>& dials) override {
    if (fail_appends) return make_error(ErrorCode::kUnavailable, "injected: journal disk full");
    for (const auto& d : dials) records.push_back(d);
    appended += static_cast<int>(dials.size());
    return ok_status();
  }
  Result<std::vector<dialer::JournaledDial>> read() override {
    if (fail_reads > 0) {
      --fail_reads;
      return make_error(ErrorCode::kUnavailable, "injected: journal unreadable");
    }
    return records;
  }
  int fail_reads = 0;
  Status clear() override {
    records.clear();
    ++clears;
    return ok_status();
  }
  bool holds(AttemptId id) const {
    for (const auto& r : records) {
      if (r.attempt.id == id) return true;
    }
    return false;
  }
  std::vector<dialer::JournaledDial> records;
  int appended = 0;
  int clears = 0;
  bool fail_appends = false;
};

// Forwards to the SQLite database; can make one outermost transaction that ran a group (many
// nested batches) fail, which rolls back everything in it as a failed COMMIT would.
class FailingDatabase final : public storage::Database {
 public:
  explicit FailingDatabase(storage::Database& inner) : inner_(inner) {}
  Status migrate() override { return inner_.migrate(); }
  int schema_version() override { return inner_.schema_version(); }
  storage::TenantStore& tenants() override { return inner_.tenants(); }
  storage::ContactStore& contacts() override { return inner_.contacts(); }
  storage::ComplianceStore& compliance() override { return inner_.compliance(); }
  storage::CampaignStore& campaigns() override { return inner_.campaigns(); }
  storage::CallStore& calls() override { return inner_.calls(); }
  storage::AuditStore& audit() override { return inner_.audit(); }
  Status with_transaction(const std::function<Status()>& fn) override {
    if (depth_ > 0) {
      ++nested_;
      ++depth_;
      Status st = inner_.with_transaction(fn);
      --depth_;
      return st;
    }
    if (fail_begins) return make_error(ErrorCode::kUnavailable, "injected: database is locked (BEGIN)");
    ++depth_;
    nested_ = 0;
    Status st = inner_.with_transaction([&]() -> Status {
      Status r = fn();
      if (!r) return r;
      if (fail_group_commits > 0 && nested_ >= min_nested && ++groups_seen > skip_groups) {
        --fail_group_commits;
        ++failed;
        if (on_fail) on_fail();
        return make_error(ErrorCode::kUnavailable, "injected: disk I/O error at COMMIT");
      }
      return r;
    });
    --depth_;
    return st;
  }
  int fail_group_commits = 0;
  int failed = 0;
  std::function<void()> on_fail;
  bool fail_begins = false;
  int min_nested = 10;
  int skip_groups = 0;
  int groups_seen = 0;

 private:
  storage::Database& inner_;
  int depth_ = 0;
  int nested_ = 0;
};

// The carrier, asked to dial: is the attempt durable? Committed (a second connection sees it)
// or journaled. Counts each kind.
class CheckingProvider final : public telephony::Provider {
 public:
  CheckingProvider(telephony::Provider& inner, storage::Database& committed, const MemoryJournal* journal)
      : inner_(inner), committed_(committed), journal_(journal) {}
  std::string name() const override { return inner_.name(); }
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest& r) override {
    if (committed_.calls().get_attempt(r.attempt_id)) {
      ++committed_dials;
    } else if (journal_ != nullptr && journal_->holds(r.attempt_id)) {
      ++journaled_dials;
    } else {
      ++undurable_dials;
    }
    if (++per_key[r.idempotency_key] > 1) ++repeated_place_calls;
    return inner_.place_call(r);
  }
  std::map<std::string, int> per_key;
  int repeated_place_calls = 0;
  Status hangup(const std::string& id) override { return inner_.hangup(id); }
  Result<std::string> send_sms(const telephony::SmsRequest& r) override { return inner_.send_sms(r); }
  Result<std::optional<std::string>> find_call(const telephony::CallLookup& k) override { return inner_.find_call(k); }
  Status reconcile(const std::string& id) override { return inner_.reconcile(id); }
  int committed_dials = 0;
  int journaled_dials = 0;
  int undurable_dials = 0;

 private:
  telephony::Provider& inner_;
  storage::Database& committed_;
  const MemoryJournal* journal_;
};

struct Outcome {
  bool complete = false;
  std::map<std::string, std::int64_t> by_state;
  std::int64_t ledger_calls = 0;
  std::int64_t attempts = 0;
  int committed_dials = 0;
  int journaled_dials = 0;
  int undurable_dials = 0;
  int repeated_place_calls = 0;  // place_call of a key the runner had already sent
  int failed_commits = 0;
};

// One whole campaign (contacts, 8 lines) in virtual time; journal null = ungrouped.
Outcome run_campaign(int contacts, MemoryJournal* journal, int fail_group_commits = 0,
                     int fail_reads_after_fail = 0,
                     const std::function<void(dialer::RunnerConfig&)>& tweak = nullptr) {
  Outcome out;
  const std::string path = temp_db();
  auto db = storage::sqlite::SqliteDatabase::open(path);
  EXPECT_TRUE(db);
  if (!db) return out;
  auto reader = storage::sqlite::SqliteDatabase::open(path);
  EXPECT_TRUE(reader);
  if (!reader) return out;
  ManualClock clock(itest::kStart);
  Actor staff;
  const CampaignId id = itest::setup_campaign(**db, clock, contacts, staff);
  EXPECT_NE(id, 0);
  Campaign c = *(*db)->campaigns().get_campaign_any(id);
  c.max_concurrency = 8;
  c.lines = 8;
  c.calls_per_minute = 60;
  EXPECT_TRUE((*db)->campaigns().update_campaign(c));
  auto sim = telephony::sim::SimCarrier::create(clock, itest::crash_profile(), itest::kSimSeed, "");
  EXPECT_TRUE(sim);
  if (!sim) return out;
  FailingDatabase fdb(**db);
  fdb.fail_group_commits = fail_group_commits;
  CheckingProvider provider(**sim, **reader, journal);
  testing::FakeGate gate;
  dialer::FactsBuilder facts(fdb.compliance(), fdb.calls(), fdb.campaigns(), nullptr,
                             dialer::CallerIdDirectory{{{staff.tenant_id, {itest::kCallerId}}}});
  dialer::RunnerConfig config;
  config.journal = journal;
  config.group_max_turns = 40;
  if (tweak) tweak(config);
  dialer::CampaignRunner runner(fdb, provider, gate, facts, clock, config);
  (*sim)->set_sink(&runner.sink());
  EXPECT_TRUE(runner.recover());
  if (journal != nullptr) fdb.on_fail = [&] { journal->fail_reads = fail_reads_after_fail; };
  // A run that stops early (the journal could not be put back yet: no dials meanwhile) is
  // driven again, as a restarted process would be.
  for (int i = 0; i < 60 && !out.complete; ++i) out.complete = dialer::run_until_idle(runner, sim->get(), clock).all_complete;
  out.by_state = *(*db)->calls().count_by_state(id);
  for (const auto& [state, n] : out.by_state) out.attempts += n;
  // One carrier call per key, and each has its attempt row.
  std::set<std::string> keys;
  for (const auto& l : (*sim)->ledger_calls()) {
    EXPECT_TRUE(keys.insert(l.idempotency_key).second) << "dialed twice: " << l.idempotency_key;
  }
  out.ledger_calls = static_cast<std::int64_t>(keys.size());
  auto live = (*db)->calls().live_attempts(id);
  EXPECT_TRUE(live && live->empty());
  out.committed_dials = provider.committed_dials;
  out.journaled_dials = provider.journaled_dials;
  out.undurable_dials = provider.undurable_dials;
  out.repeated_place_calls = provider.repeated_place_calls;
  out.failed_commits = fdb.failed;
  std::remove(path.c_str());
  return out;
}

TEST(JournalGroup, NoDialBeforeItsAttemptIsDurableAndTheRunEndsAsAnUngroupedOne) {
  const Outcome plain = run_campaign(120, nullptr);
  MemoryJournal journal;
  const Outcome grouped = run_campaign(120, &journal);
  ASSERT_TRUE(plain.complete);
  ASSERT_TRUE(grouped.complete);
  // Ungrouped: every dial's attempt was committed first.
  EXPECT_EQ(plain.undurable_dials, 0);
  EXPECT_EQ(plain.journaled_dials, 0);
  // Grouped: most dials' attempts were only journaled (the group had not committed), none neither.
  EXPECT_EQ(grouped.undurable_dials, 0);
  EXPECT_EQ(grouped.repeated_place_calls, 0);
  EXPECT_GT(grouped.journaled_dials, grouped.committed_dials);
  EXPECT_EQ(journal.appended, grouped.journaled_dials + grouped.committed_dials);
  EXPECT_GT(journal.clears, 1);
  EXPECT_TRUE(journal.records.empty());  // cleared after the last group committed
  // The same calls, the same outcomes.
  EXPECT_EQ(grouped.by_state, plain.by_state);
  EXPECT_EQ(grouped.attempts, plain.attempts);
  EXPECT_EQ(grouped.ledger_calls, grouped.attempts);
}

TEST(JournalGroup, AGroupEndsOnceItHasHeldTheWriteLockForItsMaximumHold) {
  const Outcome plain = run_campaign(120, nullptr);
  MemoryJournal unbounded;
  const Outcome long_groups = run_campaign(120, &unbounded);
  // Every reading of the real-time clock sees 100 ms more: a group is closed after 250 ms, i.e.
  // at the third look, long before its 40 turns.
  MemoryJournal bounded;
  std::int64_t reads = 0;
  const Outcome short_groups = run_campaign(120, &bounded, 0, 0, [&](dialer::RunnerConfig& config) {
    config.group_max_hold = Millis(250);
    config.monotonic = [&reads] {
      return std::chrono::steady_clock::time_point(std::chrono::milliseconds(100 * ++reads));
    };
  });
  ASSERT_TRUE(long_groups.complete);
  ASSERT_TRUE(short_groups.complete);
  EXPECT_GT(reads, 0);
  EXPECT_GE(bounded.clears, 3 * unbounded.clears);  // a commit every few turns instead of every 40
  EXPECT_EQ(short_groups.undurable_dials, 0);
  EXPECT_EQ(short_groups.repeated_place_calls, 0);
  EXPECT_EQ(short_groups.by_state, plain.by_state);
  EXPECT_EQ(short_groups.attempts, plain.attempts);
}

TEST(JournalGroup, AFailedGroupCommitPutsEveryJournaledDialBackAndDialsNothingTwice) {
  const Outcome plain = run_campaign(120, nullptr);
  MemoryJournal journal;
  const Outcome failed = run_campaign(120, &journal, 3);
  ASSERT_TRUE(failed.complete);
  EXPECT_EQ(failed.failed_commits, 3);
  EXPECT_EQ(failed.undurable_dials, 0);
  EXPECT_EQ(failed.repeated_place_calls, 0);
  // Every carrier call has its attempt row (none lost with the rolled-back groups), one per key
  // (checked in run_campaign), every attempt ended, and the outcomes are the carrier's: the same
  // as the run without failures.
  EXPECT_EQ(failed.ledger_calls, failed.attempts);
  EXPECT_EQ(failed.by_state, plain.by_state);
  EXPECT_TRUE(journal.records.empty());
}

TEST(JournalGroup, AJournalThatCannotBeWrittenHoldsTheDialsUntilTheCommit) {
  MemoryJournal journal;
  journal.fail_appends = true;
  const Outcome o = run_campaign(60, &journal);
  ASSERT_TRUE(o.complete);
  EXPECT_EQ(o.journaled_dials, 0);
  EXPECT_EQ(o.undurable_dials, 0);
  EXPECT_GT(o.committed_dials, 0);
  EXPECT_EQ(o.ledger_calls, o.attempts);
}

TEST(JournalGroup, AJournalUnreadableAfterAFailedGroupIsPutBackByALaterGroup) {
  const Outcome plain = run_campaign(120, nullptr);
  // Once: the next group puts it back. Twice: one group holds (no claim, no dial), the next
  // puts it back. Either way the calls are reconciled and the run ends as without failures.
  for (int unreadable : {1, 2}) {
    MemoryJournal journal;
    const Outcome o = run_campaign(120, &journal, 1, unreadable);
    EXPECT_EQ(o.failed_commits, 1) << unreadable;
    EXPECT_TRUE(o.complete) << unreadable;
    EXPECT_EQ(o.repeated_place_calls, 0) << unreadable;
    EXPECT_EQ(o.ledger_calls, o.attempts) << unreadable;
    EXPECT_EQ(o.by_state, plain.by_state) << unreadable;
    EXPECT_TRUE(journal.records.empty()) << unreadable << ": " << journal.records.size();
  }
}

TEST(JournalGroup, AJournalUnreadableManyTimesLosesNothingAndDialsNothingTwice) {
  MemoryJournal journal;
  const Outcome o = run_campaign(120, &journal, 1, 30);
  EXPECT_TRUE(o.complete);
  EXPECT_EQ(o.repeated_place_calls, 0);
  EXPECT_EQ(o.ledger_calls, o.attempts);
  EXPECT_TRUE(journal.records.empty()) << journal.records.size();
}

TEST(JournalGroup, ARunWhoseTransactionsCannotBeginEnds) {
  for (bool with_journal : {false, true}) {
    const std::string path = temp_db();
    auto db = storage::sqlite::SqliteDatabase::open(path);
    ASSERT_TRUE(db);
    ManualClock clock(itest::kStart);
    Actor staff;
    itest::setup_campaign(**db, clock, 20, staff);
    auto sim = telephony::sim::SimCarrier::create(clock, itest::crash_profile(), itest::kSimSeed, "");
    ASSERT_TRUE(sim);
    FailingDatabase fdb(**db);
    MemoryJournal journal;
    testing::FakeGate gate;
    dialer::FactsBuilder facts(fdb.compliance(), fdb.calls(), fdb.campaigns(), nullptr,
                               dialer::CallerIdDirectory{{{staff.tenant_id, {itest::kCallerId}}}});
    dialer::RunnerConfig config;
    config.journal = with_journal ? &journal : nullptr;
    dialer::CampaignRunner runner(fdb, **sim, gate, facts, clock, config);
    (*sim)->set_sink(&runner.sink());
    ASSERT_TRUE(runner.recover());
    fdb.fail_begins = true;
    // No transaction can begin: the driver returns (it does not spin), reports the campaign as
    // not complete, and nothing was dialed (no attempt could be stored).
    auto r = dialer::run_until_idle(runner, sim->get(), clock, std::chrono::hours(1), 50);
    EXPECT_FALSE(r.all_complete) << with_journal;
    EXPECT_LE(r.steps, 50) << with_journal;
    EXPECT_TRUE((*sim)->ledger_calls().empty()) << with_journal;
    std::remove(path.c_str());
  }
}

class FlakyDirectory final : public dialer::PacerDirectory {
 public:
  explicit FlakyDirectory(accounts::Pacer& p) : p_(p) {}
  Result<accounts::Pacer*> pacer_for_call(TenantId, const std::string&) override {
    if (++n_ % 3 != 0) return make_error(ErrorCode::kUnavailable, "injected: account store down");
    return &p_;
  }
  Result<std::vector<accounts::Pacer*>> pacers_for_campaign(const Campaign&) override {
    return std::vector<accounts::Pacer*>{&p_};
  }
 private:
  accounts::Pacer& p_;
  int n_ = 0;
};

TEST(JournalGroup, PacedSendsWaitingAcrossAFailedGroupAreNotSentTwice) {
  for (int fails : {0, 1, 3, 10, 30}) {
    const std::string path = temp_db();
    auto db = storage::sqlite::SqliteDatabase::open(path);
    ASSERT_TRUE(db);
    auto reader = storage::sqlite::SqliteDatabase::open(path);
    ManualClock clock(itest::kStart);
    Actor staff;
    const CampaignId id = itest::setup_campaign(**db, clock, 120, staff);
    Campaign c = *(*db)->campaigns().get_campaign_any(id);
    c.max_concurrency = 8;
    c.lines = 8;
    c.calls_per_minute = 60;
    ASSERT_TRUE((*db)->campaigns().update_campaign(c));
    auto sim = telephony::sim::SimCarrier::create(clock, itest::crash_profile(), itest::kSimSeed, "");
    ASSERT_TRUE(sim);
    FailingDatabase fdb(**db);
    fdb.fail_group_commits = fails;
    fdb.min_nested = 1;
    fdb.skip_groups = 5;
    MemoryJournal journal;
    CheckingProvider provider(**sim, **reader, &journal);
    testing::FakeGate gate;
    dialer::FactsBuilder facts(fdb.compliance(), fdb.calls(), fdb.campaigns(), nullptr,
                               dialer::CallerIdDirectory{{{staff.tenant_id, {itest::kCallerId}}}});
    ProviderLimits lim;
    lim.calls_per_second = 100;
    lim.max_concurrency = 100;
    accounts::Pacer pacer(lim);
    FlakyDirectory dir(pacer);
    dialer::RunnerConfig config;
    config.journal = &journal;
    config.group_max_turns = 2;
    config.pacers = &dir;
    dialer::CampaignRunner runner(fdb, provider, gate, facts, clock, config);
    (*sim)->set_sink(&runner.sink());
    ASSERT_TRUE(runner.recover());
    bool complete = false;
    for (int i = 0; i < 60 && !complete; ++i) complete = dialer::run_until_idle(runner, sim->get(), clock).all_complete;
    EXPECT_TRUE(complete) << fails;
    EXPECT_EQ(fdb.failed, fails);
    EXPECT_EQ(provider.repeated_place_calls, 0) << fails;
    EXPECT_EQ(provider.undurable_dials, 0) << fails;
    // Every carrier call has its attempt row and every attempt ended.
    auto all = (*db)->calls().list_attempts(staff.tenant_id, id, 0, 100000);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), (*sim)->ledger_calls().size()) << fails;
    for (const auto& a : *all) EXPECT_TRUE(is_terminal(a.state)) << a.idempotency_key << " " << to_string(a.state);
    std::remove(path.c_str());
  }
}

}  // namespace
}  // namespace outdial
