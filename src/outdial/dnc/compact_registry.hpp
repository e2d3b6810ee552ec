#pragma once
// The production National DNC index: ~2 bytes per number or less, lookups with two dependent
// memory reads (slot offsets, then the slot's bitmap or sorted suffixes). See index_layout.hpp.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"
#include "outdial/dnc/flat_file_loader.hpp"
#include "outdial/dnc/index_layout.hpp"
#include "outdial/dnc/mapped_memory.hpp"
#include "outdial/dnc/national_registry.hpp"

namespace outdial::dnc {

enum class SnapshotLoadMode {
  kRead,  // copy into anonymous (huge-page) memory: fastest lookups
  kMmap,  // map the file read-only: near-instant start, pages shared with other processes
};

struct SnapshotLoadOptions {
  SnapshotLoadMode mode = SnapshotLoadMode::kRead;
  // Recompute the checksum and validate every slot (sorted, in range, count matches). About a
  // second for the full registry; a corrupt index could silently allow calls, so on by default.
  bool verify = true;
};

struct IndexStats {
  std::uint64_t count = 0;
  std::uint64_t index_bytes = 0;  // header + offsets + slot words
  std::uint32_t empty_slots = 0;
  std::uint32_t array_slots = 0;
  std::uint32_t bitmap_slots = 0;
};

class CompactRegistry final : public NationalRegistry {
 public:
  // Streams every *.txt file of `directory` (flat_file_loader.hpp). Malformed lines are skipped and
  // reported in `report` (may be null); I/O failures and an empty result are errors.
  static Result<std::unique_ptr<CompactRegistry>> build_from_directory(
      const std::filesystem::path& directory, TimePoint loaded_at, LoadReport* report = nullptr);
  // kInvalidArgument if any number is not a valid 10-digit NANP number. Duplicates are fine.
  static Result<std::unique_ptr<CompactRegistry>> build_from_numbers(
      std::vector<std::uint64_t>&& numbers, TimePoint loaded_at);
  // Reads a snapshot written by save(). kNotFound, kInvalidArgument (bad magic/version/size,
  // checksum or structure), kUnavailable (I/O).
  static Result<std::unique_ptr<CompactRegistry>> load(const std::filesystem::path& path,
                                                       SnapshotLoadOptions options = {});
  // Writes `path` atomically (temp file, fsync, rename).
  Status save(const std::filesystem::path& path) const;

  bool contains(std::uint64_t number) const override {
    const std::optional<SplitNumber> split = split_number(number);
    if (!split) return false;
    const std::uint32_t begin = offsets_[split->slot];
    const std::uint32_t len = offsets_[split->slot + 1] - begin;
    if (len == 0) return false;
    const std::uint16_t* w = words_ + begin;
    const std::uint32_t s = split->suffix;
    if (len == layout::kBitmapWords) return ((w[s >> 4] >> (s & 15)) & 1U) != 0;
    return search_sorted(w, len, s);
  }
  std::optional<TimePoint> loaded_at() const override { return loaded_at_; }
  std::uint64_t size() const override { return count_; }

  std::uint64_t index_bytes() const { return memory_.size(); }
  IndexStats stats() const;

  // Use the static factories; public only for std::make_unique.
  explicit CompactRegistry(MappedMemory memory);

 private:
  // Suffixes are roughly uniform inside a slot, so interpolate, walk a few steps, and fall back to
  // binary search when the data is skewed.
  static bool search_sorted(const std::uint16_t* w, std::uint32_t len, std::uint32_t s) {
    constexpr std::uint32_t kWalk = 8;
    std::uint32_t i = s * len / kSuffixSpace;
    if (w[i] == s) return true;
    if (w[i] < s) {
      const std::uint32_t end = std::min(len, i + kWalk);
      for (++i; i < end; ++i) {
        if (w[i] >= s) return w[i] == s;
      }
      return i < len && std::binary_search(w + i, w + len, static_cast<std::uint16_t>(s));
    }
    const std::uint32_t stop = i >= kWalk ? i - kWalk : 0;
    while (i > stop) {
      --i;
      if (w[i] <= s) return w[i] == s;
    }
    return i > 0 && std::binary_search(w, w + i, static_cast<std::uint16_t>(s));
  }

  MappedMemory memory_;
  const std::uint32_t* offsets_ = nullptr;
  const std::uint16_t* words_ = nullptr;
  std::uint64_t count_ = 0;
  TimePoint loaded_at_{};
};

}  // namespace outdial::dnc
