#pragma once
// Deterministic generator of realistic, varied gate inputs for the benchmark: many NPAs and
// states (incl. multi-zone), times spread over a week around the calling windows, a mix of
// purposes, voices, consents, DNC flags and prior attempts.
#include <cstdint>
#include <vector>

#include "outdial/compliance/attempt_facts.hpp"

namespace outdial::bench {

enum class FactMix {
  kRealistic,  // ~what a dialer sees: most allowed, some deferred, some blocked
  kAllowOnly,  // daytime, consented, passes every rule
  kDeferOnly,  // night-time: every attempt needs the allowed_at search
};

std::vector<compliance::AttemptFacts> generate_facts(std::size_t count, FactMix mix, std::uint64_t seed);

}  // namespace outdial::bench
