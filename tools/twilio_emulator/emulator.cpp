#include "emulator.hpp"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <iostream>

#include <nlohmann/json.hpp>

#include "emulator_impl.hpp"

namespace outdial::twilio_emulator {
namespace {

using nlohmann::json;

json to_json(const std::optional<TimePoint>& t) { return t ? json(format_iso8601(*t)) : json(nullptr); }

json to_json(const EmulatedCall& c) {
  json spoken = json::array();
  for (const auto& u : c.spoken) {
    spoken.push_back({{"verb", u.verb},
                      {"text", u.text},
                      {"voice", u.voice},
                      {"offset_ms", u.offset.count()},
                      {"length_ms", u.length.count()},
                      {"cut", u.cut},
                      {"after_beep", u.after_beep}});
  }
  json gathers = json::array();
  for (const auto& g : c.gathers) {
    gathers.push_back({{"offset_ms", g.offset.count()},
                       {"digits", g.digits},
                       {"finished_on_key", g.finished_on_key},
                       {"action", g.action}});
  }
  json bridges = json::array();
  for (const auto& b : c.bridges) {
    bridges.push_back({{"number", b.number},
                       {"caller_id", b.caller_id},
                       {"caller_id_attr", b.caller_id_attr},
                       {"offset_ms", b.offset.count()},
                       {"dial_status", b.dial_status},
                       {"talk_seconds", b.talk_seconds},
                       {"dial_sid", b.dial_sid}});
  }
  return {{"sid", c.sid},
          {"to", c.to},
          {"from", c.from},
          {"status", c.status},
          {"answered_by", c.answered_by},
          {"callee", to_string(c.behaviour.answer)},
          {"nth_call_to_number", c.nth},
          {"machine_detection", c.machine_detection},
          {"async_amd", c.async_amd},
          {"created_at", format_iso8601(c.created_at)},
          {"started_at", to_json(c.started_at)},
          {"answered_at", to_json(c.answered_at)},
          {"ended_at", to_json(c.ended_at)},
          {"beep_at", to_json(c.beep_at)},
          {"end_reason", c.end_reason},
          {"sip_response_code", c.sip_response_code},
          {"recording_sid", c.recording_sid},
          {"spoken", spoken},
          {"voicemail", c.voicemail()},
          {"gathers", gathers},
          {"bridges", bridges},
          {"documents", c.documents},
          {"errors", c.errors},
          {"status_callbacks_sent", c.next_sequence}};
}

json to_json(const EmulatedMessage& m) {
  return {{"sid", m.sid},       {"to", m.to},         {"from", m.from},
          {"body", m.body},     {"direction", m.direction}, {"status", m.status},
          {"created_at", format_iso8601(m.created_at)}, {"reply", m.reply}, {"autoresponse", m.autoresponse}};
}

json to_json(const WebhookRecord& w) {
  json params = json::object();
  for (const auto& [k, v] : w.params) params[k] = v;
  return {{"kind", w.kind},
          {"sid", w.call_sid},
          {"method", w.method},
          {"url", w.url},
          {"params", params},
          {"signature", w.signature},
          {"sequence", w.sequence},
          {"attempt", w.attempt},
          {"duplicate", w.duplicate},
          {"at", format_iso8601(w.at)},
          {"http_status", w.http_status},
          {"error", w.error}};
}

net::Response bad_request(const Error& e) {
  return net::Response::json(400, json({{"error", {{"message", e.message}, {"details", e.details}}}}).dump());
}

// Twilio's own keywords (§2.5): whole single-word message, case-insensitive (surrounding
// whitespace ignored; "STOP ALL" is two words, not a keyword); long codes and toll-free only
// (standalone short codes: no default handling).
std::string keyword_type(const std::string& body, const std::string& to) {
  if (to.empty() || to.front() != '+') return "";
  std::string w;
  for (unsigned char c : body) w.push_back(static_cast<char>(std::toupper(c)));
  const auto first = w.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  w = w.substr(first, w.find_last_not_of(" \t\r\n") - first + 1);
  for (const char* k : {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}) {
    if (w == k) return "STOP";
  }
  for (const char* k : {"START", "YES", "UNSTOP"}) {
    if (w == k) return "START";
  }
  for (const char* k : {"HELP", "INFO"}) {
    if (w == k) return "HELP";
  }
  return "";
}

}  // namespace

std::string EmulatedCall::voicemail() const {
  std::string out;
  for (const auto& u : spoken) {
    if (!u.after_beep || u.verb != "Say") continue;
    if (!out.empty()) out += " ";
    out += u.text;
  }
  return out;
}

std::optional<Millis> EmulatedCall::spoken_at(const std::string& phrase) const {
  for (const auto& u : spoken) {
    if (u.verb != "Say") continue;
    const auto pos = u.text.find(phrase);
    if (pos == std::string::npos) continue;
    // Words spoken before the phrase, at the same rate as speech_seconds().
    const std::string before = u.text.substr(0, pos);
    const bool any_word = before.find_first_not_of(" \t\r\n") != std::string::npos;
    const Millis into(any_word ? static_cast<std::int64_t>(std::llround(speech_seconds(before) * 1000.0)) : 0);
    if (into >= u.length && u.length > Millis(0) && u.cut) return std::nullopt;
    return u.offset + into;
  }
  return std::nullopt;
}

TwilioEmulator::Impl::Impl(EmulatorOptions o, Scheduler& s, net::HttpClient& h, Script sc)
    : opts(std::move(o)), sched(s), http(h), script(std::move(sc)), rng(opts.seed) {
  add_routes();
}

std::string TwilioEmulator::Impl::new_sid(const char* prefix) {
  std::uniform_int_distribution<int> hex(0, 15);
  std::string sid = prefix;
  for (int i = 0; i < 32; ++i) sid.push_back("0123456789abcdef"[hex(rng)]);
  return sid;
}

void TwilioEmulator::Impl::log_line(const std::string& sid, const std::string& text) {
  log_entries.push_back(LogEntry{sched.now(), sid, text});
  if (opts.echo_log) std::cerr << format_iso8601(sched.now()) << " " << (sid.empty() ? "-" : sid) << " " << text << "\n";
}

double TwilioEmulator::Impl::uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

void TwilioEmulator::Impl::add_routes() {
  const std::string acct = "/2010-04-01/Accounts/:account";
  router.add("POST", acct + "/Calls.json", [this](const net::Request& r) { return create_call(r); });
  router.add("GET", acct + "/Calls.json", [this](const net::Request& r) { return list_calls(r); });
  router.add("GET", acct + "/Calls/:call", [this](const net::Request& r) { return get_call(r); });
  router.add("POST", acct + "/Calls/:call", [this](const net::Request& r) { return update_call(r); });
  router.add("POST", acct + "/Messages.json", [this](const net::Request& r) { return create_message(r); });
  router.add("GET", acct + "/Messages/:message", [this](const net::Request& r) { return get_message(r); });
  router.add("GET", acct + "/Recordings/:recording", [this](const net::Request& r) { return get_recording(r); });

  // Inspection and control (no credentials: bind the emulator to loopback).
  router.add("GET", "/_emulator/calls", [this](const net::Request& r) {
    std::lock_guard lock(mu);
    json out = json::array();
    const std::string to = r.query_param("to").value_or("");
    for (const auto& sid : call_order) {
      if (to.empty() || calls.at(sid).to == to) out.push_back(to_json(calls.at(sid)));
    }
    return net::Response::json(200, json({{"calls", out}}).dump());
  });
  router.add("GET", "/_emulator/calls/:sid", [this](const net::Request& r) {
    std::lock_guard lock(mu);
    auto it = calls.find(r.path_param("sid"));
    if (it == calls.end()) return net::Response::json(404, R"({"error":{"message":"no such call"}})");
    return net::Response::json(200, to_json(it->second).dump());
  });
  router.add("GET", "/_emulator/messages", [this](const net::Request&) {
    std::lock_guard lock(mu);
    json out = json::array();
    for (const auto& m : messages) out.push_back(to_json(m));
    return net::Response::json(200, json({{"messages", out}}).dump());
  });
  router.add("GET", "/_emulator/webhooks", [this](const net::Request& r) {
    std::lock_guard lock(mu);
    json out = json::array();
    const std::string sid = r.query_param("sid").value_or("");
    for (const auto& w : webhooks) {
      if (sid.empty() || w.call_sid == sid) out.push_back(to_json(w));
    }
    return net::Response::json(200, json({{"webhooks", out}}).dump());
  });
  router.add("GET", "/_emulator/log", [this](const net::Request& r) {
    std::lock_guard lock(mu);
    const std::string sid = r.query_param("sid").value_or("");
    json out = json::array();
    for (const auto& e : log_entries) {
      if (sid.empty() || e.sid == sid) out.push_back({{"at", format_iso8601(e.at)}, {"sid", e.sid}, {"text", e.text}});
    }
    return net::Response::json(200, json({{"log", out}}).dump());
  });
  router.add("GET", "/_emulator/stats", [this](const net::Request&) {
    std::size_t ended = 0;
    std::size_t req = 0;
    {
      std::lock_guard lock(mu);
      for (const auto& [sid, c] : calls) ended += c.ended() ? 1 : 0;
      req = create_requests;
    }
    const int max_cps = max_starts();
    std::lock_guard lock(mu);
    return net::Response::json(200, json({{"calls", calls.size()},
                                          {"ended", ended},
                                          {"active", active},
                                          {"queued", cps_queue.size()},
                                          {"create_requests", req},
                                          {"max_starts_per_second", max_cps},
                                          {"cps", opts.cps},
                                          {"max_concurrency", opts.max_concurrency},
                                          {"now", format_iso8601(sched.now())}})
                                        .dump());
  });
  router.add("PUT", "/_emulator/script", [this](const net::Request& r) {
    auto s = parse_script(r.body);
    if (!s.ok()) return bad_request(s.error());
    std::lock_guard lock(mu);
    script = std::move(s.value());
    log_line("", "script replaced");
    return net::Response::json(200, R"({"ok":true})");
  });
  router.add("POST", "/_emulator/faults", [this](const net::Request& r) {
    json j;
    try {
      j = json::parse(r.body);
    } catch (const json::parse_error& e) {
      return bad_request(make_error(ErrorCode::kInvalidArgument, std::string("not JSON: ") + e.what()));
    }
    // Same shape as the script's "faults": {"rest": [...], "webhooks": {...}}.
    auto s = parse_script(json({{"faults", j}}).dump());
    if (!s.ok()) return bad_request(s.error());
    std::lock_guard lock(mu);
    for (auto& f : s.value().rest_faults) script.rest_faults.push_back(f);
    if (j.contains("webhooks")) script.webhook_faults = s.value().webhook_faults;
    log_line("", "faults added");
    return net::Response::json(200, R"({"ok":true})");
  });
  router.add("POST", "/_emulator/sms", [this](const net::Request& r) {
    json j;
    try {
      j = json::parse(r.body);
    } catch (const json::parse_error& e) {
      return bad_request(make_error(ErrorCode::kInvalidArgument, std::string("not JSON: ") + e.what()));
    }
    for (const char* k : {"from", "to", "body"}) {
      if (!j.contains(k) || !j[k].is_string()) {
        return bad_request(make_error(ErrorCode::kInvalidArgument, std::string(k) + " must be a string", {{"field", k}}));
      }
    }
    auto res = inbound_sms(j["from"].get<std::string>(), j["to"].get<std::string>(), j["body"].get<std::string>());
    if (!res.ok()) return bad_request(res.error());
    return net::Response::json(200, json({{"webhook_status", res.value()}}).dump());
  });

  router.set_error_responder([](int status, const std::string&, const std::string& message) {
    return net::Response::json(status, twilio_error_json(status == 404 ? 20404 : 20001, message, status));
  });
}

int TwilioEmulator::Impl::max_starts() const {
  std::vector<TimePoint> starts;
  {
    std::lock_guard lock(mu);
    for (const auto& [sid, c] : calls) {
      if (c.started_at) starts.push_back(*c.started_at);
    }
  }
  std::sort(starts.begin(), starts.end());
  int best = 0;
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < starts.size(); ++hi) {
    while (starts[hi] - starts[lo] >= Millis(1000)) ++lo;
    best = std::max(best, static_cast<int>(hi - lo + 1));
  }
  return best;
}

Result<int> TwilioEmulator::Impl::inbound_sms(const std::string& from, const std::string& to, const std::string& body) {
  WebhookRecord rec;
  std::string token;
  std::string msid;
  {
    std::lock_guard lock(mu);
    if (script.sms_url.empty()) {
      return make_error(ErrorCode::kFailedPrecondition, "no sms_url configured (script \"sms_url\" or --sms-url)");
    }
    const std::string type = keyword_type(body, to);
    // Twilio blocks later sends from this number to the sender (21610) and still forwards the text.
    if (type == "STOP") opted_out.insert(to + "|" + from);
    if (type == "START") opted_out.erase(to + "|" + from);
    EmulatedMessage m;
    m.sid = new_sid("SM");
    msid = m.sid;
    m.from = from;
    m.to = to;
    m.body = body;
    m.direction = "inbound";
    m.status = "received";
    m.created_at = sched.now();
    // Twilio's own auto-reply to its keyword (it answers, then still forwards the text).
    if (type == "STOP") m.autoresponse = "opt_out";
    if (type == "START") m.autoresponse = "opt_in";
    if (type == "HELP") m.autoresponse = "help";
    messages.push_back(m);
    log_line(msid, "inbound SMS " + from + " -> " + to + ": " + body + (type.empty() ? "" : " (" + type + ")"));
    const auto country = [](const std::string& n) { return n.rfind("+1", 0) == 0 ? std::string("US") : std::string(); };
    rec.kind = "sms";
    rec.call_sid = msid;
    rec.method = "POST";
    rec.url = script.sms_url;
    rec.params = {{"AccountSid", opts.account_sid}, {"ApiVersion", "2010-04-01"}, {"Body", body},
                  {"From", from},                   {"FromCountry", country(from)}, {"MessageSid", msid},
                  {"NumMedia", "0"},                {"NumSegments", "1"},          {"SmsMessageSid", msid},
                  {"SmsSid", msid},                 {"SmsStatus", "received"},     {"To", to},
                  {"ToCountry", country(to)}};
    if (!type.empty()) rec.params.emplace_back("OptOutType", type);
    token = new_token();
  }
  auto res = send_now(rec, token);
  if (!res.ok()) return res.error();
  std::lock_guard lock(mu);
  for (auto& m : messages) {
    if (m.sid == msid) m.reply = res.value().body;
  }
  return res.value().status;
}

// ------------------------------------------------------------------------ public API

TwilioEmulator::TwilioEmulator(EmulatorOptions options, Scheduler& scheduler, net::HttpClient& http, Script script)
    : impl_(std::make_unique<Impl>(std::move(options), scheduler, http, std::move(script))) {}

TwilioEmulator::~TwilioEmulator() { stop(); }

Status TwilioEmulator::start() {
  net::ServerOptions so;
  so.address = impl_->opts.bind;
  so.port = impl_->opts.port;
  so.threads = impl_->opts.http_threads;
  so.server_name = "twilio-emulator";
  so.shutdown_grace = std::chrono::seconds(1);
  impl_->server = std::make_unique<net::HttpServer>(so, impl_->router.as_handler());
  return impl_->server->start();
}

void TwilioEmulator::stop() {
  if (impl_->server) impl_->server->stop();
}

std::uint16_t TwilioEmulator::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string TwilioEmulator::base_url() const { return "http://" + impl_->opts.bind + ":" + std::to_string(port()); }

net::Response TwilioEmulator::handle(net::Request& request) { return impl_->router.dispatch(request); }

void TwilioEmulator::set_script(Script script) {
  std::lock_guard lock(impl_->mu);
  impl_->script = std::move(script);
}

void TwilioEmulator::set_behaviour(const std::string& number, std::vector<CalleeBehaviour> behaviours) {
  std::lock_guard lock(impl_->mu);
  impl_->script.numbers[number] = std::move(behaviours);
}

void TwilioEmulator::add_rest_fault(RestFault fault) {
  std::lock_guard lock(impl_->mu);
  impl_->script.rest_faults.push_back(std::move(fault));
}

void TwilioEmulator::set_webhook_faults(WebhookFaults faults) {
  std::lock_guard lock(impl_->mu);
  impl_->script.webhook_faults = faults;
}

void TwilioEmulator::set_sms_url(std::string url) {
  std::lock_guard lock(impl_->mu);
  impl_->script.sms_url = std::move(url);
}

Result<int> TwilioEmulator::inject_inbound_sms(const std::string& from, const std::string& to, const std::string& body) {
  return impl_->inbound_sms(from, to, body);
}

std::vector<EmulatedCall> TwilioEmulator::calls() const {
  std::lock_guard lock(impl_->mu);
  std::vector<EmulatedCall> out;
  for (const auto& sid : impl_->call_order) out.push_back(impl_->calls.at(sid));
  return out;
}

std::optional<EmulatedCall> TwilioEmulator::call(const std::string& sid) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->calls.find(sid);
  if (it == impl_->calls.end()) return std::nullopt;
  return it->second;
}

std::vector<EmulatedCall> TwilioEmulator::calls_to(const std::string& number) const {
  std::vector<EmulatedCall> out;
  for (auto& c : calls()) {
    if (c.to == number) out.push_back(std::move(c));
  }
  return out;
}

std::vector<EmulatedMessage> TwilioEmulator::messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->messages;
}

std::vector<WebhookRecord> TwilioEmulator::webhooks() const {
  std::lock_guard lock(impl_->mu);
  return impl_->webhooks;
}

std::vector<LogEntry> TwilioEmulator::log() const {
  std::lock_guard lock(impl_->mu);
  return impl_->log_entries;
}

int TwilioEmulator::max_starts_per_second() const { return impl_->max_starts(); }

std::size_t TwilioEmulator::create_requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->create_requests;
}

std::size_t TwilioEmulator::media_requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->media_requests;
}

}  // namespace outdial::twilio_emulator
