#pragma once
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "outdial/core/clock.hpp"

namespace outdial::dnc {

// Read-only view of the National Do-Not-Call Registry copy. Thread-safe for concurrent lookups.
class NationalRegistry {
 public:
  virtual ~NationalRegistry() = default;
  // number = the 10 national digits (NPA-NXX-XXXX) as an integer, e.g. 2125550123.
  virtual bool contains(std::uint64_t number) const = 0;
  // out[i] = contains(numbers[i]) for i < numbers.size() (out must be at least as long). For
  // many lookups at once (an import's batch, a list scrub): an index larger than the CPU cache
  // overrides it to overlap the lookups' memory reads. The default is a loop of contains().
  // Inline, like the rest of the interface: its users (the importer) need no outdial_dnc.
  virtual void contains_batch(std::span<const std::uint64_t> numbers, std::span<bool> out) const {
    assert(out.size() >= numbers.size());
    for (std::size_t i = 0; i < numbers.size(); ++i) out[i] = contains(numbers[i]);
  }
  // Convenience: accepts "+1XXXXXXXXXX"; false for anything else.
  bool contains_e164(std::string_view e164) const;
  // When the registry copy was downloaded (DNC-STALE: older than 31 days blocks telemarketing).
  // nullopt when no registry is loaded.
  virtual std::optional<TimePoint> loaded_at() const = 0;
  virtual std::uint64_t size() const = 0;
};

}  // namespace outdial::dnc
