#pragma once
// The server side of the webhook benchmark and the kill -9 test: the project's Beast server with
// one route, POST /webhooks/twilio/status (Twilio status callbacks, form-encoded, signed with
// X-Twilio-Signature), that verifies the signature with telephony/twilio's validator, maps the
// callback to a CallEvent and hands it to the DurableInbox; 200 only once the event is durable.
// It stands in for the Twilio driver's own route (same steps, same validator) so the benchmark
// does not depend on that route's IVR logic.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "outdial/core/result.hpp"
#include "outdial/ingest/durable_inbox.hpp"
#include "outdial/net/http_types.hpp"
#include "outdial/net/server.hpp"
#include "outdial/telephony/provider.hpp"

namespace outdial::webhook_bench {

inline constexpr const char* kStatusPath = "/webhooks/twilio/status";

struct WebhookServerConfig {
  std::string inbox_path;
  std::string auth_token;
  // group commit (max_batch 4096) or every event committed on its own (max_batch 1).
  bool group_commit = true;
  int shards = 4;  // inbox files committed in parallel
  // true: the asynchronous handler mode (io threads never block; the inbox's writer completes
  // the response). false: a blocking handler on `threads` io threads.
  bool async = true;
  int threads = 2;
  std::uint16_t port = 0;
  // Scheme and authority Twilio used to reach us; the signature covers it.
  std::string public_base;  // empty: "http://127.0.0.1:<port>"
};

struct WebhookServerStats {
  std::atomic<std::int64_t> accepted{0};
  std::atomic<std::int64_t> forbidden{0};
  std::atomic<std::int64_t> malformed{0};
  std::atomic<std::int64_t> failed{0};
};

// A status callback's events, mapped by the Twilio driver's own pure functions
// (telephony/twilio/twilio_events.hpp: parse_status_callback + status_events; attempt 0, AMD
// off): initiated/ringing -> one event ("<CallSid>:<seq>"), in-progress -> the answered event
// ("<CallSid>:answered"), completed -> answered + completed. kInvalidArgument naming the field.
Result<std::vector<CallEvent>> status_callback_events(const std::string& form_body);

class WebhookServer {
 public:
  WebhookServer(WebhookServerConfig config, telephony::CallEventSink& sink);
  ~WebhookServer();
  Status start();
  std::uint16_t port() const;
  // Stops the HTTP server (in-flight requests are answered), then the inbox.
  void stop();
  ingest::DurableInbox& inbox() { return *inbox_; }
  const WebhookServerStats& stats() const { return stats_; }

 private:
  // Verify + parse; on success fills `events`, else returns the error response.
  std::optional<net::Response> prepare(const net::Request& req, std::vector<CallEvent>& events);

  WebhookServerConfig config_;
  telephony::CallEventSink& sink_;
  std::unique_ptr<ingest::DurableInbox> inbox_;
  std::unique_ptr<net::HttpServer> http_;
  std::string base_;
  WebhookServerStats stats_;
};

}  // namespace outdial::webhook_bench
