#pragma once
// The non-time rule groups of the gate, each a pure function. A check returns true when the
// attempt passes; on failure it fills `out` (verdict kBlock, rule id, human reason) and returns
// false. Checks never allocate on the passing path.
#include <string>

#include "outdial/compliance/decision.hpp"
#include "outdial/compliance/eval_context.hpp"

namespace outdial::compliance {

// CARRIER-REJECTED, DNC-INTERNAL, DNC-NATL, DNC-STALE, REVOKE / SMS-CONFIRM, CONSENT-ROBO / AI-VOICE,
// RND-REASSIGNED (consent_rules.cpp).
bool check_dnc_and_consent(const EvalContext& ctx, const AttemptFacts& facts, Decision& out);

// SMS-CONFIRM: true when the attempt is a lawful single confirmation text (then the gate skips
// the consent, campaign and time rules). Fills `out` and returns false when the attempt claims
// to be a confirmation but is not one.
bool check_sms_confirmation(const AttemptFacts& facts, Decision& out);

// REC-ALLPARTY, RING-MIN, CID-VALID, WA-SMS, LA-EMERGENCY (call_rules.cpp).
bool check_call_setup(const EvalContext& ctx, const AttemptFacts& facts, Decision& out);
// CID-VALID alone (also applied to confirmation texts).
bool check_caller_id(const AttemptFacts& facts, Decision& out);

// AI-POLICY, CAMPAIGN-STATE (status/activation/expiry/end), FREQ-CAMPAIGN max attempts
// (policy_rules.cpp).
bool check_policy(const EvalContext& ctx, const AttemptFacts& facts, Decision& out);

// Helpers.
void set_block(Decision& out, const char* rule, std::string reason);
std::string describe_instant(TimePoint t);  // ISO-8601 UTC

}  // namespace outdial::compliance
