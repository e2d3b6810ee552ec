// GENERATED-BY-HAND data file: one row per US geographic NPA. See npa.hpp for sources.
// Multi-zone rows follow compliance-rules.md §4; 606 KY (Clinton County is Central) and 448 FL
// (850 overlay) are added on the same reasoning. Keep rows sorted by NPA (binary search).
#include <algorithm>

#include "outdial/geo/npa.hpp"

namespace outdial::geo {
namespace {

constexpr std::array<std::string_view, kNpaZoneCount> kZoneNames = {
    "America/New_York",  // 0
    "America/Chicago",  // 1
    "America/Denver",  // 2
    "America/Phoenix",  // 3
    "America/Los_Angeles",  // 4
    "America/Boise",  // 5
    "America/Anchorage",  // 6
    "America/Adak",  // 7
    "Pacific/Honolulu",  // 8
    "America/Detroit",  // 9
    "America/Menominee",  // 10
    "America/Indiana/Indianapolis",  // 11
    "America/Indiana/Knox",  // 12
    "America/Kentucky/Louisville",  // 13
    "America/Puerto_Rico",  // 14
    "America/St_Thomas",  // 15
    "Pacific/Guam",  // 16
    "Pacific/Saipan",  // 17
    "Pacific/Pago_Pago",  // 18
};

constexpr std::uint8_t kEt = 0;  // America/New_York
constexpr std::uint8_t kCt = 1;  // America/Chicago
constexpr std::uint8_t kMt = 2;  // America/Denver
constexpr std::uint8_t kAz = 3;  // America/Phoenix
constexpr std::uint8_t kPt = 4;  // America/Los_Angeles
constexpr std::uint8_t kBoise = 5;  // America/Boise
constexpr std::uint8_t kAk = 6;  // America/Anchorage
constexpr std::uint8_t kAdak = 7;  // America/Adak
constexpr std::uint8_t kHi = 8;  // Pacific/Honolulu
constexpr std::uint8_t kDetroit = 9;  // America/Detroit
constexpr std::uint8_t kMenominee = 10;  // America/Menominee
constexpr std::uint8_t kIndy = 11;  // America/Indiana/Indianapolis
constexpr std::uint8_t kKnox = 12;  // America/Indiana/Knox
constexpr std::uint8_t kLouisville = 13;  // America/Kentucky/Louisville
constexpr std::uint8_t kPr = 14;  // America/Puerto_Rico
constexpr std::uint8_t kVi = 15;  // America/St_Thomas
constexpr std::uint8_t kGu = 16;  // Pacific/Guam
constexpr std::uint8_t kMp = 17;  // Pacific/Saipan
constexpr std::uint8_t kAs = 18;  // Pacific/Pago_Pago
constexpr std::uint8_t kNone = kNoZone;

constexpr NpaRow kRows[] = {
    {201, "NJ", kEt, kNone},
    {202, "DC", kEt, kNone},
    {203, "CT", kEt, kNone},
    {205, "AL", kCt, kNone},
    {206, "WA", kPt, kNone},
    {207, "ME", kEt, kNone},
    {208, "ID", kBoise, kPt},
    {209, "CA", kPt, kNone},
    {210, "TX", kCt, kNone},
    {212, "NY", kEt, kNone},
    {213, "CA", kPt, kNone},
    {214, "TX", kCt, kNone},
    {215, "PA", kEt, kNone},
    {216, "OH", kEt, kNone},
    {217, "IL", kCt, kNone},
    {218, "MN", kCt, kNone},
    {219, "IN", kCt, kNone},
    {220, "OH", kEt, kNone},
    {223, "PA", kEt, kNone},
    {224, "IL", kCt, kNone},
    {225, "LA", kCt, kNone},
    {227, "MD", kEt, kNone},
    {228, "MS", kCt, kNone},
    {229, "GA", kEt, kNone},
    {231, "MI", kDetroit, kNone},
    {234, "OH", kEt, kNone},
    {235, "MO", kCt, kNone},
    {239, "FL", kEt, kNone},
    {240, "MD", kEt, kNone},
    {248, "MI", kDetroit, kNone},
    {251, "AL", kCt, kNone},
    {252, "NC", kEt, kNone},
    {253, "WA", kPt, kNone},
    {254, "TX", kCt, kNone},
    {256, "AL", kCt, kNone},
    {260, "IN", kIndy, kNone},
    {262, "WI", kCt, kNone},
    {267, "PA", kEt, kNone},
    {269, "MI", kDetroit, kNone},
    {270, "KY", kCt, kEt},
    {272, "PA", kEt, kNone},
    {274, "WI", kCt, kNone},
    {276, "VA", kEt, kNone},
    {279, "CA", kPt, kNone},
    {281, "TX", kCt, kNone},
    {283, "OH", kEt, kNone},
    {301, "MD", kEt, kNone},
    {302, "DE", kEt, kNone},
    {303, "CO", kMt, kNone},
    {304, "WV", kEt, kNone},
    {305, "FL", kEt, kNone},
    {307, "WY", kMt, kNone},
    {308, "NE", kCt, kMt},
    {309, "IL", kCt, kNone},
    {310, "CA", kPt, kNone},
    {312, "IL", kCt, kNone},
    {313, "MI", kDetroit, kNone},
    {314, "MO", kCt, kNone},
    {315, "NY", kEt, kNone},
    {316, "KS", kCt, kNone},
    {317, "IN", kIndy, kNone},
    {318, "LA", kCt, kNone},
    {319, "IA", kCt, kNone},
    {320, "MN", kCt, kNone},
    {321, "FL", kEt, kNone},
    {323, "CA", kPt, kNone},
    {324, "FL", kEt, kNone},
    {325, "TX", kCt, kNone},
    {326, "OH", kEt, kNone},
    {327, "AR", kCt, kNone},
    {329, "NY", kEt, kNone},
    {330, "OH", kEt, kNone},
    {331, "IL", kCt, kNone},
    {332, "NY", kEt, kNone},
    {334, "AL", kCt, kNone},
    {336, "NC", kEt, kNone},
    {337, "LA", kCt, kNone},
    {339, "MA", kEt, kNone},
    {340, "VI", kVi, kNone},
    {341, "CA", kPt, kNone},
    {346, "TX", kCt, kNone},
    {347, "NY", kEt, kNone},
    {350, "CA", kPt, kNone},
    {351, "MA", kEt, kNone},
    {352, "FL", kEt, kNone},
    {353, "WI", kCt, kNone},
    {357, "CA", kPt, kNone},
    {360, "WA", kPt, kNone},
    {361, "TX", kCt, kNone},
    {363, "NY", kEt, kNone},
    {364, "KY", kCt, kEt},
    {369, "CA", kPt, kNone},
    {380, "OH", kEt, kNone},
    {385, "UT", kMt, kNone},
    {386, "FL", kEt, kNone},
    {401, "RI", kEt, kNone},
    {402, "NE", kCt, kNone},
    {404, "GA", kEt, kNone},
    {405, "OK", kCt, kNone},
    {406, "MT", kMt, kNone},
    {407, "FL", kEt, kNone},
    {408, "CA", kPt, kNone},
    {409, "TX", kCt, kNone},
    {410, "MD", kEt, kNone},
    {412, "PA", kEt, kNone},
    {413, "MA", kEt, kNone},
    {414, "WI", kCt, kNone},
    {415, "CA", kPt, kNone},
    {417, "MO", kCt, kNone},
    {419, "OH", kEt, kNone},
    {423, "TN", kEt, kCt},
    {424, "CA", kPt, kNone},
    {425, "WA", kPt, kNone},
    {430, "TX", kCt, kNone},
    {432, "TX", kCt, kMt},
    {434, "VA", kEt, kNone},
    {435, "UT", kMt, kNone},
    {436, "OH", kEt, kNone},
    {440, "OH", kEt, kNone},
    {442, "CA", kPt, kNone},
    {443, "MD", kEt, kNone},
    {445, "PA", kEt, kNone},
    {447, "IL", kCt, kNone},
    {448, "FL", kEt, kCt},
    {457, "LA", kCt, kNone},
    {458, "OR", kPt, kBoise},
    {463, "IN", kIndy, kNone},
    {464, "IL", kCt, kNone},
    {469, "TX", kCt, kNone},
    {470, "GA", kEt, kNone},
    {472, "NC", kEt, kNone},
    {475, "CT", kEt, kNone},
    {478, "GA", kEt, kNone},
    {479, "AR", kCt, kNone},
    {480, "AZ", kAz, kNone},
    {483, "AL", kCt, kNone},
    {484, "PA", kEt, kNone},
    {501, "AR", kCt, kNone},
    {502, "KY", kLouisville, kNone},
    {503, "OR", kPt, kNone},
    {504, "LA", kCt, kNone},
    {505, "NM", kMt, kNone},
    {507, "MN", kCt, kNone},
    {508, "MA", kEt, kNone},
    {509, "WA", kPt, kNone},
    {510, "CA", kPt, kNone},
    {512, "TX", kCt, kNone},
    {513, "OH", kEt, kNone},
    {515, "IA", kCt, kNone},
    {516, "NY", kEt, kNone},
    {517, "MI", kDetroit, kNone},
    {518, "NY", kEt, kNone},
    {520, "AZ", kAz, kNone},
    {530, "CA", kPt, kNone},
    {531, "NE", kCt, kNone},
    {534, "WI", kCt, kNone},
    {539, "OK", kCt, kNone},
    {540, "VA", kEt, kNone},
    {541, "OR", kPt, kBoise},
    {551, "NJ", kEt, kNone},
    {557, "MO", kCt, kNone},
    {559, "CA", kPt, kNone},
    {561, "FL", kEt, kNone},
    {562, "CA", kPt, kNone},
    {563, "IA", kCt, kNone},
    {564, "WA", kPt, kNone},
    {567, "OH", kEt, kNone},
    {570, "PA", kEt, kNone},
    {571, "VA", kEt, kNone},
    {572, "OK", kCt, kNone},
    {573, "MO", kCt, kNone},
    {574, "IN", kIndy, kKnox},
    {575, "NM", kMt, kNone},
    {580, "OK", kCt, kNone},
    {582, "PA", kEt, kNone},
    {585, "NY", kEt, kNone},
    {586, "MI", kDetroit, kNone},
    {601, "MS", kCt, kNone},
    {602, "AZ", kAz, kNone},
    {603, "NH", kEt, kNone},
    {605, "SD", kCt, kMt},
    {606, "KY", kEt, kCt},
    {607, "NY", kEt, kNone},
    {608, "WI", kCt, kNone},
    {609, "NJ", kEt, kNone},
    {610, "PA", kEt, kNone},
    {612, "MN", kCt, kNone},
    {614, "OH", kEt, kNone},
    {615, "TN", kCt, kNone},
    {616, "MI", kDetroit, kNone},
    {617, "MA", kEt, kNone},
    {618, "IL", kCt, kNone},
    {619, "CA", kPt, kNone},
    {620, "KS", kCt, kMt},
    {623, "AZ", kAz, kNone},
    {624, "NY", kEt, kNone},
    {626, "CA", kPt, kNone},
    {628, "CA", kPt, kNone},
    {629, "TN", kCt, kNone},
    {630, "IL", kCt, kNone},
    {631, "NY", kEt, kNone},
    {636, "MO", kCt, kNone},
    {640, "NJ", kEt, kNone},
    {641, "IA", kCt, kNone},
    {645, "FL", kEt, kNone},
    {646, "NY", kEt, kNone},
    {650, "CA", kPt, kNone},
    {651, "MN", kCt, kNone},
    {656, "FL", kEt, kNone},
    {657, "CA", kPt, kNone},
    {659, "AL", kCt, kNone},
    {660, "MO", kCt, kNone},
    {661, "CA", kPt, kNone},
    {662, "MS", kCt, kNone},
    {667, "MD", kEt, kNone},
    {669, "CA", kPt, kNone},
    {670, "MP", kMp, kNone},
    {671, "GU", kGu, kNone},
    {678, "GA", kEt, kNone},
    {679, "MI", kDetroit, kNone},
    {680, "NY", kEt, kNone},
    {681, "WV", kEt, kNone},
    {682, "TX", kCt, kNone},
    {684, "AS", kAs, kNone},
    {686, "VA", kEt, kNone},
    {689, "FL", kEt, kNone},
    {701, "ND", kCt, kMt},
    {702, "NV", kPt, kNone},
    {703, "VA", kEt, kNone},
    {704, "NC", kEt, kNone},
    {706, "GA", kEt, kNone},
    {707, "CA", kPt, kNone},
    {708, "IL", kCt, kNone},
    {712, "IA", kCt, kNone},
    {713, "TX", kCt, kNone},
    {714, "CA", kPt, kNone},
    {715, "WI", kCt, kNone},
    {716, "NY", kEt, kNone},
    {717, "PA", kEt, kNone},
    {718, "NY", kEt, kNone},
    {719, "CO", kMt, kNone},
    {720, "CO", kMt, kNone},
    {724, "PA", kEt, kNone},
    {725, "NV", kPt, kNone},
    {726, "TX", kCt, kNone},
    {727, "FL", kEt, kNone},
    {728, "FL", kEt, kNone},
    {730, "IL", kCt, kNone},
    {731, "TN", kCt, kNone},
    {732, "NJ", kEt, kNone},
    {734, "MI", kDetroit, kNone},
    {737, "TX", kCt, kNone},
    {738, "CA", kPt, kNone},
    {740, "OH", kEt, kNone},
    {743, "NC", kEt, kNone},
    {747, "CA", kPt, kNone},
    {748, "CO", kMt, kNone},
    {754, "FL", kEt, kNone},
    {757, "VA", kEt, kNone},
    {760, "CA", kPt, kNone},
    {762, "GA", kEt, kNone},
    {763, "MN", kCt, kNone},
    {765, "IN", kIndy, kNone},
    {769, "MS", kCt, kNone},
    {770, "GA", kEt, kNone},
    {771, "DC", kEt, kNone},
    {772, "FL", kEt, kNone},
    {773, "IL", kCt, kNone},
    {774, "MA", kEt, kNone},
    {775, "NV", kPt, kMt},
    {779, "IL", kCt, kNone},
    {781, "MA", kEt, kNone},
    {785, "KS", kCt, kMt},
    {786, "FL", kEt, kNone},
    {787, "PR", kPr, kNone},
    {801, "UT", kMt, kNone},
    {802, "VT", kEt, kNone},
    {803, "SC", kEt, kNone},
    {804, "VA", kEt, kNone},
    {805, "CA", kPt, kNone},
    {806, "TX", kCt, kNone},
    {808, "HI", kHi, kNone},
    {810, "MI", kDetroit, kNone},
    {812, "IN", kIndy, kCt},
    {813, "FL", kEt, kNone},
    {814, "PA", kEt, kNone},
    {815, "IL", kCt, kNone},
    {816, "MO", kCt, kNone},
    {817, "TX", kCt, kNone},
    {818, "CA", kPt, kNone},
    {820, "CA", kPt, kNone},
    {821, "SC", kEt, kNone},
    {826, "VA", kEt, kNone},
    {828, "NC", kEt, kNone},
    {830, "TX", kCt, kNone},
    {831, "CA", kPt, kNone},
    {832, "TX", kCt, kNone},
    {835, "PA", kEt, kNone},
    {838, "NY", kEt, kNone},
    {839, "SC", kEt, kNone},
    {840, "CA", kPt, kNone},
    {843, "SC", kEt, kNone},
    {845, "NY", kEt, kNone},
    {847, "IL", kCt, kNone},
    {848, "NJ", kEt, kNone},
    {850, "FL", kEt, kCt},
    {854, "SC", kEt, kNone},
    {856, "NJ", kEt, kNone},
    {857, "MA", kEt, kNone},
    {858, "CA", kPt, kNone},
    {859, "KY", kEt, kNone},
    {860, "CT", kEt, kNone},
    {861, "IL", kCt, kNone},
    {862, "NJ", kEt, kNone},
    {863, "FL", kEt, kNone},
    {864, "SC", kEt, kNone},
    {865, "TN", kEt, kNone},
    {870, "AR", kCt, kNone},
    {872, "IL", kCt, kNone},
    {878, "PA", kEt, kNone},
    {901, "TN", kCt, kNone},
    {903, "TX", kCt, kNone},
    {904, "FL", kEt, kNone},
    {906, "MI", kDetroit, kMenominee},
    {907, "AK", kAk, kAdak},
    {908, "NJ", kEt, kNone},
    {909, "CA", kPt, kNone},
    {910, "NC", kEt, kNone},
    {912, "GA", kEt, kNone},
    {913, "KS", kCt, kNone},
    {914, "NY", kEt, kNone},
    {915, "TX", kMt, kNone},
    {916, "CA", kPt, kNone},
    {917, "NY", kEt, kNone},
    {918, "OK", kCt, kNone},
    {919, "NC", kEt, kNone},
    {920, "WI", kCt, kNone},
    {924, "MN", kCt, kNone},
    {925, "CA", kPt, kNone},
    {928, "AZ", kAz, kMt},
    {929, "NY", kEt, kNone},
    {930, "IN", kIndy, kCt},
    {931, "TN", kCt, kEt},
    {934, "NY", kEt, kNone},
    {936, "TX", kCt, kNone},
    {937, "OH", kEt, kNone},
    {938, "AL", kCt, kNone},
    {939, "PR", kPr, kNone},
    {940, "TX", kCt, kNone},
    {941, "FL", kEt, kNone},
    {943, "GA", kEt, kNone},
    {945, "TX", kCt, kNone},
    {947, "MI", kDetroit, kNone},
    {948, "VA", kEt, kNone},
    {949, "CA", kPt, kNone},
    {951, "CA", kPt, kNone},
    {952, "MN", kCt, kNone},
    {954, "FL", kEt, kNone},
    {956, "TX", kCt, kNone},
    {959, "CT", kEt, kNone},
    {970, "CO", kMt, kNone},
    {971, "OR", kPt, kNone},
    {972, "TX", kCt, kNone},
    {973, "NJ", kEt, kNone},
    {975, "MO", kCt, kNone},
    {978, "MA", kEt, kNone},
    {979, "TX", kCt, kNone},
    {980, "NC", kEt, kNone},
    {983, "CO", kMt, kNone},
    {984, "NC", kEt, kNone},
    {985, "LA", kCt, kNone},
    {986, "ID", kBoise, kPt},
    {989, "MI", kDetroit, kNone},
};

// Canada and the non-US Caribbean members of the NANP (NANPA "NPAs by location").
constexpr std::int16_t kNonUs[] = {
    204, 226, 236, 242, 246, 249, 250, 257, 263, 264, 268, 284, 289, 306, 343, 345, 354, 365,
    367, 368, 382, 387, 403, 416, 418, 428, 431, 437, 438, 441, 450, 460, 468, 473, 474, 506,
    514, 519, 548, 568, 579, 581, 584, 587, 604, 613, 639, 647, 649, 658, 664, 672, 683, 705,
    709, 721, 742, 753, 758, 767, 778, 780, 782, 784, 807, 809, 819, 825, 829, 849, 867, 868,
    869, 873, 876, 879, 902, 905, 942,
};
const NpaRow* find_row(int npa) {
  const auto* end = std::end(kRows);
  const auto* it = std::lower_bound(std::begin(kRows), end, npa,
                                    [](const NpaRow& r, int n) { return r.npa < n; });
  return (it != end && it->npa == npa) ? it : nullptr;
}

}  // namespace

std::optional<NpaInfo> lookup_npa(int npa) {
  const NpaRow* row = find_row(npa);
  if (row == nullptr) return std::nullopt;
  NpaInfo info;
  info.npa = npa;
  info.state = std::string_view(row->state, 2);
  info.zones[0] = kZoneNames[row->zone_a];
  info.zone_count = 1;
  if (row->zone_b != kNoZone) {
    info.zones[1] = kZoneNames[row->zone_b];
    info.zone_count = 2;
  }
  return info;
}

bool is_non_us_nanp(int npa) {
  return std::binary_search(std::begin(kNonUs), std::end(kNonUs), static_cast<std::int16_t>(npa));
}

bool zone_fits_npa(int npa, std::string_view iana) {
  const NpaRow* row = find_row(npa);
  if (row == nullptr) return false;
  return kZoneNames[row->zone_a] == iana || (row->zone_b != kNoZone && kZoneNames[row->zone_b] == iana);
}

const std::array<std::string_view, kNpaZoneCount>& npa_zone_names() { return kZoneNames; }

std::span<const NpaRow> npa_rows() { return kRows; }
std::span<const std::int16_t> non_us_nanp_npas() { return kNonUs; }

}  // namespace outdial::geo
