#include "outdial/storage/sqlite/sqlite_database.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <sqlite3.h>

#include "outdial/storage/sqlite/account_store.hpp"
#include "outdial/storage/sqlite/audit_store.hpp"
#include "outdial/storage/sqlite/call_store.hpp"
#include "outdial/storage/sqlite/campaign_store.hpp"
#include "outdial/storage/sqlite/compliance_store.hpp"
#include "outdial/storage/sqlite/connection.hpp"
#include "outdial/storage/sqlite/contact_store.hpp"
#include "outdial/storage/sqlite/migrations/migrations.hpp"
#include "outdial/storage/sqlite/tenant_store.hpp"
#include "outdial/storage/sqlite/wal_write_buffer.hpp"

namespace outdial::storage::sqlite {
namespace {

const char* synchronous_name(Synchronous s) {
  switch (s) {
    case Synchronous::kOff:
      return "OFF";
    case Synchronous::kNormal:
      return "NORMAL";
    case Synchronous::kFull:
      return "FULL";
  }
  return "NORMAL";
}

std::int64_t wall_clock_ms() {
  // Only the migration bookkeeping reads the wall clock; domain timestamps come from callers.
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Process-wide SQLite settings, applied before SQLite initializes (sqlite3_config() is only
// allowed then; once something in the process has opened a database it returns SQLITE_MISUSE
// and changes nothing, which is harmless).
//   MEMSTATUS off: with it on (the default) every sqlite3_malloc/free takes a global mutex to
//   keep sqlite3_memory_used() current; nothing here reads those statistics.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const std::string& path) {
  return open(path, OpenOptions{});
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const std::string& path,
                                                             const OpenOptions& options) {
  configure_sqlite_once();
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  // WAL frames of a transaction are written in large pieces instead of two system calls per
  // page (wal_write_buffer.hpp); the default VFS if that VFS is unavailable.
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, buffered_wal_vfs());
  if (rc != SQLITE_OK) {
    Error e = translate_error(db, rc, "open " + path);
    e.code = ErrorCode::kUnavailable;
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  auto conn = std::make_unique<Connection>(db);
  {
    auto lock = conn->lock();
    // busy_timeout first: switching to WAL itself needs a lock another process may hold.
    const std::string pragmas =
        "PRAGMA busy_timeout=" + std::to_string(options.busy_timeout.count()) +
        ";PRAGMA journal_mode=WAL;PRAGMA synchronous=" + synchronous_name(options.synchronous) +
        ";PRAGMA foreign_keys=ON;PRAGMA temp_store=MEMORY;" + "PRAGMA cache_size=-" +
        std::to_string(options.cache_size_kib) + ";PRAGMA wal_autocheckpoint=" +
        std::to_string(options.wal_autocheckpoint_pages) + ";PRAGMA journal_size_limit=" +
        std::to_string(options.journal_size_limit_bytes) + ";";
    if (auto st = conn->exec(pragmas); !st) return st.error();
    conn->set_autocheckpoint_pages(options.wal_autocheckpoint_pages);
  }
  std::unique_ptr<SqliteDatabase> database(new SqliteDatabase(std::move(conn)));
  if (options.migrate) {
    if (auto st = database->migrate(); !st) return st.error();
  }
  return database;
}

SqliteDatabase::SqliteDatabase(std::unique_ptr<Connection> conn)
    : conn_(std::move(conn)),
      tenants_(std::make_unique<SqliteTenantStore>(*conn_)),
      contacts_(std::make_unique<SqliteContactStore>(*conn_)),
      compliance_(std::make_unique<SqliteComplianceStore>(*conn_)),
      campaigns_(std::make_unique<SqliteCampaignStore>(*conn_)),
      calls_(std::make_unique<SqliteCallStore>(*conn_)),
      audit_(std::make_unique<SqliteAuditStore>(*conn_)),
      accounts_(std::make_unique<SqliteAccountStore>(*conn_)) {}

SqliteDatabase::~SqliteDatabase() = default;

Status SqliteDatabase::migrate() {
  auto lock = conn_->lock();
  if (auto st = conn_->exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
      !st) {
    return st.error();
  }
  // A database migrated by a newer outdial may rely on invariants this binary does not keep
  // (e.g. migration 15: every contact has its contact_numbers row, written by insert_batch):
  // refuse it rather than write rows the newer nodes cannot trust.
  {
    int latest = 0;
    for (const Migration& m : migrations()) latest = std::max(latest, m.version);
    const int applied = schema_version();
    if (applied > latest) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "database schema version " + std::to_string(applied) + " is newer than this outdial knows (" +
                            std::to_string(latest) + "): upgrade outdial (every node sharing the database)",
                        {{"schema_version", std::to_string(applied)}, {"known_version", std::to_string(latest)}});
    }
  }
  for (const Migration& m : migrations()) {
    // A rebuilding migration runs with foreign keys off (the pragma is a no-op inside a
    // transaction, so it is set before BEGIN); they are back on when this iteration ends, after
    // the transaction has committed or rolled back.
    ForeignKeysOff fk_off(*conn_);
    if (m.foreign_keys_off) {
      auto applied = conn_->prepare("SELECT 1 FROM schema_migrations WHERE version = ?1");
      applied.bind(1, m.version);
      auto found = applied.step();
      if (!found) return found.error();
      if (*found) continue;
      if (auto st = fk_off.turn_off(); !st) return st.error();
    }
    Transaction tx(*conn_);
    if (auto st = tx.begin(); !st) return st.error();
    // Re-checked inside the write transaction: another process may have applied it meanwhile.
    auto check = conn_->prepare("SELECT 1 FROM schema_migrations WHERE version = ?1");
    check.bind(1, m.version);
    auto found = check.step();
    if (!found) return found.error();
    if (*found) continue;  // ~Transaction rolls back the empty transaction
    if (auto st = conn_->exec(m.sql); !st) {
      Error e = st.error();
      e.message = "migration " + std::to_string(m.version) + " (" + m.name + "): " + e.message;
      return e;
    }
    if (m.foreign_keys_off) {
      auto fk_check = conn_->prepare("PRAGMA foreign_key_check");
      auto violation = fk_check.step();
      if (!violation) return violation.error();
      if (*violation) {
        return make_error(ErrorCode::kInternal,
                          "migration " + std::to_string(m.version) + " (" + m.name +
                              "): foreign_key_check found a row of " + fk_check.text(0) +
                              " whose parent in " + fk_check.text(2) + " is missing",
                          {{"table", fk_check.text(0)}, {"parent", fk_check.text(2)}});
      }
    }
    auto record =
        conn_->prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)");
    record.bind(1, m.version).bind(2, m.name).bind(3, wall_clock_ms());
    if (auto r = record.run(); !r) return r.error();
    if (auto st = tx.commit(); !st) return st.error();
  }
  return ok_status();
}

int SqliteDatabase::schema_version() {
  auto lock = conn_->lock();
  auto s = conn_->prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  auto r = s.step();
  // No schema_migrations table yet (opened with migrate=false): version 0.
  if (!r || !*r) return 0;
  return s.i32(0);
}

TenantStore& SqliteDatabase::tenants() { return *tenants_; }
ContactStore& SqliteDatabase::contacts() { return *contacts_; }
ComplianceStore& SqliteDatabase::compliance() { return *compliance_; }
CampaignStore& SqliteDatabase::campaigns() { return *campaigns_; }
CallStore& SqliteDatabase::calls() { return *calls_; }
AuditStore& SqliteDatabase::audit() { return *audit_; }
AccountStore& SqliteDatabase::accounts() { return *accounts_; }

Status SqliteDatabase::with_transaction(const std::function<Status()>& fn) {
  auto lock = conn_->lock();
  // The outermost transaction leaves WAL checkpoints to the background checkpointer: the thread
  // that commits (the dialer's, a webhook's) never copies WAL pages into the database file and
  // never waits for their fsync inside COMMIT.
  std::optional<CheckpointsInBackground> offload;
  if (!conn_->in_transaction()) offload.emplace(*conn_);
  Transaction tx(*conn_);
  if (auto st = tx.begin(); !st) return st.error();
  Status result = fn();
  if (!result) return result;  // ~Transaction rolls back
  return tx.commit();
}

Status SqliteDatabase::with_batched_writes(const std::function<Status()>& fn) {
  auto lock = conn_->lock();
  // Holding the connection's lock, an open transaction can only be one this thread opened
  // further up its stack (every transaction holds the lock from BEGIN to COMMIT/ROLLBACK).
  if (conn_->in_transaction()) return fn();
  return with_transaction(fn);
}

Status SqliteDatabase::execute(const std::string& sql) {
  auto lock = conn_->lock();
  return conn_->exec(sql);
}

}  // namespace outdial::storage::sqlite
