#pragma once
// A national do-not-call registry copy for tests: the numbers it holds (10 national digits) and
// when it was loaded (nullopt: never).
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "outdial/dnc/national_registry.hpp"

namespace outdial::testing {

class FakeRegistry final : public dnc::NationalRegistry {
 public:
  explicit FakeRegistry(std::optional<TimePoint> loaded = std::nullopt) : loaded_(loaded) {}
  std::set<std::uint64_t> numbers;
  bool contains(std::uint64_t n) const override { return numbers.count(n) != 0; }
  // Records each call's numbers (the importer looks a batch up at once), then answers as
  // contains() does.
  void contains_batch(std::span<const std::uint64_t> batch, std::span<bool> out) const override {
    batches.emplace_back(batch.begin(), batch.end());
    NationalRegistry::contains_batch(batch, out);
  }
  mutable std::vector<std::vector<std::uint64_t>> batches;
  std::optional<TimePoint> loaded_at() const override { return loaded_; }
  std::uint64_t size() const override { return numbers.size(); }

 private:
  std::optional<TimePoint> loaded_;
};

}  // namespace outdial::testing
