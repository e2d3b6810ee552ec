#pragma once
// A small hash-set registry for tests and fakes; not sized for the real registry.
#include <cstdint>
#include <optional>
#include <unordered_set>
#include <vector>

#include "outdial/dnc/national_registry.hpp"

namespace outdial::dnc {

class SetRegistry final : public NationalRegistry {
 public:
  // loaded_at nullopt models "no registry loaded".
  SetRegistry(const std::vector<std::uint64_t>& numbers, std::optional<TimePoint> loaded_at)
      : numbers_(numbers.begin(), numbers.end()), loaded_at_(loaded_at) {}

  bool contains(std::uint64_t number) const override { return numbers_.count(number) != 0; }
  std::optional<TimePoint> loaded_at() const override { return loaded_at_; }
  std::uint64_t size() const override { return numbers_.size(); }

 private:
  std::unordered_set<std::uint64_t> numbers_;
  std::optional<TimePoint> loaded_at_;
};

}  // namespace outdial::dnc
