#pragma once
// Per-evaluation facts derived once from AttemptFacts: the NPA, candidate zones, the states whose
// rules apply, and consent summaries. Lives on the stack; no heap allocation.
#include <array>
#include <cstdint>
#include <string_view>

#include "outdial/compliance/attempt_facts.hpp"
#include "outdial/compliance/state_rules.hpp"
#include "outdial/geo/zone_offsets.hpp"

namespace outdial::compliance {

inline constexpr std::size_t kMaxCandidateZones = 3;
inline constexpr std::size_t kMaxStates = 2;

struct EvalContext {
  int npa = 0;
  std::string_view npa_state;
  // TZ-ALLZONES: the stated zone alone when it fits the NPA, else the NPA's zones + stated zone.
  std::array<const geo::ZoneOffsets*, kMaxCandidateZones> zones{};
  std::size_t zone_count = 0;
  bool stated_zone_used_alone = false;
  // Area-code state and stated residence state (deduplicated).
  std::array<StateCode, kMaxStates> states{};
  std::size_t state_count = 0;

  bool telemarketing = false;
  bool artificial_voice = false;  // AI or prerecorded voice on a call (AI-VOICE: AI is artificial)
  bool robocall = false;          // autodialed or artificial voice
  bool express_consent = false;   // a live PEWC or prior express consent for this channel

  bool has_state(StateCode s) const {
    for (std::size_t i = 0; i < state_count; ++i) {
      if (states[i] == s) return true;
    }
    return false;
  }
};

// Consent helpers shared by the rule files.
enum class ConsentNeed { kPriorExpress, kWritten, kWrittenArtificialVoice };
// A consent record live at `at` (granted, not revoked, channel matches) of the needed strength.
bool has_live_consent(const AttemptFacts& facts, ConsentNeed need);

}  // namespace outdial::compliance
