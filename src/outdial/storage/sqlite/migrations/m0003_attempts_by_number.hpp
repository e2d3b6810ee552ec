#pragma once
// Migration 3: per-number attempt lookup (CallStore::attempts_to_number). The compliance facts
// list a tenant's recent attempts to a number across every campaign (FL/OK/MD caps count calls
// "from any number" on the same subject).

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0003AttemptsByNumber = R"sql(
CREATE INDEX call_attempts_tenant_number_created ON call_attempts (tenant_id, to_number, created_at);
)sql";

}  // namespace outdial::storage::sqlite
