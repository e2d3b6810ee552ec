#pragma once
// Load generator for the webhook benchmark and the kill -9 test: `connections` keep-alive
// HTTP/1.1 connections over loopback (Boost.Beast client, one io thread), each with one request
// in flight, sending pre-built (already signed) requests in order of their index.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace outdial::webhook_bench {

struct LoadConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  int connections = 256;
  std::chrono::milliseconds warmup{1000};    // completions before this are not measured
  std::chrono::milliseconds duration{5000};  // measured window after the warm-up
  // Complete raw HTTP requests; each is sent at most once (their dedupe keys are unique).
  const std::vector<std::string>* requests = nullptr;
  bool record_acked = false;  // keep the indices answered 200 (kill test)
  bool stop_on_error = false; // a connection that fails is not reopened
};

struct LoadResult {
  std::int64_t sent = 0;
  std::int64_t ok = 0;           // 200s in the measured window
  std::int64_t ok_total = 0;     // all 200s
  std::int64_t non_200 = 0;
  std::int64_t errors = 0;       // connection errors
  double window_seconds = 0;
  double client_cpu_seconds = 0;  // CPU of the load generator's thread
  std::vector<std::uint32_t> latencies_us;  // measured window, 200s only
  std::vector<std::int64_t> acked;          // request indices answered 200 (record_acked)
  double per_second() const { return window_seconds > 0 ? static_cast<double>(ok) / window_seconds : 0; }
  // Percentile (0..100) of latencies_us, in milliseconds.
  double percentile_ms(double p) const;
};

LoadResult run_load(const LoadConfig& config);

// A signed Twilio status callback request for call `call` (CallSid derived from it) at
// SequenceNumber `seq`, to http://<host>:<port><path>.
// The CallSid used for call number `call`, and the dedupe key the server derives ("<sid>:<seq>").
std::string call_sid(std::int64_t call);
// The dedupe keys the Twilio mapping gives the request (call, seq) of signed_status_callback():
// seq 0 initiated, 1 ringing -> "<sid>:<seq>"; 2 in-progress -> "<sid>:answered";
// 3 completed -> "<sid>:answered" and "<sid>:3".
std::vector<std::string> status_callback_keys(std::int64_t call, int seq);

std::string signed_status_callback(const std::string& auth_token, const std::string& host, std::uint16_t port,
                                   const std::string& path, std::int64_t call, int seq);

}  // namespace outdial::webhook_bench
