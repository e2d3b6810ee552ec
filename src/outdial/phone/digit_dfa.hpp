#pragma once
// A deterministic automaton over the digits 0-9, compiled from the small regular-expression
// subset that libphonenumber's metadata uses for national-number and leading-digit patterns:
// literals, \d, [..] classes with ranges, (?:..) and (..) groups, |, ?, *, +, {n}, {n,m}.
//
// Why: libphonenumber evaluates those patterns through a mutex-guarded regex cache and ICU,
// ~12 us per validity check. A digit DFA answers the same question in ~10 table steps, which is
// what lets the importer normalize a million rows in about a second (bench/import/RESULTS.md).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace outdial::phone {

class DigitDfa {
 public:
  // nullopt when the pattern uses syntax outside the supported subset (callers then fall back
  // to libphonenumber for that pattern).
  static std::optional<DigitDfa> compile(std::string_view pattern);

  // The whole of `digits` (ASCII '0'-'9' only) matches the pattern.
  bool full_match(std::string_view digits) const;
  // Some prefix of `digits` (possibly empty) matches: libphonenumber's anchored Consume().
  bool prefix_match(std::string_view digits) const;
  // A pattern that can match nothing (empty pattern in the metadata).
  bool never_matches() const { return never_; }
  std::size_t state_count() const { return next_.size(); }

 private:
  std::vector<std::array<std::int32_t, 10>> next_;  // -1 = dead
  std::vector<std::uint8_t> accept_;
  bool never_ = false;
};

}  // namespace outdial::phone
