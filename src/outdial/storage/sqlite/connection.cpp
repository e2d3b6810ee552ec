#include "outdial/storage/sqlite/connection.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace outdial::storage::sqlite {

Error translate_error(sqlite3* db, int rc, const std::string& context) {
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string text = context + ": " + (msg != nullptr ? msg : sqlite3_errstr(rc));
  std::map<std::string, std::string> details{{"sqlite_code", std::to_string(extended)}};
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_READONLY:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_CONSTRAINT:
      switch (extended) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
          code = ErrorCode::kAlreadyExists;
          break;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
          code = ErrorCode::kNotFound;
          break;
        case SQLITE_CONSTRAINT_TRIGGER:
          code = ErrorCode::kFailedPrecondition;
          break;
        default:
          code = ErrorCode::kInvalidArgument;
          break;
      }
      break;
    default:
      break;
  }
  return make_error(code, std::move(text), std::move(details));
}

// ---- Stmt ---------------------------------------------------------------------------------

Stmt::Stmt(Connection& conn, sqlite3_stmt* stmt, bool owned, std::optional<Error> error)
    : conn_(&conn), stmt_(stmt), owned_(owned), error_(std::move(error)) {}

Stmt::Stmt(Stmt&& other) noexcept
    : conn_(other.conn_),
      stmt_(other.stmt_),
      owned_(other.owned_),
      produced_row_(other.produced_row_),
      error_(std::move(other.error_)) {
  other.stmt_ = nullptr;
}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Stmt::note(int rc, const char* what) {
  if (rc != SQLITE_OK && !error_) error_ = conn_->error(rc, what);
}

Stmt& Stmt::bind(int index, std::int64_t value) {
  if (stmt_ != nullptr) note(sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}
Stmt& Stmt::bind(int index, const std::string& value) {
  if (stmt_ != nullptr) {
    note(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT),
         "bind");
  }
  return *this;
}
Stmt& Stmt::bind(int index, const char* value) { return bind(index, std::string(value)); }
Stmt& Stmt::bind_static(int index, std::string_view value) {
  if (stmt_ != nullptr) {
    // A zero-length text needs a non-null pointer: a null one would bind NULL, not ''.
    note(sqlite3_bind_text(stmt_, index, value.empty() ? "" : value.data(), static_cast<int>(value.size()),
                           SQLITE_STATIC),
         "bind");
  }
  return *this;
}
Stmt& Stmt::bind_static(int index, const char* value) { return bind_static(index, std::string_view(value)); }
void Stmt::reset() {
  if (stmt_ != nullptr) sqlite3_reset(stmt_);
  produced_row_ = false;
}
Stmt& Stmt::bind(int index, const std::optional<TimePoint>& value) {
  return value ? bind(index, *value) : bind_null(index);
}
Stmt& Stmt::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}
Stmt& Stmt::bind_null(int index) {
  if (stmt_ != nullptr) note(sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

Result<bool> Stmt::step() {
  if (error_) return *error_;
  if (stmt_ == nullptr) return make_error(ErrorCode::kInternal, "step on an empty statement");
  if (conn_->transaction_lost()) {
    return make_error(ErrorCode::kUnavailable,
                      "the enclosing transaction was rolled back by SQLite; nothing more runs until it ends",
                      {{"statement", sqlite3_sql(stmt_)}});
  }
  constexpr int kMaxBusyRetries = 50;
  for (int attempt = 0;; ++attempt) {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      produced_row_ = true;
      return true;
    }
    if (rc == SQLITE_DONE) return false;
    // Only a stale snapshot is retried: plain SQLITE_BUSY already waited out busy_timeout.
    const bool retryable = sqlite3_extended_errcode(conn_->handle()) == SQLITE_BUSY_SNAPSHOT &&
                           !produced_row_ && !conn_->in_transaction() && attempt < kMaxBusyRetries;
    if (!retryable) {
      Error e = conn_->error(rc, std::string("step: ") + sqlite3_sql(stmt_));
      sqlite3_reset(stmt_);
      return e;
    }
    sqlite3_reset(stmt_);  // keeps bindings
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + attempt));
  }
}

Result<int> Stmt::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) break;
  }
  return conn_->changes();
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t Stmt::i64(int col) const { return sqlite3_column_int64(stmt_, col); }
int Stmt::i32(int col) const { return static_cast<int>(sqlite3_column_int64(stmt_, col)); }
std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}
std::optional<TimePoint> Stmt::opt_time(int col) const {
  if (is_null(col)) return std::nullopt;
  return time(col);
}
std::optional<std::int64_t> Stmt::opt_i64(int col) const {
  if (is_null(col)) return std::nullopt;
  return i64(col);
}

// ---- Connection ---------------------------------------------------------------------------

Connection::Connection(sqlite3* db) : db_(db) {}

Connection::~Connection() {
  checkpointer_.reset();  // joins its thread before this connection goes away
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Stmt Connection::prepare(std::string_view sql) {
  if (auto hint = by_address_.find(sql.data()); hint != by_address_.end()) {
    const ByAddress& known = hint->second;
    // The same address may now hold other text (a temporary's buffer reused): compare it.
    const char* text = *known.slot != nullptr ? sqlite3_sql(*known.slot) : nullptr;
    if (text != nullptr && known.size == sql.size() && std::memcmp(text, sql.data(), sql.size()) == 0) {
      return cached(*known.slot, sql);
    }
  }
  auto [it, inserted] = cache_.try_emplace(std::string(sql), nullptr);
  if (by_address_.size() >= kMaxAddresses) by_address_.clear();
  by_address_[sql.data()] = ByAddress{&it->second, sql.size()};
  return cached(it->second, sql);
}

Stmt Connection::cached(sqlite3_stmt*& slot, std::string_view sql) {
  // The cached copy is mid-iteration in an enclosing scope (a store method re-entered with the
  // same SQL): hand out a private one rather than disturb it.
  if (slot != nullptr && sqlite3_stmt_busy(slot) == 0) return Stmt(*this, slot, false, std::nullopt);
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Stmt(*this, nullptr, false, error(rc, "prepare: " + std::string(sql)));
  }
  if (slot != nullptr) return Stmt(*this, stmt, true, std::nullopt);
  slot = stmt;
  return Stmt(*this, stmt, false, std::nullopt);
}

Status Connection::exec(const std::string& sql) {
  char* msg = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    Error e = error(rc, "exec");
    if (msg != nullptr) {
      e.message += std::string(" (") + msg + ")";
      sqlite3_free(msg);
    }
    return e;
  }
  return ok_status();
}

BackgroundCheckpointer* Connection::checkpointer() {
  if (!checkpointer_tried_) {
    checkpointer_tried_ = true;
    // "" for ":memory:" and temporary databases: nothing another connection could open.
    const char* file = sqlite3_db_filename(db_, "main");
    if (file != nullptr && *file != '\0') checkpointer_ = std::make_unique<BackgroundCheckpointer>(file);
  }
  return checkpointer_.get();
}

// ---- BackgroundCheckpointer ---------------------------------------------------------------

BackgroundCheckpointer::BackgroundCheckpointer(std::string path)
    : path_(std::move(path)), thread_([this] { run(); }) {}

BackgroundCheckpointer::~BackgroundCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  idle_.notify_all();
  thread_.join();
}

void BackgroundCheckpointer::request() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requested_ = true;
  }
  wake_.notify_one();
}

void BackgroundCheckpointer::wait_idle() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return (!requested_ && !running_) || stop_; });
}

void BackgroundCheckpointer::committed(int frames, int threshold) {
  wal_frames_ = frames;
  if (frames < requested_at_frames_) requested_at_frames_ = 0;  // the WAL was rewound
  if (frames - requested_at_frames_ >= threshold) {
    requested_at_frames_ = frames;
    request();
  }
}

std::int64_t BackgroundCheckpointer::completed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_;
}

void BackgroundCheckpointer::run() {
  sqlite3* db = nullptr;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return requested_ || stop_; });
      if (stop_) break;
      requested_ = false;
      running_ = true;
    }
    checkpoint(db);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_ = false;
    }
    idle_.notify_all();
  }
  // Not the database's last connection (the owner's is still open), so closing does not
  // checkpoint.
  if (db != nullptr) sqlite3_close_v2(db);
  if (writeback_fd_ >= 0) ::close(writeback_fd_);
}

void BackgroundCheckpointer::checkpoint(sqlite3*& db) {
  if (db == nullptr) {
    // Opened on the first request (the file exists by then). Reading the schema makes the new
    // connection see the database in WAL mode, which a checkpoint needs.
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 1000) != SQLITE_OK ||
        sqlite3_exec(db, "SELECT 1 FROM sqlite_schema LIMIT 1", nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db);
      db = nullptr;
      return;  // tried again on the next request
    }
  }
  int log = 0;
  int done = 0;
  // log is -1 when the connection does not see a WAL (nothing was checkpointed).
  if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done) == SQLITE_OK && log >= 0) {
    if (done > 0) start_writeback();
    std::lock_guard<std::mutex> lock(mutex_);
    ++completed_;
  }
}

void BackgroundCheckpointer::start_writeback() {
#ifdef __linux__
  // A PASSIVE checkpoint that cannot reach the WAL's end (a bulk writer keeps appending) does not
  // sync the database file, so the pages it copied stay dirty in the page cache until the
  // checkpoint that completes, usually the last connection's close, whose fdatasync then waits
  // for all of them (~0.2 s after a 1M-row import). Asking the kernel to start writing them now
  // (as PostgreSQL's checkpoint_flush_after does) leaves that sync little to wait for. Only a
  // hint: durability still comes from SQLite's own syncs, and a failure changes nothing.
  if (writeback_fd_ < 0) writeback_fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (writeback_fd_ >= 0) (void)::sync_file_range(writeback_fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

// ---- CheckpointsInBackground --------------------------------------------------------------

CheckpointsInBackground::CheckpointsInBackground(Connection& conn) : conn_(conn) {
  threshold_ = conn_.autocheckpoint_pages();
  if (threshold_ <= 0) return;  // automatic checkpoints are off: leave it that way
  checkpointer_ = conn_.checkpointer();
  if (checkpointer_ == nullptr) return;
  if (checkpointer_->wal_frames() >= kMaxWalThresholds * threshold_) {
    // Everything committed so far checkpointed: the transaction about to begin sees a fully
    // checkpointed WAL and its commit writes from the WAL's start again.
    checkpointer_->request();
    checkpointer_->wait_idle();
  }
  // Replaces the automatic checkpoint (itself a WAL hook) for this connection.
  sqlite3_wal_hook(conn_.handle(), &CheckpointsInBackground::on_commit, this);
}

CheckpointsInBackground::~CheckpointsInBackground() {
  if (checkpointer_ == nullptr) return;
  sqlite3_wal_autocheckpoint(conn_.handle(), threshold_);  // reinstalls SQLite's own hook
}

int CheckpointsInBackground::on_commit(void* self, sqlite3* /*db*/, const char* /*schema*/, int frames) {
  auto* me = static_cast<CheckpointsInBackground*>(self);
  me->checkpointer_->committed(frames, me->threshold_);
  return SQLITE_OK;
}

// ---- Transaction --------------------------------------------------------------------------

Status Transaction::begin() {
  nested_ = conn_.in_transaction();
  auto r = conn_.prepare(nested_ ? "SAVEPOINT outdial_sp" : "BEGIN IMMEDIATE").run();
  if (!r) return r.error();
  active_ = true;
  if (!nested_) conn_.set_transaction_open(true);
  return ok_status();
}

Status Transaction::commit() {
  if (!active_) return make_error(ErrorCode::kInternal, "commit without begin");
  auto r = conn_.prepare(nested_ ? "RELEASE outdial_sp" : "COMMIT").run();
  if (!r) return r.error();  // the destructor rolls back
  active_ = false;
  if (!nested_) conn_.set_transaction_open(false);
  return ok_status();
}

Transaction::~Transaction() {
  if (!active_) return;
  if (!nested_) conn_.set_transaction_open(false);  // ROLLBACK below runs as a plain statement
  // An I/O error may already have rolled the transaction back: then there is nothing to undo.
  if (!conn_.in_transaction()) return;
  if (nested_) {
    (void)conn_.prepare("ROLLBACK TO outdial_sp").run();
    (void)conn_.prepare("RELEASE outdial_sp").run();
  } else {
    (void)conn_.prepare("ROLLBACK").run();
  }
}

ForeignKeysOff::~ForeignKeysOff() {
  // Outside a transaction this cannot fail (the Transaction has rolled back or committed).
  if (was_on_) (void)conn_.exec("PRAGMA foreign_keys=ON");
}

Status ForeignKeysOff::turn_off() {
  auto s = conn_.prepare("PRAGMA foreign_keys");
  auto row = s.step();
  if (!row) return row.error();
  was_on_ = *row && s.i64(0) != 0;
  if (!was_on_) return ok_status();
  return conn_.exec("PRAGMA foreign_keys=OFF");
}

}  // namespace outdial::storage::sqlite
