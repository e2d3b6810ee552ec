#include "outdial/telephony/telnyx/telnyx_provider.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include <nlohmann/json.hpp>

#include "outdial/telephony/telnyx/telnyx_event.hpp"

namespace outdial::telephony::telnyx {

namespace {

using nlohmann::json;

bool contains_ci(std::string hay, std::string needle) {
  auto lower = [](std::string& s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  lower(hay);
  lower(needle);
  return hay.find(needle) != std::string::npos;
}

bool is_2xx(int status) { return status >= 200 && status < 300; }

constexpr std::chrono::milliseconds kMediaTimeout{60'000};  // a long call's mp3 is a few MB

// Telnyx ids are UUIDs (or v3: prefixed ones); nothing that could change the path.
bool plausible_id(const std::string& s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '_' || c == ':';
  });
}

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

bool is_http_url(const std::string& s) { return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0; }

// A recording request that is not 2xx, by its HTTP status.
Error media_error(Error e, int http_status, const std::string& id) {
  e.details["carrier_status"] = std::to_string(http_status);
  e.details["recording_id"] = id;
  e.details.erase("may_exist");
  if (http_status == 404) {
    e.code = ErrorCode::kNotFound;
    e.message = "telnyx has no recording " + id + " in this account";
  } else {
    e.code = ErrorCode::kUnavailable;
    e.message = http_status == 401 || http_status == 403
                    ? "telnyx refused the account's credentials for recording " + id
                    : "telnyx could not serve recording " + id + " (HTTP " + std::to_string(http_status) + ")";
  }
  return e;
}

}  // namespace

Error map_api_error(int http_status, const std::string& body, const std::string& operation) {
  std::string code, title, detail, pointer;
  const auto j = json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (auto errs = j.find("errors"); errs != j.end() && errs->is_array() && !errs->empty() && (*errs)[0].is_object()) {
      const auto& e0 = (*errs)[0];
      auto s = [&](const json& o, const char* k) -> std::string {
        auto it = o.find(k);
        if (it == o.end()) return {};
        if (it->is_string()) return it->get<std::string>();
        if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
        return {};
      };
      code = s(e0, "code");
      title = s(e0, "title");
      detail = s(e0, "detail");
      if (auto src = e0.find("source"); src != e0.end() && src->is_object()) pointer = s(*src, "pointer");
    }
  }
  std::map<std::string, std::string> details{
      {"provider", "telnyx"}, {"http_status", std::to_string(http_status)}, {"operation", operation}};
  if (!code.empty()) details["telnyx_code"] = code;
  if (!code.empty()) details["provider_code"] = code;
  if (!pointer.empty()) details["pointer"] = pointer;
  std::string message = "Telnyx " + operation + " failed: HTTP " + std::to_string(http_status);
  if (!code.empty()) message += " code " + code;
  if (!title.empty()) message += " (" + title + ")";
  if (!detail.empty()) message += ": " + detail;

  ErrorCode ec = ErrorCode::kFailedPrecondition;
  const bool about_to = pointer == "/to" || pointer.rfind("/to/", 0) == 0;
  if (http_status == 429 || code == "10011") {
    ec = ErrorCode::kRateLimited;
  } else if (http_status >= 500) {
    ec = ErrorCode::kUnavailable;
  } else if (http_status == 401) {
    ec = ErrorCode::kUnauthenticated;
  } else if (http_status == 403) {
    ec = contains_ci(detail + " " + title, "concurren") || contains_ci(detail + " " + title, "channel limit")
             ? ErrorCode::kRateLimited
             : ErrorCode::kPermissionDenied;
  } else if (http_status == 404) {
    ec = ErrorCode::kNotFound;
  } else if (about_to || ((code == "10015" || code == "10016") && contains_ci(detail, "number"))) {
    ec = ErrorCode::kInvalidArgument;  // the destination number itself: never retry it
    if (about_to) details["field"] = "to";
  }
  return make_error(ec, message, std::move(details));
}

Error map_transport_error(const Error& e, const std::string& operation) {
  auto details = e.details;
  details["operation"] = operation;
  // Whatever the transport said, the request may have reached Telnyx: the dialer checks
  // find_call() (or relies on command_id) before it dials that key again.
  return make_error(ErrorCode::kUnavailable, "Telnyx " + operation + " not answered: " + e.message, std::move(details));
}

std::vector<CallEvent> reconciled_end_events(const std::string& call_control_id, int duration_seconds, TimePoint at) {
  CallEvent base;
  base.provider = kProviderName;
  base.provider_call_id = call_control_id;
  base.at = at;
  CallEvent completed = base;
  completed.kind = CallEventKind::kCompleted;
  completed.sequence = kReconcileSequence;
  completed.dedupe_key = call_control_id + ":reconcile:end:answered";
  completed.duration_seconds = duration_seconds;
  CallEvent failed = base;
  failed.kind = CallEventKind::kFailed;
  failed.sequence = kReconcileSequence + 1;
  failed.dedupe_key = call_control_id + ":reconcile:end";
  failed.detail = kReconciledEndDetail;
  return {completed, failed};
}

TelnyxProvider::TelnyxProvider(net::HttpClient& http, TelnyxConfig config, CallRegistry* registry, const Clock* clock)
    : http_(http), config_(std::move(config)), registry_(registry), clock_(clock != nullptr ? *clock : system_clock()) {}

Result<net::ClientResponse> TelnyxProvider::send(const std::string& method, const std::string& path,
                                                 const std::string& body, const std::string& operation) {
  net::ClientRequest req;
  req.method = method;
  req.url = config_.api_base + path;
  req.headers = {{"Authorization", "Bearer " + config_.api_key}, {"Accept", "application/json"}};
  if (!body.empty() || method == "POST") req.headers.emplace_back("Content-Type", "application/json");
  req.body = body;
  req.timeout = config_.timeout;
  auto r = http_.send(req);
  if (!r) return map_transport_error(r.error(), operation);
  return r;
}

Result<DialAccepted> TelnyxProvider::place_call(const DialRequest& req) {
  ClientState cs;
  cs.idempotency_key = req.idempotency_key;
  cs.attempt_id = req.attempt_id;
  cs.tenant_id = req.tenant_id;
  cs.campaign_id = req.campaign_id;
  cs.machine_detection = req.machine_detection;
  json body{{"connection_id", config_.connection_id},
            {"to", req.to},
            {"from", req.from},
            {"client_state", encode_client_state(cs, config_.client_state_key.get())},
            {"command_id", req.idempotency_key},
            // RING-MIN: at least 15 s of ringing; Telnyx accepts 5-600.
            {"timeout_secs", std::clamp(req.ring_timeout_seconds, 15, 600)},
            {"answering_machine_detection", req.machine_detection ? config_.answering_machine_detection : "disabled"}};
  if (!config_.webhook_url.empty()) {
    body["webhook_url"] = config_.webhook_url;
    body["webhook_url_method"] = "POST";
  }
  if (req.record) body["record"] = "record-from-answer";
  auto r = send("POST", "/calls", body.dump(), "dial");
  if (!r) return r.error();
  if (!is_2xx(r->status)) return map_api_error(r->status, r->body, "dial");
  const auto j = json::parse(r->body, nullptr, false);
  std::string id;
  if (!j.is_discarded() && j.is_object()) {
    if (auto d = j.find("data"); d != j.end() && d->is_object()) {
      if (auto c = d->find("call_control_id"); c != d->end() && c->is_string()) id = c->get<std::string>();
    }
  }
  if (id.empty())
    // Accepted but unreadable: the call may exist; the dialer resolves it via find_call.
    return make_error(ErrorCode::kUnavailable, "Telnyx dial: response has no data.call_control_id",
                      {{"operation", "dial"}, {"http_status", std::to_string(r->status)}});
  if (registry_) {
    const std::string business = config_.business_name ? config_.business_name(req.tenant_id) : std::string();
    registry_->put(id, RegisteredCall{script_for(req, business), cs, req.to});
  }
  return DialAccepted{id};
}

Status TelnyxProvider::issue(const std::string& call_control_id, const FlowCommand& c, const ClientState& state) {
  ClientState cs = state;
  cs.step = c.step;
  json body{{"command_id", c.command_id}, {"client_state", encode_client_state(cs, config_.client_state_key.get())}};
  if (c.action == "speak" || c.action == "gather_using_speak") {
    body["payload"] = c.payload;
    body["voice"] = config_.voice;
    body["language"] = config_.language;
  }
  if (c.action == "gather_using_speak") {
    // One key ends the greeting; every key is reported so a wrong one can repeat the menu.
    body["minimum_digits"] = 1;
    body["maximum_digits"] = 1;
    body["valid_digits"] = "0123456789*#";
    body["timeout_millis"] = c.timeout_millis > 0 ? c.timeout_millis : 6000;
    body["maximum_tries"] = 1;
  } else if (c.action == "transfer") {
    body["to"] = c.to;
    if (!c.from.empty()) body["from"] = c.from;
    body["timeout_secs"] = std::clamp(c.timeout_millis > 0 ? c.timeout_millis / 1000 : 30, 5, 600);
    // The agent leg's webhooks name the call they belong to (an unanswered agent leg ends the
    // flow with "nobody is available").
    ClientState agent = state;
    agent.step = "agent";
    agent.parent_call_control_id = call_control_id;
    body["target_leg_client_state"] = encode_client_state(agent, config_.client_state_key.get());
  } else if (c.action == "bridge") {
    body["call_control_id"] = c.to;
  } else if (c.action == "playback_start") {
    body["audio_url"] = c.payload;
  }
  const std::string op = "command " + c.action;
  auto r = send("POST", "/calls/" + net::url_encode_component(call_control_id) + "/actions/" + c.action, body.dump(), op);
  if (!r) return r.error();
  if (is_2xx(r->status)) return ok_status();
  Error e = map_api_error(r->status, r->body, op);
  // The call is gone (callee hung up first): nothing left to command.
  if (e.code == ErrorCode::kNotFound || e.details["telnyx_code"] == "90018") return ok_status();
  return e;
}

Status TelnyxProvider::hangup(const std::string& provider_call_id) {
  FlowCommand c;
  c.action = "hangup";
  c.step = "hangup";
  c.command_id = provider_call_id + ":hangup";
  ClientState cs;
  if (registry_) {
    if (auto reg = registry_->get(provider_call_id)) cs = reg->state;
  }
  return issue(provider_call_id, c, cs);
}

Result<std::string> TelnyxProvider::send_sms(const SmsRequest& req) {
  json body{{"from", req.from}, {"to", req.to}, {"text", req.body}};
  if (!config_.webhook_url.empty()) body["webhook_url"] = config_.webhook_url;
  auto r = send("POST", "/messages", body.dump(), "send message");
  if (!r) return r.error();
  if (!is_2xx(r->status)) return map_api_error(r->status, r->body, "send message");
  const auto j = json::parse(r->body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (auto d = j.find("data"); d != j.end() && d->is_object()) {
      if (auto id = d->find("id"); id != d->end() && id->is_string()) return id->get<std::string>();
    }
  }
  return make_error(ErrorCode::kUnavailable, "Telnyx send message: response has no data.id",
                    {{"operation", "send message"}});
}

Result<std::optional<std::string>> TelnyxProvider::find_call(const CallLookup& lookup) {
  const std::string op = "list active calls";
  std::string path = "/connections/" + net::url_encode_component(config_.connection_id) + "/active_calls?page%5Bsize%5D=250";
  // Pages by the cursor Telnyx returns in meta.cursors.after.
  for (int page = 0; page < 100; ++page) {
    auto r = send("GET", path, "", op);
    if (!r) return r.error();
    if (!is_2xx(r->status)) return map_api_error(r->status, r->body, op);
    const auto j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("data") || !j["data"].is_array())
      return make_error(ErrorCode::kUnavailable, "Telnyx list active calls: response has no data array",
                        {{"operation", op}});
    for (const auto& c : j["data"]) {
      if (!c.is_object()) continue;
      const auto cs = c.find("client_state");
      const auto id = c.find("call_control_id");
      if (cs == c.end() || !cs->is_string() || id == c.end() || !id->is_string()) continue;
      const auto decoded = decode_client_state(cs->get<std::string>());
      if (decoded && decoded->idempotency_key == lookup.idempotency_key)
        return std::optional<std::string>(id->get<std::string>());
    }
    std::string after;
    if (auto m = j.find("meta"); m != j.end() && m->is_object()) {
      if (auto cur = m->find("cursors"); cur != m->end() && cur->is_object()) {
        if (auto a = cur->find("after"); a != cur->end() && a->is_string()) after = a->get<std::string>();
      }
    }
    if (after.empty()) break;
    path = "/connections/" + net::url_encode_component(config_.connection_id) +
           "/active_calls?page%5Bsize%5D=250&page%5Bafter%5D=" + net::url_encode_component(after);
  }
  return std::optional<std::string>();
}

Status TelnyxProvider::reconcile(const std::string& provider_call_id) {
  const std::string op = "retrieve call";
  if (provider_call_id.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "Telnyx reconcile: empty call_control_id",
                      {{"provider", kProviderName}, {"field", "provider_call_id"}});
  }
  auto r = send("GET", "/calls/" + net::url_encode_component(provider_call_id), "", op);
  if (!r) return r.error();
  int duration = 0;
  TimePoint at = clock_.now();
  bool recently_ended = false;
  if (is_2xx(r->status)) {
    auto unreadable = [&](const std::string& what) {
      return make_error(ErrorCode::kUnavailable, "Telnyx " + op + ": unreadable answer (" + what + ")",
                        {{"provider", kProviderName}, {"operation", op}, {"http_status", std::to_string(r->status)},
                         {"call_control_id", provider_call_id}});
    };
    const auto j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return unreadable("not a JSON object");
    const auto d = j.find("data");
    if (d == j.end() || !d->is_object()) return unreadable("no object 'data'");
    const auto alive = d->find("is_alive");
    if (alive == d->end() || !alive->is_boolean()) return unreadable("no boolean 'data.is_alive'");
    if (alive->get<bool>()) return ok_status();  // live: its webhooks will come
    if (auto c = d->find("call_duration"); c != d->end() && c->is_number_integer()) {
      duration = static_cast<int>(std::clamp<std::int64_t>(c->get<std::int64_t>(), 0, 1'000'000));
    }
    std::int64_t end_us = 0;
    if (auto e = d->find("end_time"); e != d->end() && e->is_string() && parse_telnyx_time(e->get<std::string>(), end_us)) {
      at = from_epoch_ms(end_us / 1000);
      recently_ended = clock_.now() - at < kWebhookRetryWindow;
    }
  } else {
    Error e = map_api_error(r->status, r->body, op);
    // 404 ends nothing: this driver may not be the account that placed the call (after a
    // restart the call's account is found again from its From number, which may since have been
    // retired or moved), and another account's "call not found" must not end a live call (the
    // dialer would free the line and retry a person who may still be on it). Only "call has
    // already ended" (422, code 90018) is about this very call.
    const bool gone = e.details["telnyx_code"] == "90018";
    if (!gone) {
      e.details["call_control_id"] = provider_call_id;
      return e;
    }
  }
  EventIngress* ingress = ingress_.load();
  if (ingress == nullptr) {
    return make_error(ErrorCode::kFailedPrecondition, "Telnyx reconcile: the call has ended but no event ingress is set",
                      {{"provider", kProviderName}, {"call_control_id", provider_call_id}});
  }
  for (const auto& ev : reconciled_end_events(provider_call_id, duration, at)) {
    // Within Telnyx's retry window the call's real call.answered may still be on its way: only
    // the ending of an answered call goes in now (it applies only if the answer is stored), so a
    // call that was answered is never recorded as failed and dialed again.
    if (recently_ended && ev.kind == CallEventKind::kFailed) continue;
    if (auto st = ingress->ingest(ev); !st) return st;
  }
  return ok_status();
}

Result<RecordingMedia> TelnyxProvider::fetch_recording(const RecordingRef& recording) {
  const std::string& id = recording.recording_id;
  if (!plausible_id(id)) {
    return make_error(ErrorCode::kInvalidArgument, "telnyx recording id is not a Telnyx id",
                      {{"field", "recording_id"}, {"provider", kProviderName}});
  }
  const std::string op = "retrieve recording";
  auto r = send("GET", "/recordings/" + net::url_encode_component(id), "", op);
  if (!r) {
    Error e = r.error();
    e.code = ErrorCode::kUnavailable;
    e.details.erase("may_exist");
    return e;
  }
  if (!is_2xx(r->status)) return media_error(map_api_error(r->status, r->body, op), r->status, id);
  std::string url, ext;
  const auto j = json::parse(r->body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (auto d = j.find("data"); d != j.end() && d->is_object()) {
      if (auto u = d->find("download_urls"); u != d->end() && u->is_object()) {
        for (const char* format : {"mp3", "wav"}) {
          auto f = u->find(format);
          if (url.empty() && f != u->end() && f->is_string() && is_http_url(f->get<std::string>())) {
            url = f->get<std::string>();
            ext = format;
          }
        }
      }
    }
  }
  if (url.empty()) {
    return make_error(ErrorCode::kUnavailable, "telnyx recording " + id + " has no download URL yet",
                      {{"provider", kProviderName}, {"recording_id", id}});
  }
  // The pre-signed URL authorizes itself: the API key is not sent there.
  net::ClientRequest media;
  media.method = "GET";
  media.url = url;
  media.timeout = std::max<std::chrono::milliseconds>(config_.timeout, kMediaTimeout);
  auto m = http_.send(media);
  if (!m) {
    Error e = m.error();
    e.code = ErrorCode::kUnavailable;
    e.message = "telnyx recording " + id + " download: " + e.message;
    e.details["provider"] = kProviderName;
    return e;
  }
  if (!is_2xx(m->status)) {
    return media_error(make_error(ErrorCode::kUnavailable, "", {{"provider", kProviderName}}), m->status, id);
  }
  RecordingMedia out;
  out.content_type = m->header("content-type");
  if (out.content_type.empty()) out.content_type = ext == "mp3" ? "audio/mpeg" : "audio/wav";
  out.bytes = std::move(m->body);
  return out;
}

}  // namespace outdial::telephony::telnyx
