#include "outdial/heap/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace outdial::heap {
namespace {

TEST(ThpMode, ReadsTheBracketedWord) {
  EXPECT_EQ(parse_thp_mode("always [madvise] never\n"), "madvise");
  EXPECT_EQ(parse_thp_mode("[always] madvise never\n"), "always");
  EXPECT_EQ(parse_thp_mode("always madvise [never]\n"), "never");
  EXPECT_EQ(parse_thp_mode(""), "");
  EXPECT_EQ(parse_thp_mode("always madvise never\n"), "");
  EXPECT_EQ(parse_thp_mode("[always madvise never\n"), "");
}

// The VmFlags line of the /proc/self/smaps mapping that holds `p` ("" when none does).
std::string vm_flags_of(const void* p) {
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    // Mapping header: "start-end perms offset dev inode path".
    std::uintptr_t lo = 0;
    std::uintptr_t hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
      inside = addr >= lo && addr < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return {};
}

TEST(HugePages, HeapChunksAreAdvisedHugeAfterInstalling) {
  const HugePages first = back_heap_with_huge_pages();
  if (first == HugePages::kNotTcmalloc || first == HugePages::kKernelNever) {
    GTEST_SKIP() << describe(first);
  }
  EXPECT_TRUE(first == HugePages::kOn || first == HugePages::kAlreadyOn) << describe(first);
  EXPECT_EQ(back_heap_with_huge_pages(), HugePages::kAlreadyOn);

  // Larger than anything free in the heap so far: tcmalloc has to take a new chunk from the
  // system allocator, which is now ours.
  constexpr std::size_t kBytes = std::size_t{96} << 20;
  std::unique_ptr<char[]> block(new char[kBytes]);
  std::memset(block.get(), 1, kBytes);
  const std::string flags = vm_flags_of(block.get() + kBytes / 2);
  ASSERT_FALSE(flags.empty()) << "no mapping holds the block";
  // "hg" = VM_HUGEPAGE, set by madvise(MADV_HUGEPAGE).
  EXPECT_NE((flags + " ").find(" hg "), std::string::npos) << flags;
}

}  // namespace
}  // namespace outdial::heap
