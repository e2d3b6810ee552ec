#pragma once
#include <string>

#include "outdial/core/ids.hpp"
#include "outdial/core/tenant.hpp"

namespace outdial {

// Who is acting: an authenticated user (API key) or the system itself. Every mutating domain
// call takes one, checks the role, and writes it to the audit log.
struct Actor {
  UserId user_id = 0;  // 0 for system actors
  TenantId tenant_id = 0;
  Role role = Role::kClientViewer;
  std::string label;   // "user:12" or "system:dialer"
};

}  // namespace outdial
