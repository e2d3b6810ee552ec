#include "webhook_server.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "outdial/ingest/sqlite/webhook_ingest.hpp"
#include "outdial/net/router.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/telephony/twilio/twilio_events.hpp"
#include "outdial/telephony/twilio/twilio_signature.hpp"

namespace outdial::webhook_bench {

Result<std::vector<CallEvent>> status_callback_events(const std::string& form_body) {
  auto params = telephony::twilio::parse_form(form_body);
  if (!params.ok()) return params.error();
  auto cb = telephony::twilio::parse_status_callback(params.value());
  if (!cb.ok()) return cb.error();
  return telephony::twilio::status_events(cb.value(), 0, false, SystemClock().now());
}

WebhookServer::WebhookServer(WebhookServerConfig config, telephony::CallEventSink& sink)
    : config_(std::move(config)), sink_(sink) {}

WebhookServer::~WebhookServer() { stop(); }

std::optional<net::Response> WebhookServer::prepare(const net::Request& req, std::vector<CallEvent>& events) {
  if (req.path != kStatusPath) return net::default_error_response(404, "not_found", "no such route");
  if (req.method != "POST") return net::default_error_response(405, "method_not_allowed", "POST only");
  std::string url = base_ + req.raw_path;
  if (!req.raw_query.empty()) url += "?" + req.raw_query;
  const auto verdict = telephony::twilio::validate_request(config_.auth_token, url, req.header("Content-Type"),
                                                            req.body, req.header("X-Twilio-Signature"));
  if (verdict != telephony::twilio::SignatureVerdict::kValid) {
    ++stats_.forbidden;
    return net::default_error_response(403, "permission_denied",
                                       std::string("bad X-Twilio-Signature: ") + telephony::twilio::to_string(verdict));
  }
  auto evs = status_callback_events(req.body);
  if (!evs.ok()) {
    ++stats_.malformed;
    return net::default_error_response(400, "invalid_argument", evs.error().message);
  }
  events = std::move(evs).value();
  return std::nullopt;
}

Status WebhookServer::start() {
  ingest::WebhookIngestConfig ic;
  ic.inbox_path = config_.inbox_path;
  ic.inbox.max_batch = config_.group_commit ? 4096 : 1;
  ic.shards = config_.shards;
  auto inbox = ingest::open_webhook_ingest(ic, sink_);
  if (!inbox.ok()) return inbox.error();
  inbox_ = std::move(inbox).value();

  net::ServerOptions opts;
  opts.port = config_.port;
  opts.threads = config_.threads;
  const auto ok_response = [] { return net::Response{200, {{"Content-Type", "text/xml"}}, "<Response/>"}; };
  const auto failed = [](const Error& e) {
    return net::default_error_response(503, "unavailable", "event not stored: " + e.message);
  };
  if (config_.async) {
    http_ = std::make_unique<net::HttpServer>(opts, [this, ok_response, failed](net::Request& req, net::Responder respond) {
      std::vector<CallEvent> events;
      if (auto err = prepare(req, events)) return respond(std::move(*err));
      if (events.empty()) return respond(ok_response());
      // All of the callback's events go into the queue now (in order: same or consecutive
      // commits); the answer waits for the last one. Any failure -> 503 (Twilio redelivers).
      struct Join {
        std::atomic<std::size_t> left;
        std::atomic<bool> failed{false};
        std::string error;
        std::mutex mu;
        net::Responder respond;
      };
      auto join = std::make_shared<Join>();
      join->left = events.size();
      join->respond = std::move(respond);
      for (const auto& ev : events) {
        inbox_->ingest_async(ev, [this, join, ok_response, failed](Status st) {
          if (!st.ok()) {
            std::lock_guard lock(join->mu);
            if (!join->failed.exchange(true)) join->error = st.error().message;
          }
          if (join->left.fetch_sub(1) != 1) return;
          if (join->failed) {
            ++stats_.failed;
            return join->respond(failed(make_error(ErrorCode::kUnavailable, join->error)));
          }
          ++stats_.accepted;
          join->respond(ok_response());
        });
      }
    });
  } else {
    http_ = std::make_unique<net::HttpServer>(opts, [this, ok_response, failed](net::Request& req) {
      std::vector<CallEvent> events;
      if (auto err = prepare(req, events)) return std::move(*err);
      for (const auto& ev : events) {  // as the Twilio driver's status route does
        if (auto st = inbox_->ingest(ev); !st.ok()) {
          ++stats_.failed;
          return failed(st.error());
        }
      }
      ++stats_.accepted;
      return ok_response();
    });
  }
  if (auto st = http_->start(); !st.ok()) return st;
  base_ = config_.public_base.empty() ? "http://127.0.0.1:" + std::to_string(http_->port()) : config_.public_base;
  return ok_status();
}

std::uint16_t WebhookServer::port() const { return http_ ? http_->port() : 0; }

void WebhookServer::stop() {
  if (http_) http_->stop();
  if (inbox_) inbox_->stop();
}

}  // namespace outdial::webhook_bench
