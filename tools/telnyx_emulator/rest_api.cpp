// The emulator's HTTP surface: the Telnyx v2 endpoints the driver calls, plus /_emulator/*.
#include <algorithm>
#include <cstring>
#include <regex>

#include "emulator_common/fake_recording.hpp"
#include "emulator_impl.hpp"

namespace outdial::tools::telnyx {

namespace {

net::Response errors(int status, const std::string& code, const std::string& title, const std::string& detail,
                     const std::string& pointer = "") {
  json e{{"code", code}, {"title", title}, {"detail", detail},
         {"meta", {{"url", "https://developers.telnyx.com/docs/overview/errors/" + code}}}};
  if (!pointer.empty()) e["source"] = {{"pointer", pointer}};
  return net::Response::json(status, json{{"errors", json::array({e})}}.dump());
}

bool e164(const std::string& s) {
  static const std::regex re(R"(^\+[1-9][0-9]{6,14}$)");
  return std::regex_match(s, re);
}

json call_summary(const Call& c, std::int64_t now_epoch_ms) {
  return json{{"call_control_id", c.id},   {"call_leg_id", c.leg_id}, {"call_session_id", c.session_id},
              {"client_state", c.client_state}, {"is_alive", !c.ended}, {"record_type", "call"},
              {"call_duration", (now_epoch_ms - c.start_epoch_ms) / 1000}};
}

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 15]);
  }
  return out;
}

}  // namespace

std::string recording_media(const std::string& recording_id) {
  return tools::emulator::fake_recording_mp3(recording_id);
}

std::string TelnyxEmulator::Impl::media_signature(const std::string& file, std::int64_t expires) const {
  const std::string msg = file + "|" + std::to_string(expires);
  std::array<unsigned char, 32> mac{};
  crypto_generichash(mac.data(), mac.size(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                     media_key.data(), media_key.size());
  return hex(mac.data(), mac.size());
}

std::string TelnyxEmulator::Impl::signed_media_url(const std::string& recording_id, const std::string& ext) const {
  const std::int64_t expires = epoch_ms() / 1000 + 600;
  const std::string file = recording_id + "." + ext;
  return "http://" + opt.address + ":" + std::to_string(server ? server->port() : 0) + "/_media/" + file +
         "?expires=" + std::to_string(expires) + "&signature=" + media_signature(file, expires);
}

void TelnyxEmulator::Impl::add_routes() {
  auto authed = [this](const net::Request& r) { return account_of(r); };
  auto unauthorized = [] { return errors(401, "10009", "Authentication failed", "The API key is missing or invalid."); };

  router.add("POST", "/v2/calls", [this, authed, unauthorized](const net::Request& r) {
    const auto account = authed(r);
    if (!account) return unauthorized();
    const json req = json::parse(r.body, nullptr, false);
    if (req.is_discarded() || !req.is_object()) return errors(400, "10015", "Bad Request", "Body is not a JSON object.");
    Account& acct = accounts[*account];
    if (req.value("connection_id", "") != acct.connection_id)
      return errors(422, "10015", "Invalid value", "connection_id is not a Call Control App of this account.",
                    "/connection_id");
    if (!e164(req.value("to", ""))) return errors(422, "10015", "Invalid value", "The 'to' number is not valid.", "/to");
    if (!e164(req.value("from", ""))) return errors(422, "10015", "Invalid value", "The 'from' number is not valid.", "/from");
    if (auto scripted = opt.script.numbers.find(req.value("to", ""));
        scripted != opt.script.numbers.end() && scripted->second.answer == "invalid")  // well-formed, not callable
      return errors(422, "10015", "Invalid value", "The 'to' number is not a valid destination number.", "/to");
    std::lock_guard l(mu);
    const std::string command_id = req.value("command_id", "");
    const std::string command_key = std::to_string(*account) + "|" + command_id;  // command_ids are per account
    if (!command_id.empty()) {
      if (auto it = by_command_id.find(command_key); it != by_command_id.end()) {
        ++st.duplicate_dials;  // Telnyx ignores a repeated command_id: the same call
        const Call& c = calls.at(it->second);
        return net::Response::json(200, json{{"data", call_summary(c, epoch_ms())}}.dump());
      }
    }
    const std::int64_t now = carrier_now_ms();
    auto& dial_times = acct.dial_times;  // Telnyx's limits are per account
    while (!dial_times.empty() && dial_times.front() <= now - 5000) dial_times.pop_front();
    if (st.rate_limited < opt.script.faults.rate_limit_first_dials ||
        (opt.rate_limit_per_5s > 0 && static_cast<int>(dial_times.size()) >= opt.rate_limit_per_5s)) {
      ++st.rate_limited;
      auto resp = errors(429, "10011", "Too many requests", "Rate limit exceeded; retry later.");
      resp.headers["x-ratelimit-limit"] = std::to_string(opt.rate_limit_per_5s);
      resp.headers["x-ratelimit-remaining"] = "0";
      resp.headers["x-ratelimit-reset"] = "5";
      return resp;
    }
    dial_times.push_back(now);
    st.max_dials_in_5s = std::max<std::int64_t>(st.max_dials_in_5s, static_cast<std::int64_t>(dial_times.size()));
    ++st.dials;
    const std::string to = req.value("to", "");
    auto bit = opt.script.numbers.find(to);
    const CalleeBehaviour b = bit != opt.script.numbers.end() ? bit->second : opt.script.default_callee;
    const bool over = active_calls(*account) >= opt.concurrency_limit;
    Call& c = create_call(req, b, *account);
    if (!command_id.empty()) by_command_id[command_key] = c.id;
    if (over) ++st.concurrency_rejections;
    st.max_active = std::max(st.max_active, active_calls(*account));
    start_call(c, over);
    json data = call_summary(c, epoch_ms());
    data["is_alive"] = false;  // dialing is asynchronous (§5.1)
    return net::Response::json(200, json{{"data", data}}.dump());
  });

  router.add("POST", "/v2/calls/:id/actions/:action", [this, authed, unauthorized](const net::Request& r) {
    const auto account = authed(r);
    if (!account) return unauthorized();
    static const std::set<std::string> kActions{"speak", "gather_using_speak", "transfer", "bridge", "hangup",
                                                "playback_start", "answer", "gather"};
    const std::string action = r.path_param("action");
    if (!kActions.count(action)) return errors(404, "10005", "Resource not found", "Unknown action " + action + ".");
    const json body = r.body.empty() ? json::object() : json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return errors(400, "10015", "Bad Request", "Body is not a JSON object.");
    std::lock_guard l(mu);
    Call* c = find(r.path_param("id"));
    if (!c || c->account != *account) return errors(404, "10005", "Resource not found", "Call not found.");
    if (c->ended) return errors(422, "90018", "Call has already ended", "This call is no longer active.");
    if ((action == "speak" || action == "gather_using_speak") && body.value("payload", "").empty())
      return errors(422, "10015", "Invalid value", "payload is required.", "/payload");
    if (action == "transfer" && !e164(body.value("to", "")))
      return errors(422, "10015", "Invalid value", "The 'to' number is not valid.", "/to");
    const std::string cmd = body.value("command_id", "");
    if (!cmd.empty() && !c->command_ids.insert(cmd).second)  // duplicate per call: ignored
      return net::Response::json(200, json{{"data", {{"result", "ok"}}}}.dump());
    return net::Response::json(200, command(*c, action, body).dump());
  });

  auto list_calls = [this](const net::Request& r, bool paged, std::size_t account) {
    std::lock_guard l(mu);
    json data = json::array();
    const auto now = epoch_ms();
    for (const auto& id : order) {
      const Call& c = calls.at(id);
      if (!c.ended && !c.agent_leg && c.account == account) data.push_back(call_summary(c, now));
    }
    std::size_t size = 250, after = 0;
    if (paged) {
      if (auto s = r.query_param("page[size]")) size = std::max<std::size_t>(1, std::stoul("0" + *s));
      if (auto a = r.query_param("page[after]")) after = std::stoul("0" + *a);
    }
    json page = json::array();
    for (std::size_t i = after; i < data.size() && page.size() < size; ++i) page.push_back(data[i]);
    json cursors = json::object();
    if (after + page.size() < data.size()) cursors["after"] = std::to_string(after + page.size());
    return net::Response::json(200, json{{"data", page}, {"meta", {{"cursors", cursors}, {"total", data.size()}}}}.dump());
  };
  router.add("GET", "/v2/calls", [authed, unauthorized, list_calls](const net::Request& r) {
    const auto account = authed(r);
    if (!account) return unauthorized();
    return list_calls(r, true, *account);
  });
  router.add("GET", "/v2/connections/:id/active_calls", [this, authed, unauthorized, list_calls](const net::Request& r) {
    const auto account = authed(r);
    if (!account) return unauthorized();
    if (r.path_param("id") != accounts[*account].connection_id)
      return errors(404, "10005", "Resource not found", "Unknown connection.");
    return list_calls(r, true, *account);
  });
  router.add("GET", "/v2/calls/:id", [this, authed, unauthorized](const net::Request& r) {
    const auto account = authed(r);
    if (!account) return unauthorized();
    std::lock_guard l(mu);
    Call* c = find(r.path_param("id"));
    if (!c || c->account != *account) return errors(404, "10005", "Resource not found", "Call not found.");
    return net::Response::json(200, json{{"data", call_summary(*c, epoch_ms())}}.dump());
  });

  // A recording of one of the account's calls, with fresh pre-signed download URLs (the ones
  // in call.recording.saved point nowhere reachable, as expired ones would).
  router.add("GET", "/v2/recordings/:id", [this, authed, unauthorized](const net::Request& r) {
    const auto account = authed(r);
    if (!account) return unauthorized();
    std::lock_guard l(mu);
    const std::string id = r.path_param("id");
    const Call* rec = nullptr;
    for (const auto& [cid, c] : calls) {
      if (!id.empty() && c.recording_id == id && c.account == *account) rec = &c;
    }
    if (rec == nullptr) return errors(404, "10005", "Resource not found", "Recording not found.");
    ++st.recordings_fetched;
    json data{{"record_type", "recording"},
              {"id", rec->recording_id},
              {"call_control_id", rec->id},
              {"call_leg_id", rec->leg_id},
              {"call_session_id", rec->session_id},
              {"channels", "single"},
              {"source", "call"},
              {"status", "completed"},
              {"recording_started_at", iso_micro(rec->answered_epoch_us)},
              {"recording_ended_at", iso_micro(rec->recording_ended_epoch_us)},
              {"duration_millis", (rec->recording_ended_epoch_us - rec->answered_epoch_us) / 1000},
              {"download_urls", {{"mp3", signed_media_url(rec->recording_id, "mp3")},
                                 {"wav", signed_media_url(rec->recording_id, "wav")}}}};
    return net::Response::json(200, json{{"data", data}}.dump());
  });
  // The pre-signed download: no API key. Like a storage bucket's signed URL, a request that
  // also carries an Authorization header is refused (the key must not be sent here).
  router.add("GET", "/_media/:file", [this](const net::Request& r) {
    const std::string file = r.path_param("file");
    const std::string expires_s = r.query_param("expires").value_or("");
    const std::string signature = r.query_param("signature").value_or("");
    std::lock_guard l(mu);
    auto refuse = [this](int status, const std::string& why) {
      ++st.media_refused;
      return net::Response::text(status, why);
    };
    if (!r.header("Authorization").empty()) return refuse(400, "Only one auth mechanism allowed");
    std::int64_t expires = 0;
    try {
      expires = std::stoll(expires_s);
    } catch (...) {
      return refuse(403, "AccessDenied");
    }
    if (signature.empty() || media_signature(file, expires) != signature) return refuse(403, "SignatureDoesNotMatch");
    if (expires < epoch_ms() / 1000) return refuse(403, "Request has expired");
    const auto dot = file.rfind('.');
    const std::string id = file.substr(0, dot);
    const std::string ext = dot == std::string::npos ? "" : file.substr(dot + 1);
    ++st.media_downloads;
    net::Response res;
    res.status = 200;
    res.headers["Content-Type"] = ext == "wav" ? "audio/wav" : "audio/mpeg";
    res.body = recording_media(id);
    return res;
  });

  // Account health check (accounts/health_check: GET /v2/balance with the Bearer key).
  router.add("GET", "/v2/balance", [authed, unauthorized](const net::Request& r) {
    if (!authed(r)) return unauthorized();
    return net::Response::json(200, json{{"data", {{"record_type", "balance"}, {"balance", "100.00"},
                                                   {"credit_limit", "0.00"}, {"available_credit", "100.00"},
                                                   {"currency", "USD"}}}}.dump());
  });

  router.add("POST", "/v2/messages", [this, authed, unauthorized](const net::Request& r) {
    const auto account = authed(r);
    if (!account) return unauthorized();
    const json req = json::parse(r.body, nullptr, false);
    if (req.is_discarded() || !req.is_object()) return errors(400, "10015", "Bad Request", "Body is not a JSON object.");
    const std::string to = req.value("to", ""), from = req.value("from", ""), text = req.value("text", "");
    if (!e164(to)) return errors(422, "40310", "Invalid 'to' address", "The 'to' number is not valid.", "/to");
    if (from.empty()) return errors(422, "40305", "Invalid 'from' address", "from is required.", "/from");
    if (const auto& own = accounts[*account].numbers;
        !own.empty() && std::find(own.begin(), own.end(), from) == own.end())
      return errors(422, "40305", "Invalid 'from' address", "The 'from' number is not a number of this account.",
                    "/from");
    if (text.empty() && !req.contains("media_urls")) return errors(422, "40005", "Invalid message", "text is required.", "/text");
    std::lock_guard l(mu);
    if (blocked.count(from + "|" + to) != 0)
      return errors(403, "40300", "Blocked due to STOP message",
                    "Messages cannot be sent from '" + from + "' to '" + to + "' due to an existing block rule.");
    ++st.messages;
    json m{{"id", new_id()}, {"record_type", "message"}, {"direction", "outbound"},
           {"from", {{"phone_number", from}}}, {"to", json::array({{{"phone_number", to}, {"status", "queued"}}})},
           {"text", text}, {"parts", 1}, {"errors", json::array()}};
    json record = m;
    record["account"] = accounts[*account].connection_id;  // which account's key sent it (emulator view only)
    messages.push_back(record);
    return net::Response::json(200, json{{"data", m}}.dump());
  });

  router.add("GET", "/_emulator/calls", [this](const net::Request&) {
    std::lock_guard l(mu);
    json all = json::array();
    for (const auto& id : order) all.push_back(call_view(calls.at(id)));
    return net::Response::json(200, json{{"data", all}}.dump());
  });
  router.add("GET", "/_emulator/messages", [this](const net::Request&) {
    std::lock_guard l(mu);
    return net::Response::json(200, json{{"data", messages}}.dump());
  });
  router.add("GET", "/_emulator/stats", [this](const net::Request&) {
    std::lock_guard l(mu);
    return net::Response::json(200, json{{"dials", st.dials},
                                         {"duplicate_dials", st.duplicate_dials},
                                         {"rate_limited", st.rate_limited},
                                         {"concurrency_rejections", st.concurrency_rejections},
                                         {"max_active", st.max_active},
                                         {"max_dials_in_5s", st.max_dials_in_5s},
                                         {"webhooks_sent", st.webhooks_sent},
                                         {"webhooks_failed", st.webhooks_failed},
                                         {"messages", st.messages},
                                         {"unauthorized", st.unauthorized},
                                         {"recordings_fetched", st.recordings_fetched},
                                         {"media_downloads", st.media_downloads},
                                         {"media_refused", st.media_refused}}
                                        .dump());
  });
  // ?connection_id= names another account (default: the options' own).
  router.add("GET", "/_emulator/public_key", [this](const net::Request& r) {
    const auto named = r.query_param("connection_id");
    const auto account = account_named(named ? *named : opt.connection_id);
    if (!account) return errors(404, "10005", "Resource not found", "Unknown connection.");
    const auto& pk = accounts[*account].pk;
    std::string b64(sodium_base64_ENCODED_LEN(pk.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), pk.data(), pk.size(), sodium_base64_VARIANT_ORIGINAL);
    b64.resize(std::strlen(b64.c_str()));
    return net::Response::json(200, json{{"public_key", b64}}.dump());
  });
}

}  // namespace outdial::tools::telnyx
