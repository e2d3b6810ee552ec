#pragma once
// The production National DNC index: ~2 bytes per number or less, lookups with two dependent
// memory reads (slot offsets, then the slot's bitmap or sorted suffixes). See index_layout.hpp.
#include <algorithm>
#include <cstring>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"
#include "outdial/dnc/flat_file_loader.hpp"
#include "outdial/dnc/index_layout.hpp"
#include "outdial/dnc/mapped_memory.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/dnc/registry_builder.hpp"

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
      const std::filesystem::path& directory, TimePoint loaded_at, LoadReport* report = nullptr,
      BuildOptions options = {});
  // kInvalidArgument if any number is not a valid 10-digit NANP number. Duplicates are fine.
  static Result<std::unique_ptr<CompactRegistry>> build_from_numbers(
      std::vector<std::uint64_t>&& numbers, TimePoint loaded_at, BuildOptions options = {});
  // Reads a snapshot written by save(). kNotFound, kInvalidArgument (bad magic/version/size,
  // checksum or structure), kUnavailable (I/O).
  static Result<std::unique_ptr<CompactRegistry>> load(const std::filesystem::path& path,
                                                       SnapshotLoadOptions options = {});
  // Writes `path` atomically (temp file, fsync, rename).
  Status save(const std::filesystem::path& path) const;

  // No branch waits on the slot words (the load that misses the cache on a large index): a
  // mispredicted branch there would throw away the overlapping work of the following lookups.
  // Branches on validity and slot kind depend only on the small, cache-resident offsets array,
  // and the bitmap path (most numbers) is kept to a handful of instructions.
  bool contains(std::uint64_t number) const override {
    const std::optional<SplitNumber> split = split_number(number);
    if (!split) return false;
    const std::uint32_t begin = offsets_[split->slot];
    const std::uint32_t len = offsets_[split->slot + 1] - begin;
    if (len == 0) return false;
    const std::uint32_t s = split->suffix;
    if (len == layout::kBitmapWords) return ((words_[begin + (s >> 4)] >> (s & 15)) & 1U) != 0;
    return list_contains(words_ + begin, len, s);
  }

  // out[i] = contains(numbers[i]) for i < numbers.size() (out must be at least as long). For an
  // index larger than the CPU cache this is several times faster than a loop of contains(): it
  // prefetches the slot offsets and slot words of the numbers a few steps ahead, so the memory
  // reads of consecutive lookups overlap (list scrubs, imports).
  void contains_batch(std::span<const std::uint64_t> numbers, std::span<bool> out) const override;

  std::optional<TimePoint> loaded_at() const override { return loaded_at_; }
  std::uint64_t size() const override { return count_; }

  std::uint64_t index_bytes() const { return memory_.size(); }
  IndexStats stats() const;

  // Use the static factories; public only for std::make_unique.
  explicit CompactRegistry(MappedMemory memory);

 private:
  // Whether s is among the first `count` (<= kWindowWords) of w[0..kWindowWords): 8-lane
  // compares (GCC vector extensions; SSE2 on x86-64), no branches.
  static bool window_contains(const std::uint16_t* w, std::uint32_t count, std::uint16_t s) {
    using V = std::uint16_t __attribute__((vector_size(16)));
    constexpr V kLane = {0, 1, 2, 3, 4, 5, 6, 7};
    V hits = {};
    for (std::uint32_t k = 0; k < layout::kWindowWords / 8; ++k) {
      V v;
      std::memcpy(&v, w + 8 * k, sizeof v);
      const V limit = V{} + static_cast<std::uint16_t>(count - 8 * k);  // may wrap: then no lane passes
      const V lanes_ok = (kLane < limit) & (count > 8 * k ? V{} - 1 : V{});
      hits |= (v == (V{} + s)) & lanes_ok;
    }
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    std::memcpy(&lo, &hits, 8);
    std::memcpy(&hi, reinterpret_cast<const char*>(&hits) + 8, 8);
    return (lo | hi) != 0;
  }

  // Sorted-list slot: interpolate, compare the window, and only if the window's ends leave room for
  // s elsewhere (rare: skewed lists; a well-predicted branch) fall back to binary search.
  static bool list_contains(const std::uint16_t* list, std::uint32_t len, std::uint32_t s) {
    const std::uint32_t window = std::min(len, layout::kWindowWords);
    const std::uint32_t at = window_start(len, window, s);
    const std::uint16_t* w = list + at;
    const bool found = window_contains(w, window, static_cast<std::uint16_t>(s));
    const bool below = (at > 0) & (w[0] > s);
    const bool above = (at + window < len) & (w[window - 1] < s);
    if ((below | above) & !found) [[unlikely]] {
      return std::binary_search(list, list + len, static_cast<std::uint16_t>(s));
    }
    return found;
  }

  static std::uint32_t window_start(std::uint32_t len, std::uint32_t window, std::uint32_t s) {
    const std::uint32_t guess = s * len / kSuffixSpace;
    const std::uint32_t base = guess > layout::kWindowWords / 2 ? guess - layout::kWindowWords / 2 : 0;
    return std::min(base, len - window);
  }

  struct Probe {
    std::uint32_t begin;   // first word of the slot
    std::uint32_t len;     // words in the slot
    std::uint32_t at;      // first word to read, relative to begin
    std::uint32_t window;  // list entries to compare (0 for an empty slot)
    bool bitmap;
  };
  // Where a lookup of (slot, s) will read; contains_batch() prefetches it. A list window is
  // kWindowWords entries (128 bytes) around the interpolated position.
  Probe probe(std::uint32_t slot, std::uint32_t s) const {
    Probe p{};
    p.begin = offsets_[slot];
    p.len = offsets_[slot + 1] - p.begin;
    p.bitmap = p.len == layout::kBitmapWords;
    p.window = std::min(p.len, layout::kWindowWords);
    p.at = p.bitmap ? (s >> 4) : window_start(p.len, p.window, s);
    return p;
  }

  MappedMemory memory_;
  const std::uint32_t* offsets_ = nullptr;
  const std::uint16_t* words_ = nullptr;
  std::uint64_t count_ = 0;
  TimePoint loaded_at_{};
};

}  // namespace outdial::dnc
