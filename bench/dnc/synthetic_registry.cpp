#include "synthetic_registry.hpp"

#include <algorithm>
#include <cmath>

namespace outdial::dnc::bench {
namespace {

bool is_n11(std::uint32_t code) { return code % 100 == 11; }

}  // namespace

SyntheticRegistry::SyntheticRegistry(std::uint64_t target_count, std::uint32_t area_codes, std::uint64_t seed)
    : seed_(seed) {
  SplitMix64 rng(seed);
  std::vector<std::uint32_t> npas;
  for (std::uint32_t npa = 200; npa < 1000; ++npa) {
    if (is_n11(npa) || (npa / 10) % 10 == 9 || npa == 555) continue;  // N11, N9X expansion
    npas.push_back(npa);
  }
  for (std::size_t i = npas.size(); i > 1; --i) std::swap(npas[i - 1], npas[rng.below(i)]);
  npas.resize(std::min<std::size_t>(area_codes, npas.size()));
  std::sort(npas.begin(), npas.end());

  std::vector<double> weights;
  for (const std::uint32_t npa : npas) {
    const double assigned = 0.55 + 0.43 * rng.unit();
    for (std::uint32_t nxx = 200; nxx < 1000; ++nxx) {
      if (is_n11(nxx) || nxx == 555 || nxx == 950 || nxx == 958 || nxx == 959 || nxx == 976) continue;
      if (rng.unit() >= assigned) continue;
      prefixes_.push_back(Prefix{npa * 1000 + nxx, 0});
      weights.push_back(0.1 + 1.8 * rng.unit());
    }
  }
  // Pick the base density so that sum(min(base * w, 0.95)) * 10^4 ~= target (bisection: the cap
  // makes it non-linear).
  const auto total_for = [&](double base) {
    double sum = 0;
    for (const double w : weights) sum += std::min(base * w, 0.95);
    return sum * 10000;
  };
  double lo = 0;
  double hi = 100;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    (total_for(mid) < static_cast<double>(target_count) ? lo : hi) = mid;
  }
  for (std::size_t i = 0; i < prefixes_.size(); ++i) {
    const double density = std::min(hi * weights[i], 0.95);
    prefixes_[i].threshold = static_cast<std::uint32_t>(density * 4294967296.0);
  }
  expected_count_ = static_cast<std::uint64_t>(std::llround(total_for(hi)));
}

std::uint32_t SyntheticRegistry::member_hash(std::uint64_t number) const {
  SplitMix64 h(number ^ seed_);
  return static_cast<std::uint32_t>(h.next() >> 32);
}

const SyntheticRegistry::Prefix* SyntheticRegistry::find(std::uint32_t code) const {
  const auto it = std::lower_bound(prefixes_.begin(), prefixes_.end(), code,
                                   [](const Prefix& p, std::uint32_t c) { return p.code < c; });
  return it != prefixes_.end() && it->code == code ? &*it : nullptr;
}

bool SyntheticRegistry::contains(std::uint64_t number) const {
  if (number >= 10'000'000'000ULL) return false;
  const Prefix* p = find(static_cast<std::uint32_t>(number / 10000));
  return p != nullptr && member_hash(number) < p->threshold;
}

std::uint64_t SyntheticRegistry::random_hit(SplitMix64& rng) const {
  // Rejection sampling over (exchange, suffix) is uniform over members.
  while (true) {
    const Prefix& p = prefixes_[rng.below(prefixes_.size())];
    const std::uint64_t n = std::uint64_t{p.code} * 10000 + rng.below(10000);
    if (member_hash(n) < p.threshold) return n;
  }
}

std::uint64_t SyntheticRegistry::random_miss_in_assigned(SplitMix64& rng) const {
  while (true) {
    const Prefix& p = prefixes_[rng.below(prefixes_.size())];
    const std::uint64_t n = std::uint64_t{p.code} * 10000 + rng.below(10000);
    if (member_hash(n) >= p.threshold) return n;
  }
}

std::vector<std::uint32_t> SyntheticRegistry::area_codes() const {
  std::vector<std::uint32_t> out;
  for (const Prefix& p : prefixes_) {
    if (out.empty() || out.back() != p.code / 1000) out.push_back(p.code / 1000);
  }
  return out;
}

}  // namespace outdial::dnc::bench
