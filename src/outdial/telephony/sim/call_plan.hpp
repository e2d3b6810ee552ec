#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "outdial/core/call.hpp"
#include "outdial/telephony/sim/sim_profile.hpp"

namespace outdial::telephony::sim {

// One scripted carrier event, relative to the instant the call was placed.
struct PlannedEvent {
  std::int64_t offset_ms = 0;
  CallEventKind kind = CallEventKind::kInitiated;
  std::string digits;
  int duration_seconds = 0;
  std::string detail;
};

// The whole life of one simulated call: a pure function of (seed, number, attempt number,
// ring timeout), so a restarted process plans exactly the same call again.
std::vector<PlannedEvent> plan_call(const SimProfile& profile, std::uint64_t seed,
                                    const std::string& number, int attempt_number,
                                    int ring_timeout_seconds);

// Stable 64-bit hash (FNV-1a then splitmix64 finalizer); not std::hash, which may differ
// between builds.
std::uint64_t stable_hash(const std::string& text, std::uint64_t seed);

}  // namespace outdial::telephony::sim
