#pragma once
// RuleGate: the production Gate. Evaluates compliance-rules.md §2 plus the engine policies
// (AI-POLICY, CAMPAIGN-STATE, FREQ-CAMPAIGN) for one attempt. See docs/compliance.md.
#include <array>
#include <memory>

#include "outdial/compliance/gate.hpp"
#include "outdial/geo/zone_offsets.hpp"

namespace outdial::compliance {

struct EvalContext;

class RuleGate final : public Gate {
 public:
  // Builds the zone tables for every NPA zone (a few ms; do it once at start-up and share the
  // gate). Throws std::runtime_error only if the OS tz database lacks a zone the NPA table uses.
  RuleGate();

  // Thread-safe; no I/O, no clock reads. Order of evaluation:
  //   1. NON-US, TZ-UNRESOLVED (cannot place the number)                          -> kBlock
  //   2. DNC-INTERNAL, DNC-NATL, DNC-STALE, REVOKE|SMS-CONFIRM, CONSENT-ROBO/AI-VOICE,
  //      RND-REASSIGNED, REC-ALLPARTY, RING-MIN, CID-VALID, WA-SMS, LA-EMERGENCY    -> kBlock
  //   3. AI-POLICY, CAMPAIGN-STATE, FREQ-CAMPAIGN (max attempts)                    -> kBlock
  //   4. time rules: TZ-ALLZONES/FED-TIME, state windows, SUNDAY-BAN, HOLIDAY-BAN,
  //      FL/OK/MD-FREQ, campaign schedule/spacing/daily limit -> kDefer(allowed_at), or kBlock when
  //      no instant within 14 days (or before a campaign/callback deadline) passes.
  // A deferral is returned only when every non-time rule passes, since deferring an attempt that
  // a hard rule blocks is pointless. On allow: rule "OK", reason "allowed".
  Decision evaluate(const AttemptFacts& facts) const override;

 private:
  bool build_context(const AttemptFacts& facts, EvalContext& ctx, Decision& out) const;

  geo::ZoneCatalog catalog_;
  // Per NPA (index 0..999): the candidate zones' tables, resolved once.
  struct NpaZones {
    std::array<const geo::ZoneOffsets*, 2> zones{};
    std::uint8_t count = 0;
  };
  std::array<NpaZones, 1000> npa_zones_{};
};

}  // namespace outdial::compliance
