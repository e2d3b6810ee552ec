#pragma once
// JSON <-> compliance values for the what-if endpoint (POST /api/compliance/check) and the CLI
// (`outdial check`). The request schema is documented in docs/api.md.
#include <nlohmann/json.hpp>

#include "outdial/compliance/attempt_facts.hpp"
#include "outdial/compliance/decision.hpp"
#include "outdial/core/result.hpp"

namespace outdial::api {

// Every AttemptFacts field. Required: "phone" (E.164) and "at" (ISO-8601). Everything else
// defaults as in AttemptFacts. Unknown keys, unknown enum values, bad types and bad times are
// kInvalidArgument with details {"field": "<path>"}, e.g. "consents[1].type".
Result<compliance::AttemptFacts> facts_from_json(const nlohmann::json& j);
// The inverse (every field), for echoing and for tests.
nlohmann::json facts_to_json(const compliance::AttemptFacts& f);

// {"decision": "allow"|"block"|"defer", "rule", "reason", "allowed_at": ISO-8601 or null}
nlohmann::json decision_to_json(const compliance::Decision& d);
const char* verdict_name(compliance::Verdict v);

const char* to_string(compliance::ReassignedStatus s);
std::optional<compliance::ReassignedStatus> parse_reassigned_status(const std::string& s);

}  // namespace outdial::api
