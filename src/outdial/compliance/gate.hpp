#pragma once
#include "outdial/compliance/attempt_facts.hpp"
#include "outdial/compliance/decision.hpp"

namespace outdial::compliance {

// The one decision point every outbound call and text passes (issue #2 §4). Pure: no I/O, no
// clock reads (the instant is AttemptFacts::at). Thread-safe for concurrent evaluate() calls.
// Returns kBlock with the first failing rule in compliance-rules.md table order; kDefer when
// only time-based rules fail and a later instant would pass (allowed_at set); else kAllow.
class Gate {
 public:
  virtual ~Gate() = default;
  virtual Decision evaluate(const AttemptFacts& facts) const = 0;
};

}  // namespace outdial::compliance
