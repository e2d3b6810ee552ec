#include "outdial/storage/sqlite/call_store.hpp"

#include <array>

#include "outdial/storage/sqlite/connection.hpp"
#include "outdial/storage/sqlite/row_helpers.hpp"

namespace outdial::storage::sqlite {
namespace {

constexpr const char* kAttemptCols =
    "id, tenant_id, campaign_id, contact_id, attempt_number, idempotency_key, state, provider, "
    "provider_call_id,"
    " from_number, to_number, digits, answered_by_machine, created_at, dialed_at, answered_at, ended_at,"
    " failure_reason";
constexpr const char* kEventCols =
    "id, provider, provider_call_id, attempt_id, kind, at, sequence, dedupe_key, digits, duration_seconds, "
    "detail";

Result<CallAttempt> read_attempt(const Stmt& s) {
  CallAttempt a;
  a.id = s.i64(0);
  a.tenant_id = s.i64(1);
  a.campaign_id = s.i64(2);
  a.contact_id = s.i64(3);
  a.attempt_number = s.i32(4);
  a.idempotency_key = s.text(5);
  OUTDIAL_SQLITE_TRY(parse_column(s, 6, parse_call_state, "call_attempts.state", a.state));
  a.provider = s.text(7);
  a.provider_call_id = s.text(8);
  a.from_number = s.text(9);
  a.to_number = s.text(10);
  a.digits = s.text(11);
  a.answered_by_machine = s.boolean(12);
  a.created_at = s.time(13);
  a.dialed_at = s.opt_time(14);
  a.answered_at = s.opt_time(15);
  a.ended_at = s.opt_time(16);
  a.failure_reason = s.text(17);
  return a;
}

Result<std::vector<CallAttempt>> read_attempts(Stmt& s) { return read_rows(s, read_attempt); }

Result<CallEvent> read_event(const Stmt& s) {
  CallEvent e;
  e.id = s.i64(0);
  e.provider = s.text(1);
  e.provider_call_id = s.text(2);
  e.attempt_id = s.i64(3);
  OUTDIAL_SQLITE_TRY(parse_column(s, 4, parse_call_event_kind, "call_events.kind", e.kind));
  e.at = s.time(5);
  e.sequence = s.i64(6);
  e.dedupe_key = s.text(7);  // NULL reads back as ""
  e.digits = s.text(8);
  e.duration_seconds = s.i32(9);
  e.detail = s.text(10);
  return e;
}

Result<Disposition> read_disposition(const Stmt& s) {
  Disposition d;
  d.id = s.i64(0);
  d.tenant_id = s.i64(1);
  d.attempt_id = s.i64(2);
  auto code = parse_disposition_code(s.text(3));
  if (!code) return make_error(ErrorCode::kInternal, "unknown disposition code in store", {{"code", s.text(3)}});
  d.code = *code;
  d.note = s.text(4);
  d.callback_at = s.opt_time(5);
  d.created_by = s.text(6);
  d.created_at = s.time(7);
  return d;
}

Result<CallRecording> read_recording(const Stmt& s) {
  CallRecording r;
  r.id = s.i64(0);
  r.attempt_id = s.i64(1);
  r.provider = s.text(2);
  r.provider_call_id = s.text(3);
  r.recording_id = s.text(4);
  r.url = s.text(5);
  r.status = s.text(6);
  r.duration_seconds = s.i32(7);
  r.at = s.time(8);
  return r;
}

// Binds the attempt's columns after id as ?first.. in kAttemptCols order (17 parameters).
void bind_attempt(Stmt& s, const CallAttempt& a, int first) {
  Binder b(s, first);
  b(a.tenant_id)(a.campaign_id)(a.contact_id)(a.attempt_number);
  b(a.idempotency_key)(to_string(a.state))(a.provider)(a.provider_call_id);
  b(a.from_number)(a.to_number)(a.digits)(a.answered_by_machine);
  b(a.created_at)(a.dialed_at)(a.answered_at)(a.ended_at);
  b(a.failure_reason);
}

}  // namespace

SqliteCallStore::SqliteCallStore(Connection& conn) : conn_(conn) {}

const std::string& SqliteCallStore::live_attempts_sql() {
  static const std::string sql = [] {
    // Derived from core's is_terminal so a new state cannot silently drop out of restart
    // recovery (a new live state also needs a migration that widens call_attempts_live).
    std::string states;
    for (int i = 0; i <= static_cast<int>(CallState::kDropped); ++i) {
      const auto state = static_cast<CallState>(i);
      if (is_terminal(state)) continue;
      if (!states.empty()) states += " OR ";
      states += std::string("state = '") + to_string(state) + "'";
    }
    // An OR of equalities, exactly as migration 14 writes the index's WHERE (an IN list would
    // make SQLite build a temporary b-tree on every write of the table).
    return std::string("SELECT ") + kAttemptCols + " FROM call_attempts WHERE (" + states +
           ") AND (?1 = 0 OR campaign_id = ?1) ORDER BY id";
  }();
  return sql;
}

Result<CallAttempt> SqliteCallStore::create_attempt(const CallAttempt& a) {
  if (a.idempotency_key.empty()) return make_error(ErrorCode::kInvalidArgument, "empty idempotency_key");
  auto lock = conn_.lock();
  {
    auto s = conn_.prepare(
        "INSERT INTO call_attempts (tenant_id, campaign_id, contact_id, attempt_number, idempotency_key, "
        "state,"
        " provider, provider_call_id, from_number, to_number, digits, answered_by_machine, created_at, "
        "dialed_at,"
        " answered_at, ended_at, failure_reason)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        " ON CONFLICT (idempotency_key) DO NOTHING");
    bind_attempt(s, a, 1);
    auto n = s.run();
    if (!n) return n.error();
    if (*n > 0) {
      // Inserted: the row is exactly `a` with its new id (no read-back).
      CallAttempt stored = a;
      stored.id = sqlite3_last_insert_rowid(conn_.handle());
      return stored;
    }
  }
  // Not inserted: the stored row is the answer (a retried create returns the first one).
  static const std::string kSql =
      std::string("SELECT ") + kAttemptCols + " FROM call_attempts WHERE idempotency_key = ?1";
  auto s = conn_.prepare(kSql);
  s.bind(1, a.idempotency_key);
  return read_row(s, read_attempt,
                  [] { return make_error(ErrorCode::kInternal, "attempt vanished after insert"); });
}

Result<bool> SqliteCallStore::restore_attempt(const CallAttempt& a) {
  if (a.id <= 0 || a.idempotency_key.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "restore_attempt: an attempt needs its id and key",
                      {{"attempt_id", std::to_string(a.id)}, {"idempotency_key", a.idempotency_key}});
  }
  auto lock = conn_.lock();
  {
    auto s = conn_.prepare(
        "INSERT INTO call_attempts (tenant_id, campaign_id, contact_id, attempt_number, idempotency_key, state,"
        " provider, provider_call_id, from_number, to_number, digits, answered_by_machine, created_at, dialed_at,"
        " answered_at, ended_at, failure_reason, id)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
        " ON CONFLICT DO NOTHING");
    bind_attempt(s, a, 1);
    s.bind(18, a.id);
    auto n = s.run();
    if (!n) return n.error();
    if (*n > 0) return true;
  }
  // Not inserted: the id or the key is taken. Only the very same attempt is an answer.
  auto s = conn_.prepare("SELECT id, idempotency_key FROM call_attempts WHERE id = ?1 OR idempotency_key = ?2");
  s.bind(1, a.id).bind(2, a.idempotency_key);
  bool same = false;
  std::string other;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    if (s.i64(0) == a.id && s.text(1) == a.idempotency_key) {
      same = true;
    } else {
      other = "attempt " + std::to_string(s.i64(0)) + " (" + s.text(1) + ")";
    }
  }
  if (same && other.empty()) return false;
  return make_error(ErrorCode::kConflict, "restore_attempt: the id or the key belongs to another attempt: " + other,
                    {{"attempt_id", std::to_string(a.id)}, {"idempotency_key", a.idempotency_key}});
}

Result<CallAttempt> SqliteCallStore::get_attempt(AttemptId id) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kAttemptCols + " FROM call_attempts WHERE id = ?1";
  auto s = conn_.prepare(kSql);
  s.bind(1, id);
  return read_row(s, read_attempt, "call attempt", id);
}

Result<std::optional<CallAttempt>> SqliteCallStore::find_by_provider_id(const std::string& provider,
                                                                        const std::string& provider_call_id) {
  if (provider_call_id.empty()) return std::optional<CallAttempt>{};  // unassigned ids never match
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kAttemptCols +
      " FROM call_attempts WHERE provider = ?1 AND provider_call_id = ?2 ORDER BY id LIMIT 1";
  auto s = conn_.prepare(kSql);
  s.bind(1, provider).bind(2, provider_call_id);
  return read_optional_row(s, read_attempt);
}

Status SqliteCallStore::update_attempt(const CallAttempt& a, CallState expected) {
  auto lock = conn_.lock();
  // Identity columns (tenant, campaign, contact, attempt_number, idempotency_key, created_at)
  // are fixed at creation and not rewritten: every rewritten indexed column costs index work.
  // SQLite rewrites an index when its column is in the SET list, whatever the value, so the
  // statements are tried from the narrowest SET list on; each binds the same ?1..?13 and the
  // first that matches the row wins.
  static constexpr std::array<const char*, 3> kUpdates = {
      // The common case (a call's progress: provider, call id and numbers unchanged) leaves
      // those indexed columns out and only matches when they are equal.
      "UPDATE call_attempts SET state = ?3, digits = ?8, answered_by_machine = ?9, dialed_at = ?10,"
      " answered_at = ?11, ended_at = ?12, failure_reason = ?13 WHERE id = ?1 AND state = ?2"
      " AND provider = ?4 AND provider_call_id = ?5 AND from_number = ?6 AND to_number = ?7",
      // Placement (the carrier's call id arrives; the numbers were set at creation): leaves the
      // number index (tenant, to_number, created_at) alone.
      "UPDATE call_attempts SET state = ?3, provider = ?4, provider_call_id = ?5, digits = ?8,"
      " answered_by_machine = ?9, dialed_at = ?10, answered_at = ?11, ended_at = ?12, failure_reason = ?13"
      " WHERE id = ?1 AND state = ?2 AND from_number = ?6 AND to_number = ?7",
      // Anything else.
      "UPDATE call_attempts SET state = ?3, provider = ?4, provider_call_id = ?5, from_number = ?6,"
      " to_number = ?7, digits = ?8, answered_by_machine = ?9, dialed_at = ?10, answered_at = ?11,"
      " ended_at = ?12, failure_reason = ?13 WHERE id = ?1 AND state = ?2"};
  for (const char* sql : kUpdates) {
    auto s = conn_.prepare(sql);
    Binder b(s, 1);
    b(a.id)(to_string(expected))(to_string(a.state))(a.provider)(a.provider_call_id)(a.from_number)(
        a.to_number);
    b(a.digits)(a.answered_by_machine)(a.dialed_at)(a.answered_at)(a.ended_at)(a.failure_reason);
    auto n = s.run();
    if (!n) return n.error();
    if (*n > 0) return ok_status();
  }
  return make_error(ErrorCode::kConflict, "attempt is no longer in the expected state",
                    {{"attempt_id", std::to_string(a.id)}, {"expected", to_string(expected)}});
}

Result<std::vector<CallAttempt>> SqliteCallStore::live_attempts(CampaignId campaign) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(live_attempts_sql());
  s.bind(1, campaign);
  return read_attempts(s);
}

Result<std::vector<CallAttempt>> SqliteCallStore::list_attempts(TenantId tenant, CampaignId campaign,
                                                                std::int64_t offset, std::int64_t limit) {
  auto lock = conn_.lock();
  // campaign 0 = every attempt of the tenant.
  static const std::string kSql = std::string("SELECT ") + kAttemptCols +
                                  " FROM call_attempts WHERE tenant_id = ?1 AND (?2 = 0 OR campaign_id = ?2)"
                                  " ORDER BY id LIMIT ?3 OFFSET ?4";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, campaign).bind(3, limit).bind(4, offset);
  return read_attempts(s);
}

Result<std::vector<CallAttempt>> SqliteCallStore::attempts_for_contact(CampaignId campaign,
                                                                       ContactId contact) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kAttemptCols +
      " FROM call_attempts WHERE campaign_id = ?1 AND contact_id = ?2 ORDER BY id";
  auto s = conn_.prepare(kSql);
  s.bind(1, campaign).bind(2, contact);
  return read_attempts(s);
}

Result<std::vector<CallAttempt>> SqliteCallStore::attempts_to_number(TenantId tenant,
                                                                     const std::string& phone_e164,
                                                                     TimePoint since) {
  auto lock = conn_.lock();
  // Served by call_attempts_tenant_number_created (migration 3).
  static const std::string kSql =
      std::string("SELECT ") + kAttemptCols +
      " FROM call_attempts WHERE tenant_id = ?1 AND to_number = ?2 AND created_at >= ?3"
      " ORDER BY created_at, id";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, phone_e164).bind(3, since);
  return read_attempts(s);
}

Result<std::vector<CallStore::AttemptTally>> SqliteCallStore::tally_attempts(CampaignId campaign) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "SELECT state, answered_at IS NOT NULL, answered_by_machine, COUNT(*) FROM call_attempts"
      " WHERE campaign_id = ?1 GROUP BY 1, 2, 3");
  s.bind(1, campaign);
  return read_rows(s, [](const Stmt& row) -> Result<AttemptTally> {
    auto state = parse_call_state(row.text(0));
    if (!state) return make_error(ErrorCode::kInternal, "unknown call state in store", {{"state", row.text(0)}});
    return AttemptTally{*state, row.i64(1) != 0, row.i64(2) != 0, row.i64(3)};
  });
}

Result<std::map<std::string, std::int64_t>> SqliteCallStore::count_by_state(CampaignId campaign) {
  auto lock = conn_.lock();
  auto s = conn_.prepare("SELECT state, COUNT(*) FROM call_attempts WHERE campaign_id = ?1 GROUP BY state");
  s.bind(1, campaign);
  std::map<std::string, std::int64_t> out;
  OUTDIAL_SQLITE_TRY(for_each_row(s, [&](const Stmt& row) { out[row.text(0)] = row.i64(1); }));
  return out;
}

Result<std::int64_t> SqliteCallStore::count_created_between(CampaignId campaign, TimePoint from,
                                                            TimePoint to) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "SELECT (SELECT COUNT(*) FROM call_attempts WHERE campaign_id = ?1 AND created_at >= ?2 AND created_at < ?3)"
      " - (SELECT COUNT(*) FROM call_attempts WHERE campaign_id = ?1 AND created_at >= ?2 AND created_at < ?3"
      " AND state = 'canceled' AND dialed_at IS NULL AND provider_call_id = '')");
  s.bind(1, campaign).bind(2, from).bind(3, to);
  auto row = s.step();
  if (!row) return row.error();
  return s.i64(0);
}

Result<bool> SqliteCallStore::append_event(const CallEvent& e) {
  auto lock = conn_.lock();
  // Deduplicated on (attempt_id, provider, dedupe_key), and among events with no attempt yet on
  // (provider, dedupe_key) (migration 12). An event stored before its attempt knew the call id
  // (attempt 0) and delivered again afterwards is the same event: checked here.
  if (e.attempt_id != 0 && !e.dedupe_key.empty()) {
    auto q = conn_.prepare(
        "SELECT 1 FROM call_events WHERE attempt_id = 0 AND provider = ?1 AND dedupe_key = ?2");
    q.bind(1, e.provider).bind(2, e.dedupe_key);
    auto found = q.step();
    if (!found) return found.error();
    if (*found) return false;
  }
  // DO NOTHING on a uniqueness conflict only (narrower than INSERT OR IGNORE, which would also
  // swallow NOT NULL violations). An empty dedupe_key is stored as NULL: NULLs never collide,
  // so such events are never deduplicated.
  auto s = conn_.prepare(
      "INSERT INTO call_events (provider, provider_call_id, attempt_id, kind, at, sequence, dedupe_key, "
      "digits,"
      " duration_seconds, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
      " ON CONFLICT DO NOTHING");
  s.bind(1, e.provider).bind(2, e.provider_call_id).bind(3, e.attempt_id).bind(4, to_string(e.kind));
  s.bind(5, e.at).bind(6, e.sequence);
  if (e.dedupe_key.empty()) {
    s.bind_null(7);
  } else {
    s.bind(7, e.dedupe_key);
  }
  s.bind(8, e.digits).bind(9, e.duration_seconds).bind(10, e.detail);
  auto n = s.run();
  if (!n) return n.error();
  return *n > 0;
}

Result<std::vector<CallEvent>> SqliteCallStore::events_for_call(const std::string& provider,
                                                                const std::string& provider_call_id) {
  auto lock = conn_.lock();
  // The events of the attempt(s) that carry this call id, by the attempt index, plus those stored
  // before any attempt knew it (migration 12's partial index).
  static const std::string kSql =
      std::string("SELECT ") + kEventCols +
      " FROM call_events WHERE attempt_id IN (SELECT id FROM call_attempts WHERE provider = ?1"
      " AND provider_call_id = ?2) AND provider = ?1 AND provider_call_id = ?2"
      " UNION ALL SELECT " +
      kEventCols +
      " FROM call_events WHERE attempt_id = 0 AND provider = ?1 AND provider_call_id = ?2"
      " ORDER BY at, sequence, id";
  auto s = conn_.prepare(kSql);
  s.bind(1, provider).bind(2, provider_call_id);
  return read_rows(s, read_event);
}

Result<bool> SqliteCallStore::has_unattached_events(const std::string& provider,
                                                    const std::string& provider_call_id) {
  auto lock = conn_.lock();
  // Migration 12's partial index (attempt_id = 0): usually empty.
  auto s = conn_.prepare(
      "SELECT 1 FROM call_events WHERE attempt_id = 0 AND provider = ?1 AND provider_call_id = ?2 LIMIT 1");
  s.bind(1, provider).bind(2, provider_call_id);
  return s.step();
}

Result<Disposition> SqliteCallStore::add_disposition(const Disposition& d) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO dispositions (tenant_id, attempt_id, code, note, callback_at, created_by, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, d.tenant_id).bind(2, d.attempt_id).bind(3, std::string(to_string(d.code))).bind(4, d.note);
  if (d.callback_at) {
    s.bind(5, *d.callback_at);
  } else {
    s.bind_null(5);
  }
  s.bind(6, d.created_by).bind(7, d.created_at);
  return insert_row(conn_, s, d);
}

Result<std::vector<Disposition>> SqliteCallStore::dispositions_for_attempt(AttemptId attempt) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "SELECT id, tenant_id, attempt_id, code, note, callback_at, created_by, created_at FROM dispositions"
      " WHERE attempt_id = ?1 ORDER BY id");
  s.bind(1, attempt);
  return read_rows(s, read_disposition);
}

Result<bool> SqliteCallStore::add_recording(const CallRecording& r) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO call_recordings (attempt_id, provider, provider_call_id, recording_id, url, status,"
      " duration_seconds, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT (provider, recording_id) DO NOTHING");
  s.bind(1, r.attempt_id).bind(2, r.provider).bind(3, r.provider_call_id).bind(4, r.recording_id);
  s.bind(5, r.url).bind(6, r.status).bind(7, r.duration_seconds).bind(8, r.at);
  auto n = s.run();
  if (!n) return n.error();
  return *n > 0;
}

Result<std::vector<CallRecording>> SqliteCallStore::recordings_for_attempt(AttemptId attempt) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "SELECT id, attempt_id, provider, provider_call_id, recording_id, url, status, duration_seconds, at"
      " FROM call_recordings WHERE attempt_id = ?1 ORDER BY at, id");
  s.bind(1, attempt);
  return read_rows(s, read_recording);
}

}  // namespace outdial::storage::sqlite
