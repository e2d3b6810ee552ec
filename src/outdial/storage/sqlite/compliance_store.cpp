#include "outdial/storage/sqlite/compliance_store.hpp"

#include <algorithm>

#include "outdial/storage/sqlite/connection.hpp"
#include "outdial/storage/sqlite/row_helpers.hpp"

namespace outdial::storage::sqlite {
namespace {

constexpr const char* kConsentCols =
    "id, tenant_id, phone_e164, type, ebr_kind, ebr_start, channel, covers_artificial_voice, source, "
    "evidence,"
    " granted_at, revoked_at";
constexpr const char* kDncCols = "id, tenant_id, phone_e164, reason, source, created_at";
constexpr const char* kRejectedCols =
    "tenant_id, phone_e164, channel, reason, provider, provider_code, rejected_at";
constexpr const char* kDecisionCols =
    "id, tenant_id, campaign_id, contact_id, phone_e164, channel, verdict, rule, reason, allowed_at, "
    "decided_at";

Result<ConsentRecord> read_consent(const Stmt& s) {
  ConsentRecord c;
  c.id = s.i64(0);
  c.tenant_id = s.i64(1);
  c.phone_e164 = s.text(2);
  OUTDIAL_SQLITE_TRY(parse_column(s, 3, parse_consent_type, "consents.type", c.type));
  OUTDIAL_SQLITE_TRY(parse_column(s, 4, parse_ebr_kind, "consents.ebr_kind", c.ebr_kind));
  c.ebr_start = s.opt_time(5);
  if (!s.is_null(6)) {
    OUTDIAL_SQLITE_TRY(parse_column(s, 6, parse_channel, "consents.channel", c.channel));
  }
  c.covers_artificial_voice = s.boolean(7);
  c.source = s.text(8);
  c.evidence = s.text(9);
  c.granted_at = s.time(10);
  c.revoked_at = s.opt_time(11);
  return c;
}

DncEntry read_dnc(const Stmt& s) {
  DncEntry e;
  e.id = s.i64(0);
  e.tenant_id = s.i64(1);
  e.phone_e164 = s.text(2);
  e.reason = s.text(3);
  e.source = s.text(4);
  e.created_at = s.time(5);
  return e;
}

Result<RejectedNumber> read_rejected(const Stmt& s) {
  RejectedNumber r;
  r.tenant_id = s.i64(0);
  r.phone_e164 = s.text(1);
  OUTDIAL_SQLITE_TRY(parse_column(s, 2, parse_channel, "rejected_numbers.channel", r.channel));
  r.reason = s.text(3);
  r.provider = s.text(4);
  r.provider_code = s.text(5);
  r.rejected_at = s.time(6);
  return r;
}

DecisionRecord read_decision(const Stmt& s) {
  DecisionRecord d;
  d.id = s.i64(0);
  d.tenant_id = s.i64(1);
  d.campaign_id = s.i64(2);
  d.contact_id = s.i64(3);
  d.phone_e164 = s.text(4);
  d.channel = s.text(5);
  d.verdict = s.text(6);
  d.rule = s.text(7);
  d.reason = s.text(8);
  d.allowed_at = s.opt_time(9);
  d.decided_at = s.time(10);
  return d;
}

}  // namespace

Result<ConsentRecord> SqliteComplianceStore::add_consent(const ConsentRecord& c) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO consents (tenant_id, phone_e164, type, ebr_kind, ebr_start, channel, "
      "covers_artificial_voice,"
      " source, evidence, granted_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  s.bind(1, c.tenant_id).bind(2, c.phone_e164).bind(3, to_string(c.type)).bind(4, to_string(c.ebr_kind));
  s.bind(5, c.ebr_start);
  if (c.channel) {
    s.bind(6, to_string(*c.channel));
  } else {
    s.bind_null(6);
  }
  s.bind(7, c.covers_artificial_voice).bind(8, c.source).bind(9, c.evidence).bind(10, c.granted_at);
  s.bind(11, c.revoked_at);
  return insert_row(conn_, s, c);
}

Result<std::vector<ConsentRecord>> SqliteComplianceStore::consents_for(TenantId tenant,
                                                                       const std::string& phone) {
  auto lock = conn_.lock();
  // Read in index order (rowid within the phone) and ordered here: an ORDER BY granted_at would
  // make SQLite set up a sorter for the few rows a number has, on every gate decision.
  static const std::string kSql =
      std::string("SELECT ") + kConsentCols + " FROM consents WHERE tenant_id = ?1 AND phone_e164 = ?2";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, phone);
  auto rows = read_rows(s, read_consent);
  if (!rows) return rows;
  std::sort(rows->begin(), rows->end(), [](const ConsentRecord& x, const ConsentRecord& y) {
    return x.granted_at != y.granted_at ? x.granted_at < y.granted_at : x.id < y.id;
  });
  return rows;
}

Result<std::vector<ConsentRecord>> SqliteComplianceStore::list_consents(TenantId tenant, std::int64_t offset,
                                                                        std::int64_t limit) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kConsentCols +
                                  " FROM consents WHERE tenant_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, limit).bind(3, offset);
  return read_rows(s, read_consent);
}

Result<int> SqliteComplianceStore::revoke_consents(TenantId tenant, const std::string& phone,
                                                   std::optional<Channel> channel, TimePoint at) {
  auto lock = conn_.lock();
  // A channel-specific revocation also revokes consents that cover every channel (channel NULL):
  // such a consent would otherwise keep authorizing the revoked channel. Over-revoking is the
  // compliant direction (revocation "by any reasonable means", FCC 24-24).
  auto s = conn_.prepare(
      "UPDATE consents SET revoked_at = ?1 WHERE tenant_id = ?2 AND phone_e164 = ?3 AND revoked_at IS NULL"
      " AND (?4 IS NULL OR channel IS NULL OR channel = ?4)");
  s.bind(1, at).bind(2, tenant).bind(3, phone);
  if (channel) {
    s.bind(4, to_string(*channel));
  } else {
    s.bind_null(4);
  }
  auto n = s.run();
  if (!n) return n.error();
  return *n;
}

Result<DncEntry> SqliteComplianceStore::add_dnc(const DncEntry& e) {
  auto lock = conn_.lock();
  {
    auto s = conn_.prepare(
        "INSERT INTO dnc_entries (tenant_id, phone_e164, reason, source, created_at) VALUES (?1, ?2, ?3, ?4, "
        "?5)"
        " ON CONFLICT (tenant_id, phone_e164) DO NOTHING");
    s.bind(1, e.tenant_id).bind(2, e.phone_e164).bind(3, e.reason).bind(4, e.source).bind(5, e.created_at);
    OUTDIAL_SQLITE_TRY(s.run());
  }
  auto found = find_dnc(e.tenant_id, e.phone_e164);
  if (!found) return found.error();
  if (!found->has_value()) {
    // Removed by another writer between the insert and the read: report, do not invent a row.
    return make_error(ErrorCode::kConflict, "dnc entry removed concurrently");
  }
  return std::move(**found);
}

Result<RejectedNumber> SqliteComplianceStore::add_rejected(const RejectedNumber& r) {
  auto lock = conn_.lock();
  {
    auto s = conn_.prepare(
        "INSERT INTO rejected_numbers (tenant_id, phone_e164, channel, reason, provider, provider_code, "
        "rejected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (tenant_id, phone_e164, channel) DO NOTHING");
    s.bind(1, r.tenant_id)
        .bind(2, r.phone_e164)
        .bind(3, to_string(r.channel))
        .bind(4, r.reason)
        .bind(5, r.provider)
        .bind(6, r.provider_code)
        .bind(7, r.rejected_at);
    OUTDIAL_SQLITE_TRY(s.run());
  }
  auto found = find_rejected(r.tenant_id, r.phone_e164, r.channel);
  if (!found) return found.error();
  if (!found->has_value()) return make_error(ErrorCode::kConflict, "rejected number removed concurrently");
  return std::move(**found);
}

Result<std::optional<RejectedNumber>> SqliteComplianceStore::find_rejected(TenantId tenant, const std::string& phone,
                                                                           Channel channel) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kRejectedCols +
      " FROM rejected_numbers WHERE tenant_id = ?1 AND phone_e164 = ?2 AND channel = ?3";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, phone).bind(3, to_string(channel));
  return read_optional_row(s, read_rejected);
}

Result<bool> SqliteComplianceStore::remove_rejected(TenantId tenant, const std::string& phone) {
  return remove_number("rejected_numbers", tenant, phone);
}

Result<std::vector<RejectedNumber>> SqliteComplianceStore::list_rejected(TenantId tenant, std::int64_t offset,
                                                                         std::int64_t limit) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kRejectedCols +
      " FROM rejected_numbers WHERE tenant_id = ?1 ORDER BY rejected_at, phone_e164, channel"
      " LIMIT ?2 OFFSET ?3";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, limit).bind(3, offset);
  return read_rows(s, read_rejected);
}

Result<bool> SqliteComplianceStore::remove_dnc(TenantId tenant, const std::string& phone) {
  return remove_number("dnc_entries", tenant, phone);
}

Result<bool> SqliteComplianceStore::remove_number(const char* table, TenantId tenant, const std::string& phone) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(std::string("DELETE FROM ") + table + " WHERE tenant_id = ?1 AND phone_e164 = ?2");
  s.bind(1, tenant).bind(2, phone);
  auto n = s.run();
  if (!n) return n.error();
  return *n > 0;
}

Result<std::optional<DncEntry>> SqliteComplianceStore::find_dnc(TenantId tenant, const std::string& phone) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kDncCols + " FROM dnc_entries WHERE tenant_id = ?1 AND phone_e164 = ?2";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, phone);
  return read_optional_row(s, read_dnc);
}

Result<std::vector<DncEntry>> SqliteComplianceStore::list_dnc(TenantId tenant, std::int64_t offset,
                                                              std::int64_t limit) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kDncCols +
                                  " FROM dnc_entries WHERE tenant_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, limit).bind(3, offset);
  return read_rows(s, read_dnc);
}

Result<std::int64_t> SqliteComplianceStore::record_decision(const DecisionRecord& d) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO gate_decisions (tenant_id, campaign_id, contact_id, phone_e164, channel, verdict, rule, "
      "reason,"
      " allowed_at, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  s.bind(1, d.tenant_id)
      .bind(2, d.campaign_id)
      .bind(3, d.contact_id)
      .bind(4, d.phone_e164)
      .bind(5, d.channel);
  s.bind(6, d.verdict).bind(7, d.rule).bind(8, d.reason).bind(9, d.allowed_at).bind(10, d.decided_at);
  OUTDIAL_SQLITE_TRY(s.run());
  return conn_.last_insert_rowid();
}

Result<std::vector<DecisionRecord>> SqliteComplianceStore::list_decisions(TenantId tenant,
                                                                          std::int64_t campaign_id,
                                                                          std::int64_t limit) {
  auto lock = conn_.lock();
  // campaign_id 0 = every decision of the tenant. Newest first.
  static const std::string kSql = std::string("SELECT ") + kDecisionCols +
                                  " FROM gate_decisions WHERE tenant_id = ?1 AND (?2 = 0 OR campaign_id = ?2)"
                                  " ORDER BY id DESC LIMIT ?3";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, campaign_id).bind(3, limit);
  return read_rows(s, read_decision);
}

}  // namespace outdial::storage::sqlite
