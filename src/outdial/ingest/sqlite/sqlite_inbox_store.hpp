#pragma once
// The webhook inbox on its own SQLite file (not the main database): see docs/architecture.md
// ("ingest"). WAL; the writer connection commits with synchronous=FULL (the WAL is synced at
// every commit, so an acknowledged event survives kill -9 and power loss) and never runs
// checkpoints itself; a second connection serves the applier's reads and runs PASSIVE
// checkpoints between deliveries, so a checkpoint never sits inside a webhook's commit.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "outdial/ingest/inbox_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace outdial::ingest::sqlite {

struct SqliteInboxOptions {
  // WAL frames (pages) after which maintain() checkpoints. 0 = never (tests).
  int checkpoint_frames = 4096;
  // Applied rows kept (the newest ones) when maintain() prunes; older applied rows are deleted,
  // at most prune_chunk at each checkpoint (every checkpoint_frames of new WAL), so the inbox
  // file stops growing with every webhook ever received. A carrier's re-delivery of a pruned event is accepted again and then recognised by
  // the database's own event log (call_events is deduplicated and append-only), so it changes
  // nothing. Rows not yet applied are never pruned. Negative = never prune.
  std::int64_t retain_applied_rows = 1'000'000;
  int prune_chunk = 20'000;
};

class SqliteInboxStore final : public InboxStore {
 public:
  // Opens or creates the inbox file and its schema. kUnavailable when it cannot be opened,
  // kFailedPrecondition when it was written by a newer schema version.
  static Result<std::unique_ptr<SqliteInboxStore>> open(const std::string& path, SqliteInboxOptions options = {});
  ~SqliteInboxStore() override;
  SqliteInboxStore(const SqliteInboxStore&) = delete;
  SqliteInboxStore& operator=(const SqliteInboxStore&) = delete;

  Result<AppendResult> append(std::span<const CallEvent* const> events,
                              std::optional<std::int64_t> applied_through) override;
  Result<std::vector<InboxRow>> read_after(std::int64_t after, std::size_t limit) override;
  Result<std::int64_t> applied_through() override;
  Status maintain() override;
  // On a third connection of its own, behind a mutex (called by other shards' writers).
  Result<std::vector<bool>> contains(std::span<const CallEvent* const> events) override;

  const std::string& path() const { return path_; }

 private:
  SqliteInboxStore(std::string path, SqliteInboxOptions options) : path_(std::move(path)), options_(options) {}
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int frames);

  std::string path_;
  SqliteInboxOptions options_;
  sqlite3* writer_ = nullptr;
  sqlite3* reader_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* set_watermark_ = nullptr;
  sqlite3_stmt* select_after_ = nullptr;
  sqlite3_stmt* prune_ = nullptr;  // on the reader connection (the applier thread's)
  Status prune();
  std::mutex probe_mu_;
  sqlite3* prober_ = nullptr;
  sqlite3_stmt* probe_ = nullptr;
  std::atomic<int> wal_frames_{0};
};

}  // namespace outdial::ingest::sqlite
