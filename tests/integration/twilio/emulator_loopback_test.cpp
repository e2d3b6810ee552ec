// The emulator over real HTTP on loopback: REST through the libcurl client with Basic auth, and
// its webhooks received by a Beast server that validates X-Twilio-Signature over the URL it was
// reached at (the driver's validate_request).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include <nlohmann/json.hpp>

#include "emulator_fixture.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/net/router.hpp"
#include "outdial/net/server.hpp"

namespace outdial::twilio_emulator {
namespace {

using namespace outdial::twilio_emulator::testing;
using nlohmann::json;

class EmulatorLoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http_ = net::make_curl_client();
    // The "outdial" side: signature checked over its own public URL, like the driver's routes.
    router_.add("POST", "/hook/:kind", [this](const net::Request& r) {
      const std::string url = app_base() + r.raw_path + (r.raw_query.empty() ? "" : "?" + r.raw_query);
      const auto verdict = telephony::twilio::validate_request(kToken, url, r.header("Content-Type"), r.body,
                                                               r.header("X-Twilio-Signature"));
      std::lock_guard lock(mu_);
      received_.push_back({r.path_param("kind"), verdict});
      if (verdict != telephony::twilio::SignatureVerdict::kValid) return net::Response::text(403, "forged");
      if (r.path_param("kind") == "voice") {
        net::Response resp = net::Response::text(200, "<Response><Say>Hello from outdial.</Say></Response>");
        resp.headers["Content-Type"] = "text/xml";
        return resp;
      }
      return net::Response::text(200, "");
    });
    app_server_ = std::make_unique<net::HttpServer>(net::ServerOptions{}, router_.as_handler());
    ASSERT_TRUE(app_server_->start().ok());
    emu_ = std::make_unique<TwilioEmulator>(test_options(), sched_, *http_, Script{});
    ASSERT_TRUE(emu_->start().ok());
  }
  void TearDown() override {
    emu_->stop();
    app_server_->stop();
  }
  std::string app_base() const { return "http://127.0.0.1:" + std::to_string(app_server_->port()); }

  Result<net::ClientResponse> api(const std::string& method, const std::string& path, const std::string& body,
                                  const std::string& password = kToken, Millis timeout = Millis(5000)) {
    net::ClientRequest req;
    req.method = method;
    req.url = emu_->base_url() + path;
    req.body = body;
    req.basic_user = kSid;
    req.basic_password = password;
    req.timeout = timeout;
    if (method == "POST") req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return http_->send(req);
  }
  std::string create_form(const std::string& to) {
    return net::form_encode({{"To", to},
                             {"From", "+15017122661"},
                             {"Url", app_base() + "/hook/voice"},
                             {"StatusCallback", app_base() + "/hook/status?tenant=1"},
                             {"StatusCallbackEvent", "initiated"},
                             {"StatusCallbackEvent", "answered"},
                             {"StatusCallbackEvent", "completed"}});
  }

  VirtualScheduler sched_{t0()};
  std::unique_ptr<net::HttpClient> http_;
  net::Router router_;
  std::unique_ptr<net::HttpServer> app_server_;
  std::unique_ptr<TwilioEmulator> emu_;
  std::mutex mu_;
  std::vector<std::pair<std::string, telephony::twilio::SignatureVerdict>> received_;
};

TEST_F(EmulatorLoopbackTest, CallOverHttpWithSignedWebhooksTheAppAccepts) {
  auto r = api("POST", calls_path(), create_form("+15558675310"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r.value().status, 201) << r.value().body;
  const std::string sid = json::parse(r.value().body)["sid"];
  sched_.run_all();
  auto c = emu_->call(sid);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, "completed");
  ASSERT_EQ(c->spoken.size(), 1u);
  EXPECT_EQ(c->spoken[0].text, "Hello from outdial.");
  std::lock_guard lock(mu_);
  ASSERT_EQ(received_.size(), 4u);  // initiated, voice, answered, completed (order: status queue vs fetch)
  for (const auto& [kind, verdict] : received_) {
    EXPECT_EQ(verdict, telephony::twilio::SignatureVerdict::kValid) << kind;
  }
  for (const auto& w : emu_->webhooks()) EXPECT_EQ(w.http_status, 200) << w.kind << " " << w.url;
}

TEST_F(EmulatorLoopbackTest, WrongPasswordIs401OverHttp) {
  auto r = api("POST", calls_path(), create_form("+15558675310"), "not-the-token");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 401);
  EXPECT_EQ(json::parse(r.value().body)["code"], 20003);
  EXPECT_TRUE(emu_->calls().empty());
}

TEST_F(EmulatorLoopbackTest, TimeoutFaultTheClientGivesUpButTheCallExists) {
  emu_->add_rest_fault(RestFault{.kind = RestFaultKind::kTimeout, .stall_seconds = 1.5});
  auto r = api("POST", calls_path(), create_form("+15558675310"), kToken, Millis(300));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().details.at("timeout"), "true");
  ASSERT_EQ(emu_->calls().size(), 1u);
  // What the driver's find_call does: list by To/From and find it.
  auto list = api("GET", calls_path() + "?To=%2B15558675310&From=%2B15017122661", "");
  ASSERT_TRUE(list.ok());
  const json body = json::parse(list.value().body);
  ASSERT_EQ(body["calls"].size(), 1u);
  EXPECT_EQ(body["calls"][0]["sid"], emu_->calls()[0].sid);
}

}  // namespace
}  // namespace outdial::twilio_emulator
