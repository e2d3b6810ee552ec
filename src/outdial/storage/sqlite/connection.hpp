#pragma once
// Internal to the SQLite driver: one sqlite3 connection, its prepared-statement cache, a
// statement handle with typed binds/columns, and RAII transactions. Nothing outside
// storage/sqlite/ includes this header.
//
// Threading (v1): one connection behind a std::recursive_mutex. Every store method takes the
// lock for its whole duration, so statements, the cache and transactions are never shared
// between threads at the same time. Recursive so that SqliteDatabase::with_transaction can hold
// the lock while the callback calls store methods on the same thread. SQLite serializes writers
// anyway; with WAL, one connection and cached statements comfortably reaches the write rate the
// dialer needs (see docs/perf.md). A read-connection pool can be added behind the same API.
#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"

namespace outdial::storage::sqlite {

// Maps a SQLite result code to an Error (engineering.md §5: library failures become values):
//   BUSY / LOCKED / IOERR / FULL / CANTOPEN / PROTOCOL -> kUnavailable
//   CONSTRAINT_UNIQUE / PRIMARYKEY                     -> kAlreadyExists
//   CONSTRAINT_FOREIGNKEY                              -> kNotFound (the referenced row is missing)
//   CONSTRAINT_TRIGGER (append-only guards)            -> kFailedPrecondition
//   other CONSTRAINT (CHECK, NOT NULL)                 -> kInvalidArgument
//   anything else                                      -> kInternal
Error translate_error(sqlite3* db, int rc, const std::string& context);

class Connection;

// A prepared statement in use. Resets (and clears bindings of) the statement on destruction so
// the cached statement can be reused. Bind errors are remembered and reported by step()/run(),
// which keeps call sites short. Not thread-safe: use under the connection lock.
class Stmt {
 public:
  Stmt(Connection& conn, sqlite3_stmt* stmt, bool owned, std::optional<Error> error);
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Parameters are 1-based, as in SQLite.
  Stmt& bind(int index, std::int64_t value);
  Stmt& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Stmt& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Stmt& bind(int index, const std::string& value);
  Stmt& bind(int index, const char* value);
  Stmt& bind(int index, TimePoint value) { return bind(index, to_epoch_ms(value)); }
  Stmt& bind(int index, const std::optional<TimePoint>& value);
  Stmt& bind(int index, const std::optional<std::int64_t>& value);
  Stmt& bind_null(int index);
  // Binds text WITHOUT copying it (SQLITE_STATIC): `value` must stay valid and unchanged until
  // the statement has been stepped and the parameter is bound again or the Stmt is destroyed.
  // For hot loops that rebind every parameter of a statement per row.
  Stmt& bind_static(int index, std::string_view value);
  Stmt& bind_static(int index, const char* value);

  // Makes a statement that has run ready to bind and run again (bindings kept). For reusing one
  // Stmt in a loop instead of fetching it from the cache per row.
  void reset();

  // Advances one row. true = a row is available, false = done. Autocommit statements that hit
  // SQLITE_BUSY_SNAPSHOT before producing a row are retried (WAL can refuse a stale read snapshot the
  // upgrade to a write without calling the busy handler; re-running the statement is safe).
  Result<bool> step();
  // Runs to completion (for INSERT/UPDATE/DELETE); returns sqlite3_changes().
  Result<int> run();

  // Columns are 0-based.
  bool is_null(int col) const;
  std::int64_t i64(int col) const;
  int i32(int col) const;
  bool boolean(int col) const { return i64(col) != 0; }
  std::string text(int col) const;
  TimePoint time(int col) const { return from_epoch_ms(i64(col)); }
  std::optional<TimePoint> opt_time(int col) const;
  std::optional<std::int64_t> opt_i64(int col) const;

 private:
  void note(int rc, const char* what);

  Connection* conn_;
  sqlite3_stmt* stmt_;
  bool owned_;
  bool produced_row_ = false;
  std::optional<Error> error_;
};

// Binds consecutive parameters: Binder(s, 3)(a)(b)(c) binds ?3, ?4, ?5.
class Binder {
 public:
  Binder(Stmt& stmt, int first) : stmt_(stmt), next_(first) {}
  template <typename T>
  Binder& operator()(const T& value) {
    stmt_.bind(next_, value);
    ++next_;
    return *this;
  }

 private:
  Stmt& stmt_;
  int next_;
};

// PASSIVE checkpoints of one database file, run on a thread with its own connection. Used by
// bulk writers (contact import): SQLite's automatic checkpoint runs inside the committing
// thread's COMMIT (copying WAL pages into the database file and fsync'ing both), which put
// ~12% of the import writer's CPU and every fdatasync wait on the import's critical path.
// A PASSIVE checkpoint never blocks writers or readers; durability is unchanged (committed
// transactions are in the WAL either way). Failures are not errors: the pages stay in the WAL
// and the next checkpoint (or the last connection's close) copies them.
class BackgroundCheckpointer {
 public:
  explicit BackgroundCheckpointer(std::string path);
  BackgroundCheckpointer(const BackgroundCheckpointer&) = delete;
  BackgroundCheckpointer& operator=(const BackgroundCheckpointer&) = delete;
  ~BackgroundCheckpointer();  // stops the thread (a checkpoint in progress finishes first)

  // Asks for a checkpoint; returns at once. Requests made while one runs are coalesced.
  void request();
  // Blocks until no checkpoint is requested or running.
  void wait_idle();
  // Checkpoints completed without error (tests).
  std::int64_t completed() const;

  // Writer side (called under the owning connection's lock, from its WAL hook): the WAL holds
  // `frames` frames after a commit; asks for a checkpoint once `threshold` frames were added
  // since the last request (the automatic checkpoint's rhythm: without it every commit of a
  // growing WAL would ask).
  void committed(int frames, int threshold);
  // WAL size after the last commit seen by committed().
  int wal_frames() const { return wal_frames_; }

 private:
  void run();
  // One PASSIVE checkpoint on `db`, opening it first if null.
  void checkpoint(sqlite3*& db);
  // Starts the kernel's writeback of the database file's dirty pages (Linux; a hint).
  void start_writeback();

  std::string path_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  bool requested_ = false;
  bool running_ = false;
  bool stop_ = false;
  std::int64_t completed_ = 0;
  int wal_frames_ = 0;            // writer side only
  int requested_at_frames_ = 0;   // writer side only
  int writeback_fd_ = -1;         // checkpointer thread only
  std::thread thread_;  // last: started once the members above exist
};

class Connection {
 public:
  // Takes ownership of an open handle.
  explicit Connection(sqlite3* db);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  std::unique_lock<std::recursive_mutex> lock() { return std::unique_lock<std::recursive_mutex>(mutex_); }

  // A cached prepared statement (prepared once per distinct SQL text). Precondition: lock held.
  // SQL text that stays where it is (a literal, a function-local static string) is found again
  // by its address, checked against the statement's own text, without hashing or copying it.
  Stmt prepare(std::string_view sql);
  // Runs one or more statements without results (migrations, pragmas). Precondition: lock held.
  Status exec(const std::string& sql);
  Error error(int rc, const std::string& context) const { return translate_error(db_, rc, context); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // Between an outermost Transaction's BEGIN and its COMMIT/ROLLBACK. If SQLite rolls that
  // transaction back by itself (SQLITE_FULL, IOERR, NOMEM...), every statement fails until the
  // Transaction ends (Stmt::step), so the rest of the unit cannot run, piece by piece, in
  // autocommit: its writes (attempt rows reusing ids freed by the rollback) would commit.
  bool transaction_lost() const { return tx_open_ && !in_transaction(); }
  void set_transaction_open(bool open) { tx_open_ = open; }
  int changes() const { return sqlite3_changes(db_); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  sqlite3* handle() { return db_; }

  // The automatic-checkpoint threshold the connection was opened with (PRAGMA
  // wal_autocheckpoint, pages; 0 = none). Recorded by SqliteDatabase::open.
  void set_autocheckpoint_pages(int pages) { autocheckpoint_pages_ = pages; }
  int autocheckpoint_pages() const { return autocheckpoint_pages_; }
  // The checkpointer of this connection's database file, started on first use; nullptr for an
  // in-memory or temporary database (no file another connection could open). Precondition:
  // lock held.
  BackgroundCheckpointer* checkpointer();

 private:
  sqlite3* db_;
  std::recursive_mutex mutex_;
  bool tx_open_ = false;  // an outermost Transaction is between BEGIN and its end
  Stmt cached(sqlite3_stmt*& slot, std::string_view sql);

  std::unordered_map<std::string, sqlite3_stmt*> cache_;  // owns the statements
  // By the address of the text last seen for each statement (a hint, verified on use; cleared
  // when it grows past kMaxAddresses, since temporaries leave addresses that never come back).
  struct ByAddress {
    sqlite3_stmt** slot;
    std::size_t size;
  };
  static constexpr std::size_t kMaxAddresses = 4096;
  std::unordered_map<const char*, ByAddress> by_address_;
  int autocheckpoint_pages_ = 1000;  // SQLite's default
  bool checkpointer_tried_ = false;
  std::unique_ptr<BackgroundCheckpointer> checkpointer_;
};

// For the duration of a bulk write: the commits of this connection leave checkpoints to its
// BackgroundCheckpointer (asked for every autocheckpoint_pages() frames, the automatic
// checkpoint's threshold) instead of running them inline. Restores the automatic checkpoint when
// destroyed. Without a checkpointer (in-memory database) or with automatic checkpoints off,
// changes nothing. Precondition: the connection lock is held for its lifetime; construct it
// before the transaction begins.
//
// WAL size: SQLite rewinds the WAL to its start only when a write transaction begins on a fully
// checkpointed WAL, which a writer committing batch after batch never does while checkpoints run
// behind it. So once the WAL holds kMaxWalThresholds x the threshold (8 x 8000 pages = 256 MB with
// the defaults), the constructor waits for a checkpoint of everything committed so far: the WAL
// stays bounded at about that plus one transaction.
class CheckpointsInBackground {
 public:
  static constexpr int kMaxWalThresholds = 8;
  explicit CheckpointsInBackground(Connection& conn);
  CheckpointsInBackground(const CheckpointsInBackground&) = delete;
  CheckpointsInBackground& operator=(const CheckpointsInBackground&) = delete;
  ~CheckpointsInBackground();

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);

  Connection& conn_;
  BackgroundCheckpointer* checkpointer_ = nullptr;
  int threshold_ = 0;
};

// Turns the connection's foreign-key enforcement off (turn_off()) and back to what it was when
// destroyed. PRAGMA foreign_keys is a no-op inside a transaction: construct this before the
// Transaction it covers and let it be destroyed after (rollback or commit first, then the pragma
// is restored outside any transaction). Changing the pragma expires the connection's prepared
// statements (SQLite recompiles each cached one on its next use). Users: a rebuilding migration
// (checked with foreign_key_check), and insert_batch, which checks its tenant and list once per
// batch instead of two lookups per row. Precondition: the connection lock is held.
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(Connection& conn) : conn_(conn) {}
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;
  ~ForeignKeysOff();
  Status turn_off();

 private:
  Connection& conn_;
  bool was_on_ = false;
};

// RAII write transaction. The outermost level is BEGIN IMMEDIATE (takes the write lock up front,
// waiting up to busy_timeout, so concurrent writers in other processes queue instead of failing
// on lock upgrade); nested levels are SAVEPOINTs. Rolls back unless commit() succeeded.
// Precondition: the connection lock is held for the transaction's lifetime.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  Status begin();
  Status commit();

 private:
  Connection& conn_;
  bool active_ = false;
  bool nested_ = false;
};

}  // namespace outdial::storage::sqlite
