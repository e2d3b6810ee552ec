#pragma once
// North American Numbering Plan area codes (NPAs) -> US state/territory and candidate IANA zones.
// Data: NANPA geographic NPA assignments (nationalnanpa.com, "NPA database"), checked by hand;
// multi-zone NPAs per compliance-rules.md §4. Non-geographic codes (N11, 555, 5XX/6XX/7XX
// service codes, toll-free 8XX, 900, 950, 976) are not areas: lookup_npa returns nullopt.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace outdial::geo {

inline constexpr std::size_t kMaxNpaZones = 2;
inline constexpr std::size_t kNpaZoneCount = 19;

struct NpaInfo {
  int npa = 0;
  std::string_view state;  // USPS code: "FL", "PR", "VI", "GU", "MP", "AS", "DC"
  std::array<std::string_view, kMaxNpaZones> zones{};
  std::uint8_t zone_count = 0;

  bool multi_zone() const { return zone_count > 1; }
};

// The US geographic NPA (incl. PR, USVI, Guam, CNMI, AS), or nullopt for anything else.
std::optional<NpaInfo> lookup_npa(int npa);
// True for NANP area codes assigned to Canada or a non-US Caribbean country (416, 604, 876, ...).
bool is_non_us_nanp(int npa);
// True when `iana` is one of the NPA's candidate zones (exact IANA name match).
bool zone_fits_npa(int npa, std::string_view iana);

// Every distinct zone name the NPA table uses (for pre-building zone caches).
const std::array<std::string_view, kNpaZoneCount>& npa_zone_names();

// The whole table, ordered by NPA (tests iterate it).
struct NpaRow {
  std::int16_t npa;
  char state[3];
  std::uint8_t zone_a;  // index into npa_zone_names()
  std::uint8_t zone_b;  // kNoZone when single-zone
};
inline constexpr std::uint8_t kNoZone = 0xFF;
std::span<const NpaRow> npa_rows();
std::span<const std::int16_t> non_us_nanp_npas();

}  // namespace outdial::geo
