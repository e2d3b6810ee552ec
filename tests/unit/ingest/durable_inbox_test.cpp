// DurableInbox over the real SQLite inbox store (temporary files): group commit, dedupe,
// all-or-nothing batches, restart re-delivery, apply order.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "outdial/ingest/durable_inbox.hpp"
#include "outdial/ingest/sqlite/sqlite_inbox_store.hpp"
#include "outdial/ingest/sqlite/webhook_ingest.hpp"

namespace outdial::ingest {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("outdial_ingest_" + std::to_string(::getpid()) + "_" +
                                         std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

CallEvent make_event(const std::string& key, std::int64_t sequence = 0, const std::string& provider = "twilio") {
  CallEvent e;
  e.provider = provider;
  e.provider_call_id = "CA" + key;
  e.kind = CallEventKind::kRinging;
  e.at = from_epoch_ms(1700000000000 + sequence);
  e.sequence = sequence;
  e.dedupe_key = key;
  return e;
}

class RecordingSink final : public telephony::CallEventSink {
 public:
  void on_call_event(const CallEvent& event) override {
    std::lock_guard lock(mu_);
    if (throw_on_ == event.dedupe_key) throw std::runtime_error("sink refused");
    events_.push_back(event);
  }
  std::vector<CallEvent> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& e : events()) out.push_back(e.dedupe_key);
    return out;
  }
  std::string throw_on_;

 private:
  mutable std::mutex mu_;
  std::vector<CallEvent> events_;
};

// Wraps the real store: records each append's batch size and can hold appends until released,
// so the test decides what queues up behind a commit in progress. Only appends that carry
// events are counted and held.
class GatedStore final : public InboxStore {
 public:
  explicit GatedStore(std::unique_ptr<InboxStore> inner) : inner_(std::move(inner)) {}
  Result<AppendResult> append(std::span<const CallEvent* const> events,
                              std::optional<std::int64_t> applied_through) override {
    if (!events.empty()) {  // watermark-only commits (from the applier) pass straight through
      std::unique_lock lock(mu_);
      batches_.push_back(events.size());
      ++in_append_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return !closed_; });
    }
    return inner_->append(events, applied_through);
  }
  Result<std::vector<InboxRow>> read_after(std::int64_t after, std::size_t limit) override {
    return inner_->read_after(after, limit);
  }
  Result<std::int64_t> applied_through() override { return inner_->applied_through(); }

  void close_gate() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  void open_gate() {
    std::lock_guard lock(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  void wait_in_append(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_append_ >= n; });
  }
  std::vector<std::size_t> batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  std::unique_ptr<InboxStore> inner_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  int in_append_ = 0;
  std::vector<std::size_t> batches_;
};

std::unique_ptr<InboxStore> open_store(const std::string& path) {
  auto s = sqlite::SqliteInboxStore::open(path);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(s).value();
}

// Reads the file with a fresh connection: what a restarted process would find.
std::vector<std::string> stored_keys(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT provider || '/' || dedupe_key FROM inbox ORDER BY seq", -1, &st, nullptr),
            SQLITE_OK);
  std::vector<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

void exec_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

WebhookIngestConfig config_for(const std::string& path, int shards = 1) {
  WebhookIngestConfig c;
  c.inbox_path = path;
  c.shards = shards;
  return c;
}

std::size_t count_rows(const std::vector<std::string>& paths) {
  std::size_t n = 0;
  for (const auto& p : paths) n += stored_keys(p).size();
  return n;
}

void wait_queued(const DurableInbox& inbox, std::size_t n) {
  while (inbox.queued() < n) std::this_thread::yield();
}

TEST(DurableInbox, GroupCommitTakesEverythingQueuedDuringACommitInOneTransaction) {
  TempDir dir;
  const auto path = dir.file("inbox.db");
  auto gated = std::make_unique<GatedStore>(open_store(path));
  GatedStore& gate = *gated;
  RecordingSink sink;
  DurableInbox inbox(std::move(gated), &sink);
  ASSERT_TRUE(inbox.start().ok());

  gate.close_gate();
  const CallEvent first = make_event("first");
  std::thread t0([&] { EXPECT_TRUE(inbox.ingest(first).ok()); });
  gate.wait_in_append(1);  // the writer is inside the first commit

  constexpr int kCallers = 50;
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      if (inbox.ingest(make_event("e" + std::to_string(i), i)).ok()) ++ok;
    });
  }
  wait_queued(inbox, kCallers);
  EXPECT_EQ(ok.load(), 0) << "nobody is acknowledged before their commit";
  gate.open_gate();
  t0.join();
  for (auto& t : callers) t.join();

  EXPECT_EQ(ok.load(), kCallers);
  EXPECT_EQ(gate.batches(), (std::vector<std::size_t>{1, kCallers}));
  const auto stats = inbox.stats();
  EXPECT_EQ(stats.commits, 2);
  EXPECT_EQ(stats.committed_events, kCallers + 1);
  EXPECT_EQ(stats.largest_batch, kCallers);
  EXPECT_EQ(stored_keys(path).size(), static_cast<std::size_t>(kCallers + 1));
  inbox.wait_applied();
  EXPECT_EQ(sink.events().size(), static_cast<std::size_t>(kCallers + 1));
}

TEST(DurableInbox, MaxBatchOneCommitsEachEventOnItsOwn) {
  TempDir dir;
  auto gated = std::make_unique<GatedStore>(open_store(dir.file("inbox.db")));
  GatedStore& gate = *gated;
  DurableInbox inbox(std::move(gated), nullptr, InboxOptions{1, 1024, false});
  ASSERT_TRUE(inbox.start().ok());
  gate.close_gate();
  std::vector<std::thread> callers;
  for (int i = 0; i < 5; ++i) callers.emplace_back([&, i] { EXPECT_TRUE(inbox.ingest(make_event("k" + std::to_string(i))).ok()); });
  gate.wait_in_append(1);
  wait_queued(inbox, 4);
  gate.open_gate();
  for (auto& t : callers) t.join();
  EXPECT_EQ(gate.batches(), (std::vector<std::size_t>{1, 1, 1, 1, 1}));
  EXPECT_EQ(inbox.stats().commits, 5);
}

TEST(DurableInbox, DuplicatesAreOneRowAndSucceed) {
  TempDir dir;
  const auto path = dir.file("inbox.db");
  auto gated = std::make_unique<GatedStore>(open_store(path));
  GatedStore& gate = *gated;
  RecordingSink sink;
  DurableInbox inbox(std::move(gated), &sink);
  ASSERT_TRUE(inbox.start().ok());

  ASSERT_TRUE(inbox.ingest(make_event("dup", 1)).ok());
  ASSERT_TRUE(inbox.ingest(make_event("dup", 1)).ok());  // a redelivery, in a later commit
  // Three copies inside one batch, plus the same key from another provider (a different event).
  gate.close_gate();
  std::thread blocker([&] { EXPECT_TRUE(inbox.ingest(make_event("other")).ok()); });
  gate.wait_in_append(3);
  std::vector<std::thread> callers;
  for (int i = 0; i < 3; ++i) callers.emplace_back([&] { EXPECT_TRUE(inbox.ingest(make_event("again", 2)).ok()); });
  callers.emplace_back([&] { EXPECT_TRUE(inbox.ingest(make_event("again", 2, "telnyx")).ok()); });
  wait_queued(inbox, 4);
  gate.open_gate();
  blocker.join();
  for (auto& t : callers) t.join();

  auto keys = stored_keys(path);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"telnyx/again", "twilio/again", "twilio/dup", "twilio/other"}));
  EXPECT_EQ(inbox.stats().duplicates, 3);  // one redelivery + two in-batch repeats
  inbox.wait_applied();
  EXPECT_EQ(sink.events().size(), 4u) << "a stored duplicate is not applied again";
}

TEST(DurableInbox, FailedCommitFailsEveryWaiterOfTheBatchAndStoresNothingOfIt) {
  TempDir dir;
  const auto path = dir.file("inbox.db");
  auto gated = std::make_unique<GatedStore>(open_store(path));
  GatedStore& gate = *gated;
  // The third row of the batch makes SQLite abort the statement: the rows before it in the same
  // transaction must not survive.
  exec_sql(path,
           "CREATE TRIGGER poison BEFORE INSERT ON inbox WHEN NEW.dedupe_key = 'poison' "
           "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
  RecordingSink sink;
  DurableInbox inbox(std::move(gated), &sink);
  ASSERT_TRUE(inbox.start().ok());

  gate.close_gate();
  std::thread blocker([&] { EXPECT_TRUE(inbox.ingest(make_event("before")).ok()); });
  gate.wait_in_append(1);
  std::vector<std::string> keys{"b1", "b2", "poison", "b3"};
  std::vector<Status> results(keys.size(), ok_status());
  std::vector<std::thread> callers;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    callers.emplace_back([&, i] { results[i] = inbox.ingest(make_event(keys[i], static_cast<std::int64_t>(i))); });
    wait_queued(inbox, i + 1);  // one at a time, so "poison" is third in the batch
  }
  gate.open_gate();
  blocker.join();
  for (auto& t : callers) t.join();

  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_FALSE(results[i].ok()) << keys[i];
    if (!results[i].ok()) {
      EXPECT_NE(results[i].error().message.find("injected failure"), std::string::npos);
    }
  }
  EXPECT_EQ(stored_keys(path), (std::vector<std::string>{"twilio/before"}));
  EXPECT_EQ(inbox.stats().failed_commits, 1);

  // The carrier redelivers: the good events now commit; the inbox kept working.
  EXPECT_TRUE(inbox.ingest(make_event("b1", 0)).ok());
  EXPECT_TRUE(inbox.ingest(make_event("b3", 3)).ok());
  inbox.wait_applied();
  EXPECT_EQ(sink.keys(), (std::vector<std::string>{"before", "b1", "b3"}));
}

TEST(DurableInbox, RefusesEventsThatCannotBeDeduplicated) {
  TempDir dir;
  const auto path = dir.file("inbox.db");
  RecordingSink sink;
  DurableInbox inbox(open_store(path), &sink);
  ASSERT_TRUE(inbox.start().ok());
  auto no_key = make_event("");
  auto st = inbox.ingest(no_key);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.error().details.at("field"), "dedupe_key");
  auto no_provider = make_event("k", 0, "");
  st = inbox.ingest(no_provider);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().details.at("field"), "provider");
  EXPECT_TRUE(stored_keys(path).empty());
}

TEST(DurableInbox, NotRunningIsUnavailable) {
  TempDir dir;
  DurableInbox inbox(open_store(dir.file("inbox.db")), nullptr, InboxOptions{4096, 1024, false});
  auto st = inbox.ingest(make_event("early"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(inbox.start().ok());
  EXPECT_TRUE(inbox.ingest(make_event("k")).ok());
  inbox.stop();
  st = inbox.ingest(make_event("late"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
}

TEST(DurableInbox, RestartRedeliversStoredButUnappliedRowsOnce) {
  TempDir dir;
  const auto path = dir.file("inbox.db");
  {
    // A process that acknowledged five events and died before applying any.
    DurableInbox inbox(open_store(path), nullptr, InboxOptions{4096, 1024, false});
    ASSERT_TRUE(inbox.start().ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(inbox.ingest(make_event("r" + std::to_string(i), i)).ok());
  }
  {
    RecordingSink sink;
    auto inbox = open_webhook_ingest(config_for(path), sink);
    ASSERT_TRUE(inbox.ok()) << inbox.error().message;
    inbox.value()->wait_applied();
    EXPECT_EQ(sink.keys(), (std::vector<std::string>{"r0", "r1", "r2", "r3", "r4"}));
    // Fields survive the round trip through the file.
    const auto events = sink.events();
    ASSERT_EQ(events.size(), 5u);
    EXPECT_EQ(events[3].provider, "twilio");
    EXPECT_EQ(events[3].provider_call_id, "CAr3");
    EXPECT_EQ(events[3].sequence, 3);
    EXPECT_EQ(events[3].at, from_epoch_ms(1700000000003));
    EXPECT_EQ(events[3].kind, CallEventKind::kRinging);
    inbox.value()->stop();  // persists the watermark
    EXPECT_EQ(inbox.value()->stats().applied_through, 5);
  }
  {
    RecordingSink sink;
    auto inbox = open_webhook_ingest(config_for(path), sink);
    ASSERT_TRUE(inbox.ok());
    ASSERT_TRUE(inbox.value()->ingest(make_event("r5", 5)).ok());
    inbox.value()->wait_applied();
    EXPECT_EQ(sink.keys(), (std::vector<std::string>{"r5"})) << "applied rows are not re-delivered";
  }
}

TEST(DurableInbox, RestartResumesAfterTheStoredWatermark) {
  TempDir dir;
  const auto path = dir.file("inbox.db");
  {
    auto store = open_store(path);
    std::vector<CallEvent> evs;
    for (int i = 1; i <= 4; ++i) evs.push_back(make_event("w" + std::to_string(i), i));
    std::vector<const CallEvent*> ptrs;
    for (const auto& e : evs) ptrs.push_back(&e);
    ASSERT_TRUE(store->append(ptrs, std::nullopt).ok());
    ASSERT_TRUE(store->append({}, 2).ok());  // rows 1..2 were applied
    ASSERT_TRUE(store->append({}, 1).ok());  // the watermark never moves back
    auto wm = store->applied_through();
    ASSERT_TRUE(wm.ok());
    EXPECT_EQ(wm.value(), 2);
  }
  RecordingSink sink;
  auto inbox = open_webhook_ingest(config_for(path), sink);
  ASSERT_TRUE(inbox.ok());
  inbox.value()->wait_applied();
  EXPECT_EQ(sink.keys(), (std::vector<std::string>{"w3", "w4"}));
}

TEST(SqliteInboxStore, PrunesOnlyAppliedRowsBeyondTheRetainedOnes) {
  TempDir dir;
  sqlite::SqliteInboxOptions options;
  options.checkpoint_frames = 1;  // maintain() works on every call
  options.retain_applied_rows = 10;
  options.prune_chunk = 25;
  auto opened = sqlite::SqliteInboxStore::open(dir.file("inbox.db"), options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& store = *opened.value();
  auto append = [&](int from, int to, std::optional<std::int64_t> applied) {
    std::vector<CallEvent> evs;
    for (int i = from; i < to; ++i) evs.push_back(make_event("p" + std::to_string(i), i));
    std::vector<const CallEvent*> ptrs;
    for (const auto& e : evs) ptrs.push_back(&e);
    ASSERT_TRUE(store.append(ptrs, applied).ok());
  };
  auto stored_seqs = [&] {
    std::vector<std::int64_t> seqs;
    auto rows = store.read_after(0, 1000);
    EXPECT_TRUE(rows.ok());
    for (const auto& r : rows.value()) seqs.push_back(r.seq);
    return seqs;
  };
  append(1, 101, std::nullopt);  // seq 1..100, none applied
  ASSERT_TRUE(store.maintain().ok());
  EXPECT_EQ(stored_seqs().size(), 100u) << "rows not yet applied are never pruned";

  append(101, 121, 100);  // seq 101..120; 1..100 applied
  ASSERT_TRUE(store.maintain().ok());  // one chunk: 1..25
  EXPECT_EQ(stored_seqs().front(), 26);
  // Pruning runs at the checkpoint's cadence, i.e. while webhooks keep arriving.
  for (int i = 121; i < 126; ++i) {
    append(i, i + 1, std::nullopt);
    ASSERT_TRUE(store.maintain().ok());
  }
  auto seqs = stored_seqs();
  ASSERT_FALSE(seqs.empty());
  EXPECT_EQ(seqs.front(), 91) << "the newest 10 applied rows stay";
  EXPECT_EQ(seqs.back(), 125) << "unapplied rows stay";
  EXPECT_EQ(seqs.size(), 35u);
  auto wm = store.applied_through();
  ASSERT_TRUE(wm.ok());
  EXPECT_EQ(wm.value(), 100);

  // A carrier's re-delivery of a pruned event is stored again (the database's event log is
  // what recognises it); one of a retained row is still a duplicate here.
  CallEvent pruned = make_event("p5", 5);
  CallEvent kept = make_event("p95", 95);
  const CallEvent* again[] = {&pruned, &kept};
  auto r = store.append(again, std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().inserted, 1);
  EXPECT_EQ(r.value().duplicates, 1);
}

TEST(SqliteInboxStore, NegativeRetentionNeverPrunes) {
  TempDir dir;
  sqlite::SqliteInboxOptions options;
  options.checkpoint_frames = 1;
  options.retain_applied_rows = -1;
  auto opened = sqlite::SqliteInboxStore::open(dir.file("inbox.db"), options);
  ASSERT_TRUE(opened.ok());
  std::vector<CallEvent> evs;
  for (int i = 0; i < 40; ++i) evs.push_back(make_event("n" + std::to_string(i), i));
  std::vector<const CallEvent*> ptrs;
  for (const auto& e : evs) ptrs.push_back(&e);
  ASSERT_TRUE(opened.value()->append(ptrs, 40).ok());
  ASSERT_TRUE(opened.value()->maintain().ok());
  auto rows = opened.value()->read_after(0, 100);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows.value().size(), 40u);
}

TEST(DurableInbox, AppliesInCommitOrderAndSurvivesAThrowingSink) {
  TempDir dir;
  const auto path = dir.file("inbox.db");
  RecordingSink sink;
  sink.throw_on_ = "s3";
  InboxOptions opts;
  opts.apply_chunk = 4;  // several chunks
  DurableInbox inbox(open_store(path), &sink, opts);
  ASSERT_TRUE(inbox.start().ok());
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) {
    const std::string key = "s" + std::to_string(i);
    ASSERT_TRUE(inbox.ingest(make_event(key, i)).ok());
    if (key != "s3") expected.push_back(key);
  }
  // Concurrent callers: whatever order they committed in is the order they are applied in.
  std::vector<std::thread> callers;
  for (int i = 0; i < 16; ++i) callers.emplace_back([&, i] { EXPECT_TRUE(inbox.ingest(make_event("c" + std::to_string(i))).ok()); });
  for (auto& t : callers) t.join();
  inbox.wait_applied();
  auto keys = sink.keys();
  ASSERT_EQ(keys.size(), 35u);
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 19), expected);
  auto stored = stored_keys(path);
  std::vector<std::string> stored_applied;
  for (auto& s : stored) {
    if (s != "twilio/s3") stored_applied.push_back(s.substr(s.find('/') + 1));
  }
  EXPECT_EQ(keys, stored_applied) << "delivery follows the inbox's commit order";
  EXPECT_EQ(inbox.stats().apply_errors, 1);
}

TEST(DurableInbox, AsyncIngestCompletesAfterTheCommit) {
  TempDir dir;
  const auto path = dir.file("inbox.db");
  DurableInbox inbox(open_store(path), nullptr, InboxOptions{4096, 1024, false});
  ASSERT_TRUE(inbox.start().ok());
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  std::vector<std::size_t> seen_rows;
  for (int i = 0; i < 10; ++i) {
    inbox.ingest_async(make_event("a" + std::to_string(i)), [&, path](Status st) {
      EXPECT_TRUE(st.ok());
      const auto rows = stored_keys(path).size();  // visible to another connection already
      std::lock_guard lock(mu);
      seen_rows.push_back(rows);
      ++done;
      cv.notify_all();
    });
  }
  Status refused = ok_status();
  inbox.ingest_async(make_event(""), [&](Status st) { refused = st; });
  EXPECT_FALSE(refused.ok());
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done == 10; });
  for (std::size_t i = 0; i < seen_rows.size(); ++i) EXPECT_GE(seen_rows[i], i + 1);
}

TEST(DurableInbox, ShardedInboxStoresAKeyInOneShardOnlyAndAppliesEveryShard) {
  TempDir dir;
  const auto path = dir.file("inbox.db");
  const std::vector<std::string> files{path, path + ".1", path + ".2"};
  {
    RecordingSink sink;
    WebhookIngestConfig cfg = config_for(path, 3);
    cfg.inbox.run_applier = false;
    auto inbox = open_webhook_ingest(cfg, sink);
    ASSERT_TRUE(inbox.ok()) << inbox.error().message;
    // 40 callers x 25 events, every key sent twice (a redelivery racing the original).
    std::vector<std::thread> callers;
    for (int t = 0; t < 40; ++t) {
      callers.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          const int k = (t / 2) * 25 + i;  // callers 2n and 2n+1 send the same keys
          EXPECT_TRUE(inbox.value()->ingest(make_event("k" + std::to_string(k), k)).ok());
        }
      });
    }
    for (auto& t : callers) t.join();
    EXPECT_EQ(inbox.value()->stats().duplicates, 500);
  }
  std::size_t in_shards = 0;
  for (const auto& f : files) {
    const auto n = stored_keys(f).size();
    in_shards += n > 0 ? 1 : 0;
  }
  EXPECT_EQ(count_rows(files), 500u) << "each key is stored once across all shards";
  EXPECT_GE(in_shards, 2u) << "the writers shared the work";
  // A restart (with the shard count forgotten: the files on disk are found) applies all of them.
  RecordingSink sink;
  auto inbox = open_webhook_ingest(config_for(path, 1), sink);
  ASSERT_TRUE(inbox.ok());
  ASSERT_TRUE(inbox.value()->ingest(make_event("k7", 7)).ok());  // a late duplicate: still one row
  inbox.value()->wait_applied();
  auto keys = sink.keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys.size(), 500u);
  EXPECT_EQ(std::unique(keys.begin(), keys.end()), keys.end());
  EXPECT_EQ(count_rows(files), 500u);
}

}  // namespace
}  // namespace outdial::ingest
