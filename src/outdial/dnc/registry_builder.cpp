#include "outdial/dnc/registry_builder.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <utility>

#include "outdial/dnc/compact_registry.hpp"
#include "outdial/dnc/index_layout.hpp"
#include "outdial/dnc/nanp.hpp"

namespace outdial::dnc {
namespace {

// One slot = 10,000 bits rounded up to whole 64-bit words.
constexpr std::size_t kStageWordsPerSlot = (kSuffixSpace + 63) / 64;  // 157
constexpr std::size_t kStageWordsPerNpa = kStageWordsPerSlot * kCodesPerLevel;

}  // namespace

RegistryBuilder::RegistryBuilder() : slot_counts_(kPrefixSlots, 0), npa_used_(kCodesPerLevel, false) {}
RegistryBuilder::~RegistryBuilder() = default;
RegistryBuilder::RegistryBuilder(RegistryBuilder&&) noexcept = default;
RegistryBuilder& RegistryBuilder::operator=(RegistryBuilder&&) noexcept = default;

AddResult RegistryBuilder::add(std::uint64_t number) {
  const std::optional<SplitNumber> split = split_number(number);
  if (!split) return AddResult::kInvalid;
  if (staging_.data() == nullptr) {
    Result<MappedMemory> memory = MappedMemory::allocate(kStageWordsPerNpa * kCodesPerLevel * sizeof(std::uint64_t), false);
    if (!memory) {
      out_of_memory_ = true;  // finish() fails: a silently dropped DNC number would allow calls
      return AddResult::kInvalid;
    }
    staging_ = std::move(*memory);
  }
  auto* bits = reinterpret_cast<std::uint64_t*>(staging_.data());
  std::uint64_t& word = bits[std::size_t{split->slot} * kStageWordsPerSlot + (split->suffix >> 6)];
  const std::uint64_t bit = std::uint64_t{1} << (split->suffix & 63);
  if ((word & bit) != 0) return AddResult::kDuplicate;
  word |= bit;
  ++slot_counts_[split->slot];
  npa_used_[split->slot / kCodesPerLevel] = true;
  ++count_;
  return AddResult::kAdded;
}

std::size_t RegistryBuilder::staging_bytes() const {
  std::size_t n = 0;
  for (const bool used : npa_used_) n += used ? kStageWordsPerNpa * sizeof(std::uint64_t) : 0;
  return n;
}

Result<std::unique_ptr<CompactRegistry>> RegistryBuilder::finish(TimePoint loaded_at, BuildOptions options) {
  const std::uint32_t max_list = std::min(options.max_list, layout::kBitmapWords - 1);
  if (out_of_memory_) {
    return make_error(ErrorCode::kUnavailable, "dnc: out of memory while staging numbers");
  }
  // Pass 1: slot sizes -> offsets (in uint16 words).
  std::vector<std::uint32_t> offsets(kPrefixSlots + 1, 0);
  std::uint64_t total_words = 0;
  for (std::uint32_t slot = 0; slot < kPrefixSlots; ++slot) {
    offsets[slot] = static_cast<std::uint32_t>(total_words);
    const std::uint32_t n = slot_counts_[slot];
    // A list of >= 625 suffixes is no smaller than the bitmap, and the reader tells the two
    // apart by length alone, so lists stop at 624 entries.
    total_words += n > max_list ? layout::kBitmapWords : n;
    if (total_words > UINT32_MAX) {
      return make_error(ErrorCode::kInvalidArgument, "dnc: index exceeds 2^32 words");
    }
  }
  offsets[kPrefixSlots] = static_cast<std::uint32_t>(total_words);

  Result<MappedMemory> memory = MappedMemory::allocate(layout::total_bytes(total_words));
  if (!memory) return memory.error();
  std::byte* base = memory->data();

  layout::SnapshotHeader header{};
  std::memcpy(header.magic, layout::kMagic, sizeof header.magic);
  header.version = layout::kVersion;
  header.header_bytes = layout::kHeaderBytes;
  header.count = count_;
  header.loaded_at_ms = to_epoch_ms(loaded_at);
  header.prefix_slots = kPrefixSlots;
  header.bitmap_words = layout::kBitmapWords;
  header.data_words = total_words;
  std::memcpy(base, &header, sizeof header);
  std::memcpy(base + layout::kHeaderBytes, offsets.data(), offsets.size() * sizeof(std::uint32_t));

  // Pass 2: write slots NPA by NPA and free each staging bitmap as soon as it is consumed.
  auto* words = reinterpret_cast<std::uint16_t*>(base + layout::kWordsAt);
  const auto* staged = reinterpret_cast<const std::uint64_t*>(staging_.data());
  for (std::uint32_t npa = 0; npa < kCodesPerLevel; ++npa) {
    if (!npa_used_[npa]) continue;
    const std::uint64_t* stage = staged + std::size_t{npa} * kStageWordsPerNpa;
    for (std::uint32_t local = 0; local < kCodesPerLevel; ++local) {
      const std::uint32_t slot = npa * kCodesPerLevel + local;
      const std::uint32_t len = offsets[slot + 1] - offsets[slot];
      if (len == 0) continue;
      const std::uint64_t* bits = &stage[local * kStageWordsPerSlot];
      std::uint16_t* out = words + offsets[slot];
      if (len == layout::kBitmapWords) {
        std::memcpy(out, bits, layout::kBitmapWords * sizeof(std::uint16_t));  // little-endian
        continue;
      }
      for (std::size_t i = 0; i < kStageWordsPerSlot; ++i) {
        for (std::uint64_t x = bits[i]; x != 0; x &= x - 1) {
          *out++ = static_cast<std::uint16_t>(i * 64 + static_cast<std::size_t>(std::countr_zero(x)));
        }
      }
    }
    staging_.discard(std::size_t{npa} * kStageWordsPerNpa * sizeof(std::uint64_t),
                     kStageWordsPerNpa * sizeof(std::uint64_t));
  }
  staging_ = MappedMemory();
  std::fill(slot_counts_.begin(), slot_counts_.end(), std::uint16_t{0});
  std::fill(npa_used_.begin(), npa_used_.end(), false);
  count_ = 0;
  return std::make_unique<CompactRegistry>(std::move(*memory));
}

}  // namespace outdial::dnc
