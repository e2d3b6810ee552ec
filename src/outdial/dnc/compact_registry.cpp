#include "outdial/dnc/compact_registry.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "outdial/dnc/registry_builder.hpp"

namespace outdial::dnc {
namespace layout {

std::uint64_t checksum(const std::byte* data, std::size_t size) {
  constexpr std::uint64_t kMul1 = 0x9E3779B97F4A7C15ULL;
  constexpr std::uint64_t kMul2 = 0xC2B2AE3D27D4EB4FULL;
  std::uint64_t h = 0x243F6A8885A308D3ULL ^ size;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, data + i, 8);
    h = std::rotl(h ^ (w * kMul1), 29) * kMul2;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, data + i, size - i);
  h = std::rotl(h ^ (tail * kMul1), 29) * kMul2;
  return h ^ (h >> 32);
}

}  // namespace layout

namespace {

// Portable SWAR popcount: std::popcount compiles to a libgcc call without -mpopcnt.
std::uint64_t popcount16(std::uint16_t v) {
  std::uint32_t x = v;
  x = x - ((x >> 1) & 0x5555U);
  x = (x & 0x3333U) + ((x >> 2) & 0x3333U);
  x = (x + (x >> 4)) & 0x0F0FU;
  return (x + (x >> 8)) & 0x1FU;
}

layout::SnapshotHeader read_header(const std::byte* base) {
  layout::SnapshotHeader header{};
  std::memcpy(&header, base, sizeof header);
  return header;
}

Error corrupt(const std::filesystem::path& path, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "dnc: bad snapshot " + path.string() + ": " + why,
                    {{"path", path.string()}});
}

Error io_error(const std::filesystem::path& path, const char* what, int err) {
  return make_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                    std::string("dnc: cannot ") + what + " " + path.string() + ": " + std::strerror(err),
                    {{"path", path.string()}});
}

// Header fields and file size; cheap, always done.
Status check_header(const std::filesystem::path& path, const std::byte* base, std::size_t size) {
  if (size < layout::kWordsAt) return corrupt(path, "file too short");
  const layout::SnapshotHeader h = read_header(base);
  if (std::memcmp(h.magic, layout::kMagic, sizeof h.magic) != 0) return corrupt(path, "not a DNC snapshot");
  if (h.version != layout::kVersion) return corrupt(path, "unsupported version " + std::to_string(h.version));
  if (h.header_bytes != layout::kHeaderBytes || h.prefix_slots != kPrefixSlots ||
      h.bitmap_words != layout::kBitmapWords) {
    return corrupt(path, "layout parameters differ");
  }
  if (h.data_words > UINT32_MAX || layout::total_bytes(h.data_words) != size) {
    return corrupt(path, "size does not match header");
  }
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  std::memcpy(&first, base + layout::kHeaderBytes, sizeof first);
  std::memcpy(&last, base + layout::kHeaderBytes + kPrefixSlots * sizeof(std::uint32_t), sizeof last);
  if (first != 0 || last != h.data_words) return corrupt(path, "offsets do not span the data");
  return ok_status();
}

// Full structural check: checksum, monotonic offsets, slot sizes, sorted in-range suffixes, count.
Status verify_body(const std::filesystem::path& path, const std::byte* base, std::size_t size) {
  const layout::SnapshotHeader h = read_header(base);
  if (layout::checksum(base + layout::kHeaderBytes, size - layout::kHeaderBytes) != h.checksum) {
    return corrupt(path, "checksum mismatch");
  }
  const auto* offsets = reinterpret_cast<const std::uint32_t*>(base + layout::kHeaderBytes);
  const auto* words = reinterpret_cast<const std::uint16_t*>(base + layout::kWordsAt);
  std::uint64_t count = 0;
  for (std::uint32_t slot = 0; slot < kPrefixSlots; ++slot) {
    if (offsets[slot + 1] < offsets[slot]) return corrupt(path, "offsets decrease at slot " + std::to_string(slot));
    const std::uint32_t len = offsets[slot + 1] - offsets[slot];
    const std::uint16_t* w = words + offsets[slot];
    if (len > layout::kBitmapWords) return corrupt(path, "oversized slot " + std::to_string(slot));
    if (len == layout::kBitmapWords) {
      for (std::uint32_t i = 0; i < len; ++i) count += popcount16(w[i]);
      continue;
    }
    for (std::uint32_t i = 0; i < len; ++i) {
      if (w[i] >= kSuffixSpace || (i > 0 && w[i] <= w[i - 1])) {
        return corrupt(path, "unsorted slot " + std::to_string(slot));
      }
    }
    count += len;
  }
  if (count != h.count) return corrupt(path, "count does not match header");
  return ok_status();
}

}  // namespace

CompactRegistry::CompactRegistry(MappedMemory memory) : memory_(std::move(memory)) {
  const std::byte* base = memory_.data();
  const layout::SnapshotHeader header = read_header(base);
  offsets_ = reinterpret_cast<const std::uint32_t*>(base + layout::kHeaderBytes);
  words_ = reinterpret_cast<const std::uint16_t*>(base + layout::kWordsAt);
  count_ = header.count;
  loaded_at_ = from_epoch_ms(header.loaded_at_ms);
}

void CompactRegistry::contains_batch(std::span<const std::uint64_t> numbers, std::span<bool> out) const {
  assert(out.size() >= numbers.size());
  // Two prefetch stages: offsets for the number kFar ahead, then (offsets now cached) the slot
  // word the lookup will read for the number kNear ahead.
  constexpr std::size_t kNear = 8;
  constexpr std::size_t kFar = 16;
  const std::size_t n = numbers.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kFar < n) {
      if (const std::optional<SplitNumber> far = split_number(numbers[i + kFar])) {
        __builtin_prefetch(offsets_ + far->slot);
      }
    }
    if (i + kNear < n) {
      if (const std::optional<SplitNumber> near = split_number(numbers[i + kNear])) {
        const Probe p = probe(near->slot, near->suffix);
        __builtin_prefetch(words_ + p.begin + p.at);
        __builtin_prefetch(words_ + p.begin + p.at + layout::kWindowWords - 1);
      }
    }
    out[i] = contains(numbers[i]);
  }
}

IndexStats CompactRegistry::stats() const {
  IndexStats s;
  s.count = count_;
  s.index_bytes = memory_.size();
  for (std::uint32_t slot = 0; slot < kPrefixSlots; ++slot) {
    const std::uint32_t len = offsets_[slot + 1] - offsets_[slot];
    if (len == 0) {
      ++s.empty_slots;
    } else if (len == layout::kBitmapWords) {
      ++s.bitmap_slots;
    } else {
      ++s.array_slots;
    }
  }
  return s;
}

Result<std::unique_ptr<CompactRegistry>> CompactRegistry::build_from_directory(
    const std::filesystem::path& directory, TimePoint loaded_at, LoadReport* report, BuildOptions options) {
  LoadReport local;
  LoadReport& r = report != nullptr ? *report : local;
  RegistryBuilder builder;
  Status status = load_registry_directory(directory, builder, r);
  if (!status) return status.error();
  if (builder.count() == 0) {
    return make_error(ErrorCode::kInvalidArgument, "dnc: no valid numbers in " + directory.string(),
                      {{"path", directory.string()}, {"malformed", std::to_string(r.malformed)}});
  }
  return builder.finish(loaded_at, options);
}

Result<std::unique_ptr<CompactRegistry>> CompactRegistry::build_from_numbers(
    std::vector<std::uint64_t>&& numbers, TimePoint loaded_at, BuildOptions options) {
  RegistryBuilder builder;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (builder.add(numbers[i]) == AddResult::kInvalid) {
      return make_error(ErrorCode::kInvalidArgument, "dnc: not a 10-digit NANP number",
                        {{"index", std::to_string(i)}, {"number", std::to_string(numbers[i])}});
    }
  }
  std::vector<std::uint64_t>().swap(numbers);  // release the caller's memory before building
  return builder.finish(loaded_at, options);
}

Status CompactRegistry::save(const std::filesystem::path& path) const {
  layout::SnapshotHeader header = read_header(memory_.data());
  header.checksum = layout::checksum(memory_.data() + layout::kHeaderBytes, memory_.size() - layout::kHeaderBytes);

  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(tmp, "create", errno);
  const auto write_all = [fd](const std::byte* p, std::size_t n) -> int {
    while (n > 0) {
      const ssize_t w = ::write(fd, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return 0;
  };
  int err = write_all(reinterpret_cast<const std::byte*>(&header), sizeof header);
  if (err == 0) err = write_all(memory_.data() + layout::kHeaderBytes, memory_.size() - layout::kHeaderBytes);
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    (void)std::remove(tmp.c_str());
    return io_error(path, "write", err);
  }
  return ok_status();
}

Result<std::unique_ptr<CompactRegistry>> CompactRegistry::load(const std::filesystem::path& path,
                                                               SnapshotLoadOptions options) {
  Result<MappedMemory> mapped = MappedMemory::map_file(path);
  if (!mapped) return mapped.error();
  Status header_ok = check_header(path, mapped->data(), mapped->size());
  if (!header_ok) return header_ok.error();

  MappedMemory memory;
  if (options.mode == SnapshotLoadMode::kMmap) {
    memory = std::move(*mapped);
  } else {
    Result<MappedMemory> owned = MappedMemory::allocate(mapped->size());
    if (!owned) return owned.error();
    std::memcpy(owned->data(), mapped->data(), mapped->size());
    memory = std::move(*owned);
  }
  if (options.verify) {
    Status body_ok = verify_body(path, memory.data(), memory.size());
    if (!body_ok) return body_ok.error();
  }
  return std::make_unique<CompactRegistry>(std::move(memory));
}

}  // namespace outdial::dnc
