#pragma once
#include <cstdint>
#include <vector>

#include "outdial/core/audit.hpp"
#include "outdial/core/result.hpp"

namespace outdial::storage {

// Append-only: there is no update or delete.
class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual Result<std::int64_t> append(const AuditEntry& e) = 0;
  // Newest first. entity_type empty = all.
  virtual Result<std::vector<AuditEntry>> list(TenantId tenant, const std::string& entity_type,
                                               std::int64_t offset, std::int64_t limit) = 0;
};

}  // namespace outdial::storage
