#pragma once
// Time-based rules: FED-TIME, TZ-ALLZONES, state windows (FL-TIME ... STATE-TIME), SUNDAY-BAN,
// HOLIDAY-BAN, FL/OK/MD-FREQ (rolling 24 h), CAMPAIGN-STATE schedule start and FREQ-CAMPAIGN
// spacing/daily limit. Every candidate zone must allow the attempt.
#include "outdial/compliance/decision.hpp"
#include "outdial/compliance/eval_context.hpp"

namespace outdial::compliance {

// Deferral search horizon: no allowed instant within this span -> kBlock.
inline constexpr auto kDeferHorizon = std::chrono::days{14};

// True when every time rule passes at facts.at. Otherwise fills `out`: kDefer with allowed_at =
// the earliest instant ≥ facts.at at which all time rules pass, or kBlock when there is none
// within kDeferHorizon or before a hard deadline (campaign end/expiry, AI callback window).
// The search steps through candidate instants (window openings, local midnights, cap and spacing
// expiries), never minute by minute.
bool check_time_rules(const EvalContext& ctx, const AttemptFacts& facts, Decision& out);

}  // namespace outdial::compliance
