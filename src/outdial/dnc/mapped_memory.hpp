#pragma once
// An owned, page-aligned block of memory: either anonymous (transparent huge pages requested, so
// random lookups into a ~500 MB index do not thrash the TLB) or a read-only mapping of a file.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "outdial/core/result.hpp"

namespace outdial::dnc {

class MappedMemory {
 public:
  MappedMemory() = default;
  ~MappedMemory();
  MappedMemory(MappedMemory&& other) noexcept;
  MappedMemory& operator=(MappedMemory&& other) noexcept;
  MappedMemory(const MappedMemory&) = delete;
  MappedMemory& operator=(const MappedMemory&) = delete;

  // Zero-filled, writable; pages are committed lazily by the kernel as they are first written.
  // huge_pages: ask for transparent huge pages (fewer TLB misses for random reads, but a touched
  // 2 MB page is committed whole, so sparse writers such as the builder's staging area opt out).
  static Result<MappedMemory> allocate(std::size_t bytes, bool huge_pages = true);
  // Read-only, shared mapping of the whole file (MAP_POPULATE is not used: start-up stays fast and
  // pages fault in from the page cache).
  static Result<MappedMemory> map_file(const std::filesystem::path& path);

  // Returns the whole pages inside [offset, offset + length) to the kernel; they read back as
  // zero. Only for allocate()d memory.
  void discard(std::size_t offset, std::size_t length);

  std::byte* data() { return data_; }
  const std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool writable() const { return writable_; }

 private:
  MappedMemory(std::byte* data, std::size_t mapped, std::size_t size, bool writable)
      : data_(data), mapped_(mapped), size_(size), writable_(writable) {}
  void release();

  std::byte* data_ = nullptr;
  std::size_t mapped_ = 0;  // length passed to munmap
  std::size_t size_ = 0;    // usable bytes
  bool writable_ = false;
};

}  // namespace outdial::dnc
