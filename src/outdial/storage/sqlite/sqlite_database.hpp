#pragma once
// The SQLite storage driver. Only app/ (the composition root) and tests construct it; everyone
// else sees the storage::Database interface.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "outdial/storage/database.hpp"

namespace outdial::storage::sqlite {

class Connection;
class SqliteTenantStore;
class SqliteContactStore;
class SqliteComplianceStore;
class SqliteCampaignStore;
class SqliteCallStore;
class SqliteAuditStore;
class SqliteAccountStore;

// PRAGMA synchronous. In WAL mode kNormal never corrupts the database but the last commits
// before a power loss (not a process crash) may be lost. Use kFull when an acknowledged carrier
// webhook must survive power loss (the event is persisted before the HTTP 200 is sent).
enum class Synchronous { kOff, kNormal, kFull };

struct OpenOptions {
  Synchronous synchronous = Synchronous::kNormal;
  // How long a writer waits for another connection's (or process's) write lock before the call
  // fails with kUnavailable.
  std::chrono::milliseconds busy_timeout{5000};
  // Page cache per connection (PRAGMA cache_size), in KiB. The default of SQLite (2 MiB) thrashes
  // once a 100k-contact campaign's indexes outgrow it.
  int cache_size_kib = 64 * 1024;
  // PRAGMA wal_autocheckpoint, in pages. SQLite's 1000 (~4 MiB) checkpoints every few hundred
  // small dialer commits, each rewriting the same hot b-tree pages into the database file and
  // fdatasync'ing twice; 8000 (~32 MiB of WAL) coalesces those rewrites. 0 disables automatic
  // checkpoints.
  int wal_autocheckpoint_pages = 8000;
  // PRAGMA journal_size_limit, in bytes: when SQLite rewinds a WAL file larger than this (after a
  // complete checkpoint) it truncates it to this size. A bulk import lets the WAL grow to ~8 x
  // wal_autocheckpoint_pages (its checkpoints run in the background, see insert_batch); this gives
  // the disk space back afterwards. -1 = never truncate.
  std::int64_t journal_size_limit_bytes = 64 * 1024 * 1024;
  // Apply pending migrations while opening (migrate() stays callable and idempotent).
  bool migrate = true;

  // For a process that mostly appends, such as `outdial import`: a 16 MiB page cache. An import
  // appends contacts and writes its number keys in key order, so it never re-reads a page it
  // let go, and a batch of 50,000 rows (~9 MiB of pages) still commits from the cache. The
  // default 64 MiB only costs memory to fault in: a 1M-row import peaks at ~190 MB instead of
  // ~240 MB, 1.64 s instead of 1.685 s median wall over 12 alternations (docs/perf.md).
  static OpenOptions bulk_load() {
    OpenOptions o;
    o.cache_size_kib = 16 * 1024;
    return o;
  }
};

// One SQLite database file (or ":memory:"). Journal mode WAL, foreign_keys=ON.
//
// Threading: every method of every store is thread-safe. v1 uses ONE connection behind a mutex
// (all store calls of this object are serialized; statements are prepared once and cached).
// Several SqliteDatabase objects, in one process or many, may share a file: claim_targets is a
// BEGIN IMMEDIATE transaction, so concurrent claimers never receive the same target.
class SqliteDatabase final : public Database {
 public:
  // Opens (creating if needed) the database at `path`. kUnavailable if the file cannot be opened,
  // kInternal on a configuration or migration failure.
  static Result<std::unique_ptr<SqliteDatabase>> open(const std::string& path);
  static Result<std::unique_ptr<SqliteDatabase>> open(const std::string& path, const OpenOptions& options);

  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase() override;

  Status migrate() override;
  int schema_version() override;
  TenantStore& tenants() override;
  ContactStore& contacts() override;
  ComplianceStore& compliance() override;
  CampaignStore& campaigns() override;
  CallStore& calls() override;
  AuditStore& audit() override;
  AccountStore& accounts() override;
  // BEGIN IMMEDIATE ... COMMIT around `fn` (a SAVEPOINT when nested). Holds this object's lock
  // for the duration.
  Status with_transaction(const std::function<Status()>& fn) override;
  Status with_batched_writes(const std::function<Status()>& fn) override;

  // Runs raw SQL with no result rows. For tests (proving append-only triggers) and maintenance;
  // application code uses the stores.
  Status execute(const std::string& sql);

 private:
  explicit SqliteDatabase(std::unique_ptr<Connection> conn);

  std::unique_ptr<Connection> conn_;
  std::unique_ptr<SqliteTenantStore> tenants_;
  std::unique_ptr<SqliteContactStore> contacts_;
  std::unique_ptr<SqliteComplianceStore> compliance_;
  std::unique_ptr<SqliteCampaignStore> campaigns_;
  std::unique_ptr<SqliteCallStore> calls_;
  std::unique_ptr<SqliteAuditStore> audit_;
  std::unique_ptr<SqliteAccountStore> accounts_;
};

}  // namespace outdial::storage::sqlite
