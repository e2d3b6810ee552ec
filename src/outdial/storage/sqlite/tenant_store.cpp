#include "outdial/storage/sqlite/tenant_store.hpp"

#include "outdial/storage/sqlite/connection.hpp"
#include "outdial/storage/sqlite/row_helpers.hpp"

namespace outdial::storage::sqlite {
namespace {

constexpr const char* kTenantCols = "id, name, default_region, us_only, help_text, created_at";
constexpr const char* kUserCols = "u.id, u.tenant_id, u.email, u.name, u.role, u.created_at";

Tenant read_tenant(const Stmt& s) {
  Tenant t;
  t.id = s.i64(0);
  t.name = s.text(1);
  t.default_region = s.text(2);
  t.us_only = s.boolean(3);
  t.help_text = s.text(4);
  t.created_at = s.time(5);
  return t;
}

Result<User> read_user(const Stmt& s) {
  User u;
  u.id = s.i64(0);
  u.tenant_id = s.i64(1);
  u.email = s.text(2);
  u.name = s.text(3);
  OUTDIAL_SQLITE_TRY(parse_column(s, 4, parse_role, "users.role", u.role));
  u.created_at = s.time(5);
  return u;
}

}  // namespace

Result<Tenant> SqliteTenantStore::create_tenant(const Tenant& t) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO tenants (name, default_region, us_only, help_text, created_at) VALUES (?1, ?2, ?3, ?4, "
      "?5)");
  s.bind(1, t.name).bind(2, t.default_region).bind(3, t.us_only).bind(4, t.help_text).bind(5, t.created_at);
  return insert_row(conn_, s, t);
}

Result<Tenant> SqliteTenantStore::get_tenant(TenantId id) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kTenantCols + " FROM tenants WHERE id = ?1";
  auto s = conn_.prepare(kSql);
  s.bind(1, id);
  return read_row(s, read_tenant, "tenant", id);
}

Result<std::optional<Tenant>> SqliteTenantStore::find_tenant_by_name(const std::string& name) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kTenantCols + " FROM tenants WHERE name = ?1";
  auto s = conn_.prepare(kSql);
  s.bind(1, name);
  return read_optional_row(s, read_tenant);
}

Result<std::vector<Tenant>> SqliteTenantStore::list_tenants() {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kTenantCols + " FROM tenants ORDER BY id";
  auto s = conn_.prepare(kSql);
  return read_rows(s, read_tenant);
}

Result<User> SqliteTenantStore::create_user(const User& u) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO users (tenant_id, email, name, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, u.tenant_id).bind(2, u.email).bind(3, u.name).bind(4, to_string(u.role)).bind(5, u.created_at);
  return insert_row(conn_, s, u);
}

Result<User> SqliteTenantStore::get_user(UserId id) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kUserCols + " FROM users u WHERE u.id = ?1";
  auto s = conn_.prepare(kSql);
  s.bind(1, id);
  return read_row(s, read_user, "user", id);
}

Result<std::optional<User>> SqliteTenantStore::find_user_by_email(TenantId tenant, const std::string& email) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kUserCols + " FROM users u WHERE u.tenant_id = ?1 AND u.email = ?2";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, email);
  return read_optional_row(s, read_user);
}

Result<ApiKey> SqliteTenantStore::create_api_key(const ApiKey& k) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO api_keys (user_id, key_hash, label, created_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, k.user_id).bind(2, k.key_hash).bind(3, k.label).bind(4, k.created_at).bind(5, k.revoked_at);
  return insert_row(conn_, s, k);
}

Result<std::optional<User>> SqliteTenantStore::find_user_by_key_hash(const std::string& key_hash) {
  auto lock = conn_.lock();
  static const std::string kSql = std::string("SELECT ") + kUserCols +
                                  " FROM api_keys k JOIN users u ON u.id = k.user_id"
                                  " WHERE k.key_hash = ?1 AND k.revoked_at IS NULL";
  auto s = conn_.prepare(kSql);
  s.bind(1, key_hash);
  return read_optional_row(s, read_user);
}

}  // namespace outdial::storage::sqlite
