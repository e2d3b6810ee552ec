#pragma once
// Builds a CompactRegistry from numbers in any order, with bounded memory: a staging bitmap over
// the whole valid number space (8 x 10^9 bits, reserved as 804 MB of virtual memory,
// committed only where numbers fall: about 1 MB per area code in use), plus a count per NPA-NXX
// slot. Adding is O(1), duplicates vanish and no sort is needed; staging never exceeds 804 MB
// whatever the input size, and the final index is written area code by area code while the
// staging pages are handed back.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"
#include "outdial/dnc/mapped_memory.hpp"

namespace outdial::dnc {

class CompactRegistry;

enum class AddResult { kAdded, kDuplicate, kInvalid };

struct BuildOptions {
  // A slot (NPA-NXX) with more numbers than this is stored as a 10,000-bit bitmap (1,250 bytes),
  // otherwise as a sorted list (2 bytes per number). Lists longer than ~128 often need more than
  // the 64-entry lookup window (a slow fallback), so 128 is the default: on the 260M benchmark it
  // costs +9% memory (realistic spread) to +20% (sparse spread) and buys 15-40% lookup speed.
  // 624 (the maximum) minimises memory. Any value keeps the index under 1,250 bytes per slot,
  // 800 MB for all 640,000 NPA-NXX slots. Clamped to [0, 624].
  std::uint32_t max_list = 128;
};

class RegistryBuilder {
 public:
  RegistryBuilder();
  ~RegistryBuilder();
  RegistryBuilder(RegistryBuilder&&) noexcept;
  RegistryBuilder& operator=(RegistryBuilder&&) noexcept;
  RegistryBuilder(const RegistryBuilder&) = delete;
  RegistryBuilder& operator=(const RegistryBuilder&) = delete;

  // kInvalid when `number` is not a 10-digit NANP number (NPA and NXX start with 2-9).
  AddResult add(std::uint64_t number);
  std::uint64_t count() const { return count_; }
  std::size_t staging_bytes() const;

  // Consumes the staged numbers (the builder is empty afterwards). kUnavailable if memory for the
  // index or for staging (an earlier add()) could not be allocated.
  Result<std::unique_ptr<CompactRegistry>> finish(TimePoint loaded_at, BuildOptions options = {});

 private:
  MappedMemory staging_;                  // allocated on the first add()
  std::vector<std::uint16_t> slot_counts_;  // distinct numbers per NPA-NXX slot
  std::vector<bool> npa_used_;
  std::uint64_t count_ = 0;
  bool out_of_memory_ = false;
};

}  // namespace outdial::dnc
