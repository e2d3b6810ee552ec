#pragma once
// NANP number arithmetic shared by the DNC index, its builder and its loader.
// A national number is NPA-NXX-XXXX held as an integer (2125550123). Only NPA and NXX whose first
// digit is 2-9 are valid (NANP numbering plan, ATIS-0300051 §2); the index keeps one slot per
// valid NPA-NXX pair, 800 x 800 = 640,000 slots.
#include <cstdint>
#include <optional>
#include <string_view>

namespace outdial::dnc {

inline constexpr std::uint64_t kNumberLimit = 10'000'000'000ULL;  // 10 digits
inline constexpr std::uint32_t kSuffixSpace = 10'000;              // last 4 digits (XXXX)
inline constexpr std::uint32_t kCodeMin = 200;                     // NPA/NXX first digit 2-9
inline constexpr std::uint32_t kCodesPerLevel = 800;               // 200..999
inline constexpr std::uint32_t kPrefixSlots = kCodesPerLevel * kCodesPerLevel;

struct SplitNumber {
  std::uint32_t slot;    // dense index of the NPA-NXX pair, 0..kPrefixSlots-1
  std::uint32_t suffix;  // last 4 digits, 0..9999
};

// nullopt when the integer is not a valid 10-digit NANP number.
inline std::optional<SplitNumber> split_number(std::uint64_t number) {
  if (number >= kNumberLimit) return std::nullopt;
  const auto prefix = static_cast<std::uint32_t>(number / kSuffixSpace);
  const auto suffix = static_cast<std::uint32_t>(number - std::uint64_t{prefix} * kSuffixSpace);
  const std::uint32_t npa = prefix / 1000;
  const std::uint32_t nxx = prefix - npa * 1000;
  if (npa < kCodeMin || nxx < kCodeMin) return std::nullopt;
  return SplitNumber{(npa - kCodeMin) * kCodesPerLevel + (nxx - kCodeMin), suffix};
}

inline std::uint64_t join_number(std::uint32_t slot, std::uint32_t suffix) {
  const std::uint32_t npa = slot / kCodesPerLevel + kCodeMin;
  const std::uint32_t nxx = slot % kCodesPerLevel + kCodeMin;
  return (std::uint64_t{npa} * 1000 + nxx) * kSuffixSpace + suffix;
}

// Parses exactly ten ASCII digits into a number (no validation of NPA/NXX).
inline std::optional<std::uint64_t> parse_ten_digits(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

}  // namespace outdial::dnc
