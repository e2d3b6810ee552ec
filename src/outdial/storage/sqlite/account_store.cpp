#include "outdial/storage/sqlite/account_store.hpp"

#include "outdial/storage/sqlite/connection.hpp"
#include "outdial/storage/sqlite/row_helpers.hpp"

namespace outdial::storage::sqlite {
namespace {

constexpr const char* kAccountCols =
    "id, tenant_id, provider, name, account_sid, connection_id, api_base, credential_blob, calls_per_second,"
    " window_seconds, window_max, max_concurrency, status, created_at";
constexpr const char* kNumberCols =
    "id, tenant_id, account_id, e164, area_code, state, label, status, status_reason, dedicated_campaign_id,"
    " created_at, status_changed_at";
constexpr const char* kAccountExists = "SELECT 1 FROM provider_accounts WHERE tenant_id = ?1 AND id = ?2";
constexpr const char* kCampaignExists = "SELECT 1 FROM campaigns WHERE tenant_id = ?1 AND id = ?2";

Result<ProviderAccount> read_account(const Stmt& s) {
  ProviderAccount a;
  a.id = s.i64(0);
  a.tenant_id = s.i64(1);
  OUTDIAL_SQLITE_TRY(parse_column(s, 2, parse_provider_kind, "provider_accounts.provider", a.provider));
  a.name = s.text(3);
  a.account_sid = s.text(4);
  a.connection_id = s.text(5);
  a.api_base = s.text(6);
  a.credential_blob = s.text(7);
  a.limits.calls_per_second = s.i32(8);
  a.limits.window_seconds = s.i32(9);
  a.limits.window_max = s.i32(10);
  a.limits.max_concurrency = s.i32(11);
  OUTDIAL_SQLITE_TRY(parse_column(s, 12, parse_account_status, "provider_accounts.status", a.status));
  a.created_at = s.time(13);
  return a;
}

Result<PhoneNumber> read_number(const Stmt& s) {
  PhoneNumber n;
  n.id = s.i64(0);
  n.tenant_id = s.i64(1);
  n.account_id = s.i64(2);
  n.e164 = s.text(3);
  n.area_code = s.text(4);
  n.state = s.text(5);
  n.label = s.text(6);
  OUTDIAL_SQLITE_TRY(parse_column(s, 7, parse_number_status, "phone_numbers.status", n.status));
  n.status_reason = s.text(8);
  n.dedicated_campaign_id = s.i64(9);
  n.created_at = s.time(10);
  n.status_changed_at = s.opt_time(11);
  return n;
}

// Ok when the tenant's row `id` exists, as found by `sql` (SELECT 1 ... WHERE tenant_id = ?1 AND
// id = ?2); not_found(what, id) otherwise.
Status expect_tenant_row(Connection& conn, const char* sql, TenantId tenant, std::int64_t id,
                         const char* what) {
  auto s = conn.prepare(sql);
  s.bind(1, tenant).bind(2, id);
  return expect_row(s, [&] { return not_found(what, id); });
}

}  // namespace

Result<ProviderAccount> SqliteAccountStore::create_account(const ProviderAccount& a) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO provider_accounts (tenant_id, provider, name, account_sid, connection_id, api_base,"
      " credential_blob, calls_per_second, window_seconds, window_max, max_concurrency, status, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  Binder(s, 1)(a.tenant_id)(to_string(a.provider))(a.name)(a.account_sid)(a.connection_id)(a.api_base)(
      a.credential_blob)(a.limits.calls_per_second)(a.limits.window_seconds)(a.limits.window_max)(
      a.limits.max_concurrency)(to_string(a.status))(a.created_at);
  return insert_row(conn_, s, a);
}

Result<ProviderAccount> SqliteAccountStore::get_account(TenantId tenant, ProviderAccountId id) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kAccountCols + " FROM provider_accounts WHERE tenant_id = ?1 AND id = ?2";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, id);
  return read_row(s, read_account, "provider account", id);
}

Result<std::vector<ProviderAccount>> SqliteAccountStore::list_accounts(TenantId tenant) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kAccountCols + " FROM provider_accounts WHERE tenant_id = ?1 ORDER BY id";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant);
  return read_rows(s, read_account);
}

Result<std::vector<ProviderAccount>> SqliteAccountStore::accounts_with_sid(ProviderKind provider,
                                                                           const std::string& account_sid) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kAccountCols +
      " FROM provider_accounts WHERE provider = ?1 AND account_sid = ?2 ORDER BY id";
  auto s = conn_.prepare(kSql);
  Binder(s, 1)(to_string(provider))(account_sid);
  return read_rows(s, read_account);
}

Result<ProviderAccount> SqliteAccountStore::update_account(const ProviderAccount& a) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "UPDATE provider_accounts SET name = ?3, account_sid = ?4, connection_id = ?5, api_base = ?6,"
      " credential_blob = ?7, calls_per_second = ?8, window_seconds = ?9, window_max = ?10,"
      " max_concurrency = ?11, status = ?12 WHERE tenant_id = ?1 AND id = ?2");
  Binder(s, 1)(a.tenant_id)(a.id)(a.name)(a.account_sid)(a.connection_id)(a.api_base)(a.credential_blob)(
      a.limits.calls_per_second)(a.limits.window_seconds)(a.limits.window_max)(a.limits.max_concurrency)(
      to_string(a.status));
  auto changed = s.run();
  if (!changed) return changed.error();
  if (*changed == 0) return not_found("provider account", a.id);
  return get_account(a.tenant_id, a.id);
}

Result<PhoneNumber> SqliteAccountStore::add_number(const PhoneNumber& n) {
  auto lock = conn_.lock();
  // The account must be the tenant's (the trigger guards the same; this gives kNotFound).
  OUTDIAL_SQLITE_TRY(expect_tenant_row(conn_, kAccountExists, n.tenant_id, n.account_id, "provider account"));
  auto s = conn_.prepare(
      "INSERT INTO phone_numbers (tenant_id, account_id, e164, area_code, state, label, status, status_reason,"
      " dedicated_campaign_id, created_at, status_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  Binder(s, 1)(n.tenant_id)(n.account_id)(n.e164)(n.area_code)(n.state)(n.label)(to_string(n.status))(
      n.status_reason)(n.dedicated_campaign_id)(n.created_at)(n.status_changed_at);
  auto r = s.run();
  if (!r) {
    Error e = r.error();
    if (e.code == ErrorCode::kAlreadyExists) {
      e.message = n.e164 + " is already a live number (of this or another tenant)";
      e.details["e164"] = n.e164;
    }
    return e;
  }
  PhoneNumber out = n;
  out.id = conn_.last_insert_rowid();
  return out;
}

Result<PhoneNumber> SqliteAccountStore::get_number_locked(TenantId tenant, PhoneNumberId id) {
  static const std::string kSql =
      std::string("SELECT ") + kNumberCols + " FROM phone_numbers WHERE tenant_id = ?1 AND id = ?2";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, id);
  return read_row(s, read_number, "phone number", id);
}

Result<PhoneNumber> SqliteAccountStore::get_number(TenantId tenant, PhoneNumberId id) {
  auto lock = conn_.lock();
  return get_number_locked(tenant, id);
}

Result<std::optional<PhoneNumber>> SqliteAccountStore::find_number(TenantId tenant, const std::string& e164) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kNumberCols +
      " FROM phone_numbers WHERE tenant_id = ?1 AND e164 = ?2 AND status <> 'retired'";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, e164);
  return read_optional_row(s, read_number);
}

Result<std::vector<PhoneNumber>> SqliteAccountStore::list_numbers(TenantId tenant, const NumberFilter& filter) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kNumberCols +
                                  " FROM phone_numbers WHERE tenant_id = ?1 AND (?2 = 0 OR account_id = ?2)"
                                  " AND (?3 = '' OR status = ?3) ORDER BY id";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, filter.account_id).bind(3, filter.status ? to_string(*filter.status) : "");
  return read_rows(s, read_number);
}

Result<std::vector<PhoneNumber>> SqliteAccountStore::active_numbers_in_state(TenantId tenant,
                                                                              const std::string& state) {
  auto lock = conn_.lock();
  // Served by the partial index phone_numbers_active_state (migration 10): the literal
  // status = 'active' is what lets SQLite use it.
  static const std::string kSql =
      std::string("SELECT ") + kNumberCols +
      " FROM phone_numbers WHERE tenant_id = ?1 AND state = ?2 AND status = 'active' ORDER BY id";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, state);
  return read_rows(s, read_number);
}

Result<PhoneNumber> SqliteAccountStore::set_number_status(TenantId tenant, PhoneNumberId id, NumberStatus status,
                                                          const std::string& reason, TimePoint at) {
  auto lock = conn_.lock();
  auto current = get_number_locked(tenant, id);
  if (!current) return current.error();
  if (current->status == NumberStatus::kRetired) {
    return make_error(ErrorCode::kFailedPrecondition, "number " + current->e164 + " is retired",
                      {{"number", current->e164}});
  }
  // Compare-and-set on the status read above: a concurrent retire wins and this one fails.
  auto s = conn_.prepare(
      "UPDATE phone_numbers SET status = ?3, status_reason = ?4, status_changed_at = ?5"
      " WHERE tenant_id = ?1 AND id = ?2 AND status = ?6");
  Binder(s, 1)(tenant)(id)(to_string(status))(reason)(at)(to_string(current->status));
  auto changed = s.run();
  if (!changed) return changed.error();
  if (*changed == 0) return make_error(ErrorCode::kConflict, "number changed concurrently", {{"id", std::to_string(id)}});
  return get_number_locked(tenant, id);
}

Result<PhoneNumber> SqliteAccountStore::dedicate_number(TenantId tenant, PhoneNumberId id, CampaignId campaign,
                                                        const std::string& label) {
  auto lock = conn_.lock();
  OUTDIAL_SQLITE_TRY(expect_tenant_row(conn_, kCampaignExists, tenant, campaign, "campaign"));
  auto current = get_number_locked(tenant, id);
  if (!current) return current.error();
  if (current->status != NumberStatus::kActive) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "number " + current->e164 + " is " + to_string(current->status) + ", not active",
                      {{"number", current->e164}});
  }
  if (current->dedicated_campaign_id != 0 && current->dedicated_campaign_id != campaign) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "number " + current->e164 + " is dedicated to campaign " +
                          std::to_string(current->dedicated_campaign_id),
                      {{"number", current->e164}});
  }
  auto s = conn_.prepare(
      "UPDATE phone_numbers SET dedicated_campaign_id = ?3, label = ?4"
      " WHERE tenant_id = ?1 AND id = ?2 AND status = 'active' AND dedicated_campaign_id IN (0, ?3)");
  Binder(s, 1)(tenant)(id)(campaign)(label);
  auto changed = s.run();
  if (!changed) {
    Error e = changed.error();
    if (e.code == ErrorCode::kAlreadyExists) {
      e.message = "campaign " + std::to_string(campaign) + " already has a live dedicated number";
      e.details["campaign_id"] = std::to_string(campaign);
    }
    return e;
  }
  if (*changed == 0) return make_error(ErrorCode::kConflict, "number changed concurrently", {{"id", std::to_string(id)}});
  return get_number_locked(tenant, id);
}

Result<std::optional<PhoneNumber>> SqliteAccountStore::dedicated_number(TenantId tenant, CampaignId campaign) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kNumberCols +
                                  " FROM phone_numbers WHERE tenant_id = ?1 AND dedicated_campaign_id = ?2"
                                  " AND status <> 'retired'";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, campaign);
  return read_optional_row(s, read_number);
}

Status SqliteAccountStore::set_caller_id_policy(const CallerIdPolicy& p) {
  auto lock = conn_.lock();
  OUTDIAL_SQLITE_TRY(expect_tenant_row(conn_, kCampaignExists, p.tenant_id, p.campaign_id, "campaign"));
  auto s = conn_.prepare(
      "INSERT INTO campaign_caller_ids (campaign_id, tenant_id, strategy, static_number, default_number, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (campaign_id) DO UPDATE SET strategy = excluded.strategy,"
      " static_number = excluded.static_number, default_number = excluded.default_number,"
      " updated_at = excluded.updated_at");
  Binder(s, 1)(p.campaign_id)(p.tenant_id)(to_string(p.strategy))(p.static_number)(p.default_number)(p.updated_at);
  OUTDIAL_SQLITE_TRY(s.run());
  return ok_status();
}

Result<std::optional<CallerIdPolicy>> SqliteAccountStore::get_caller_id_policy(TenantId tenant, CampaignId campaign) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "SELECT tenant_id, campaign_id, strategy, static_number, default_number, updated_at"
      " FROM campaign_caller_ids WHERE tenant_id = ?1 AND campaign_id = ?2");
  s.bind(1, tenant).bind(2, campaign);
  return read_optional_row(s, [](const Stmt& st) -> Result<CallerIdPolicy> {
    CallerIdPolicy p;
    p.tenant_id = st.i64(0);
    p.campaign_id = st.i64(1);
    OUTDIAL_SQLITE_TRY(
        parse_column(st, 2, parse_caller_id_strategy, "campaign_caller_ids.strategy", p.strategy));
    p.static_number = st.text(3);
    p.default_number = st.text(4);
    p.updated_at = st.time(5);
    return p;
  });
}

Result<std::vector<AnswerSample>> SqliteAccountStore::answer_samples(TenantId tenant, TimePoint from, TimePoint to) {
  auto lock = conn_.lock();
  // No index on (tenant_id, created_at): number health is an occasional staff read, and one more
  // index would cost every attempt insert on the dialer's hot path.
  auto s = conn_.prepare(
      "SELECT from_number, created_at, (answered_at IS NOT NULL AND answered_by_machine = 0"
      " AND state NOT IN ('answered_machine')) FROM call_attempts"
      " WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3"
      " AND state NOT IN ('queued', 'dialing', 'ringing', 'canceled') ORDER BY created_at");
  s.bind(1, tenant).bind(2, from).bind(3, to);
  return read_rows(s, [](const Stmt& st) -> Result<AnswerSample> {
    return AnswerSample{st.text(0), st.time(1), st.boolean(2)};
  });
}

}  // namespace outdial::storage::sqlite
