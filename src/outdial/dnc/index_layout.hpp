#pragma once
// Byte layout shared by the in-memory index and its snapshot file (they are the same bytes, so a
// snapshot is saved with one write and loaded with one read or mmap):
//
//   [SnapshotHeader, 64 bytes]
//   [offsets: (kPrefixSlots + 1) x uint32, padded to a multiple of 64 bytes]
//   [words:   data_words x uint16]
//   [padding: kWindowWords x uint16, zero]   (lookups read a fixed-size window without bounds checks)
//
// Slot i (one NPA-NXX pair, see nanp.hpp) owns words [offsets[i], offsets[i+1]). A slot with
// kBitmapWords words is a 10,000-bit bitmap of its suffixes (bit s = word s/16, bit s%16); any
// shorter slot is the sorted list of its suffixes. The builder uses a list only for slots with at
// most BuildOptions::max_list (<= 624) numbers, so a slot never costs more than 1,250 bytes.
// All integers are little-endian; the version check rejects a file written with another order.
#include <bit>
#include <cstddef>
#include <cstdint>

#include "outdial/dnc/nanp.hpp"

namespace outdial::dnc::layout {

static_assert(std::endian::native == std::endian::little, "the DNC index layout is little-endian");

inline constexpr char kMagic[8] = {'O', 'D', 'D', 'N', 'C', 'I', 'D', 'X'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint32_t kBitmapWords = kSuffixSpace / 16;  // 625
inline constexpr std::uint32_t kWindowWords = 64;  // list entries compared per lookup (128 B)

struct SnapshotHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t header_bytes;   // sizeof(SnapshotHeader)
  std::uint64_t count;          // distinct numbers
  std::int64_t loaded_at_ms;    // registry copy's download time, UTC epoch ms
  std::uint32_t prefix_slots;   // kPrefixSlots
  std::uint32_t bitmap_words;   // kBitmapWords
  std::uint64_t data_words;     // uint16 words after the offsets
  std::uint64_t checksum;       // of every byte after the header; 0 in memory, set by save()
  std::uint64_t reserved;
};
static_assert(sizeof(SnapshotHeader) == 64);

inline constexpr std::size_t kHeaderBytes = sizeof(SnapshotHeader);
inline constexpr std::size_t kOffsetsBytes = ((kPrefixSlots + 1) * sizeof(std::uint32_t) + 63) / 64 * 64;
inline constexpr std::size_t kWordsAt = kHeaderBytes + kOffsetsBytes;

inline constexpr std::size_t total_bytes(std::uint64_t data_words) {
  return kWordsAt + static_cast<std::size_t>(data_words + kWindowWords) * sizeof(std::uint16_t);
}

// A fast 64-bit checksum (multiply-rotate over 8-byte words); detects torn or corrupted files.
std::uint64_t checksum(const std::byte* data, std::size_t size);

}  // namespace outdial::dnc::layout
