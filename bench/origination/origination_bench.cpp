// Call origination benchmark (issue #3 §5): "call origination against the emulator at 200 calls
// per second or more, with no window above the configured rate".
//
// Path measured: M worker threads each take the next call, wait for a slot from ONE shared
// accounts::Pacer (the per-account pacer: try_acquire(now) / next_slot(now)), then call the real
// driver's place_call (TwilioProvider or TelnyxProvider over the libcurl client) against the
// provider emulator running in-process on a loopback port. The emulator's webhooks go to an
// in-process sink (bench/webhook measures ingestion); callees answer busy after a short ring,
// so no TwiML is fetched and calls end quickly.
//
// Reported: calls/s (wall), place_call latency p50/p99/max, CPU seconds (whole process = driver,
// curl, emulator, and the worker threads alone), and the most call starts in ANY 1-second sliding
// window (Telnyx: any 5-second window too) as seen on our side (pacer admission instants, ms;
// request send instants, us) and as recorded by the emulator (arrival = "created", and Twilio's
// "initiated" after its own CPS queue).
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// Both emulators name their header emulator.hpp: include each by its path.
#include "../../tools/telnyx_emulator/emulator.hpp"
#include "../../tools/twilio_emulator/emulator.hpp"
#include "../../tools/twilio_emulator/scheduler.hpp"
#include "bench_util.hpp"
#include "outdial/accounts/pacer.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/net/http_client.hpp"
#include "outdial/telephony/provider.hpp"
#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "outdial/telephony/twilio/twilio_provider.hpp"

namespace {

using namespace outdial;
using namespace outdial::bench::origination;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string provider = "twilio";  // twilio | telnyx
  int calls = 10'000;
  int rate = 250;            // our pacing: calls per second (any 1-s window)
  int window_seconds = 0;    // our rolling window (Telnyx style); 0 = none
  int window_max = 0;
  int limit = 0;             // the account's limit the windows are checked against; 0 = rate
  int threads = 16;          // workers calling place_call
  // Twilio emulator account CPS (calls over it are queued). The emulator spaces starts
  // ceil(1000/cps) ms apart, so 1000 is the most it can start per second: the default is "not the
  // limiter" for any pacing up to 1000/s.
  double emu_cps = 1'000;
  int emu_rate_per_5s = 0;   // Telnyx emulator: POST /v2/calls per rolling 5 s (429 above it)
  int emu_http_threads = 4;
  // Experiment, not the production path: before asking the pacer, workers also take tickets
  // spaced this far apart (even spacing instead of the pacer's bursts). 0 = off.
  int min_gap_us = 0;
  // Drive origination through CampaignRunner + RealtimeDriver instead (Twilio only).
  bool runner = false;
  bool bursty_pacer = false;  // runner mode: the plain pacer instead of the production options
  std::string ingress = "ordered";
  int pace_horizon_ms = -1;
  int campaigns = 3;
};

[[noreturn]] void usage(const char* msg) {
  std::cerr << "origination_bench: " << msg << "\n"
            << "usage: origination_bench [--provider twilio|telnyx] [--calls N] [--rate CPS]\n"
            << "       [--window-seconds W --window-max M] [--limit L] [--threads T] [--emu-cps C]\n"
            << "       [--emu-rate-per-5s R] [--emu-http-threads H] [--min-gap-us G]\n"
            << "       [--runner [--campaigns K] [--ingress ordered|sink|inbox] [--pace-horizon-ms H]]  (CampaignRunner + RealtimeDriver on SQLite, Twilio)\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    auto num = [&]() {
      const std::string v = next();
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || d < 0) usage(("bad number for " + a + ": " + v).c_str());
      return d;
    };
    if (a == "--provider") o.provider = next();
    else if (a == "--calls") o.calls = static_cast<int>(num());
    else if (a == "--rate") o.rate = static_cast<int>(num());
    else if (a == "--window-seconds") o.window_seconds = static_cast<int>(num());
    else if (a == "--window-max") o.window_max = static_cast<int>(num());
    else if (a == "--limit") o.limit = static_cast<int>(num());
    else if (a == "--threads") o.threads = static_cast<int>(num());
    else if (a == "--emu-cps") o.emu_cps = num();
    else if (a == "--emu-rate-per-5s") o.emu_rate_per_5s = static_cast<int>(num());
    else if (a == "--runner") o.runner = true;
    else if (a == "--pacer-bursty") o.bursty_pacer = true;
    else if (a == "--ingress") o.ingress = next();
    else if (a == "--campaigns") o.campaigns = static_cast<int>(num());
    else if (a == "--pace-horizon-ms") o.pace_horizon_ms = static_cast<int>(num());
    else if (a == "--min-gap-us") o.min_gap_us = static_cast<int>(num());
    else if (a == "--emu-http-threads") o.emu_http_threads = static_cast<int>(num());
    else usage(("unknown option " + a).c_str());
  }
  if (o.provider != "twilio" && o.provider != "telnyx") usage("--provider must be twilio or telnyx");
  if (o.calls <= 0 || o.threads <= 0) usage("--calls and --threads must be > 0");
  if (o.limit == 0) o.limit = o.rate;
  return o;
}

// Where the emulators deliver webhooks: answers 200 at once (TwiML that hangs up, should any
// document be fetched), counts what it got.
class SinkClient final : public net::HttpClient {
 public:
  Result<net::ClientResponse> send(const net::ClientRequest&) override {
    received.fetch_add(1, std::memory_order_relaxed);
    return net::ClientResponse{200, {{"content-type", "text/xml"}}, "<Response><Hangup/></Response>"};
  }
  std::atomic<std::int64_t> received{0};
};

std::string e164(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+1212%07d", i % 10'000'000);
  return buf;
}

struct Sample {
  std::int64_t admitted_ms = 0;  // pacer admission instant (SystemClock, ms)
  std::int64_t sent_us = 0;      // steady clock, just before place_call
  double latency_ms = 0;         // place_call duration
  bool ok = false;
};

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  if (opt.runner) {
    if (opt.provider != "twilio") usage("--runner drives the Twilio emulator only");
    RunnerModeOptions ro;
    ro.calls = opt.calls;
    ro.rate = opt.rate;
    ro.limit = opt.limit;
    ro.campaigns = opt.campaigns;
    ro.pace_horizon_ms = opt.pace_horizon_ms;
    ro.emu_cps = opt.emu_cps;
    ro.ingress = opt.ingress;
    ro.bursty_pacer = opt.bursty_pacer;
    if (ro.ingress != "ordered" && ro.ingress != "sink" && ro.ingress != "inbox") usage("--ingress: ordered|sink|inbox");
    return run_runner_mode(ro);
  }
  SystemClock clock;
  SinkClient sink;

  // ---- emulator (in-process, loopback) and driver
  std::unique_ptr<twilio_emulator::RealTimeScheduler> sched;
  std::unique_ptr<twilio_emulator::TwilioEmulator> twilio_emu;
  std::unique_ptr<tools::telnyx::TelnyxEmulator> telnyx_emu;
  net::CurlClientOptions curl_opts;
  curl_opts.max_idle_handles = static_cast<std::size_t>(opt.threads);
  auto http = net::make_curl_client(curl_opts);
  std::unique_ptr<telephony::Provider> provider;

  if (opt.provider == "twilio") {
    sched = std::make_unique<twilio_emulator::RealTimeScheduler>(1.0, 2, clock.now());
    twilio_emulator::EmulatorOptions eo;
    eo.account_sid = "AC0123456789abcdef0123456789abcdef";
    eo.auth_token = "bench-auth-token";
    eo.cps = opt.emu_cps;
    eo.http_threads = opt.emu_http_threads;
    twilio_emulator::Script script;
    script.default_behaviour.answer = twilio_emulator::Answer::kBusy;
    script.default_behaviour.ring_seconds = 0.5;
    twilio_emu = std::make_unique<twilio_emulator::TwilioEmulator>(eo, *sched, sink, script);
    if (auto s = twilio_emu->start(); !s) {
      std::cerr << "emulator start: " << s.error().message << "\n";
      return 1;
    }
    telephony::twilio::TwilioConfig tc;
    tc.account_sid = eo.account_sid;
    tc.auth_token = eo.auth_token;
    tc.api_base = twilio_emu->base_url();
    tc.public_base_url = "http://app.bench";
    provider = std::make_unique<telephony::twilio::TwilioProvider>(tc, *http, clock);
  } else {
    tools::telnyx::EmulatorOptions eo;
    eo.api_key = "bench-api-key";
    eo.connection_id = "bench-connection";
    eo.concurrency_limit = 1'000'000;
    eo.rate_limit_per_5s = opt.emu_rate_per_5s;
    eo.default_webhook_url = "http://app.bench/webhooks/telnyx";
    eo.script.default_callee.answer = "busy";
    eo.script.default_callee.ring_ms = 500;
    eo.script.faults.max_retries = 0;
    telnyx_emu = std::make_unique<tools::telnyx::TelnyxEmulator>(eo, sink);
    if (auto s = telnyx_emu->start(); !s) {
      std::cerr << "emulator start: " << s.error().message << "\n";
      return 1;
    }
    telephony::telnyx::TelnyxConfig tc;
    tc.api_key = eo.api_key;
    tc.connection_id = eo.connection_id;
    tc.api_base = telnyx_emu->base_url();
    tc.webhook_url = eo.default_webhook_url;
    provider = std::make_unique<telephony::telnyx::TelnyxProvider>(*http, tc);
  }

  ProviderLimits limits;
  limits.calls_per_second = opt.rate;
  limits.window_seconds = opt.window_seconds;
  limits.window_max = opt.window_max;
  if (auto s = accounts::validate_limits(limits); !s) {
    std::cerr << "pacer limits: " << s.error().message << "\n";
    return 2;
  }
  accounts::Pacer pacer(limits);

  std::cout << "provider " << opt.provider << ", " << opt.calls << " calls, pacer " << opt.rate << " calls/s";
  if (opt.window_seconds > 0) std::cout << " + " << opt.window_max << " per " << opt.window_seconds << " s";
  std::cout << ", " << opt.threads << " threads";
  if (opt.min_gap_us > 0) std::cout << ", EXPERIMENT: starts spaced >= " << opt.min_gap_us << " us before the pacer";
  if (opt.provider == "twilio") std::cout << ", emulator CPS " << opt.emu_cps;
  else std::cout << ", emulator limit " << opt.emu_rate_per_5s << " per 5 s (0 = none)";
  std::cout << "\nload average before: " << loadavg() << std::endl;

  // ---- run
  std::vector<Sample> samples(static_cast<std::size_t>(opt.calls));
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::mutex err_mu;
  std::string first_error;
  std::vector<double> worker_cpu(static_cast<std::size_t>(opt.threads), 0);
  std::mutex gap_mu;
  std::mutex acquire_mu;
  SteadyClock::time_point next_ticket{};

  const double pcpu0 = process_cpu_seconds();
  const auto wall0 = SteadyClock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < opt.threads; ++w) {
    workers.emplace_back([&, w] {
      const double cpu0 = thread_cpu_seconds();
      for (;;) {
        const int i = next.fetch_add(1);
        if (i >= opt.calls) break;
        if (opt.min_gap_us > 0) {
          SteadyClock::time_point ticket;
          {
            std::lock_guard l(gap_mu);
            ticket = std::max(SteadyClock::now(), next_ticket);
            next_ticket = ticket + std::chrono::microseconds(opt.min_gap_us);
          }
          std::this_thread::sleep_until(ticket);
        }
        // Wait for the account's next slot.
        TimePoint admitted;
        for (;;) {
          TimePoint now;
          {
            // Reading the clock and acquiring under one lock keeps the instants handed to the
            // pacer non-decreasing, so `admitted` is exactly the start the pacer recorded (it
            // moves a stale `now` up to its last start, which would make our record early).
            std::lock_guard l(acquire_mu);
            now = clock.now();
            if (pacer.try_acquire(now)) {
              admitted = now;
              break;
            }
          }
          const auto slot = pacer.next_slot(now);
          const auto wait = slot && *slot > now ? *slot - now : Millis(0);
          if (wait.count() > 0) std::this_thread::sleep_for(wait);
          else std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        telephony::DialRequest req;
        req.attempt_id = static_cast<AttemptId>(i + 1);
        req.tenant_id = 1;
        req.campaign_id = 1;
        req.idempotency_key = "1:" + std::to_string(i + 1) + ":1";
        req.from = "+15550001111";
        req.to = e164(i);
        req.machine_detection = true;
        req.script = "Hello from the origination benchmark.";
        auto& s = samples[static_cast<std::size_t>(i)];
        s.admitted_ms = to_epoch_ms(admitted);
        const auto t0 = SteadyClock::now();
        s.sent_us = std::chrono::duration_cast<std::chrono::microseconds>(t0 - wall0).count();
        auto r = provider->place_call(req);
        s.latency_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
        s.ok = r.ok();
        // No concurrency limit is configured; the slot is returned as if the call had ended.
        pacer.release();
        if (!r.ok()) {
          failures.fetch_add(1);
          std::lock_guard l(err_mu);
          if (first_error.empty()) first_error = r.error().message;
        }
      }
      worker_cpu[static_cast<std::size_t>(w)] = thread_cpu_seconds() - cpu0;
    });
  }
  for (auto& t : workers) t.join();
  const double wall = std::chrono::duration<double>(SteadyClock::now() - wall0).count();
  const double pcpu = process_cpu_seconds() - pcpu0;

  // ---- figures
  std::vector<double> lat;
  std::vector<std::int64_t> admitted_ms, sent_us;
  for (const auto& s : samples) {
    lat.push_back(s.latency_ms);
    admitted_ms.push_back(s.admitted_ms);
    sent_us.push_back(s.sent_us);
  }
  double wcpu = 0;
  for (double c : worker_cpu) wcpu += c;
  const int ok = opt.calls - failures.load();

  std::printf("wall %.2f s, %.1f calls/s placed (%d ok, %d failed%s%s)\n", wall, opt.calls / wall, ok,
              failures.load(), first_error.empty() ? "" : "; first: ", first_error.c_str());
  std::printf("place_call latency ms: p50 %.2f  p99 %.2f  max %.2f\n", percentile(lat, 50), percentile(lat, 99),
              percentile(lat, 100));
  std::printf("CPU: process %.2f s (%.0f%% of one core), worker threads %.2f s (%.1f us/call)\n",
              pcpu, 100 * pcpu / wall, wcpu,
              1e6 * wcpu / opt.calls);
  std::printf("max starts in any 1 s window: ours (pacer admission, ms) %d, ours (request sent, us) %d",
              max_in_window(admitted_ms, 1000), max_in_window(sent_us, 1'000'000));

  if (twilio_emu) {
    // Let the emulator's CPS queue drain so every call has its "initiated" instant.
    for (int waited = 0; waited < 30'000; waited += 50) {
      std::size_t pending = 0;
      for (const auto& c : twilio_emu->calls()) pending += c.started_at ? 0 : 1;
      if (pending == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::vector<std::int64_t> created, started;
    std::vector<double> queued_ms;
    for (const auto& c : twilio_emu->calls()) {
      created.push_back(to_epoch_ms(c.created_at));
      if (c.started_at) {
        started.push_back(to_epoch_ms(*c.started_at));
        queued_ms.push_back(static_cast<double>((*c.started_at - c.created_at).count()));
      }
    }
    const int arrivals = max_in_window(created, 1000);
    std::printf(", emulator arrivals (ms) %d, emulator \"initiated\" (ms) %d [max_starts_per_second()]\n", arrivals,
                twilio_emu->max_starts_per_second());
    std::printf("VERDICT 1 s: emulator arrivals max %d vs account limit %d: %s\n", arrivals, opt.limit,
                arrivals <= opt.limit ? "within" : ("OVER by " + std::to_string(arrivals - opt.limit)).c_str());
    std::printf("emulator: %zu calls created, %zu started; CPS queue wait ms p50 %.0f p99 %.0f max %.0f\n",
                created.size(), started.size(), percentile(queued_ms, 50), percentile(queued_ms, 99),
                percentile(queued_ms, 100));
  } else {
    const auto st = telnyx_emu->stats();
    std::printf("\nmax starts in any 5 s window: ours (pacer admission, ms) %d, ours (request sent, us) %d, "
                "emulator (arrivals) %lld\n",
                max_in_window(admitted_ms, 5000), max_in_window(sent_us, 5'000'000),
                static_cast<long long>(st.max_dials_in_5s));
    // The emulator refuses (429) a dial that would put its window over the limit, so its own
    // maximum never exceeds it: the verdict is whether any dial was refused.
    std::printf("VERDICT 5 s: emulator max %lld (its cap %d), %lld dials refused with 429: %s\n",
                static_cast<long long>(st.max_dials_in_5s), opt.emu_rate_per_5s,
                static_cast<long long>(st.rate_limited), st.rate_limited == 0 ? "within" : "OVER");
    std::printf("emulator: %lld dials, %lld answered 429, %lld concurrency rejections\n",
                static_cast<long long>(st.dials), static_cast<long long>(st.rate_limited),
                static_cast<long long>(st.concurrency_rejections));
  }
  std::printf("load average after: %s\n", loadavg().c_str());
  std::fflush(stdout);

  if (twilio_emu) twilio_emu->stop();
  if (sched) sched->stop();
  if (telnyx_emu) telnyx_emu->stop();
  return failures.load() == 0 ? 0 : 1;
}
