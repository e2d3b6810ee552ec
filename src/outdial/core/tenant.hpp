#pragma once
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/core/ids.hpp"

namespace outdial {

struct Tenant {
  TenantId id = 0;
  std::string name;
  std::string default_region = "US";  // libphonenumber region for numbers without +CC
  bool us_only = true;                // reject non-US numbers at import
  std::string help_text;              // SMS HELP reply
  TimePoint created_at{};
};

enum class Role { kOperatorAdmin, kOperatorStaff, kAgent, kClientViewer };
const char* to_string(Role r);
std::optional<Role> parse_role(const std::string& s);
// Staff (operator admin/staff) may activate campaigns; client viewers may only read.
inline bool is_staff(Role r) { return r == Role::kOperatorAdmin || r == Role::kOperatorStaff; }
inline bool can_write(Role r) { return r != Role::kClientViewer; }

struct User {
  UserId id = 0;
  TenantId tenant_id = 0;
  std::string email;
  std::string name;
  Role role = Role::kClientViewer;
  TimePoint created_at{};
};

// An API key is shown once at creation; only its SHA-256 hex digest is stored.
struct ApiKey {
  std::int64_t id = 0;
  UserId user_id = 0;
  std::string key_hash;
  std::string label;
  TimePoint created_at{};
  std::optional<TimePoint> revoked_at;
};

}  // namespace outdial
