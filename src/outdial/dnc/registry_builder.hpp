#pragma once
// Builds a CompactRegistry from numbers in any order, with bounded memory: each NPA seen gets a
// staging bitmap of its 8 million possible numbers (1 MB), so adding is O(1), duplicates vanish
// and no sort is needed. Staging never exceeds 800 MB (every NPA), whatever the input size; the
// final index is written NPA by NPA while the staging bitmaps are freed.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"

namespace outdial::dnc {

class CompactRegistry;

enum class AddResult { kAdded, kDuplicate, kInvalid };

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
  Result<std::unique_ptr<CompactRegistry>> finish(TimePoint loaded_at);

 private:
  struct FreeDeleter {
    void operator()(std::uint64_t* p) const;
  };
  using Stage = std::unique_ptr<std::uint64_t[], FreeDeleter>;

  std::vector<Stage> stages_;  // one per NPA (800), allocated on first use
  std::uint64_t count_ = 0;
  bool out_of_memory_ = false;
};

}  // namespace outdial::dnc
