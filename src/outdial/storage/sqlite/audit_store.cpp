#include "outdial/storage/sqlite/audit_store.hpp"

#include "outdial/storage/sqlite/connection.hpp"
#include "outdial/storage/sqlite/row_helpers.hpp"

namespace outdial::storage::sqlite {

Result<std::int64_t> SqliteAuditStore::append(const AuditEntry& e) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "INSERT INTO audit_log (tenant_id, actor, action, entity_type, entity_id, payload_json, at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, e.tenant_id).bind(2, e.actor).bind(3, e.action).bind(4, e.entity_type).bind(5, e.entity_id);
  s.bind(6, e.payload_json).bind(7, e.at);
  OUTDIAL_SQLITE_TRY(s.run());
  return conn_.last_insert_rowid();
}

Result<std::vector<AuditEntry>> SqliteAuditStore::list(TenantId tenant, const std::string& entity_type,
                                                       std::int64_t offset, std::int64_t limit) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(
      "SELECT id, tenant_id, actor, action, entity_type, entity_id, payload_json, at FROM audit_log"
      " WHERE tenant_id = ?1 AND (?2 = '' OR entity_type = ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4");
  s.bind(1, tenant).bind(2, entity_type).bind(3, limit).bind(4, offset);
  return read_rows(s, [](const Stmt& row) {
    AuditEntry a;
    a.id = row.i64(0);
    a.tenant_id = row.i64(1);
    a.actor = row.text(2);
    a.action = row.text(3);
    a.entity_type = row.text(4);
    a.entity_id = row.text(5);
    a.payload_json = row.text(6);
    a.at = row.time(7);
    return a;
  });
}

}  // namespace outdial::storage::sqlite
