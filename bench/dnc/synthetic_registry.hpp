#pragma once
// A deterministic synthetic National DNC registry for benchmarks.
//
// Shape: ~330 area codes drawn from the valid NPA space (no N11, no N9X expansion codes), each with
// 55-98% of its ~790 valid exchanges assigned (no N11, 555, 950, 958, 959, 976), and a per-exchange
// density between ~1% and ~25% (dense metro exchanges next to sparse rural ones), scaled so the
// total is close to the requested count. Membership is a pure function of the number (a keyed hash
// against the exchange's density), so hits and misses can be drawn and checked without the index.
#include <cstdint>
#include <vector>

namespace outdial::dnc::bench {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

class SyntheticRegistry {
 public:
  SyntheticRegistry(std::uint64_t target_count, std::uint32_t area_codes = 330, std::uint64_t seed = 0xD0C0FFEE);

  // Calls f(number) for every member, ascending.
  template <typename F>
  void for_each(F&& f) const {
    for (const Prefix& p : prefixes_) {
      const std::uint64_t base = std::uint64_t{p.code} * 10000;
      for (std::uint64_t s = 0; s < 10000; ++s) {
        if (member_hash(base + s) < p.threshold) f(base + s);
      }
    }
  }
  bool contains(std::uint64_t number) const;

  // Uniform over members / over absent numbers of assigned exchanges (the expensive misses).
  std::uint64_t random_hit(SplitMix64& rng) const;
  std::uint64_t random_miss_in_assigned(SplitMix64& rng) const;

  std::uint64_t expected_count() const { return expected_count_; }
  std::size_t prefix_count() const { return prefixes_.size(); }
  std::vector<std::uint32_t> area_codes() const;

 private:
  struct Prefix {
    std::uint32_t code;       // NPA * 1000 + NXX
    std::uint32_t threshold;  // member iff member_hash(number) < threshold
  };
  std::uint32_t member_hash(std::uint64_t number) const;
  const Prefix* find(std::uint32_t code) const;

  std::uint64_t seed_;
  std::vector<Prefix> prefixes_;  // ascending by code
  std::uint64_t expected_count_ = 0;
};

}  // namespace outdial::dnc::bench
