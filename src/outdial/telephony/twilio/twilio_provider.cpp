#include "outdial/telephony/twilio/twilio_provider.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "outdial/telephony/twilio/twilio_errors.hpp"
#include "outdial/telephony/twilio/twilio_events.hpp"
#include "outdial/telephony/twilio/twilio_paths.hpp"

namespace outdial::telephony::twilio {
namespace {

constexpr int kMinRingSeconds = 15;   // RING-MIN (47 CFR 64.1200(a)(6))
constexpr int kMaxRingSeconds = 600;  // Twilio's Timeout maximum
constexpr int kMaxFindPages = 20;
constexpr std::chrono::milliseconds kMediaTimeout{60'000};  // a long call's mp3 is a few MB

bool is_recording_sid(const std::string& s) {
  return s.size() == 34 && s[0] == 'R' && s[1] == 'E' &&
         std::all_of(s.begin() + 2, s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

bool is_http_url(const std::string& s) { return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0; }

// A media response that is not 2xx, by its HTTP status: 404 -> kNotFound; anything else is the
// carrier failing us (credentials refused, 5xx) -> kUnavailable. Twilio's error code goes into
// details; the body is not echoed.
Error media_error(int http_status, const std::string& body, const std::string& sid) {
  Error e = map_twilio_error(http_status, body, "fetch recording " + sid);
  e.details.erase("may_exist");
  e.details["carrier_status"] = std::to_string(http_status);
  e.details["recording_id"] = sid;
  if (http_status == 404) {
    e.code = ErrorCode::kNotFound;
    e.message = "twilio has no recording " + sid + " in this account";
    return e;
  }
  e.code = ErrorCode::kUnavailable;
  e.message = http_status == 401 || http_status == 403
                  ? "twilio refused the account's credentials fetching recording " + sid
                  : "twilio could not serve recording " + sid + " (HTTP " + std::to_string(http_status) + ")";
  return e;
}

std::string json_string(const nlohmann::json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return {};
}

// A transport failure after the request may have been sent: the call MAY exist.
Error transport_error(Error e) {
  if (e.code == ErrorCode::kUnavailable) e.details["may_exist"] = "true";
  e.details["provider"] = "twilio";
  return e;
}

}  // namespace

bool looks_e164(const std::string& s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+') return false;
  return std::all_of(s.begin() + 1, s.end(), [](unsigned char c) { return std::isdigit(c); });
}

TwilioProvider::TwilioProvider(TwilioConfig config, net::HttpClient& http, const Clock& clock)
    : config_(std::move(config)), http_(http), clock_(clock) {}

std::string TwilioProvider::account_url(const std::string& suffix) const {
  return paths::join(config_.api_base, "/2010-04-01/Accounts/" + net::url_encode_component(config_.account_sid) + suffix);
}

Result<net::ClientResponse> TwilioProvider::call_api(const std::string& method, const std::string& url,
                                                     const std::string& body, const std::string& operation) {
  net::ClientRequest req;
  req.method = method;
  req.url = url;
  req.body = body;
  req.timeout = config_.request_timeout;
  req.basic_user = config_.account_sid;
  req.basic_password = config_.auth_token;
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("User-Agent", "outdial");
  if (method == "POST") req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  auto resp = http_.send(req);
  if (!resp) {
    Error e = transport_error(resp.error());
    e.message = "twilio " + operation + ": " + e.message;
    return e;
  }
  return resp;
}

Result<DialAccepted> TwilioProvider::place_call(const DialRequest& req) {
  if (req.attempt_id <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "twilio place_call needs an attempt id (it names the webhooks)",
                      {{"field", "attempt_id"}});
  }
  if (!looks_e164(req.to)) {
    return make_error(ErrorCode::kInvalidArgument, "twilio place_call: To is not E.164: " + req.to, {{"field", "to"}});
  }
  if (!looks_e164(req.from)) {
    return make_error(ErrorCode::kInvalidArgument, "twilio place_call: From is not E.164: " + req.from,
                      {{"field", "from"}});
  }
  if (config_.public_base_url.empty()) {
    return make_error(ErrorCode::kFailedPrecondition, "twilio: no public base URL configured (OUTDIAL_PUBLIC_URL)",
                      {{"field", "public_base_url"}});
  }
  const std::string& base = config_.public_base_url;
  const int ring = std::clamp(req.ring_timeout_seconds, kMinRingSeconds, kMaxRingSeconds);
  std::vector<std::pair<std::string, std::string>> f = {
      {"To", req.to},
      {"From", req.from},
      {"Url", paths::join(base, paths::voice(req.attempt_id))},
      {"Method", "POST"},
      {"StatusCallback", paths::join(base, paths::status(req.attempt_id, req.machine_detection))},
      {"StatusCallbackMethod", "POST"},
      {"StatusCallbackEvent", "initiated"},
      {"StatusCallbackEvent", "ringing"},
      {"StatusCallbackEvent", "answered"},
      {"StatusCallbackEvent", "completed"},
      {"Timeout", std::to_string(ring)},
  };
  if (req.machine_detection) {
    f.emplace_back("MachineDetection", "DetectMessageEnd");
    f.emplace_back("MachineDetectionTimeout", std::to_string(config_.machine_detection_timeout_seconds));
    f.emplace_back("AsyncAmd", "true");
    f.emplace_back("AsyncAmdStatusCallback", paths::join(base, paths::amd(req.attempt_id)));
    f.emplace_back("AsyncAmdStatusCallbackMethod", "POST");
  }
  if (req.record) {
    f.emplace_back("Record", "true");
    f.emplace_back("RecordingStatusCallback", paths::join(base, paths::recording(req.attempt_id)));
    f.emplace_back("RecordingStatusCallbackMethod", "POST");
    f.emplace_back("RecordingStatusCallbackEvent", "completed");
  }
  auto resp = call_api("POST", account_url("/Calls.json"), net::form_encode(f), "create call");
  if (!resp) return resp.error();
  if (resp->status < 200 || resp->status >= 300) return map_twilio_error(resp->status, resp->body, "create call");
  std::string sid;
  try {
    sid = json_string(nlohmann::json::parse(resp->body), "sid");
  } catch (const std::exception&) {
  }
  if (sid.empty()) {
    // Twilio accepted something but we cannot tell which call: treat as "may exist" so the
    // dialer resolves it with find_call() instead of dialing again.
    return make_error(ErrorCode::kUnavailable, "twilio create call: HTTP " + std::to_string(resp->status) +
                                                   " without a call sid",
                      {{"provider", "twilio"}, {"may_exist", "true"}, {"http_status", std::to_string(resp->status)}});
  }
  return DialAccepted{sid};
}

Status TwilioProvider::hangup(const std::string& provider_call_id) {
  if (provider_call_id.empty()) return make_error(ErrorCode::kInvalidArgument, "twilio hangup: empty call sid");
  auto resp = call_api("POST", account_url("/Calls/" + net::url_encode_component(provider_call_id) + ".json"),
                       net::form_encode({{"Status", "completed"}}), "hangup");
  if (!resp) return resp.error();
  if (resp->status >= 200 && resp->status < 300) return ok_status();
  Error e = map_twilio_error(resp->status, resp->body, "hangup " + provider_call_id);
  if (e.details.count("provider_code") != 0 && e.details.at("provider_code") == "21220") return ok_status();  // already ended
  return e;
}

Status TwilioProvider::redirect(const std::string& provider_call_id, const std::string& twiml_url) {
  if (provider_call_id.empty()) return make_error(ErrorCode::kInvalidArgument, "twilio redirect: empty call sid");
  auto resp = call_api("POST", account_url("/Calls/" + net::url_encode_component(provider_call_id) + ".json"),
                       net::form_encode({{"Url", twiml_url}, {"Method", "POST"}}), "redirect");
  if (!resp) return resp.error();
  if (resp->status >= 200 && resp->status < 300) return ok_status();
  return map_twilio_error(resp->status, resp->body, "redirect " + provider_call_id);
}

Result<std::string> TwilioProvider::send_sms(const SmsRequest& req) {
  if (!looks_e164(req.to)) {
    return make_error(ErrorCode::kInvalidArgument, "twilio send_sms: To is not E.164: " + req.to, {{"field", "to"}});
  }
  if (!looks_e164(req.from)) {
    return make_error(ErrorCode::kInvalidArgument, "twilio send_sms: From is not E.164: " + req.from, {{"field", "from"}});
  }
  if (req.body.empty() || req.body.size() > 1600) {
    return make_error(ErrorCode::kInvalidArgument, "twilio send_sms: Body must be 1..1600 characters",
                      {{"field", "body"}, {"length", std::to_string(req.body.size())}});
  }
  auto resp = call_api("POST", account_url("/Messages.json"),
                       net::form_encode({{"To", req.to}, {"From", req.from}, {"Body", req.body}}), "send SMS");
  if (!resp) return resp.error();
  if (resp->status < 200 || resp->status >= 300) return map_twilio_error(resp->status, resp->body, "send SMS");
  std::string sid;
  try {
    sid = json_string(nlohmann::json::parse(resp->body), "sid");
  } catch (const std::exception&) {
  }
  if (sid.empty()) {
    return make_error(ErrorCode::kUnavailable, "twilio send SMS: response without a message sid",
                      {{"provider", "twilio"}, {"may_exist", "true"}});
  }
  return sid;
}

Result<std::optional<std::string>> TwilioProvider::find_call(const CallLookup& lookup) {
  if (lookup.to.empty() || lookup.from.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "twilio find_call needs To and From (Twilio has no idempotency key)",
                      {{"idempotency_key", lookup.idempotency_key}});
  }
  const TimePoint threshold = lookup.placed_after - std::chrono::duration_cast<Millis>(config_.find_call_skew);
  std::string url = account_url("/Calls.json?" + net::form_encode({{"To", lookup.to}, {"From", lookup.from},
                                                                     {"PageSize", "50"}}));
  std::optional<std::string> oldest_match;
  for (int page = 0; page < kMaxFindPages && !url.empty(); ++page) {
    auto resp = call_api("GET", url, "", "list calls");
    if (!resp) return resp.error();
    if (resp->status < 200 || resp->status >= 300) return map_twilio_error(resp->status, resp->body, "list calls");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(resp->body);
    } catch (const std::exception&) {
      return make_error(ErrorCode::kUnavailable, "twilio list calls: unreadable JSON", {{"provider", "twilio"}});
    }
    if (!j.is_object() || !j.contains("calls") || !j["calls"].is_array()) {
      return make_error(ErrorCode::kUnavailable, "twilio list calls: no 'calls' array", {{"provider", "twilio"}});
    }
    bool older_seen = false;
    for (const auto& c : j["calls"]) {
      TimePoint created{};
      const std::string created_s = json_string(c, "date_created");
      // A call without a readable creation date cannot be excluded: count it (never dial twice).
      const bool recent = created_s.empty() || !parse_rfc2822(created_s, created) || created >= threshold;
      if (!recent) {
        older_seen = true;
        continue;
      }
      if (json_string(c, "to") != lookup.to || json_string(c, "from") != lookup.from) continue;
      const std::string sid = json_string(c, "sid");
      if (!sid.empty()) oldest_match = sid;  // newest first: the last one seen is the oldest
    }
    const std::string next = json_string(j, "next_page_uri");
    url = (older_seen || next.empty()) ? std::string() : paths::join(config_.api_base, next);
  }
  return oldest_match;
}

Result<RecordingMedia> TwilioProvider::fetch_recording(const RecordingRef& recording) {
  const std::string& sid = recording.recording_id;
  if (!is_recording_sid(sid)) {
    return make_error(ErrorCode::kInvalidArgument, "twilio recording id is not a RecordingSid (RE + 32 hex digits)",
                      {{"field", "recording_id"}, {"provider", "twilio"}});
  }
  net::ClientRequest req;
  req.method = "GET";
  req.url = account_url("/Recordings/" + sid + ".mp3");
  req.timeout = std::max<std::chrono::milliseconds>(config_.request_timeout, kMediaTimeout);
  req.basic_user = config_.account_sid;
  req.basic_password = config_.auth_token;
  req.headers.emplace_back("Accept", "audio/mpeg");
  req.headers.emplace_back("User-Agent", "outdial");
  auto resp = http_.send(req);
  if (resp && resp->status >= 300 && resp->status < 400) {
    // Media hosted elsewhere (a pre-signed URL): fetched without the account's credentials.
    std::string location = resp->header("location");
    if (!location.empty() && location[0] == '/') location = paths::join(config_.api_base, location);
    if (!is_http_url(location)) {
      return make_error(ErrorCode::kUnavailable, "twilio redirected recording " + sid + " to no usable URL",
                        {{"provider", "twilio"}, {"carrier_status", std::to_string(resp->status)}});
    }
    net::ClientRequest media;
    media.method = "GET";
    media.url = location;
    media.timeout = req.timeout;
    media.headers.emplace_back("User-Agent", "outdial");
    resp = http_.send(media);
  }
  if (!resp) {
    Error e = resp.error();
    e.details["provider"] = "twilio";
    e.message = "twilio fetch recording " + sid + ": " + e.message;
    if (e.code != ErrorCode::kInvalidArgument) e.code = ErrorCode::kUnavailable;
    return e;
  }
  if (resp->status < 200 || resp->status >= 300) return media_error(resp->status, resp->body, sid);
  RecordingMedia out;
  out.content_type = resp->header("content-type");
  if (out.content_type.empty()) out.content_type = "audio/mpeg";
  out.bytes = std::move(resp->body);
  return out;
}

Status TwilioProvider::reconcile(const std::string& provider_call_id) {
  if (provider_call_id.empty()) return make_error(ErrorCode::kInvalidArgument, "twilio reconcile: empty call sid");
  auto resp = call_api("GET", account_url("/Calls/" + net::url_encode_component(provider_call_id) + ".json"), "",
                       "fetch call");
  if (!resp) return resp.error();
  if (resp->status < 200 || resp->status >= 300) {
    return map_twilio_error(resp->status, resp->body, "fetch call " + provider_call_id);
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(resp->body);
  } catch (const std::exception&) {
    return make_error(ErrorCode::kUnavailable, "twilio fetch call: unreadable JSON", {{"provider", "twilio"}});
  }
  int duration = 0;
  try {
    const std::string d = json_string(j, "duration");
    if (!d.empty()) duration = std::stoi(d);
  } catch (const std::exception&) {
  }
  TimePoint at{};
  const std::string end = json_string(j, "end_time");
  const std::string updated = json_string(j, "date_updated");
  if (!parse_rfc2822(end, at) && !parse_rfc2822(updated, at)) at = clock_.now();
  EventIngress* ingress = ingress_.load();
  if (ingress == nullptr) return ok_status();
  for (const auto& ev : resource_events(provider_call_id, json_string(j, "status"), json_string(j, "answered_by"),
                                        duration, at)) {
    if (auto st = ingress->ingest(ev); !st) return st;
  }
  return ok_status();
}

}  // namespace outdial::telephony::twilio
