// DNC index benchmark: build time, bytes per number, peak RSS, single-threaded lookups/s.
// Not a unit test. Usage (see run.sh):
//   dnc_bench [--numbers N] [--file-numbers M] [--data-dir DIR] [--snapshot PATH] [--queries Q]
//             [--rounds R] [--area-codes A] [--max-list L]
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <algorithm>
#include <string>
#include <vector>

#include "outdial/dnc/compact_registry.hpp"
#include "outdial/dnc/registry_builder.hpp"
#include "synthetic_registry.hpp"

namespace dnc = outdial::dnc;
using dnc::bench::SplitMix64;
using dnc::bench::SyntheticRegistry;
using Clock = std::chrono::steady_clock;

namespace {

const outdial::TimePoint kLoadedAt = outdial::from_epoch_ms(1'795'000'000'000);

struct Options {
  std::uint64_t numbers = 260'000'000;
  std::uint64_t file_numbers = 0;
  std::string data_dir = "bench/data/dnc_files";
  std::string snapshot = "bench/data/dnc.snapshot";
  std::size_t queries = 4'000'000;
  int rounds = 5;
  std::uint32_t area_codes = 330;
  std::uint32_t max_list = dnc::BuildOptions{}.max_list;
};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU time of this thread. The benchmark shares 2 cores with other work; lookups per CPU-second
// is what one dedicated core would do (memory stalls count as CPU time), wall-clock is reported too.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Rate {
  double wall = 0;  // lookups per wall-clock second
  double cpu = 0;   // lookups per thread CPU second
};

std::string fmt(Rate r) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f M/s cpu (%.1f wall)", r.cpu / 1e6, r.wall / 1e6);
  return buf;
}

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

double current_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

double anon_huge_mb() {
  std::ifstream rollup("/proc/self/smaps_rollup");
  std::string line;
  while (std::getline(rollup, line)) {
    if (line.rfind("AnonHugePages:", 0) == 0) return std::strtod(line.c_str() + 14, nullptr) / 1024.0;
  }
  return 0;
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  std::exit(1);
}

// Times `rounds` passes over `queries`; returns lookups per second. `found` defeats dead-code
// elimination and is checked by the caller.
template <typename Registry>
Rate time_lookups(const Registry& reg, const std::vector<std::uint64_t>& queries, int rounds,
                  std::uint64_t& found) {
  found = 0;
  const auto t0 = Clock::now();
  const double c0 = thread_cpu_seconds();
  for (int r = 0; r < rounds; ++r) {
    for (const std::uint64_t q : queries) found += reg.contains(q) ? 1 : 0;
  }
  const double n = static_cast<double>(queries.size()) * rounds;
  return Rate{n / seconds_since(t0), n / (thread_cpu_seconds() - c0)};
}

Rate time_batch(const dnc::CompactRegistry& reg, const std::vector<std::uint64_t>& queries, int rounds,
                  std::uint64_t& found) {
  found = 0;
  constexpr std::size_t kBatch = 4096;
  std::unique_ptr<bool[]> out(new bool[kBatch]);
  const auto t0 = Clock::now();
  const double c0 = thread_cpu_seconds();
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < queries.size(); i += kBatch) {
      const std::size_t n = std::min(kBatch, queries.size() - i);
      reg.contains_batch(std::span<const std::uint64_t>(queries.data() + i, n), std::span<bool>(out.get(), n));
      for (std::size_t k = 0; k < n; ++k) found += out[k] ? 1 : 0;
    }
  }
  const double n = static_cast<double>(queries.size()) * rounds;
  return Rate{n / seconds_since(t0), n / (thread_cpu_seconds() - c0)};
}

void lookup_suite(const char* label, const dnc::CompactRegistry& reg, const SyntheticRegistry& synth,
                  const Options& opt) {
  SplitMix64 rng(42);
  std::vector<std::uint64_t> hits(opt.queries);
  std::vector<std::uint64_t> misses(opt.queries);
  std::vector<std::uint64_t> anywhere(opt.queries);
  for (auto& q : hits) q = synth.random_hit(rng);
  for (auto& q : misses) q = synth.random_miss_in_assigned(rng);
  std::uint64_t anywhere_hits = 0;
  for (auto& q : anywhere) {
    q = 2'000'000'000ULL + rng.below(8'000'000'000ULL);
    anywhere_hits += synth.contains(q) ? 1 : 0;
  }
  // Correctness at scale: the index agrees with the generator's membership function.
  for (std::size_t i = 0; i < opt.queries; ++i) {
    if (!reg.contains(hits[i])) fail("hit not found: " + std::to_string(hits[i]));
    if (reg.contains(misses[i])) fail("miss found: " + std::to_string(misses[i]));
  }
  std::uint64_t found = 0;
  (void)time_lookups(reg, hits, 1, found);  // warm-up (faults in mmap'd pages)
  const Rate hit_rate = time_lookups(reg, hits, opt.rounds, found);
  if (found != opt.queries * static_cast<std::uint64_t>(opt.rounds)) fail("hit count");
  const Rate miss_rate = time_lookups(reg, misses, opt.rounds, found);
  if (found != 0) fail("miss count");
  const Rate any_rate = time_lookups(reg, anywhere, opt.rounds, found);
  if (found != anywhere_hits * static_cast<std::uint64_t>(opt.rounds)) fail("anywhere count");
  // Through the abstract interface, as the compliance gate calls it.
  const dnc::NationalRegistry& base = reg;
  const Rate virtual_rate = time_lookups(base, hits, opt.rounds, found);
  const Rate batch_hit = time_batch(reg, hits, opt.rounds, found);
  if (found != opt.queries * static_cast<std::uint64_t>(opt.rounds)) fail("batch hit count");
  const Rate batch_miss = time_batch(reg, misses, opt.rounds, found);
  if (found != 0) fail("batch miss count");
  const Rate batch_any = time_batch(reg, anywhere, opt.rounds, found);
  if (found != anywhere_hits * static_cast<std::uint64_t>(opt.rounds)) fail("batch anywhere count");
  std::printf("lookups[%s] contains_batch: hits %s, misses-in-assigned-exchanges %s, random-10-digit %s\n",
              label, fmt(batch_hit).c_str(), fmt(batch_miss).c_str(), fmt(batch_any).c_str());
  std::printf("lookups[%s] contains: hits %s, misses-in-assigned-exchanges %s, random-10-digit %s, "
              "hits-via-NationalRegistry& %s  (%zu queries x %d rounds, 1 thread)\n",
              label, fmt(hit_rate).c_str(), fmt(miss_rate).c_str(), fmt(any_rate).c_str(),
              fmt(virtual_rate).c_str(), opt.queries, opt.rounds);
}

void file_run(const Options& opt) {
  const SyntheticRegistry synth(opt.file_numbers, opt.area_codes, 0xF11E5);
  const std::filesystem::path dir(opt.data_dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto t0 = Clock::now();
  {
    std::unique_ptr<std::ofstream> out;
    std::uint64_t open_npa = 0;
    std::string line = "0000000000\n";
    synth.for_each([&](std::uint64_t n) {
      const std::uint64_t npa = n / 10'000'000;
      if (!out || npa != open_npa) {
        out = std::make_unique<std::ofstream>(dir / (std::to_string(npa) + ".txt"), std::ios::binary);
        open_npa = npa;
      }
      for (int i = 9; i >= 0; --i, n /= 10) line[static_cast<std::size_t>(i)] = static_cast<char>('0' + n % 10);
      out->write(line.data(), static_cast<std::streamsize>(line.size()));
    });
  }
  std::printf("files: wrote %llu numbers to %s in %.2f s\n",
              static_cast<unsigned long long>(synth.expected_count()), opt.data_dir.c_str(), seconds_since(t0));
  t0 = Clock::now();
  const double c0 = thread_cpu_seconds();
  dnc::LoadReport report;
  auto reg = dnc::CompactRegistry::build_from_directory(dir, kLoadedAt, &report);
  const double secs = seconds_since(t0);
  const double cpu = thread_cpu_seconds() - c0;
  if (!reg.ok()) fail(reg.error().message);
  std::printf("files: loaded %llu files, %llu lines, %.1f MB in %.2f s wall / %.2f s cpu = %.1f M lines/s, "
              "%.0f MB/s per cpu-second; malformed %llu, duplicates %llu, size %llu\n",
              static_cast<unsigned long long>(report.files), static_cast<unsigned long long>(report.lines),
              static_cast<double>(report.bytes) / 1e6, secs, cpu, static_cast<double>(report.lines) / cpu / 1e6,
              static_cast<double>(report.bytes) / 1e6 / cpu, static_cast<unsigned long long>(report.malformed),
              static_cast<unsigned long long>(report.duplicates),
              static_cast<unsigned long long>((*reg)->size()));
  SplitMix64 rng(3);
  for (int i = 0; i < 100'000; ++i) {
    if (!(*reg)->contains(synth.random_hit(rng))) fail("file-loaded index misses a number");
  }
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--numbers") o.numbers = std::strtoull(v, nullptr, 10);
    else if (k == "--file-numbers") o.file_numbers = std::strtoull(v, nullptr, 10);
    else if (k == "--data-dir") o.data_dir = v;
    else if (k == "--snapshot") o.snapshot = v;
    else if (k == "--queries") o.queries = std::strtoull(v, nullptr, 10);
    else if (k == "--rounds") o.rounds = std::atoi(v);
    else if (k == "--max-list") o.max_list = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
    else if (k == "--area-codes") o.area_codes = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
    else fail("unknown option " + k);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  auto t0 = Clock::now();
  const SyntheticRegistry synth(opt.numbers, opt.area_codes);
  std::printf("synthetic: target %llu, expected %llu numbers in %zu exchanges of %zu area codes (%.2f s)\n",
              static_cast<unsigned long long>(opt.numbers), static_cast<unsigned long long>(synth.expected_count()),
              synth.prefix_count(), synth.area_codes().size(), seconds_since(t0));

  // Build: numbers stream straight from the generator into the builder (no 2 GB vector).
  t0 = Clock::now();
  const double build_c0 = thread_cpu_seconds();
  dnc::RegistryBuilder builder;
  std::uint64_t generated = 0;
  synth.for_each([&](std::uint64_t n) {
    builder.add(n);
    ++generated;
  });
  const double add_secs = seconds_since(t0);
  const std::size_t staging = builder.staging_bytes();
  t0 = Clock::now();
  auto built = builder.finish(kLoadedAt, dnc::BuildOptions{opt.max_list});
  const double finish_secs = seconds_since(t0);
  const double build_cpu = thread_cpu_seconds() - build_c0;
  if (!built.ok()) fail(built.error().message);
  std::unique_ptr<dnc::CompactRegistry> reg = std::move(built).value();
  if (reg->size() != generated) fail("size mismatch");
  const dnc::IndexStats st = reg->stats();
  std::printf("build: %llu numbers; generate+add %.2f s, finish %.2f s, total %.2f s wall / %.2f s cpu; "
              "staging %.0f MB\n",
              static_cast<unsigned long long>(generated), add_secs, finish_secs, add_secs + finish_secs, build_cpu,
              static_cast<double>(staging) / 1e6);
  std::printf("index: %.1f MB = %.3f bytes/number; slots: %u bitmap, %u list, %u empty\n",
              static_cast<double>(st.index_bytes) / 1e6,
              static_cast<double>(st.index_bytes) / static_cast<double>(std::max<std::uint64_t>(st.count, 1)),
              st.bitmap_slots, st.array_slots, st.empty_slots);
  std::printf("rss: after build %.0f MB (%.0f MB in transparent huge pages), peak so far %.0f MB\n",
              current_rss_mb(), anon_huge_mb(), peak_rss_mb());

  lookup_suite("built", *reg, synth, opt);
  std::printf("rss: after lookups %.0f MB, peak so far %.0f MB (includes 3 x %zu x 8 B query arrays)\n",
              current_rss_mb(), peak_rss_mb(), opt.queries);

  if (!opt.snapshot.empty()) {
    std::filesystem::create_directories(std::filesystem::path(opt.snapshot).parent_path());
    t0 = Clock::now();
    if (auto s = reg->save(opt.snapshot); !s.ok()) fail(s.error().message);
    std::printf("snapshot: save %.2f s (%.1f MB)\n", seconds_since(t0),
                static_cast<double>(std::filesystem::file_size(opt.snapshot)) / 1e6);
    reg.reset();
    t0 = Clock::now();
    auto loaded = dnc::CompactRegistry::load(opt.snapshot, {dnc::SnapshotLoadMode::kRead, true});
    if (!loaded.ok()) fail(loaded.error().message);
    std::printf("snapshot: load (read + full verify) %.2f s\n", seconds_since(t0));
    loaded.value().reset();
    t0 = Clock::now();
    auto mapped = dnc::CompactRegistry::load(opt.snapshot, {dnc::SnapshotLoadMode::kMmap, false});
    if (!mapped.ok()) fail(mapped.error().message);
    std::printf("snapshot: load (mmap, header checks only) %.4f s\n", seconds_since(t0));
    lookup_suite("mmap", **mapped, synth, opt);
  }
  if (opt.file_numbers > 0) file_run(opt);
  std::printf("rss: process peak %.0f MB\n", peak_rss_mb());
  return 0;
}
