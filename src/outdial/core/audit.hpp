#pragma once
#include <cstdint>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/core/ids.hpp"

namespace outdial {

// Append-only audit log: who did what and when. Gate decisions are audit entries too
// (action "gate.decision"), with the decision JSON in payload.
struct AuditEntry {
  std::int64_t id = 0;
  TenantId tenant_id = 0;
  std::string actor;        // "user:12", "system:dialer", "webhook:twilio"
  std::string action;       // "campaign.activate", "dnc.add", "gate.decision", ...
  std::string entity_type;  // "campaign", "contact", "call", ...
  std::string entity_id;
  std::string payload_json; // JSON object text
  TimePoint at{};
};

}  // namespace outdial
