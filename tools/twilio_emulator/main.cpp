// twilio-emulator: a local stand-in for Twilio's voice/SMS API, for integration tests and for
// running `outdial serve` through the real Twilio driver (README "Twilio emulator").
#include <CLI/CLI.hpp>

#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "emulator.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "scheduler.hpp"
#include "script.hpp"

using namespace outdial;
using namespace outdial::twilio_emulator;

int main(int argc, char** argv) {
  CLI::App app{"twilio-emulator: Twilio Programmable Voice/Messaging REST API and call driver, on loopback"};
  EmulatorOptions opts;
  std::string script_file, sms_url;
  double speed = 1.0;
  int scheduler_threads = 8;
  bool quiet = false;
  if (const char* t = std::getenv("TWILIO_EMULATOR_AUTH_TOKEN")) opts.auth_token = t;
  if (const char* s = std::getenv("TWILIO_EMULATOR_ACCOUNT_SID")) opts.account_sid = s;
  app.add_option("--port", opts.port, "listen port (0 = any free port)")->capture_default_str();
  app.add_option("--bind", opts.bind, "listen address (keep it on loopback)")->capture_default_str();
  app.add_option("--account-sid", opts.account_sid, "AccountSid accepted (env TWILIO_EMULATOR_ACCOUNT_SID)")
      ->capture_default_str();
  app.add_option("--auth-token", opts.auth_token,
                 "AuthToken accepted and used to sign webhooks (env TWILIO_EMULATOR_AUTH_TOKEN; prefer the env)");
  app.add_option("--script", script_file, "JSON file: callee behaviour per number, default, sms_url, faults");
  app.add_option("--speed", speed, "emulated seconds per wall second (time acceleration)")->capture_default_str();
  app.add_option("--seed", opts.seed, "seed for sids, the default mix and probabilistic faults (default: random)");
  app.add_option("--cps", opts.cps, "account calls per second (calls over it are queued)")->capture_default_str();
  app.add_option("--max-concurrency", opts.max_concurrency, "calls in progress at once (0 = unlimited)")
      ->capture_default_str();
  app.add_option("--sms-url", sms_url, "where inbound SMS (POST /_emulator/sms) are delivered");
  app.add_option("--threads", scheduler_threads, "call-driving threads")->capture_default_str();
  app.add_flag("--quiet", quiet, "do not print the event log on stderr");
  CLI11_PARSE(app, argc, argv);
  // Fresh call sids per run unless asked to repeat one (an outdial database outlives the emulator).
  if (app.count("--seed") == 0) opts.seed = (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  if (speed <= 0) {
    std::cerr << "twilio-emulator: --speed must be > 0\n";
    return 2;
  }
  if (opts.auth_token.empty() || opts.account_sid.size() != 34 || opts.account_sid.rfind("AC", 0) != 0) {
    std::cerr << "twilio-emulator: --account-sid must be AC + 32 characters and --auth-token must not be empty\n";
    return 2;
  }

  Script script;
  if (!script_file.empty()) {
    std::ifstream in(script_file);
    if (!in) {
      std::cerr << "twilio-emulator: cannot read --script " << script_file << "\n";
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parse_script(ss.str());
    if (!parsed.ok()) {
      std::cerr << "twilio-emulator: --script " << script_file << ": " << parsed.error().message << "\n";
      return 2;
    }
    script = std::move(parsed.value());
  }
  if (!sms_url.empty()) script.sms_url = sms_url;
  opts.echo_log = !quiet;

  // SIGINT/SIGTERM are waited for below; block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto http = net::make_curl_client();
  RealTimeScheduler scheduler(speed, scheduler_threads, SystemClock().now());
  TwilioEmulator emulator(opts, scheduler, *http, std::move(script));
  if (auto st = emulator.start(); !st.ok()) {
    std::cerr << "twilio-emulator: cannot listen on " << opts.bind << ":" << opts.port << ": " << st.error().message
              << "\n";
    return 1;
  }
  // The token is never printed; the account sid is not a secret.
  std::cout << "twilio-emulator listening on " << emulator.base_url() << " (account " << opts.account_sid
            << ", speed " << speed << "x, cps " << opts.cps << ", seed " << opts.seed << ")" << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  std::cout << "twilio-emulator: stopping" << std::endl;
  emulator.stop();
  scheduler.stop();
  return 0;
}
