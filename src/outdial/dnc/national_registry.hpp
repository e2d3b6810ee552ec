#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "outdial/core/clock.hpp"

namespace outdial::dnc {

// Read-only view of the National Do-Not-Call Registry copy. Thread-safe for concurrent lookups.
class NationalRegistry {
 public:
  virtual ~NationalRegistry() = default;
  // number = the 10 national digits (NPA-NXX-XXXX) as an integer, e.g. 2125550123.
  virtual bool contains(std::uint64_t number) const = 0;
  // Convenience: accepts "+1XXXXXXXXXX"; false for anything else.
  bool contains_e164(std::string_view e164) const;
  // When the registry copy was downloaded (DNC-STALE: older than 31 days blocks telemarketing).
  // nullopt when no registry is loaded.
  virtual std::optional<TimePoint> loaded_at() const = 0;
  virtual std::uint64_t size() const = 0;
};

}  // namespace outdial::dnc
