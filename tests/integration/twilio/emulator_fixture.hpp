#pragma once
// Helpers for the Twilio emulator tests: a fake "outdial" web app behind the HttpClient interface
// (routes full URLs to lambdas, records every request), REST calls through the emulator's
// router, and form parsing.
#include <openssl/evp.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "twilio_emulator/emulator.hpp"
#include "outdial/net/http_client.hpp"
#include "outdial/telephony/twilio/twilio_signature.hpp"
#include "twilio_emulator/scheduler.hpp"

namespace outdial::twilio_emulator::testing {

inline std::string base64(const std::string& s) {
  std::string out(4 * ((s.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

struct SeenRequest {
  net::ClientRequest req;
  telephony::twilio::FormParams params;  // decoded form body (POST) or query (GET)
  std::string path;                      // URL path without the query

  std::string param(const std::string& name) const {
    for (const auto& [k, v] : params) {
      if (k == name) return v;
    }
    return "<absent>";
  }
  bool has(const std::string& name) const { return param(name) != "<absent>"; }
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : req.headers) {
      if (k == name) return v;
    }
    return "";
  }
};

// Plays outdial's web side in-process: "http://app.test/<path>" -> handler. Unknown paths 404.
class FakeApp final : public net::HttpClient {
 public:
  using Handler = std::function<net::ClientResponse(const SeenRequest&)>;

  void on(const std::string& path, Handler h) {
    std::lock_guard lock(mu_);
    handlers_[path] = std::move(h);
  }
  // Answers TwiML at `path`.
  void twiml(const std::string& path, std::string xml) {
    on(path, [xml](const SeenRequest&) { return net::ClientResponse{200, {{"content-type", "text/xml"}}, xml}; });
  }

  Result<net::ClientResponse> send(const net::ClientRequest& request) override {
    SeenRequest seen;
    seen.req = request;
    std::string url = request.url;
    const auto q = url.find('?');
    const auto host_end = url.find('/', url.find("://") + 3);
    seen.path = url.substr(host_end, q == std::string::npos ? std::string::npos : q - host_end);
    auto form = telephony::twilio::parse_form(request.method == "GET" ? (q == std::string::npos ? "" : url.substr(q + 1))
                                                                      : request.body);
    if (form.ok()) seen.params = form.value();
    Handler h;
    {
      std::lock_guard lock(mu_);
      seen_.push_back(seen);
      auto it = handlers_.find(seen.path);
      if (it != handlers_.end()) h = it->second;
    }
    if (!h) return net::ClientResponse{404, {}, "not found"};
    return h(seen);
  }

  std::vector<SeenRequest> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  std::vector<SeenRequest> seen_at(const std::string& path) const {
    std::vector<SeenRequest> out;
    for (auto& s : seen()) {
      if (s.path == path) out.push_back(s);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Handler> handlers_;
  std::vector<SeenRequest> seen_;
};

inline const char* kSid = "AC0123456789abcdef0123456789abcdef";
inline const char* kToken = "test-auth-token-0001";

inline EmulatorOptions test_options() {
  EmulatorOptions o;
  o.account_sid = kSid;
  o.auth_token = kToken;
  o.cps = 1;
  return o;
}

// Sends a REST request through the emulator's router (no socket).
inline net::Response rest(TwilioEmulator& emu, const std::string& method, const std::string& path,
                          const std::vector<std::pair<std::string, std::string>>& form = {},
                          const std::string& user = kSid, const std::string& password = kToken) {
  net::Request r;
  r.method = method;
  const auto q = path.find('?');
  r.path = path.substr(0, q);
  r.raw_path = r.path;
  if (q != std::string::npos) {
    std::string raw_path, decoded_path;
    net::split_target(path, raw_path, decoded_path, r.query);
  }
  r.headers["Authorization"] = "Basic " + base64(user + ":" + password);
  r.headers["Content-Type"] = "application/x-www-form-urlencoded";
  r.body = net::form_encode(form);
  return emu.handle(r);
}

inline std::string calls_path() { return std::string("/2010-04-01/Accounts/") + kSid + "/Calls.json"; }
inline std::string call_path(const std::string& sid) {
  return std::string("/2010-04-01/Accounts/") + kSid + "/Calls/" + sid + ".json";
}

inline TimePoint t0() { return from_epoch_ms(1'790'000'000'000); }  // 2026-09-21, a fixed instant

}  // namespace outdial::twilio_emulator::testing
