#pragma once
#include "outdial/storage/audit_store.hpp"

namespace outdial::storage::sqlite {

class Connection;

class SqliteAuditStore final : public AuditStore {
 public:
  explicit SqliteAuditStore(Connection& conn) : conn_(conn) {}
  Result<std::int64_t> append(const AuditEntry& e) override;
  Result<std::vector<AuditEntry>> list(TenantId tenant, const std::string& entity_type, std::int64_t offset,
                                       std::int64_t limit) override;

 private:
  Connection& conn_;
};

}  // namespace outdial::storage::sqlite
