#include "webhook_server.hpp"

#include <cstdlib>
#include <utility>

#include "outdial/ingest/sqlite/webhook_ingest.hpp"
#include "outdial/net/router.hpp"
#include "outdial/telephony/twilio/twilio_signature.hpp"

namespace outdial::webhook_bench {

namespace {

std::optional<CallEventKind> kind_for_status(const std::string& s) {
  if (s == "initiated" || s == "queued") return CallEventKind::kInitiated;
  if (s == "ringing") return CallEventKind::kRinging;
  if (s == "in-progress" || s == "answered") return CallEventKind::kAnsweredHuman;
  if (s == "completed") return CallEventKind::kCompleted;
  if (s == "busy") return CallEventKind::kBusy;
  if (s == "no-answer") return CallEventKind::kNoAnswer;
  if (s == "canceled") return CallEventKind::kCanceled;
  if (s == "failed") return CallEventKind::kFailed;
  return std::nullopt;
}

bool parse_int(const std::string& s, std::int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

Result<CallEvent> status_callback_event(const std::string& form_body) {
  auto params = telephony::twilio::parse_form(form_body);
  if (!params.ok()) return params.error();
  std::string sid;
  std::string status;
  std::string seq;
  std::string duration;
  for (const auto& [name, value] : params.value()) {
    if (name == "CallSid") sid = value;
    else if (name == "CallStatus") status = value;
    else if (name == "SequenceNumber") seq = value;
    else if (name == "CallDuration") duration = value;
  }
  const auto bad = [](const char* field, const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, std::string("status callback field ") + field + ": " + why,
                      {{"field", field}});
  };
  if (sid.empty()) return bad("CallSid", "missing");
  auto kind = kind_for_status(status);
  if (!kind) return bad("CallStatus", "unknown value '" + status + "'");
  CallEvent ev;
  ev.provider = "twilio";
  ev.provider_call_id = sid;
  ev.kind = *kind;
  if (!parse_int(seq, ev.sequence)) return bad("SequenceNumber", "not a non-negative integer");
  std::int64_t d = 0;
  if (!duration.empty() && parse_int(duration, d)) ev.duration_seconds = static_cast<int>(d);
  ev.dedupe_key = sid + ":" + seq;
  return ev;
}

WebhookServer::WebhookServer(WebhookServerConfig config, telephony::CallEventSink& sink)
    : config_(std::move(config)), sink_(sink) {}

WebhookServer::~WebhookServer() { stop(); }

std::optional<net::Response> WebhookServer::prepare(const net::Request& req, CallEvent& event) {
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
  auto ev = status_callback_event(req.body);
  if (!ev.ok()) {
    ++stats_.malformed;
    return net::default_error_response(400, "invalid_argument", ev.error().message);
  }
  event = std::move(ev).value();
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
      CallEvent ev;
      if (auto err = prepare(req, ev)) return respond(std::move(*err));
      inbox_->ingest_async(ev, [this, respond = std::move(respond), ok_response, failed](Status st) {
        if (st.ok()) {
          ++stats_.accepted;
          return respond(ok_response());
        }
        ++stats_.failed;
        respond(failed(st.error()));
      });
    });
  } else {
    http_ = std::make_unique<net::HttpServer>(opts, [this, ok_response, failed](net::Request& req) {
      CallEvent ev;
      if (auto err = prepare(req, ev)) return std::move(*err);
      auto st = inbox_->ingest(ev);
      if (!st.ok()) {
        ++stats_.failed;
        return failed(st.error());
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
