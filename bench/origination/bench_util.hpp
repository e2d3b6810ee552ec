#pragma once
// Small helpers shared by the two origination modes (threads + Pacer, CampaignRunner).
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace outdial::bench::origination {

// Most instants of `t` inside any half-open window [a, a + width) (sliding over every instant).
inline int max_in_window(std::vector<std::int64_t> t, std::int64_t width) {
  std::sort(t.begin(), t.end());
  int best = 0;
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < t.size(); ++hi) {
    while (t[hi] - t[lo] >= width) ++lo;
    best = std::max(best, static_cast<int>(hi - lo + 1));
  }
  return best;
}

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto idx = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))) - 1;
  return v[std::min(idx, v.size() - 1)];
}

inline double process_cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

inline std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

struct RunnerModeOptions {
  int calls = 10'000;
  int rate = 250;
  int limit = 250;
  int campaigns = 3;       // each campaign is capped at 100 lines and 6000 calls/min (100/s)
  double emu_cps = 1'000;
  std::string ingress = "ordered";  // ordered | sink | inbox
  // The pacer as `outdial serve` builds it for a real carrier: even spacing, 3% headroom.
  // --pacer-bursty: the plain pacer (whole windows admitted at once), for comparison.
  bool bursty_pacer = false;
  int pace_horizon_ms = -1;  // RunnerConfig::pace_horizon; -1 = the runner's default
  std::string dir = "/tmp/outdial_origination_bench";
};

// The production path: CampaignRunner + RealtimeDriver on SQLite, the real RuleGate, the Twilio
// driver and its webhook routes on the project's HTTP server. Returns the process exit code.
int run_runner_mode(const RunnerModeOptions& options);

}  // namespace outdial::bench::origination
