// Webhook ingestion benchmark: signed Twilio status callbacks over loopback keep-alive
// connections into the DurableInbox, each event durably committed before its 200.
//   webhook_bench [--dir D] [--modes group,single,group-sync] [--connections N]
//                 [--warmup-ms W] [--duration-ms T] [--sync-threads K] [--events N]
//   webhook_bench serve --inbox PATH --token T [--single] [--sync --threads K]
//       (child server for tests/integration/ingest: prints "port <n>" and serves until killed)
// See bench/webhook/RESULTS.md and docs/perf.md.
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "load_client.hpp"
#include "webhook_server.hpp"

namespace {

using namespace outdial;
using namespace outdial::webhook_bench;

class CountingSink final : public telephony::CallEventSink {
 public:
  void on_call_event(const CallEvent&) override { count.fetch_add(1, std::memory_order_relaxed); }
  std::atomic<std::int64_t> count{0};
};

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string arg(int argc, char** argv, const std::string& name, const std::string& def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return def;
}
bool flag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == name) return true;
  }
  return false;
}

constexpr const char* kToken = "bench-auth-token-0123456789abcdef";

int serve(int argc, char** argv) {
  WebhookServerConfig cfg;
  cfg.inbox_path = arg(argc, argv, "--inbox", "");
  cfg.auth_token = arg(argc, argv, "--token", kToken);
  cfg.group_commit = !flag(argc, argv, "--single");
  cfg.async = !flag(argc, argv, "--sync");
  cfg.threads = std::stoi(arg(argc, argv, "--threads", cfg.async ? "2" : "64"));
  cfg.shards = std::stoi(arg(argc, argv, "--shards", "4"));
  cfg.port = static_cast<std::uint16_t>(std::stoi(arg(argc, argv, "--port", "0")));
  CountingSink sink;
  WebhookServer server(cfg, sink);
  if (auto st = server.start(); !st.ok()) {
    std::cerr << "start failed: " << st.error().message << "\n";
    return 1;
  }
  std::cout << "port " << server.port() << std::endl;
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(60));
}

struct ModeResult {
  std::string mode;
  LoadResult load;
  double cpu = 0;
  std::int64_t rows = 0;
  ingest::InboxStats stats;
  std::int64_t applied = 0;
};

ModeResult run_mode(const std::string& mode, const std::string& dir, int argc, char** argv) {
  WebhookServerConfig cfg;
  cfg.inbox_path = dir + "/inbox-" + mode + ".db";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("inbox-" + mode + ".db", 0) == 0) std::filesystem::remove(entry.path());
  }
  cfg.auth_token = kToken;
  cfg.group_commit = mode != "single" && mode != "single-sync";
  cfg.async = mode.find("sync") == std::string::npos;
  cfg.threads = cfg.async ? 2 : std::stoi(arg(argc, argv, "--sync-threads", "128"));
  cfg.shards = std::stoi(arg(argc, argv, "--shards", "4"));
  CountingSink sink;
  WebhookServer server(cfg, sink);
  if (auto st = server.start(); !st.ok()) {
    std::cerr << "start failed: " << st.error().message << "\n";
    std::exit(1);
  }
  const auto events = std::stoll(arg(argc, argv, "--events", cfg.group_commit ? "600000" : "60000"));
  std::vector<std::string> requests;
  requests.reserve(static_cast<std::size_t>(events));
  for (std::int64_t i = 0; i < events; ++i) {
    requests.push_back(signed_status_callback(kToken, "127.0.0.1", server.port(), kStatusPath, i / 4 + 1,
                                              static_cast<int>(i % 4)));
  }
  LoadConfig lc;
  lc.port = server.port();
  lc.connections = std::stoi(arg(argc, argv, "--connections", "256"));
  lc.warmup = std::chrono::milliseconds(std::stoi(arg(argc, argv, "--warmup-ms", "1000")));
  lc.duration = std::chrono::milliseconds(std::stoi(arg(argc, argv, "--duration-ms", "5000")));
  lc.requests = &requests;
  ModeResult r;
  r.mode = mode;
  const double cpu0 = cpu_seconds();
  r.load = run_load(lc);
  r.cpu = cpu_seconds() - cpu0;
  server.inbox().wait_applied();
  r.stats = server.inbox().stats();
  r.applied = sink.count.load();
  server.stop();
  r.rows = r.stats.committed_events - r.stats.duplicates;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "serve") return serve(argc, argv);
  const std::string dir = arg(argc, argv, "--dir", "bench-webhook-data");
  std::filesystem::create_directories(dir);
  std::string modes = arg(argc, argv, "--modes", "group,single");
  std::cout << "host: " << std::thread::hardware_concurrency() << " cores; load average before: " << loadavg()
            << "\n";
  std::vector<ModeResult> results;
  std::stringstream ms(modes);
  for (std::string m; std::getline(ms, m, ',');) {
    results.push_back(run_mode(m, dir, argc, argv));
    const auto& r = results.back();
    std::printf(
        "%-12s webhooks/s %9.0f  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  ok %lld  non200 %lld  errors %lld  "
        "commits %lld  largest batch %lld  mean batch %.1f  stored %lld  applied %lld  cpu %.2f s for %lld acked "
        "(%.0f webhooks per CPU-s; server side %.2f s, %.0f per CPU-s)  load %s\n",
        r.mode.c_str(), r.load.per_second(), r.load.percentile_ms(50), r.load.percentile_ms(99),
        r.load.percentile_ms(99.9), static_cast<long long>(r.load.ok), static_cast<long long>(r.load.non_200),
        static_cast<long long>(r.load.errors), static_cast<long long>(r.stats.commits),
        static_cast<long long>(r.stats.largest_batch),
        r.stats.commits > 0 ? static_cast<double>(r.stats.committed_events) / static_cast<double>(r.stats.commits) : 0.0,
        static_cast<long long>(r.rows), static_cast<long long>(r.applied), r.cpu,
        static_cast<long long>(r.load.ok_total), r.cpu > 0 ? static_cast<double>(r.load.ok_total) / r.cpu : 0.0,
        r.cpu - r.load.client_cpu_seconds,
        r.cpu > r.load.client_cpu_seconds ? static_cast<double>(r.load.ok_total) / (r.cpu - r.load.client_cpu_seconds)
                                          : 0.0,
        loadavg().c_str());
    std::fflush(stdout);
  }
  if (results.size() >= 2 && results[1].load.per_second() > 0) {
    std::printf("ratio %s / %s: %.1fx\n", results[0].mode.c_str(), results[1].mode.c_str(),
                results[0].load.per_second() / results[1].load.per_second());
  }
  return 0;
}
