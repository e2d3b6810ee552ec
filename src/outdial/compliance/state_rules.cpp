#include "outdial/compliance/state_rules.hpp"

#include "outdial/compliance/rule_ids.hpp"

namespace outdial::compliance {
namespace {
constexpr int h(int hour) { return hour * 60; }
}  // namespace

std::optional<Window> state_window(StateCode state, date::weekday wd) {
  const bool sunday = wd == date::Sunday;
  switch (state) {
    // §2 states with their own rule id.
    case state_code("FL"):
      return Window{h(8), h(20), "FL-TIME"};
    case state_code("OK"):
      return Window{h(8), h(20), "OK-TIME"};
    case state_code("MD"):
      return Window{h(8), h(20), "MD-TIME"};
    case state_code("WA"):
      return Window{h(8), h(20), "WA-TIME"};
    case state_code("CT"):
      return Window{h(9), h(20), "CT-TIME"};
    case state_code("TX"):
      // Tex. Bus. & Com. Code 301.051: Mon–Sat 09–21, Sun 12–21.
      return sunday ? Window{h(12), h(21), "TX-TIME"} : Window{h(9), h(21), "TX-TIME"};
    case state_code("RI"):
      // Mon–Fri 09–18, Sat 10–17; Sunday is SUNDAY-BAN.
      if (sunday) return std::nullopt;
      if (wd == date::Saturday) return Window{h(10), h(17), "RI-TIME"};
      return Window{h(9), h(18), "RI-TIME"};
    // §3 other state windows (STATE-TIME).
    case state_code("AL"):
    case state_code("MS"):
    case state_code("MA"):
      return Window{h(8), h(20), rule_id::kStateTime};
    case state_code("LA"):
      if (sunday) return std::nullopt;  // SUNDAY-BAN
      return Window{h(8), h(20), rule_id::kStateTime};
    case state_code("UT"):
    case state_code("PA"):
      return Window{h(8), h(21), rule_id::kStateTime};
    case state_code("KY"):
      return Window{h(10), h(21), rule_id::kStateTime};
    case state_code("MI"):
    case state_code("MN"):
    case state_code("NM"):
    case state_code("CA"):
      return Window{h(9), h(21), rule_id::kStateTime};
    case state_code("NV"):
      return Window{h(9), h(20), rule_id::kStateTime};
    default:
      return std::nullopt;
  }
}

SundayBan sunday_ban(StateCode state) {
  switch (state) {
    case state_code("AL"):
      return SundayBan::kAutomatedOnly;  // Ala. Admin. Code 770-X-5-.17: automated calls
    case state_code("LA"):
    case state_code("MS"):
    case state_code("RI"):
      return SundayBan::kAll;
    case state_code("UT"):
      return SundayBan::kUnlessExpressConsent;  // Utah Code 13-25a-103(3)
    default:
      return SundayBan::kNone;
  }
}

bool has_holiday_ban(StateCode state) {
  switch (state) {
    case state_code("AL"):
    case state_code("LA"):
    case state_code("RI"):
    case state_code("UT"):
    case state_code("PA"):
      return true;
    default:
      return false;
  }
}

bool holiday_ban_waived_by_consent(StateCode state) { return state == state_code("UT"); }

std::optional<FreqCap> freq_cap(StateCode state) {
  switch (state) {
    case state_code("FL"):
      return FreqCap{rule_id::kFlFreq, false};
    case state_code("OK"):
      return FreqCap{rule_id::kOkFreq, false};
    case state_code("MD"):
      return FreqCap{rule_id::kMdFreq, true};
    default:
      return std::nullopt;
  }
}

bool is_all_party_state(StateCode state) {
  switch (state) {
    case state_code("CA"):
    case state_code("CT"):
    case state_code("DE"):
    case state_code("FL"):
    case state_code("IL"):
    case state_code("MD"):
    case state_code("MA"):
    case state_code("MI"):
    case state_code("MT"):
    case state_code("NV"):
    case state_code("NH"):
    case state_code("PA"):
    case state_code("WA"):
      return true;
    default:
      return false;
  }
}

}  // namespace outdial::compliance
