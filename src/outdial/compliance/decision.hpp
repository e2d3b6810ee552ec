#pragma once
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"

namespace outdial::compliance {

enum class Verdict { kAllow, kBlock, kDefer };
const char* to_string(Verdict v);

// Decisions are values (engineering.md §7): never a bare bool. rule is a rule id from
// compliance-rules.md ("FED-TIME", "DNC-INTERNAL", ...) or "OK" on allow; reason is for people.
// allowed_at is set on kDefer: the earliest instant at which the same attempt would pass every
// time-based rule.
struct Decision {
  Verdict verdict = Verdict::kBlock;
  std::string rule;
  std::string reason;
  std::optional<TimePoint> allowed_at;

  bool allowed() const { return verdict == Verdict::kAllow; }
};

}  // namespace outdial::compliance
