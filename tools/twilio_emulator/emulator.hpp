#pragma once
// A local stand-in for Twilio's Programmable Voice + Messaging API (issue #3 §4): the REST
// endpoints outdial's Twilio driver uses, and each call driven as Twilio would drive it (status
// callbacks with sequence numbers, AMD, TwiML fetched from Url and acted out, <Gather> digits,
// <Dial> bridges), every webhook signed with the real X-Twilio-Signature algorithm. Callees are
// scripted per number (script.hpp) and faults can be injected (REST 429/500/time-out; duplicate,
// delayed, reordered webhooks; redelivery on 5xx). GET /_emulator/... shows what happened.
//
// Threading: the REST side runs on the HTTP server's threads, calls are driven by tasks on the
// Scheduler; all state sits behind one mutex, which is never held across an HTTP request.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "outdial/core/result.hpp"
#include "outdial/net/http_client.hpp"
#include "outdial/net/http_types.hpp"
#include "records.hpp"
#include "scheduler.hpp"
#include "script.hpp"

namespace outdial::net {
class HttpServer;
class Router;
}  // namespace outdial::net

namespace outdial::twilio_emulator {

struct TwimlNode;

struct EmulatorOptions {
  std::string account_sid = "AC00000000000000000000000000000000";
  std::string auth_token = "emulator-auth-token";
  double cps = 1;              // calls started per second (Twilio's default account CPS)
  int max_concurrency = 0;     // calls in progress at once; 0 = unlimited
  std::uint64_t seed = 1;      // sids and probabilistic faults
  std::vector<std::string> owned_numbers;  // when set, From must be one of them (else 21210)
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;      // 0 = any free port
  int http_threads = 4;
  // How long a fetched TwiML document / an action may take before it counts as failed (11200).
  std::chrono::milliseconds webhook_timeout{5'000};
  bool echo_log = false;       // also print each log line on stderr (the CLI)
};

// The audio the emulator serves for a recording it announced (Recordings/{sid}.mp3): a few KB of
// bytes derived from the sid alone (every byte value occurs), so a test can compare them.
std::string recording_media(const std::string& recording_sid);

class TwilioEmulator {
 public:
  // `scheduler` drives time, `http` delivers the webhooks (the real libcurl client over loopback
  // in integration tests); both must outlive the emulator.
  TwilioEmulator(EmulatorOptions options, Scheduler& scheduler, net::HttpClient& http, Script script = {});
  ~TwilioEmulator();
  TwilioEmulator(const TwilioEmulator&) = delete;
  TwilioEmulator& operator=(const TwilioEmulator&) = delete;

  // Serves the REST + inspection API on options.bind:options.port.
  Status start();
  void stop();
  std::uint16_t port() const;
  // "http://127.0.0.1:<port>": what OUTDIAL_TWILIO_API_BASE points at.
  std::string base_url() const;
  // The same routing without a socket (unit tests).
  net::Response handle(net::Request& request);

  // --- scripting (also reachable over HTTP: PUT /_emulator/script, POST /_emulator/faults) ---
  void set_script(Script script);
  void set_behaviour(const std::string& number, std::vector<CalleeBehaviour> behaviours);
  void add_rest_fault(RestFault fault);
  void set_webhook_faults(WebhookFaults faults);
  void set_sms_url(std::string url);
  // A text from `from` (the contact) to `to` (our number): Twilio's opt-out keyword handling,
  // then the signed inbound SMS webhook to the script's sms_url. Returns the webhook's status.
  Result<int> inject_inbound_sms(const std::string& from, const std::string& to, const std::string& body);

  // --- inspection ---
  std::vector<EmulatedCall> calls() const;
  std::optional<EmulatedCall> call(const std::string& sid) const;
  std::vector<EmulatedCall> calls_to(const std::string& number) const;
  std::vector<EmulatedMessage> messages() const;
  std::vector<WebhookRecord> webhooks() const;
  std::vector<LogEntry> log() const;
  // Most calls started ("initiated") within any one-second window: checks the CPS pacing.
  int max_starts_per_second() const;
  std::size_t create_requests() const;  // POST Calls.json requests seen (faulted ones included)
  std::size_t media_requests() const;   // recording media served

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outdial::twilio_emulator
