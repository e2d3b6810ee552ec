#include "outdial/ingest/sqlite/sqlite_inbox_store.hpp"

#include <sqlite3.h>

#include <utility>

#include "outdial/storage/sqlite/connection.hpp"

namespace outdial::ingest::sqlite {

namespace {

constexpr int kSchemaVersion = 1;

// The inbox schema. seq is AUTOINCREMENT so a number is never reused (the applied watermark is
// a seq); (provider, dedupe_key) is the carrier's event identity: a redelivery is one row.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS inbox (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  provider         TEXT    NOT NULL,
  dedupe_key       TEXT    NOT NULL,
  provider_call_id TEXT    NOT NULL,
  attempt_id       INTEGER NOT NULL,
  kind             TEXT    NOT NULL,
  at_ms            INTEGER NOT NULL,
  sequence         INTEGER NOT NULL,
  digits           TEXT    NOT NULL,
  duration_seconds INTEGER NOT NULL,
  detail           TEXT    NOT NULL,
  UNIQUE (provider, dedupe_key)
);
CREATE TABLE IF NOT EXISTS inbox_state (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  applied_through INTEGER NOT NULL
);
INSERT OR IGNORE INTO inbox_state (id, applied_through) VALUES (1, 0);
)sql";

// SQLite result code -> Error: the storage driver's one mapping (engineering.md §5).
Error sql_error(sqlite3* db, int rc, const std::string& context) {
  return storage::sqlite::translate_error(db, rc, "webhook inbox: " + context);
}

Status exec(sqlite3* db, const char* sql, const std::string& context) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return sql_error(db, rc, context);
  return ok_status();
}

Result<sqlite3*> open_connection(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sql_error(db, rc, "cannot open '" + path + "'");
    e.code = ErrorCode::kUnavailable;
    sqlite3_close(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  return db;
}

void bind_text(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
}

std::string column_text(sqlite3_stmt* st, int i) {
  const auto* p = sqlite3_column_text(st, i);
  return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st, i)))
                      : std::string();
}

}  // namespace

Result<std::unique_ptr<SqliteInboxStore>> SqliteInboxStore::open(const std::string& path, SqliteInboxOptions options) {
  std::unique_ptr<SqliteInboxStore> s(new SqliteInboxStore(path, options));
  auto w = open_connection(path);
  if (!w.ok()) return w.error();
  s->writer_ = w.value();
  // WAL + FULL: every commit syncs the WAL before COMMIT returns (https://sqlite.org/pragma.html
  // #pragma_synchronous: "FULL ... WAL mode ... durable across power loss"). The WAL file's
  // directory entry is synced when SQLite creates it.
  if (auto st = exec(s->writer_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", "setting WAL/FULL"); !st.ok()) {
    return st.error();
  }
  {
    sqlite3_stmt* st = nullptr;
    int version = 0;
    if (sqlite3_prepare_v2(s->writer_, "PRAGMA user_version", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      version = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    if (version > kSchemaVersion) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "webhook inbox '" + path + "' has schema version " + std::to_string(version) +
                            ", newer than this build's " + std::to_string(kSchemaVersion),
                        {{"path", path}});
    }
  }
  const std::string schema = std::string("BEGIN IMMEDIATE;") + kSchema + "PRAGMA user_version=" +
                             std::to_string(kSchemaVersion) + "; COMMIT;";
  if (auto st = exec(s->writer_, schema.c_str(), "creating the schema"); !st.ok()) {
    sqlite3_exec(s->writer_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st.error();
  }
  // The writer never checkpoints (that would put a checkpoint's syncs inside a webhook's
  // commit); the hook only counts WAL frames for maintain().
  sqlite3_wal_hook(s->writer_, &SqliteInboxStore::on_wal_commit, s.get());

  auto r = open_connection(path);
  if (!r.ok()) return r.error();
  s->reader_ = r.value();
  if (auto st = exec(s->reader_, "PRAGMA synchronous=FULL;", "setting FULL on the reader"); !st.ok()) {
    return st.error();
  }

  const auto prep = [](sqlite3* db, const char* sql, sqlite3_stmt** out) -> Status {
    const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr);
    if (rc != SQLITE_OK) return sql_error(db, rc, std::string("preparing ") + sql);
    return ok_status();
  };
  if (auto st = prep(s->writer_,
                     "INSERT INTO inbox (provider, dedupe_key, provider_call_id, attempt_id, kind, at_ms, sequence,"
                     " digits, duration_seconds, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                     " ON CONFLICT (provider, dedupe_key) DO NOTHING",
                     &s->insert_);
      !st.ok()) {
    return st.error();
  }
  if (auto st = prep(s->writer_,
                     "UPDATE inbox_state SET applied_through = ?1 WHERE id = 1 AND applied_through < ?1",
                     &s->set_watermark_);
      !st.ok()) {
    return st.error();
  }
  if (auto st = prep(s->reader_,
                     "SELECT seq, provider, dedupe_key, provider_call_id, attempt_id, kind, at_ms, sequence, digits,"
                     " duration_seconds, detail FROM inbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                     &s->select_after_);
      !st.ok()) {
    return st.error();
  }
  // The oldest applied rows beyond the newest `retain_applied_rows`, at most `prune_chunk`.
  if (auto st = prep(s->reader_,
                     "DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox WHERE seq <="
                     " (SELECT applied_through FROM inbox_state WHERE id = 1) - ?1 ORDER BY seq LIMIT ?2)",
                     &s->prune_);
      !st.ok()) {
    return st.error();
  }
  auto pr = open_connection(path);
  if (!pr.ok()) return pr.error();
  s->prober_ = pr.value();
  if (auto st = prep(s->prober_, "SELECT 1 FROM inbox WHERE provider = ?1 AND dedupe_key = ?2", &s->probe_); !st.ok()) {
    return st.error();
  }
  return s;
}

Result<std::vector<bool>> SqliteInboxStore::contains(std::span<const CallEvent* const> events) {
  std::lock_guard lock(probe_mu_);
  std::vector<bool> out(events.size(), false);
  // One read transaction for the whole probe (one snapshot, one lock acquisition).
  int rc = sqlite3_exec(prober_, "BEGIN", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sql_error(prober_, rc, "BEGIN (probe)");
  for (std::size_t i = 0; i < events.size(); ++i) {
    bind_text(probe_, 1, events[i]->provider);
    bind_text(probe_, 2, events[i]->dedupe_key);
    rc = sqlite3_step(probe_);
    sqlite3_reset(probe_);
    if (rc == SQLITE_ROW) {
      out[i] = true;
    } else if (rc != SQLITE_DONE) {
      Error e = sql_error(prober_, rc, "looking up a stored event");
      sqlite3_exec(prober_, "ROLLBACK", nullptr, nullptr, nullptr);
      return e;
    }
  }
  sqlite3_clear_bindings(probe_);
  sqlite3_exec(prober_, "COMMIT", nullptr, nullptr, nullptr);
  return out;
}

SqliteInboxStore::~SqliteInboxStore() {
  sqlite3_finalize(probe_);
  sqlite3_close(prober_);
  sqlite3_finalize(insert_);
  sqlite3_finalize(set_watermark_);
  sqlite3_finalize(select_after_);
  sqlite3_finalize(prune_);
  sqlite3_close(reader_);
  sqlite3_close(writer_);
}

int SqliteInboxStore::on_wal_commit(void* self, sqlite3*, const char*, int frames) {
  static_cast<SqliteInboxStore*>(self)->wal_frames_.store(frames, std::memory_order_relaxed);
  return SQLITE_OK;
}

Result<AppendResult> SqliteInboxStore::append(std::span<const CallEvent* const> events,
                                              std::optional<std::int64_t> applied_through) {
  const auto fail = [this](int rc, const std::string& what) -> Error {
    Error e = sql_error(writer_, rc, what);
    // A failed statement or COMMIT may leave the transaction open: nothing of it may survive.
    if (sqlite3_get_autocommit(writer_) == 0) sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  AppendResult out;
  int rc = sqlite3_exec(writer_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(rc, "BEGIN");
  for (const CallEvent* ev : events) {
    const std::string kind = to_string(ev->kind);
    bind_text(insert_, 1, ev->provider);
    bind_text(insert_, 2, ev->dedupe_key);
    bind_text(insert_, 3, ev->provider_call_id);
    sqlite3_bind_int64(insert_, 4, ev->attempt_id);
    bind_text(insert_, 5, kind);
    sqlite3_bind_int64(insert_, 6, to_epoch_ms(ev->at));
    sqlite3_bind_int64(insert_, 7, ev->sequence);
    bind_text(insert_, 8, ev->digits);
    sqlite3_bind_int64(insert_, 9, ev->duration_seconds);
    bind_text(insert_, 10, ev->detail);
    rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) {
      return fail(rc, "storing " + ev->provider + " event '" + ev->dedupe_key + "'");
    }
    if (sqlite3_changes(writer_) == 1) {
      ++out.inserted;
    } else {
      ++out.duplicates;
    }
  }
  sqlite3_clear_bindings(insert_);
  if (applied_through) {
    sqlite3_bind_int64(set_watermark_, 1, *applied_through);
    rc = sqlite3_step(set_watermark_);
    sqlite3_reset(set_watermark_);
    if (rc != SQLITE_DONE) return fail(rc, "storing the applied watermark");
  }
  rc = sqlite3_exec(writer_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(rc, "COMMIT");
  return out;
}

Result<std::vector<InboxRow>> SqliteInboxStore::read_after(std::int64_t after, std::size_t limit) {
  sqlite3_bind_int64(select_after_, 1, after);
  sqlite3_bind_int64(select_after_, 2, static_cast<sqlite3_int64>(limit));
  std::vector<InboxRow> rows;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select_after_)) == SQLITE_ROW) {
    InboxRow row;
    row.seq = sqlite3_column_int64(select_after_, 0);
    CallEvent& ev = row.event;
    ev.provider = column_text(select_after_, 1);
    ev.dedupe_key = column_text(select_after_, 2);
    ev.provider_call_id = column_text(select_after_, 3);
    ev.attempt_id = sqlite3_column_int64(select_after_, 4);
    const std::string kind = column_text(select_after_, 5);
    auto parsed = parse_call_event_kind(kind);
    if (!parsed) {
      sqlite3_reset(select_after_);
      return make_error(ErrorCode::kInternal, "webhook inbox row " + std::to_string(row.seq) +
                                                  " has an unknown event kind '" + kind + "'",
                        {{"seq", std::to_string(row.seq)}, {"path", path_}});
    }
    ev.kind = *parsed;
    ev.at = from_epoch_ms(sqlite3_column_int64(select_after_, 6));
    ev.sequence = sqlite3_column_int64(select_after_, 7);
    ev.digits = column_text(select_after_, 8);
    ev.duration_seconds = sqlite3_column_int(select_after_, 9);
    ev.detail = column_text(select_after_, 10);
    rows.push_back(std::move(row));
  }
  sqlite3_reset(select_after_);
  if (rc != SQLITE_DONE) return sql_error(reader_, rc, "reading stored events");
  return rows;
}

Result<std::int64_t> SqliteInboxStore::applied_through() {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(reader_, "SELECT applied_through FROM inbox_state WHERE id = 1", -1, &st, nullptr);
  if (rc != SQLITE_OK) return sql_error(reader_, rc, "reading the applied watermark");
  std::int64_t value = 0;
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) value = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW) return sql_error(reader_, rc, "reading the applied watermark");
  return value;
}

Status SqliteInboxStore::prune() {
  if (options_.retain_applied_rows < 0 || options_.prune_chunk <= 0) return ok_status();
  sqlite3_bind_int64(prune_, 1, options_.retain_applied_rows);
  sqlite3_bind_int64(prune_, 2, options_.prune_chunk);
  const int rc = sqlite3_step(prune_);
  sqlite3_reset(prune_);
  // Busy = the writer is committing webhooks: they go first, the next maintain() tries again.
  if (rc != SQLITE_DONE && rc != SQLITE_BUSY) return sql_error(reader_, rc, "pruning applied rows");
  return ok_status();
}

Status SqliteInboxStore::maintain() {
  if (options_.checkpoint_frames <= 0 || wal_frames_.load(std::memory_order_relaxed) < options_.checkpoint_frames) {
    return ok_status();
  }
  // At the checkpoint's cadence (the inbox grew by checkpoint_frames pages since the last one).
  if (auto st = prune(); !st.ok()) return st;
  // PASSIVE: copies what it can without blocking the writer; the writer restarts the WAL from
  // its beginning once a checkpoint has completed (the file keeps its size, so later syncs
  // overwrite blocks in place).
  int log = 0;
  int done = 0;
  const int rc = sqlite3_wal_checkpoint_v2(reader_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return sql_error(reader_, rc, "checkpoint");
  if (log >= 0 && done == log) wal_frames_.store(0, std::memory_order_relaxed);
  return ok_status();
}

}  // namespace outdial::ingest::sqlite
