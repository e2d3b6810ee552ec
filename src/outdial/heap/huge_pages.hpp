#pragma once
// The process heap on transparent huge pages (2 MiB) instead of 4 KiB pages.
//
// Why: a fresh 4 KiB page costs one page fault on first touch. A 1M-row import touches ~230 MB
// of new heap, ~57,000 faults, and in a virtual machine each fault is an exit to the hypervisor:
// about a sixth of the import's wall time went there (docs/perf.md). Huge pages fault once per
// 2 MiB. The cost is up to 2 MiB of resident memory per partly used huge page.
//
// How: tcmalloc asks its system allocator for memory in large chunks; we hand it chunks aligned
// to 2 MiB and marked MADV_HUGEPAGE, which the kernel honours in its default "madvise" mode.
// Nothing changes for the program's allocations; only where the heap's pages come from.
#include <string_view>

namespace outdial::heap {

enum class HugePages {
  kOn,            // installed now
  kAlreadyOn,     // an earlier call installed it
  kKernelNever,   // the kernel's transparent_hugepage mode is "never" (or the file is missing)
  kNotTcmalloc,   // built with OUTDIAL_TCMALLOC=OFF: glibc's malloc, left as it is
};

// Call first thing in main(), before the heap grows: memory already handed to tcmalloc stays
// on 4 KiB pages. Thread-safe and idempotent.
HugePages back_heap_with_huge_pages();

std::string_view describe(HugePages state);

// The kernel's mode from /sys/kernel/mm/transparent_hugepage/enabled: the bracketed word
// ("always", "madvise" or "never"), or "" when the file cannot be read.
std::string_view parse_thp_mode(std::string_view enabled_file_text);

}  // namespace outdial::heap
