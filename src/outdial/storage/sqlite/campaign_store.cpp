#include "outdial/storage/sqlite/campaign_store.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "outdial/storage/sqlite/connection.hpp"
#include "outdial/storage/sqlite/row_helpers.hpp"

namespace outdial::storage::sqlite {
namespace {

// The columns update_campaign overwrites, in bind order. Insert and select list them after the
// immutable ones (tenant_id, created_by, created_at).
constexpr std::array<const char*, 31> kMutableCols = {"name",
                                                      "description",
                                                      "script",
                                                      "voicemail_text",
                                                      "purpose",
                                                      "voice",
                                                      "status",
                                                      "list_id",
                                                      "caller_id",
                                                      "agent_number",
                                                      "lines",
                                                      "max_concurrency",
                                                      "calls_per_minute",
                                                      "max_attempts",
                                                      "min_spacing_minutes",
                                                      "daily_limit",
                                                      "retry_busy_max",
                                                      "retry_busy_backoff",
                                                      "retry_no_answer_max",
                                                      "retry_no_answer_backoff",
                                                      "retry_machine_max",
                                                      "retry_machine_backoff",
                                                      "retry_failed_max",
                                                      "retry_failed_backoff",
                                                      "schedule_start",
                                                      "schedule_end",
                                                      "expires_at",
                                                      "record_calls",
                                                      "recording_disclosure",
                                                      "activated_by",
                                                      "activated_at"};
constexpr int kFirstMutableCol = 4;  // after id, tenant_id, created_by, created_at

std::string joined_mutable_cols() {
  std::string out;
  for (const char* c : kMutableCols) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

const std::string& select_campaign_sql() {
  static const std::string kSql =
      "SELECT id, tenant_id, created_by, created_at, " + joined_mutable_cols() + " FROM campaigns ";
  return kSql;
}

const std::string& insert_campaign_sql() {
  static const std::string kSql = [] {
    std::string values = "?1, ?2, ?3";
    for (std::size_t i = 0; i < kMutableCols.size(); ++i) values += ", ?" + std::to_string(i + 4);
    return "INSERT INTO campaigns (tenant_id, created_by, created_at, " + joined_mutable_cols() +
           ") VALUES (" + values + ")";
  }();
  return kSql;
}

const std::string& update_campaign_sql() {
  static const std::string kSql = [] {
    std::string sets;
    for (std::size_t i = 0; i < kMutableCols.size(); ++i) {
      if (!sets.empty()) sets += ", ";
      sets += std::string(kMutableCols[i]) + " = ?" + std::to_string(i + 3);
    }
    return "UPDATE campaigns SET " + sets + " WHERE id = ?1 AND tenant_id = ?2";
  }();
  return kSql;
}

// Binds kMutableCols in order starting at parameter `first`.
void bind_mutable(Stmt& s, const Campaign& c, int first) {
  Binder b(s, first);
  b(c.name)(c.description)(c.script)(c.voicemail_text);
  b(to_string(c.purpose))(to_string(c.voice))(to_string(c.status));
  b(c.list_id)(c.caller_id)(c.agent_number);
  b(c.lines)(c.max_concurrency)(c.calls_per_minute)(c.max_attempts)(c.min_spacing_minutes)(c.daily_limit);
  for (const RetryRule* r : {&c.retry.busy, &c.retry.no_answer, &c.retry.machine, &c.retry.failed}) {
    b(r->max_attempts)(r->backoff_minutes);
  }
  b(c.schedule_start)(c.schedule_end)(c.expires_at);
  b(c.record_calls)(c.recording_disclosure);
  b(c.activated_by)(c.activated_at);
}

Result<Campaign> read_campaign(const Stmt& s) {
  Campaign c;
  c.id = s.i64(0);
  c.tenant_id = s.i64(1);
  c.created_by = s.i64(2);
  c.created_at = s.time(3);
  int i = kFirstMutableCol;
  c.name = s.text(i++);
  c.description = s.text(i++);
  c.script = s.text(i++);
  c.voicemail_text = s.text(i++);
  OUTDIAL_SQLITE_TRY(parse_column(s, i++, parse_purpose, "campaigns.purpose", c.purpose));
  OUTDIAL_SQLITE_TRY(parse_column(s, i++, parse_voice_type, "campaigns.voice", c.voice));
  OUTDIAL_SQLITE_TRY(parse_column(s, i++, parse_campaign_status, "campaigns.status", c.status));
  c.list_id = s.i64(i++);
  c.caller_id = s.text(i++);
  c.agent_number = s.text(i++);
  c.lines = s.i32(i++);
  c.max_concurrency = s.i32(i++);
  c.calls_per_minute = s.i32(i++);
  c.max_attempts = s.i32(i++);
  c.min_spacing_minutes = s.i32(i++);
  c.daily_limit = s.i32(i++);
  for (RetryRule* r : {&c.retry.busy, &c.retry.no_answer, &c.retry.machine, &c.retry.failed}) {
    r->max_attempts = s.i32(i++);
    r->backoff_minutes = s.i32(i++);
  }
  c.schedule_start = s.opt_time(i++);
  c.schedule_end = s.opt_time(i++);
  c.expires_at = s.opt_time(i++);
  c.record_calls = s.boolean(i++);
  c.recording_disclosure = s.boolean(i++);
  c.activated_by = s.opt_i64(i++);
  c.activated_at = s.opt_time(i++);
  return c;
}

constexpr const char* kTargetCols =
    "campaign_id, contact_id, status, attempts, next_eligible_at, last_outcome, lease_owner, "
    "lease_expires_at";

Result<CampaignTarget> read_target(const Stmt& s) {
  CampaignTarget t;
  t.campaign_id = s.i64(0);
  t.contact_id = s.i64(1);
  OUTDIAL_SQLITE_TRY(parse_column(s, 2, parse_target_status, "campaign_targets.status", t.status));
  t.attempts = s.i32(3);
  t.next_eligible_at = s.time(4);
  t.last_outcome = s.text(5);
  t.lease_owner = s.text(6);
  t.lease_expires_at = s.opt_time(7);
  return t;
}

}  // namespace

SqliteCampaignStore::SqliteCampaignStore(Connection& conn) : conn_(conn) {
  auto lock = conn_.lock();
  sqlite3_rollback_hook(conn_.handle(), &SqliteCampaignStore::on_rollback, this);
}

SqliteCampaignStore::~SqliteCampaignStore() {
  auto lock = conn_.lock();
  sqlite3_rollback_hook(conn_.handle(), nullptr, nullptr);
}

void SqliteCampaignStore::on_rollback(void* self) {
  // Called with the connection lock held (every statement runs under it).
  static_cast<SqliteCampaignStore*>(self)->lease_floor_.clear();
}

bool SqliteCampaignStore::expired_pass_needed_locked(CampaignId campaign, TimePoint now) {
  auto s = conn_.prepare("PRAGMA data_version");
  auto row = s.step();
  if (!row || !*row) {
    lease_floor_.clear();
    return true;
  }
  const std::int64_t version = s.i64(0);
  if (version != data_version_) {  // another connection (or process) committed: leases unknown
    lease_floor_.clear();
    data_version_ = version;
  }
  auto it = lease_floor_.find(campaign);
  if (it == lease_floor_.end()) return true;
  return it->second.at && *it->second.at <= now;
}

void SqliteCampaignStore::lower_lease_floor_locked(CampaignId campaign, TimePoint expires) {
  auto it = lease_floor_.find(campaign);
  if (it == lease_floor_.end()) return;  // unknown stays unknown (full pass next time)
  if (!it->second.at || expires < *it->second.at) it->second.at = expires;
}

Result<Campaign> SqliteCampaignStore::create_campaign(const Campaign& c) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(insert_campaign_sql());
  s.bind(1, c.tenant_id).bind(2, c.created_by).bind(3, c.created_at);
  bind_mutable(s, c, 4);
  return insert_row(conn_, s, c);
}

Result<Campaign> SqliteCampaignStore::get_campaign(TenantId tenant, CampaignId id) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(select_campaign_sql() + "WHERE id = ?1 AND tenant_id = ?2");
  s.bind(1, id).bind(2, tenant);
  return read_row(s, read_campaign, "campaign", id);  // not found also for another tenant's campaign
}

Result<Campaign> SqliteCampaignStore::get_campaign_any(CampaignId id) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(select_campaign_sql() + "WHERE id = ?1");
  s.bind(1, id);
  return read_row(s, read_campaign, "campaign", id);
}

Result<std::vector<Campaign>> SqliteCampaignStore::list_campaigns(TenantId tenant) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(select_campaign_sql() + "WHERE tenant_id = ?1 ORDER BY id");
  s.bind(1, tenant);
  return read_rows(s, read_campaign);
}

Result<std::vector<Campaign>> SqliteCampaignStore::list_active_campaigns() {
  auto lock = conn_.lock();
  auto s = conn_.prepare(select_campaign_sql() + "WHERE status = ?1 ORDER BY id");
  s.bind(1, to_string(CampaignStatus::kActive));
  return read_rows(s, read_campaign);
}

Result<Campaign> SqliteCampaignStore::update_campaign(const Campaign& c) {
  auto lock = conn_.lock();
  {
    auto s = conn_.prepare(update_campaign_sql());
    s.bind(1, c.id).bind(2, c.tenant_id);
    bind_mutable(s, c, 3);
    auto n = s.run();
    if (!n) return n.error();
    if (*n == 0) return not_found("campaign", c.id);
  }
  return get_campaign(c.tenant_id, c.id);
}

Result<std::int64_t> SqliteCampaignStore::add_targets_from_list(CampaignId campaign, ListId list,
                                                                TimePoint eligible_at) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO campaign_targets (campaign_id, contact_id, status, attempts, next_eligible_at, "
      "last_outcome,"
      " lease_owner, lease_expires_at)"
      " SELECT ?1, id, ?2, 0, ?3, '', '', NULL FROM contacts"
      // tenant_id from the list: lets SQLite walk contacts_tenant_list, already in id order.
      " WHERE tenant_id = (SELECT tenant_id FROM contact_lists WHERE id = ?4) AND list_id = ?4 ORDER BY id"
      " ON CONFLICT (campaign_id, contact_id) DO NOTHING");
  s.bind(1, campaign).bind(2, to_string(TargetStatus::kPending)).bind(3, eligible_at).bind(4, list);
  auto n = s.run();
  if (!n) return n.error();
  return static_cast<std::int64_t>(*n);
}

Result<std::vector<CampaignTarget>> SqliteCampaignStore::claim_targets(CampaignId campaign,
                                                                       const std::string& node, TimePoint now,
                                                                       Millis ttl, int max) {
  if (node.empty()) return make_error(ErrorCode::kInvalidArgument, "claim_targets: empty node id");
  std::vector<CampaignTarget> out;
  if (max <= 0) return out;
  auto lock = conn_.lock();
  // BEGIN IMMEDIATE takes the database write lock before reading, so a claimer in another
  // process (another SqliteDatabase on the same file) cannot select the same rows: it waits
  // (busy_timeout) and then sees them leased.
  Transaction tx(conn_);
  if (auto st = tx.begin(); !st) return st.error();
  const TimePoint expires = now + ttl;
  const bool expired_pass = expired_pass_needed_locked(campaign, now);
  // Each pass selects its rows in claim order (an index walk, no temporary b-tree), then takes
  // them one by one by rowid. The write lock is held (BEGIN IMMEDIATE or the enclosing
  // transaction), so nothing changes between the two. An UPDATE ... WHERE rowid IN (SELECT ...)
  // RETURNING would build two temporary b-trees per claim: most of its cost.
  auto take = [&](Stmt& select, TargetStatus from) -> Status {
    std::vector<std::pair<std::int64_t, CampaignTarget>> rows;
    OUTDIAL_SQLITE_TRY(for_each_row(select, [&](const Stmt& s) -> Status {
      auto t = read_target(s);
      if (!t) return t.error();
      rows.emplace_back(s.i64(8), std::move(*t));
      return ok_status();
    }));
    for (auto& [rowid, t] : rows) {
      auto upd = conn_.prepare(
          "UPDATE campaign_targets SET status = ?1, lease_owner = ?2, lease_expires_at = ?3"
          " WHERE rowid = ?4 AND status = ?5");
      upd.bind(1, to_string(TargetStatus::kInProgress)).bind(2, node).bind(3, expires).bind(4, rowid);
      upd.bind(5, to_string(from));
      auto n = upd.run();
      if (!n) return n.error();
      if (*n != 1) return make_error(ErrorCode::kInternal, "claim_targets: a selected target changed under the write lock");
      t.status = TargetStatus::kInProgress;
      t.lease_owner = node;
      t.lease_expires_at = expires;
      out.push_back(std::move(t));
    }
    return ok_status();
  };
  if (expired_pass) {
    // 1. Leases of crashed/stalled nodes: kInProgress whose lease ran out (the owner stopped
    //    renewing). Few rows (bounded by concurrency).
    static const std::string kSql =
        std::string("SELECT ") + kTargetCols +
        ", rowid FROM campaign_targets WHERE campaign_id = ?1 AND status = ?2"
        " AND lease_expires_at <= ?3 ORDER BY next_eligible_at, contact_id LIMIT ?4";
    auto s = conn_.prepare(kSql);
    s.bind(1, campaign).bind(2, to_string(TargetStatus::kInProgress)).bind(3, now).bind(4, max);
    if (auto st = take(s, TargetStatus::kInProgress); !st) return st.error();
  }
  const int remaining = max - static_cast<int>(out.size());
  if (remaining > 0) {
    // 2. Due pending targets, walking campaign_targets_claim in (next_eligible_at, contact_id)
    //    order. A pending row normally has no lease; an unexpired one is skipped defensively.
    static const std::string kSql =
        std::string("SELECT ") + kTargetCols +
        ", rowid FROM campaign_targets WHERE campaign_id = ?1 AND status = ?2"
        " AND next_eligible_at <= ?3 AND (lease_owner = '' OR lease_expires_at IS NULL OR "
        "lease_expires_at <= ?3)"
        " ORDER BY next_eligible_at, contact_id LIMIT ?4";
    auto s = conn_.prepare(kSql);
    s.bind(1, campaign).bind(2, to_string(TargetStatus::kPending)).bind(3, now).bind(4, remaining);
    if (auto st = take(s, TargetStatus::kPending); !st) return st.error();
  }
  std::optional<TimePoint> floor;
  if (expired_pass) {
    // Every lease left is unexpired now: their MIN bounds when the next pass can find one.
    auto s = conn_.prepare(
        "SELECT MIN(lease_expires_at) FROM campaign_targets WHERE campaign_id = ?1 AND status = ?2");
    s.bind(1, campaign).bind(2, to_string(TargetStatus::kInProgress));
    auto row = s.step();
    if (!row) return row.error();
    floor = s.opt_time(0);
  }
  if (auto st = tx.commit(); !st) return st.error();
  if (expired_pass) {
    lease_floor_[campaign] = LeaseFloor{floor};
  } else if (!out.empty()) {
    lower_lease_floor_locked(campaign, expires);
  }
  // The expired pass and the pending pass each come in claim order; together they may not.
  std::sort(out.begin(), out.end(), [](const CampaignTarget& a, const CampaignTarget& b) {
    return std::tie(a.next_eligible_at, a.contact_id) < std::tie(b.next_eligible_at, b.contact_id);
  });
  return out;
}

Status SqliteCampaignStore::release_target(const CampaignTarget& t, const std::string& node) {
  if (node.empty()) return make_error(ErrorCode::kInvalidArgument, "release_target: empty node id");
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "UPDATE campaign_targets SET status = ?1, attempts = ?2, next_eligible_at = ?3, last_outcome = ?4,"
      " lease_owner = '', lease_expires_at = NULL WHERE campaign_id = ?5 AND contact_id = ?6 AND lease_owner "
      "= ?7");
  s.bind(1, to_string(t.status)).bind(2, t.attempts).bind(3, t.next_eligible_at).bind(4, t.last_outcome);
  s.bind(5, t.campaign_id).bind(6, t.contact_id).bind(7, node);
  auto n = s.run();
  if (!n) return n.error();
  if (*n == 0) {
    return make_error(ErrorCode::kConflict, "lease not held by this node",
                      {{"campaign_id", std::to_string(t.campaign_id)},
                       {"contact_id", std::to_string(t.contact_id)},
                       {"node", node}});
  }
  return ok_status();
}

Status SqliteCampaignStore::update_idle_target(const CampaignTarget& t) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "UPDATE campaign_targets SET status = ?1, next_eligible_at = ?2, last_outcome = ?3"
      " WHERE campaign_id = ?4 AND contact_id = ?5 AND lease_owner = '' AND status <> ?6");
  s.bind(1, to_string(t.status)).bind(2, t.next_eligible_at).bind(3, t.last_outcome);
  s.bind(4, t.campaign_id).bind(5, t.contact_id).bind(6, to_string(TargetStatus::kInProgress));
  auto n = s.run();
  if (!n) return n.error();
  if (*n > 0) return ok_status();
  return target_refused_locked(t.campaign_id, t.contact_id, "the target is leased (a call is in progress)", {});
}

Status SqliteCampaignStore::target_refused_locked(CampaignId campaign, ContactId contact,
                                                  const std::string& conflict,
                                                  std::map<std::string, std::string> details) {
  details["campaign_id"] = std::to_string(campaign);
  details["contact_id"] = std::to_string(contact);
  auto exists = conn_.prepare("SELECT 1 FROM campaign_targets WHERE campaign_id = ?1 AND contact_id = ?2");
  exists.bind(1, campaign).bind(2, contact);
  auto row = exists.step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorCode::kNotFound, "no such campaign target", details);
  return make_error(ErrorCode::kConflict, conflict, details);
}

Status SqliteCampaignStore::hold_target(CampaignId campaign, ContactId contact, const std::string& node,
                                        TimePoint now, Millis ttl) {
  if (node.empty()) return make_error(ErrorCode::kInvalidArgument, "hold_target: empty node id");
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "UPDATE campaign_targets SET status = ?1, lease_owner = ?2, lease_expires_at = ?3"
      " WHERE campaign_id = ?4 AND contact_id = ?5 AND (lease_owner = '' OR lease_owner = ?2"
      " OR lease_expires_at IS NULL OR lease_expires_at <= ?6)");
  s.bind(1, to_string(TargetStatus::kInProgress)).bind(2, node).bind(3, now + ttl).bind(4, campaign);
  s.bind(5, contact).bind(6, now);
  auto n = s.run();
  if (!n) return n.error();
  if (*n > 0) {
    lower_lease_floor_locked(campaign, now + ttl);
    return ok_status();
  }
  return target_refused_locked(campaign, contact, "the target is leased by another node", {{"node", node}});
}

Status SqliteCampaignStore::renew_leases(CampaignId campaign, const std::string& node, TimePoint now,
                                         Millis ttl) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "UPDATE campaign_targets SET lease_expires_at = ?1 WHERE campaign_id = ?2 AND status = ?3 AND "
      "lease_owner = ?4");
  s.bind(1, now + ttl).bind(2, campaign).bind(3, to_string(TargetStatus::kInProgress)).bind(4, node);
  OUTDIAL_SQLITE_TRY(s.run());
  lower_lease_floor_locked(campaign, now + ttl);
  return ok_status();
}

Result<std::optional<CampaignTarget>> SqliteCampaignStore::get_target(CampaignId campaign,
                                                                      ContactId contact) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kTargetCols +
                                  " FROM campaign_targets WHERE campaign_id = ?1 AND contact_id = ?2";
  auto s = conn_.prepare(kSql);
  s.bind(1, campaign).bind(2, contact);
  return read_optional_row(s, read_target);
}

Result<std::vector<CampaignTarget>> SqliteCampaignStore::targets_held_by(CampaignId campaign,
                                                                         const std::string& node) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kTargetCols +
      " FROM campaign_targets WHERE campaign_id = ?1 AND status = ?2 AND lease_owner = ?3"
      " ORDER BY contact_id";
  auto s = conn_.prepare(kSql);
  s.bind(1, campaign).bind(2, to_string(TargetStatus::kInProgress)).bind(3, node);
  return read_rows(s, read_target);
}

Result<std::vector<CampaignTarget>> SqliteCampaignStore::list_targets(CampaignId campaign,
                                                                      std::int64_t offset,
                                                                      std::int64_t limit) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kTargetCols +
      " FROM campaign_targets WHERE campaign_id = ?1 ORDER BY contact_id LIMIT ?2 OFFSET ?3";
  auto s = conn_.prepare(kSql);
  s.bind(1, campaign).bind(2, limit).bind(3, offset);
  return read_rows(s, read_target);
}

Result<TargetCounts> SqliteCampaignStore::count_targets(CampaignId campaign) {
  auto lock = conn_.lock();
  auto s =
      conn_.prepare("SELECT status, COUNT(*) FROM campaign_targets WHERE campaign_id = ?1 GROUP BY status");
  s.bind(1, campaign);
  TargetCounts counts;
  OUTDIAL_SQLITE_TRY(for_each_row(s, [&](const Stmt& row) {
    const std::int64_t n = row.i64(1);
    counts.by_status[row.text(0)] = n;
    counts.total += n;
  }));
  if (counts.by_status.count(to_string(TargetStatus::kBlocked)) > 0) {
    auto b = conn_.prepare(
        "SELECT last_outcome, COUNT(*) FROM campaign_targets WHERE campaign_id = ?1 AND status = ?2"
        " GROUP BY last_outcome");
    b.bind(1, campaign).bind(2, to_string(TargetStatus::kBlocked));
    OUTDIAL_SQLITE_TRY(
        for_each_row(b, [&](const Stmt& row) { counts.blocked_outcomes[row.text(0)] = row.i64(1); }));
  }
  return counts;
}

Result<std::optional<TimePoint>> SqliteCampaignStore::next_eligible_at(CampaignId campaign) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "SELECT MIN(next_eligible_at) FROM campaign_targets WHERE campaign_id = ?1 AND status = ?2");
  s.bind(1, campaign).bind(2, to_string(TargetStatus::kPending));
  auto row = s.step();
  if (!row) return row.error();
  return s.opt_time(0);
}

}  // namespace outdial::storage::sqlite
