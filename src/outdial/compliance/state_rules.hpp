#pragma once
// Per-state parameters (compliance-rules.md §2, §3, §5): calling windows, Sunday/holiday bans,
// same-subject frequency caps and all-party recording consent. States are two-letter USPS codes
// packed into a StateCode for cheap comparison on the hot path.
#include <cstdint>
#include <optional>
#include <string_view>

#include <date/date.h>

namespace outdial::compliance {

using StateCode = std::uint16_t;
inline constexpr StateCode kNoState = 0;

constexpr StateCode state_code(std::string_view s) {
  if (s.size() != 2) return kNoState;
  return static_cast<StateCode>((static_cast<unsigned char>(s[0]) << 8) | static_cast<unsigned char>(s[1]));
}

// A local calling window [open, close) in minutes after local midnight.
struct Window {
  int open_min = 0;
  int close_min = 24 * 60;
  const char* rule = nullptr;  // "FL-TIME", "TX-TIME", ..., "STATE-TIME"
};

// The state's window for that weekday, or nullopt when the state has no window of its own
// (the federal window still applies). Days fully banned by SUNDAY-BAN return nullopt so that
// the ban, not the window, is reported.
std::optional<Window> state_window(StateCode state, date::weekday wd);

// SUNDAY-BAN: AL (automated calls only), LA, MS, RI, UT (unless express consent).
enum class SundayBan { kNone, kAll, kAutomatedOnly, kUnlessExpressConsent };
SundayBan sunday_ban(StateCode state);

// HOLIDAY-BAN: AL, LA, RI, UT (unless express consent), PA. MS repealed its ban in 2024.
bool has_holiday_ban(StateCode state);
bool holiday_ban_waived_by_consent(StateCode state);  // UT

// FL/OK/MD-FREQ: ≤3 attempts per rolling 24 h on the same subject.
struct FreqCap {
  const char* rule = nullptr;
  bool counts_texts = false;  // MD counts texts too
};
std::optional<FreqCap> freq_cap(StateCode state);
inline constexpr int kFreqCapMax = 3;

// §5 conservative all-party recording-consent set.
bool is_all_party_state(StateCode state);

}  // namespace outdial::compliance
