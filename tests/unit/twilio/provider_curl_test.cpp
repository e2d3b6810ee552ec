// TwilioProvider over the real libcurl client against a small fake of Twilio's REST API on the
// project's Beast server (loopback): Basic auth, form bodies, JSON answers, and the time-out case
// that makes find_call() necessary (the request reached Twilio, the answer did not reach us).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/net/router.hpp"
#include "outdial/net/server.hpp"
#include "outdial/telephony/twilio/twilio_provider.hpp"
#include "outdial/telephony/twilio/twilio_signature.hpp"

namespace outdial::telephony::twilio {
namespace {

const std::string kSid = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "curl-test-token";
// base64("AC0123456789abcdef0123456789abcdef:curl-test-token")
const std::string kAuth = "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpjdXJsLXRlc3QtdG9rZW4=";

struct FakeCall {
  std::string sid, to, from, status;
};

class FakeTwilioApi {
 public:
  FakeTwilioApi() {
    const std::string base = "/2010-04-01/Accounts/:account";
    router_.add("POST", base + "/Calls.json", [this](const net::Request& r) { return create(r); });
    router_.add("GET", base + "/Calls.json", [this](const net::Request& r) { return list(r); });
    router_.add("POST", base + "/Calls/:call", [this](const net::Request& r) { return update(r); });
    net::ServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.shutdown_grace = std::chrono::seconds(2);
    server_ = std::make_unique<net::HttpServer>(o, router_.as_handler());
    EXPECT_TRUE(server_->start().ok());
  }
  ~FakeTwilioApi() {
    release_slow = true;
    server_->stop();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  std::atomic<bool> slow{false};
  std::atomic<bool> release_slow{false};
  std::mutex mu;
  std::vector<FakeCall> calls;
  std::vector<FormParams> create_forms;

 private:
  static net::Response error(int http, int code, const std::string& msg) {
    return net::Response::json(http, R"({"code":)" + std::to_string(code) + R"(,"message":")" + msg +
                                          R"(","status":)" + std::to_string(http) + "}");
  }
  bool authorized(const net::Request& r) const {
    return r.header("Authorization") == kAuth && r.path_param("account") == kSid;
  }
  net::Response create(const net::Request& r) {
    if (!authorized(r)) return error(401, 20003, "Authenticate");
    auto form = parse_form(r.body);
    if (!form.ok()) return error(400, 21201, "bad form");
    FakeCall c{"", "", "", "queued"};
    for (const auto& [k, v] : *form) {
      if (k == "To") c.to = v;
      if (k == "From") c.from = v;
    }
    if (c.to == "+15005550001") return error(400, 21211, "The 'To' number is not a valid phone number.");
    {
      std::lock_guard l(mu);
      c.sid = "CA" + std::string(30, '0') + std::to_string(10 + calls.size());
      calls.push_back(c);
      create_forms.push_back(*form);
    }
    // The call exists at Twilio from here on, whether or not our answer arrives.
    for (int i = 0; i < 300 && slow && !release_slow; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return net::Response::json(201, R"({"sid":")" + c.sid + R"(","status":"queued"})");
  }
  net::Response list(const net::Request& r) {
    if (!authorized(r)) return error(401, 20003, "Authenticate");
    std::lock_guard l(mu);
    std::string out = R"({"calls":[)";
    bool first = true;
    for (auto it = calls.rbegin(); it != calls.rend(); ++it) {  // newest first
      if (it->to != r.query_param("To").value_or("") || it->from != r.query_param("From").value_or("")) continue;
      if (!first) out += ",";
      first = false;
      out += R"({"sid":")" + it->sid + R"(","to":")" + it->to + R"(","from":")" + it->from +
             R"(","status":")" + it->status + R"(","date_created":"Tue, 14 Nov 2023 22:14:00 +0000"})";
    }
    return net::Response::json(200, out + R"(],"next_page_uri":null})");
  }
  net::Response update(const net::Request& r) {
    if (!authorized(r)) return error(401, 20003, "Authenticate");
    std::lock_guard l(mu);
    for (auto& c : calls) {
      if (c.sid + ".json" == r.path_param("call")) {
        c.status = "completed";
        return net::Response::json(200, R"({"sid":")" + c.sid + R"(","status":"completed"})");
      }
    }
    return error(404, 20404, "not found");
  }

  net::Router router_;
  std::unique_ptr<net::HttpServer> server_;
};

class ProviderCurlTest : public ::testing::Test {
 protected:
  ProviderCurlTest() : clock_(from_epoch_ms(1'700'000'000'000)) {  // 2023-11-14T22:13:20Z
    cfg_.account_sid = kSid;
    cfg_.auth_token = kToken;
    cfg_.api_base = api_.url();
    cfg_.public_base_url = "https://dial.example";
    http_ = net::make_curl_client();
    provider_ = std::make_unique<TwilioProvider>(cfg_, *http_, clock_);
  }
  DialRequest request(const std::string& to = "+15558675310") const {
    DialRequest r;
    r.idempotency_key = "1:2:1";
    r.attempt_id = 5;
    r.from = "+15017122661";
    r.to = to;
    return r;
  }
  CallLookup lookup() const {
    CallLookup l("1:2:1");
    l.to = "+15558675310";
    l.from = "+15017122661";
    l.placed_after = clock_.now();
    return l;
  }

  FakeTwilioApi api_;
  TwilioConfig cfg_;
  ManualClock clock_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<TwilioProvider> provider_;
};

TEST_F(ProviderCurlTest, PlacesFindsAndHangsUpACall) {
  auto placed = provider_->place_call(request());
  ASSERT_TRUE(placed.ok()) << placed.error().message;
  ASSERT_EQ(api_.calls.size(), 1u);
  EXPECT_EQ(placed->provider_call_id, api_.calls[0].sid);
  EXPECT_EQ(api_.calls[0].to, "+15558675310");
  auto found = provider_->find_call(lookup());
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, placed->provider_call_id);
  ASSERT_TRUE(provider_->hangup(placed->provider_call_id).ok());
  EXPECT_EQ(api_.calls[0].status, "completed");
}

TEST_F(ProviderCurlTest, BadNumberAndBadCredentialsAreMapped) {
  auto bad = provider_->place_call(request("+15005550001"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().details.at("provider_code"), "21211");
  TwilioConfig wrong = cfg_;
  wrong.auth_token = "nope";
  TwilioProvider p(wrong, *http_, clock_);
  auto denied = p.place_call(request());
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(api_.calls.empty());
}

TEST_F(ProviderCurlTest, TimeOutAfterSendingIsResolvedByFindCallNotByASecondDial) {
  cfg_.request_timeout = std::chrono::milliseconds(300);
  TwilioProvider impatient(cfg_, *http_, clock_);
  api_.slow = true;
  auto placed = impatient.place_call(request());
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(placed.error().details.at("timeout"), "true");
  EXPECT_EQ(placed.error().details.at("may_exist"), "true");
  api_.release_slow = true;
  api_.slow = false;
  // What the dialer does next: look the key up before dialing it again.
  auto found = provider_->find_call(lookup());
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  std::lock_guard l(api_.mu);
  ASSERT_EQ(api_.calls.size(), 1u);
  EXPECT_EQ(**found, api_.calls[0].sid);
}

}  // namespace
}  // namespace outdial::telephony::twilio
