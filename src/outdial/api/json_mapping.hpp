#pragma once
// JSON shapes of the domain values (docs/api.md). Times are ISO-8601 UTC strings or null; enums
// use their core wire names. Implementations: campaign_json.cpp, records_json.cpp.
#include <nlohmann/json.hpp>

#include "outdial/core/audit.hpp"
#include "outdial/core/call.hpp"
#include "outdial/core/campaign.hpp"
#include "outdial/core/consent.hpp"
#include "outdial/core/contact.hpp"
#include "outdial/core/result.hpp"
#include "outdial/dialer/campaign_service.hpp"
#include "outdial/importer/import_service.hpp"

namespace outdial::api {

// POST /api/campaigns body -> draft. Required: name. Unknown fields, bad types, unknown enum
// values and bad times are kInvalidArgument naming the field ("retry.busy.max_attempts").
Result<Campaign> campaign_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Campaign& c);
nlohmann::json to_json(const RetryPolicy& r);
nlohmann::json to_json(const dialer::Progress& p);
// A target joined with its contact's number (phone may be empty if the contact is gone).
nlohmann::json to_json(const CampaignTarget& t, const std::string& phone);
nlohmann::json to_json(const CallAttempt& a);

nlohmann::json to_json(const ContactList& l);
nlohmann::json to_json(const Contact& c);
nlohmann::json to_json(const DncEntry& e);
nlohmann::json to_json(const RejectedNumber& r);
nlohmann::json to_json(const ConsentRecord& c);
nlohmann::json to_json(const AuditEntry& e);
nlohmann::json to_json(const importer::ImportReport& r);
nlohmann::json to_json(const importer::RowIssue& i);

// POST /api/consents body (phone, type, ...); the tenant is set by the caller.
Result<ConsentRecord> consent_from_json(const nlohmann::json& j);

}  // namespace outdial::api
