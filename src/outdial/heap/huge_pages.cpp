#include "outdial/heap/huge_pages.hpp"

#include <fstream>
#include <iterator>
#include <mutex>
#include <string>

#ifdef OUTDIAL_HEAP_TCMALLOC
#include <gperftools/malloc_extension.h>
#include <sys/mman.h>

#include <cstdint>
#endif

namespace outdial::heap {
namespace {

#ifdef OUTDIAL_HEAP_TCMALLOC
std::string read_thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return std::string(parse_thp_mode(text));
}

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::uintptr_t round_up(std::uintptr_t v, std::size_t to) { return (v + to - 1) & ~(to - 1); }

// tcmalloc calls Alloc under its page-heap lock, for chunks of at least 1 MiB; it never gives
// memory back to the system allocator (it only madvises free spans away), so there is no Free.
// Alloc must not allocate from the heap itself: mmap, munmap and madvise only.
class HugePageSysAllocator final : public SysAllocator {
 public:
  explicit HugePageSysAllocator(SysAllocator* fallback) : fallback_(fallback) {}

  void* Alloc(std::size_t size, std::size_t* actual_size, std::size_t alignment) override {
    if (alignment > kHugePage) {
      return fallback_->Alloc(size, actual_size, alignment);
    }
    const std::size_t want = round_up(size, kHugePage);
    // Map one huge page more than wanted, then trim both ends to a 2 MiB boundary.
    void* raw = mmap(nullptr, want + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (raw == MAP_FAILED) return fallback_->Alloc(size, actual_size, alignment);
    const auto begin = reinterpret_cast<std::uintptr_t>(raw);
    const auto aligned = round_up(begin, kHugePage);
    const auto end = begin + want + kHugePage;
    if (aligned > begin) munmap(raw, aligned - begin);
    if (end > aligned + want) munmap(reinterpret_cast<void*>(aligned + want), end - (aligned + want));
    void* chunk = reinterpret_cast<void*>(aligned);
    // Advice only: if the kernel refuses, the chunk is ordinary memory.
    (void)madvise(chunk, want, MADV_HUGEPAGE);
    if (actual_size != nullptr) *actual_size = want;
    return chunk;
  }

 private:
  SysAllocator* fallback_;
};
#endif

}  // namespace

std::string_view parse_thp_mode(std::string_view text) {
  const auto open = text.find('[');
  const auto close = text.find(']', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return {};
  return text.substr(open + 1, close - open - 1);
}

HugePages back_heap_with_huge_pages() {
#ifdef OUTDIAL_HEAP_TCMALLOC
  static std::mutex mu;
  static bool installed = false;
  const std::lock_guard lock(mu);
  if (installed) return HugePages::kAlreadyOn;
  const std::string mode = read_thp_mode();
  if (mode != "always" && mode != "madvise") return HugePages::kKernelNever;
  MallocExtension* ext = MallocExtension::instance();
  // Lives as long as the process: tcmalloc keeps using it until exit.
  static HugePageSysAllocator allocator(ext->GetSystemAllocator());
  ext->SetSystemAllocator(&allocator);
  installed = true;
  return HugePages::kOn;
#else
  return HugePages::kNotTcmalloc;
#endif
}

std::string_view describe(HugePages state) {
  switch (state) {
    case HugePages::kOn: return "heap on transparent huge pages";
    case HugePages::kAlreadyOn: return "heap already on transparent huge pages";
    case HugePages::kKernelNever: return "transparent huge pages are off in the kernel; heap on 4 KiB pages";
    case HugePages::kNotTcmalloc: return "built without tcmalloc; glibc's malloc left as it is";
  }
  return "unknown";
}

}  // namespace outdial::heap
