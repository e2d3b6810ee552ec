// The REST side (provider-contracts.md §1, §2.5): Basic auth, Calls.json create / list / fetch /
// update, Messages.json create / fetch, with Twilio's error bodies and the injected REST faults.
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include <nlohmann/json.hpp>

#include "emulator_common/fake_recording.hpp"
#include "emulator_impl.hpp"
#include "outdial/telephony/twilio/twilio_signature.hpp"

namespace outdial::twilio_emulator {
namespace {

using nlohmann::json;
using telephony::twilio::FormParams;

net::Response twilio_error(int http_status, int code, const std::string& message) {
  return net::Response::json(http_status, twilio_error_json(code, message, http_status));
}

std::string form_get(const FormParams& f, const std::string& name) {
  std::string v;
  for (const auto& [k, val] : f) {
    if (k == name) v = val;  // the last one wins, like Twilio's form binding
  }
  return v;
}
bool form_has(const FormParams& f, const std::string& name) {
  return std::any_of(f.begin(), f.end(), [&](const auto& kv) { return kv.first == name; });
}
std::vector<std::string> form_all(const FormParams& f, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : f) {
    if (k != name) continue;
    // Repeated keys (the API's form) and space-separated lists (older SDKs) both work.
    std::size_t i = 0;
    while (i < v.size()) {
      const auto j = v.find(' ', i);
      const auto part = v.substr(i, j == std::string::npos ? std::string::npos : j - i);
      if (!part.empty()) out.push_back(part);
      if (j == std::string::npos) break;
      i = j + 1;
    }
  }
  return out;
}

std::optional<std::string> base64_decode(const std::string& in) {
  if (in.empty() || in.size() % 4 != 0) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  if (in.back() == '=') --len;  // EVP_DecodeBlock counts padding as zero bytes
  if (in.size() >= 2 && in[in.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

bool equal_ct(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || b.empty()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

json nullable(const std::optional<TimePoint>& t) { return t ? json(rfc2822(*t)) : json(nullptr); }

// Strips the ".json" of "/Calls/CA….json".
std::string resource_id(const std::string& segment) {
  const std::string ext = ".json";
  if (segment.size() > ext.size() && segment.compare(segment.size() - ext.size(), ext.size(), ext) == 0) {
    return segment.substr(0, segment.size() - ext.size());
  }
  return segment;
}

// StartTime filters: a date "YYYY-MM-DD" (the whole UTC day) or an ISO-8601 instant.
bool parse_day_or_instant(const std::string& s, TimePoint& from, TimePoint& to_exclusive) {
  if (s.size() == 10) {
    TimePoint t;
    if (!parse_iso8601(s + "T00:00:00Z", t, true)) return false;
    from = t;
    to_exclusive = t + std::chrono::hours(24);
    return true;
  }
  TimePoint t;
  if (!parse_iso8601(s, t, true)) return false;
  from = t;
  to_exclusive = t + Millis(1);
  return true;
}

}  // namespace

std::string recording_media(const std::string& recording_sid) {
  return tools::emulator::fake_recording_mp3(recording_sid);
}

bool TwilioEmulator::Impl::authorized(const net::Request& r, net::Response& denied) const {
  const std::string h = r.header("Authorization");
  bool ok = false;
  if (h.rfind("Basic ", 0) == 0) {
    if (auto decoded = base64_decode(h.substr(6))) {
      const auto colon = decoded->find(':');
      if (colon != std::string::npos) {
        ok = equal_ct(decoded->substr(0, colon), opts.account_sid) &&
             equal_ct(decoded->substr(colon + 1), opts.auth_token);
      }
    }
  }
  if (!ok) {
    denied = twilio_error(401, 20003, "Authenticate");
    denied.headers["WWW-Authenticate"] = "Basic realm=\"Twilio API\"";
    return false;
  }
  if (r.path_param("account") != opts.account_sid) {
    denied = twilio_error(404, 20404, "The requested resource " + r.path + " was not found");
    return false;
  }
  return true;
}

std::optional<RestFault> TwilioEmulator::Impl::take_fault(const std::string& resource, const std::string& to) {
  for (auto it = script.rest_faults.begin(); it != script.rest_faults.end(); ++it) {
    if (it->resource != "any" && it->resource != resource) continue;
    if (!it->to.empty() && it->to != to) continue;
    RestFault f = *it;
    if (--it->times <= 0) script.rest_faults.erase(it);
    return f;
  }
  return std::nullopt;
}

std::string TwilioEmulator::Impl::call_json(const EmulatedCall& c) const {
  const std::string uri = "/2010-04-01/Accounts/" + opts.account_sid + "/Calls/" + c.sid;
  std::optional<TimePoint> updated = c.ended_at ? c.ended_at : c.answered_at ? c.answered_at : c.started_at;
  json j = {{"sid", c.sid},
            {"account_sid", opts.account_sid},
            {"date_created", rfc2822(c.created_at)},
            {"date_updated", rfc2822(updated.value_or(c.created_at))},
            {"parent_call_sid", nullptr},
            {"to", c.to},
            {"to_formatted", c.to},
            {"from", c.from},
            {"from_formatted", c.from},
            {"phone_number_sid", nullptr},
            {"status", c.status},
            {"start_time", nullable(c.answered_at ? c.answered_at : c.started_at)},
            {"end_time", nullable(c.ended_at)},
            {"duration", nullptr},
            {"price", nullptr},
            {"price_unit", "USD"},
            {"direction", c.direction},
            {"answered_by", c.answered_by.empty() ? json(nullptr) : json(c.answered_by)},
            {"api_version", "2010-04-01"},
            {"forwarded_from", nullptr},
            {"group_sid", nullptr},
            {"caller_name", nullptr},
            {"queue_time", std::to_string(c.started_at ? (*c.started_at - c.created_at).count() : 0)},
            {"trunk_sid", nullptr},
            {"uri", uri + ".json"},
            {"subresource_uris",
             {{"notifications", uri + "/Notifications.json"},
              {"recordings", uri + "/Recordings.json"},
              {"events", uri + "/Events.json"}}}};
  if (c.ended_at) {
    const auto talk = c.answered_at ? (*c.ended_at - *c.answered_at).count() : 0;
    j["duration"] = std::to_string((talk + 999) / 1000);
  }
  return j.dump();
}

std::string TwilioEmulator::Impl::message_json(const EmulatedMessage& m) const {
  const std::size_t segments = m.body.empty() ? 1 : (m.body.size() + 152) / 153;
  json j = {{"sid", m.sid},
            {"account_sid", opts.account_sid},
            {"to", m.to},
            {"from", m.from},
            {"body", m.body},
            {"status", m.status},
            {"direction", m.direction},
            {"num_segments", std::to_string(m.body.size() <= 160 ? 1 : segments)},
            {"num_media", "0"},
            {"error_code", nullptr},
            {"error_message", nullptr},
            {"price", nullptr},
            {"price_unit", "USD"},
            {"date_created", rfc2822(m.created_at)},
            {"date_updated", rfc2822(m.created_at)},
            {"date_sent", nullptr},
            {"messaging_service_sid", nullptr},
            {"api_version", "2010-04-01"},
            {"uri", "/2010-04-01/Accounts/" + opts.account_sid + "/Messages/" + m.sid + ".json"}};
  return j.dump();
}

net::Response TwilioEmulator::Impl::create_call(const net::Request& r) {
  net::Response denied;
  if (!authorized(r, denied)) return denied;
  {
    std::lock_guard lock(mu);
    ++create_requests;
  }
  auto form = telephony::twilio::parse_form(r.body);
  if (!form.ok()) return twilio_error(400, 20001, "Malformed form body: " + form.error().message);
  const FormParams& f = form.value();
  const std::string to = form_get(f, "To");
  const std::string from = form_get(f, "From");
  if (to.empty()) return twilio_error(400, 21201, "No 'To' number is specified");
  if (from.empty()) return twilio_error(400, 21213, "No 'From' number is specified");
  const bool to_ok = is_e164(to) || to.rfind("sip:", 0) == 0 || to.rfind("client:", 0) == 0;
  if (!to_ok) return twilio_error(400, 21211, "The 'To' number " + to + " is not a valid phone number.");
  if (!is_e164(from)) return twilio_error(400, 21212, "The 'From' number " + from + " is not a valid phone number.");
  if (to == from) return twilio_error(400, 21211, "The 'To' number " + to + " is the same as the 'From' number.");
  if (!opts.owned_numbers.empty() &&
      std::find(opts.owned_numbers.begin(), opts.owned_numbers.end(), from) == opts.owned_numbers.end()) {
    return twilio_error(400, 21210, "The source phone number provided, " + from + ", is not yet verified for your account.");
  }
  const std::string url = form_get(f, "Url");
  const std::string twiml = form_get(f, "Twiml");
  if (url.empty() && twiml.empty() && form_get(f, "ApplicationSid").empty()) {
    return twilio_error(400, 21205, "Url parameter is required.");
  }
  if (!url.empty() && !is_http_url(url)) return twilio_error(400, 21205, "Url is not a valid URL: " + url);
  if (twiml.size() > 4000) return twilio_error(400, 21205, "Twiml is longer than 4000 characters.");
  int timeout = 60;
  if (form_has(f, "Timeout")) {
    const std::string t = form_get(f, "Timeout");
    std::size_t used = 0;
    try {
      timeout = std::stoi(t, &used);
    } catch (...) {
      used = 0;
    }
    if (used != t.size() || t.empty() || timeout < 1) {
      return twilio_error(400, 21208, "Timeout must be a positive integer: " + t);
    }
    timeout = std::min(timeout, 600);
  }
  const std::string md = form_get(f, "MachineDetection");
  if (!md.empty() && md != "Enable" && md != "DetectMessageEnd") {
    return twilio_error(400, 20001, "MachineDetection must be Enable or DetectMessageEnd, not " + md);
  }
  for (const char* name : {"StatusCallback", "AsyncAmdStatusCallback", "FallbackUrl", "RecordingStatusCallback"}) {
    const std::string v = form_get(f, name);
    if (!v.empty() && !is_http_url(v)) return twilio_error(400, 21205, std::string(name) + " is not a valid URL: " + v);
  }
  for (const auto& ev : form_all(f, "StatusCallbackEvent")) {
    if (ev != "initiated" && ev != "ringing" && ev != "answered" && ev != "completed") {
      return twilio_error(400, 20001, "StatusCallbackEvent '" + ev + "' is not one of initiated, ringing, answered, completed");
    }
  }

  std::optional<RestFault> fault;
  std::string sid, body;
  {
    std::lock_guard lock(mu);
    const CalleeBehaviour& b = script.behaviour(to, calls_per_number[to], opts.seed);
    if (b.reject_code > 0) {
      log_line("", "create refused for " + to + ": scripted error " + std::to_string(b.reject_code));
      return twilio_error(400, b.reject_code, "The 'To' number " + to + " cannot be called (scripted error).");
    }
    fault = take_fault("calls", to);
    if (fault && fault->kind == RestFaultKind::k429) {
      log_line("", "fault: create call to " + to + " answered 429 (not created)");
      return twilio_error(429, 20429, "Too Many Requests");
    }
    if (fault && fault->kind == RestFaultKind::k500) {
      log_line("", "fault: create call to " + to + " answered 500 (not created)");
      return twilio_error(500, 20500, "An internal server error has occurred");
    }
    EmulatedCall c;
    c.sid = new_sid("CA");
    c.to = to;
    c.from = from;
    c.url = url;
    c.twiml = twiml;
    if (!form_get(f, "Method").empty()) c.method = form_get(f, "Method");
    c.fallback_url = form_get(f, "FallbackUrl");
    if (!form_get(f, "FallbackMethod").empty()) c.fallback_method = form_get(f, "FallbackMethod");
    c.status_callback = form_get(f, "StatusCallback");
    if (!form_get(f, "StatusCallbackMethod").empty()) c.status_callback_method = form_get(f, "StatusCallbackMethod");
    for (const auto& ev : form_all(f, "StatusCallbackEvent")) c.status_events.insert(ev);
    c.machine_detection = md;
    if (!form_get(f, "MachineDetectionTimeout").empty()) {
      try {
        c.machine_detection_timeout = std::stoi(form_get(f, "MachineDetectionTimeout"));
      } catch (...) {
        return twilio_error(400, 20001, "MachineDetectionTimeout must be an integer");
      }
    }
    c.async_amd = form_get(f, "AsyncAmd") == "true";
    c.async_amd_callback = form_get(f, "AsyncAmdStatusCallback");
    if (!form_get(f, "AsyncAmdStatusCallbackMethod").empty()) {
      c.async_amd_callback_method = form_get(f, "AsyncAmdStatusCallbackMethod");
    }
    c.timeout_seconds = timeout;
    if (!form_get(f, "TimeLimit").empty()) {
      try {
        c.time_limit_seconds = std::max(1, std::stoi(form_get(f, "TimeLimit")));
      } catch (...) {
        return twilio_error(400, 20001, "TimeLimit must be an integer");
      }
    }
    c.record = form_get(f, "Record") == "true";
    c.recording_status_callback = form_get(f, "RecordingStatusCallback");
    if (!form_get(f, "RecordingStatusCallbackMethod").empty()) {
      c.recording_status_callback_method = form_get(f, "RecordingStatusCallbackMethod");
    }
    c.nth = calls_per_number[to]++;
    c.behaviour = script.behaviour(to, c.nth, opts.seed);
    c.created_at = sched.now();
    sid = c.sid;
    body = call_json(c);
    log_line(sid, "created: " + from + " -> " + to + (md.empty() ? "" : " AMD " + md + (c.async_amd ? " async" : "")));
    calls.emplace(sid, std::move(c));
    call_order.push_back(sid);
    enqueue_call(sid);
  }
  if (fault && fault->kind == RestFaultKind::kTimeout) {
    // The call exists; the answer comes too late for the client, which must not dial again.
    {
      std::lock_guard lock(mu);
      log_line(sid, "fault: create answered only after " + std::to_string(fault->stall_seconds) + " s (call created)");
    }
    std::this_thread::sleep_for(Millis(static_cast<std::int64_t>(fault->stall_seconds * 1000)));
  }
  return net::Response::json(201, body);
}

net::Response TwilioEmulator::Impl::list_calls(const net::Request& r) {
  net::Response denied;
  if (!authorized(r, denied)) return denied;
  const auto q = [&](const char* k) { return r.query_param(k).value_or(""); };
  int page_size = 50, page = 0;
  try {
    if (!q("PageSize").empty()) page_size = std::clamp(std::stoi(q("PageSize")), 1, 1000);
    if (!q("Page").empty()) page = std::max(0, std::stoi(q("Page")));
  } catch (...) {
    return twilio_error(400, 20001, "Page and PageSize must be integers");
  }
  struct Range {
    bool set = false;
    TimePoint from{}, to{};
  };
  Range on, after, before;
  for (auto [key, range] : {std::pair<const char*, Range*>{"StartTime", &on}, {"StartTime>", &after}, {"StartTime<", &before}}) {
    const std::string v = q(key);
    if (v.empty()) continue;
    if (!parse_day_or_instant(v, range->from, range->to)) {
      return twilio_error(400, 20001, std::string(key) + " must be YYYY-MM-DD or an ISO-8601 time, not " + v);
    }
    range->set = true;
  }
  std::vector<std::string> matched;
  std::lock_guard lock(mu);
  for (auto it = call_order.rbegin(); it != call_order.rend(); ++it) {  // newest first, like Twilio
    const EmulatedCall& c = calls.at(*it);
    if (!q("To").empty() && c.to != q("To")) continue;
    if (!q("From").empty() && c.from != q("From")) continue;
    if (!q("Status").empty() && c.status != q("Status")) continue;
    // A call still in the CPS queue has no start_time yet; the emulator filters it by its
    // creation time so a just-created call is listed (the driver's find_call relies on that).
    const TimePoint start = c.started_at.value_or(c.created_at);
    if (on.set && (start < on.from || start >= on.to)) continue;
    if (after.set && start < after.from) continue;
    if (before.set && start >= before.to) continue;
    matched.push_back(call_json(c));
  }
  const std::string base = "/2010-04-01/Accounts/" + opts.account_sid + "/Calls.json";
  const std::size_t begin = static_cast<std::size_t>(page) * static_cast<std::size_t>(page_size);
  std::string list = "[";
  for (std::size_t i = begin; i < matched.size() && i < begin + static_cast<std::size_t>(page_size); ++i) {
    if (list.size() > 1) list += ",";
    list += matched[i];
  }
  list += "]";
  const bool more = begin + static_cast<std::size_t>(page_size) < matched.size();
  const std::string page_uri = base + "?PageSize=" + std::to_string(page_size) + "&Page=";
  json meta = {{"first_page_uri", page_uri + "0"},
               {"next_page_uri", more ? json(page_uri + std::to_string(page + 1)) : json(nullptr)},
               {"previous_page_uri", page > 0 ? json(page_uri + std::to_string(page - 1)) : json(nullptr)},
               {"page", page},
               {"page_size", page_size},
               {"start", begin},
               {"end", matched.empty() ? 0 : std::min(matched.size(), begin + static_cast<std::size_t>(page_size)) - 1},
               {"uri", base}};
  std::string out = meta.dump();
  out.insert(1, "\"calls\":" + list + ",");
  return net::Response::json(200, out);
}

net::Response TwilioEmulator::Impl::get_call(const net::Request& r) {
  net::Response denied;
  if (!authorized(r, denied)) return denied;
  const std::string sid = resource_id(r.path_param("call"));
  std::lock_guard lock(mu);
  auto it = calls.find(sid);
  if (it == calls.end()) return twilio_error(404, 20404, "The requested resource " + r.path + " was not found");
  return net::Response::json(200, call_json(it->second));
}

net::Response TwilioEmulator::Impl::get_recording(const net::Request& r) {
  net::Response denied;
  if (!authorized(r, denied)) return denied;
  std::string sid = r.path_param("recording");
  std::string type = "audio/x-wav";  // Twilio: no extension (or .wav) is WAV
  for (const auto& [ext, ct] : {std::pair<std::string, std::string>{".mp3", "audio/mpeg"}, {".wav", "audio/x-wav"}}) {
    if (sid.size() > ext.size() && sid.compare(sid.size() - ext.size(), ext.size(), ext) == 0) {
      sid.resize(sid.size() - ext.size());
      type = ct;
    }
  }
  std::lock_guard lock(mu);
  const bool known = std::any_of(calls.begin(), calls.end(),
                                 [&](const auto& kv) { return !sid.empty() && kv.second.recording_sid == sid; });
  if (!known) return twilio_error(404, 20404, "The requested resource " + r.path + " was not found");
  ++media_requests;
  net::Response res;
  res.status = 200;
  res.headers["Content-Type"] = type;
  res.body = recording_media(sid);
  return res;
}

net::Response TwilioEmulator::Impl::update_call(const net::Request& r) {
  net::Response denied;
  if (!authorized(r, denied)) return denied;
  auto form = telephony::twilio::parse_form(r.body);
  if (!form.ok()) return twilio_error(400, 20001, "Malformed form body: " + form.error().message);
  const FormParams& f = form.value();
  const std::string sid = resource_id(r.path_param("call"));
  std::lock_guard lock(mu);
  auto it = calls.find(sid);
  if (it == calls.end()) return twilio_error(404, 20404, "The requested resource " + r.path + " was not found");
  EmulatedCall& c = it->second;
  const std::string status = form_get(f, "Status");
  const std::string url = form_get(f, "Url");
  const std::string twiml = form_get(f, "Twiml");
  if (!status.empty() && status != "completed" && status != "canceled") {
    return twilio_error(400, 20001, "Status must be completed or canceled, not " + status);
  }
  if (!url.empty() && !twiml.empty()) return twilio_error(400, 20001, "Url and Twiml are mutually exclusive");
  if (!url.empty() && !is_http_url(url)) return twilio_error(400, 21205, "Url is not a valid URL: " + url);
  if (c.ended()) return twilio_error(400, 21220, "Call is not in-progress. Cannot redirect.");
  if (!form_get(f, "StatusCallback").empty()) c.status_callback = form_get(f, "StatusCallback");
  if (!form_get(f, "StatusCallbackMethod").empty()) c.status_callback_method = form_get(f, "StatusCallbackMethod");
  if (!form_get(f, "FallbackUrl").empty()) c.fallback_url = form_get(f, "FallbackUrl");
  if (status == "completed" || status == "canceled") {
    log_line(sid, "API asked for Status=" + status);
    if (c.status == "queued" || c.status == "ringing") {
      end_call(c, "canceled", 487, "api-" + status);
    } else if (status == "completed") {
      end_call(c, "completed", 200, "api-completed");
    }
    // Status=canceled on an answered call changes nothing (§1.2).
  } else if (!url.empty() || !twiml.empty()) {
    redirect_call(c, url, form_get(f, "Method"), twiml);
  }
  return net::Response::json(200, call_json(c));
}

net::Response TwilioEmulator::Impl::create_message(const net::Request& r) {
  net::Response denied;
  if (!authorized(r, denied)) return denied;
  auto form = telephony::twilio::parse_form(r.body);
  if (!form.ok()) return twilio_error(400, 20001, "Malformed form body: " + form.error().message);
  const FormParams& f = form.value();
  const std::string to = form_get(f, "To");
  std::string from = form_get(f, "From");
  const std::string service = form_get(f, "MessagingServiceSid");
  const std::string body = form_get(f, "Body");
  if (to.empty()) return twilio_error(400, 21604, "A 'To' phone number is required.");
  if (from.empty() && service.empty()) return twilio_error(400, 21603, "A 'From' phone number is required.");
  if (body.empty() && !form_has(f, "MediaUrl")) return twilio_error(400, 21602, "Message body is required.");
  if (!is_e164(to)) return twilio_error(400, 21211, "The 'To' number " + to + " is not a valid phone number.");
  if (!from.empty() && !is_e164(from)) {
    return twilio_error(400, 21212, "The 'From' number " + from + " is not a valid phone number.");
  }
  if (body.size() > 1600) return twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
  std::lock_guard lock(mu);
  const std::string sender = from.empty() ? service : from;
  if (opted_out.count(sender + "|" + to) != 0) {
    log_line("", "message to " + to + " refused: recipient opted out (21610)");
    return twilio_error(400, 21610, "Attempt to send to unsubscribed recipient");
  }
  if (auto fault = take_fault("messages", to)) {
    if (fault->kind == RestFaultKind::k429) return twilio_error(429, 20429, "Too Many Requests");
    if (fault->kind == RestFaultKind::k500) return twilio_error(500, 20500, "An internal server error has occurred");
  }
  EmulatedMessage m;
  m.sid = new_sid("SM");
  m.to = to;
  m.from = sender;
  m.body = body;
  m.direction = "outbound-api";
  m.status = "queued";
  m.status_callback = form_get(f, "StatusCallback");
  m.created_at = sched.now();
  log_line(m.sid, "SMS " + sender + " -> " + to + ": " + body);
  const std::string out = message_json(m);
  if (!m.status_callback.empty()) {
    const std::string msid = m.sid;
    for (auto [status, delay] : {std::pair<const char*, int>{"sent", 1000}, {"delivered", 2000}}) {
      const std::string st = status;
      sched.after(Millis(delay), [this, msid, st] {
        std::lock_guard l(mu);
        auto mit = std::find_if(messages.begin(), messages.end(), [&](const EmulatedMessage& x) { return x.sid == msid; });
        if (mit == messages.end()) return;
        mit->status = st;
        Outgoing o;
        o.rec.kind = "message-status";
        o.rec.call_sid = msid;
        o.rec.method = "POST";
        o.rec.url = mit->status_callback;
        o.rec.params = {{"AccountSid", opts.account_sid}, {"ApiVersion", "2010-04-01"}, {"From", mit->from},
                        {"MessageSid", msid},             {"MessageStatus", st},          {"SmsSid", msid},
                        {"SmsStatus", st},                {"To", mit->to}};
        post_async(std::move(o));
      });
    }
  }
  messages.push_back(std::move(m));
  return net::Response::json(201, out);
}

net::Response TwilioEmulator::Impl::get_message(const net::Request& r) {
  net::Response denied;
  if (!authorized(r, denied)) return denied;
  const std::string sid = resource_id(r.path_param("message"));
  std::lock_guard lock(mu);
  for (const auto& m : messages) {
    if (m.sid == sid) return net::Response::json(200, message_json(m));
  }
  return twilio_error(404, 20404, "The requested resource " + r.path + " was not found");
}

}  // namespace outdial::twilio_emulator
