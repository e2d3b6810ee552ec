#include "outdial/dnc/mapped_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace outdial::dnc {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::string errno_text() { return std::strerror(errno); }

}  // namespace

MappedMemory::~MappedMemory() { release(); }

MappedMemory::MappedMemory(MappedMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      mapped_(std::exchange(other.mapped_, 0)),
      size_(std::exchange(other.size_, 0)),
      writable_(std::exchange(other.writable_, false)) {}

MappedMemory& MappedMemory::operator=(MappedMemory&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    mapped_ = std::exchange(other.mapped_, 0);
    size_ = std::exchange(other.size_, 0);
    writable_ = std::exchange(other.writable_, false);
  }
  return *this;
}

void MappedMemory::release() {
  if (data_ != nullptr && mapped_ > 0) munmap(data_, mapped_);
  data_ = nullptr;
  mapped_ = 0;
  size_ = 0;
}

void MappedMemory::discard(std::size_t offset, std::size_t length) {
  if (!writable_ || data_ == nullptr) return;
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t begin = (offset + page - 1) / page * page;
  const std::size_t end = std::min(offset + length, mapped_) / page * page;
  if (end > begin) (void)madvise(data_ + begin, end - begin, MADV_DONTNEED);
}

Result<MappedMemory> MappedMemory::allocate(std::size_t bytes, bool huge_pages) {
  const std::size_t length = bytes == 0 ? kHugePage : (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return make_error(ErrorCode::kUnavailable, "dnc: cannot allocate index memory: " + errno_text(),
                      {{"bytes", std::to_string(bytes)}});
  }
  // Best effort: THP in "madvise" mode only backs regions that ask for it.
  (void)madvise(p, length, huge_pages ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  return MappedMemory(static_cast<std::byte*>(p), length, bytes, true);
}

Result<MappedMemory> MappedMemory::map_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                      "dnc: cannot open " + path.string() + ": " + errno_text(),
                      {{"path", path.string()}});
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const std::string why = errno_text();
    ::close(fd);
    return make_error(ErrorCode::kUnavailable, "dnc: cannot stat " + path.string() + ": " + why,
                      {{"path", path.string()}});
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return make_error(ErrorCode::kInvalidArgument, "dnc: empty file " + path.string(),
                      {{"path", path.string()}});
  }
  void* p = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  const std::string why = p == MAP_FAILED ? errno_text() : std::string();
  ::close(fd);  // the mapping keeps the file referenced
  if (p == MAP_FAILED) {
    return make_error(ErrorCode::kUnavailable, "dnc: cannot map " + path.string() + ": " + why,
                      {{"path", path.string()}});
  }
  return MappedMemory(static_cast<std::byte*>(p), size, size, false);
}

}  // namespace outdial::dnc
