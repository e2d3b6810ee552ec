// TwilioProvider over a scripted HttpClient: the exact requests it sends and the mapping of every
// error class in the issue.
#include "outdial/telephony/twilio/twilio_provider.hpp"

#include <gtest/gtest.h>

#include "outdial/telephony/twilio/twilio_errors.hpp"
#include "outdial/telephony/twilio/twilio_signature.hpp"
#include "unit/twilio/fake_http_client.hpp"

namespace outdial::telephony::twilio {
namespace {

using outdial::testing::FakeHttpClient;

const std::string kSid = "AC00000000000000000000000000000001";
const std::string kToken = "secret-token-value";

class ProviderTest : public ::testing::Test {
 protected:
  ProviderTest() : clock_(from_epoch_ms(1'700'000'000'000)) {
    cfg_.account_sid = kSid;
    cfg_.auth_token = kToken;
    cfg_.api_base = "http://127.0.0.1:9999";
    cfg_.public_base_url = "https://dial.example/";
    provider_ = std::make_unique<TwilioProvider>(cfg_, http_, clock_);
  }

  DialRequest request() const {
    DialRequest r;
    r.idempotency_key = "3:4:1";
    r.attempt_id = 17;
    r.from = "+15017122661";
    r.to = "+15558675310";
    r.ring_timeout_seconds = 30;
    return r;
  }

  // The decoded form fields of a recorded request.
  static FormParams form(const net::ClientRequest& r) {
    auto p = parse_form(r.body);
    EXPECT_TRUE(p.ok());
    return p.ok() ? *p : FormParams{};
  }
  static std::vector<std::string> values(const FormParams& f, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& [k, v] : f) {
      if (k == name) out.push_back(v);
    }
    return out;
  }

  TwilioConfig cfg_;
  FakeHttpClient http_;
  ManualClock clock_;
  std::unique_ptr<TwilioProvider> provider_;
};

TEST_F(ProviderTest, CreateCallSendsEveryRequiredParameter) {
  http_.reply(201, R"({"sid":"CA0123456789abcdef0123456789abcdef","status":"queued"})");
  DialRequest req = request();
  req.record = true;
  auto r = provider_->place_call(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->provider_call_id, "CA0123456789abcdef0123456789abcdef");
  ASSERT_EQ(http_.requests.size(), 1u);
  const auto& sent = http_.requests[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "http://127.0.0.1:9999/2010-04-01/Accounts/" + kSid + "/Calls.json");
  EXPECT_EQ(sent.basic_user, kSid);
  EXPECT_EQ(sent.basic_password, kToken);
  const auto f = form(sent);
  EXPECT_EQ(values(f, "To"), std::vector<std::string>{"+15558675310"});
  EXPECT_EQ(values(f, "From"), std::vector<std::string>{"+15017122661"});
  EXPECT_EQ(values(f, "Url"), std::vector<std::string>{"https://dial.example/twilio/voice/17"});
  EXPECT_EQ(values(f, "StatusCallback"), std::vector<std::string>{"https://dial.example/twilio/status/17?amd=1"});
  EXPECT_EQ(values(f, "StatusCallbackEvent"),
            (std::vector<std::string>{"initiated", "ringing", "answered", "completed"}));
  EXPECT_EQ(values(f, "MachineDetection"), std::vector<std::string>{"DetectMessageEnd"});
  EXPECT_EQ(values(f, "AsyncAmd"), std::vector<std::string>{"true"});
  EXPECT_EQ(values(f, "AsyncAmdStatusCallback"), std::vector<std::string>{"https://dial.example/twilio/amd/17"});
  EXPECT_EQ(values(f, "Timeout"), std::vector<std::string>{"30"});
  EXPECT_EQ(values(f, "Record"), std::vector<std::string>{"true"});
  EXPECT_EQ(values(f, "RecordingStatusCallback"), std::vector<std::string>{"https://dial.example/twilio/recording/17"});
  // The token is only ever the Basic password, never in the URL or the body.
  EXPECT_EQ(sent.url.find(kToken), std::string::npos);
  EXPECT_EQ(sent.body.find(kToken), std::string::npos);
}

TEST_F(ProviderTest, RingTimeoutIsClampedToAtLeastFifteenSeconds) {
  http_.reply(201, R"({"sid":"CA1"})");
  http_.reply(201, R"({"sid":"CA2"})");
  DialRequest req = request();
  req.ring_timeout_seconds = 5;
  req.machine_detection = false;
  ASSERT_TRUE(provider_->place_call(req).ok());
  auto f = form(http_.requests[0]);
  EXPECT_EQ(values(f, "Timeout"), std::vector<std::string>{"15"});
  EXPECT_TRUE(values(f, "MachineDetection").empty());
  EXPECT_TRUE(values(f, "Record").empty());
  EXPECT_EQ(values(f, "StatusCallback"), std::vector<std::string>{"https://dial.example/twilio/status/17"});
  req.ring_timeout_seconds = 5000;
  ASSERT_TRUE(provider_->place_call(req).ok());
  EXPECT_EQ(values(form(http_.requests[1]), "Timeout"), std::vector<std::string>{"600"});
}

TEST_F(ProviderTest, InvalidRequestsFailBeforeAnythingIsSent) {
  DialRequest req = request();
  req.to = "5558675310";
  auto r = provider_->place_call(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().details.at("field"), "to");
  req = request();
  req.attempt_id = 0;
  EXPECT_EQ(provider_->place_call(req).error().code, ErrorCode::kInvalidArgument);
  TwilioConfig no_url = cfg_;
  no_url.public_base_url.clear();
  TwilioProvider p(no_url, http_, clock_);
  EXPECT_EQ(p.place_call(request()).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(http_.requests.empty());
}

struct ErrorCase {
  int http;
  std::string body;
  ErrorCode code;
  std::string detail_key;  // must be "true" when not empty
};

TEST_F(ProviderTest, CreateCallErrorMapping) {
  const std::vector<ErrorCase> cases = {
      {429, R"({"code":20429,"message":"Too Many Requests","status":429})", ErrorCode::kRateLimited, ""},
      {429, "<html>slow down</html>", ErrorCode::kRateLimited, ""},
      {400, R"({"code":21211,"message":"The 'To' number 5551234 is not a valid phone number.","status":400})",
       ErrorCode::kInvalidArgument, ""},
      {400, R"({"code":21214,"message":"To cannot be reached"})", ErrorCode::kInvalidArgument, ""},
      {400, R"({"code":21217,"message":"not valid"})", ErrorCode::kInvalidArgument, ""},
      {400, R"({"code":21215,"message":"geo"})", ErrorCode::kPermissionDenied, "geo_permission"},
      {400, R"({"code":32205,"message":"geo"})", ErrorCode::kPermissionDenied, "geo_permission"},
      {400, R"({"code":13227,"message":"geo"})", ErrorCode::kPermissionDenied, "geo_permission"},
      {400, R"({"code":21216,"message":"blocked"})", ErrorCode::kPermissionDenied, ""},
      {400, R"({"code":21610,"message":"opted out"})", ErrorCode::kPermissionDenied, "opted_out"},
      {401, R"({"code":20003,"message":"Authenticate"})", ErrorCode::kUnauthenticated, ""},
      {400, R"({"code":21210,"message":"From not verified"})", ErrorCode::kFailedPrecondition, ""},
      {500, R"({"code":20500,"message":"Internal"})", ErrorCode::kUnavailable, "may_exist"},
      {503, "Service Unavailable", ErrorCode::kUnavailable, "may_exist"},
      {201, "not json", ErrorCode::kUnavailable, "may_exist"},  // accepted, but which call?
  };
  for (const auto& c : cases) {
    http_.reply(c.http, c.body);
    auto r = provider_->place_call(request());
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().code, c.code) << c.body << " -> " << r.error().message;
    if (!c.detail_key.empty()) {
      EXPECT_EQ(r.error().details.at(c.detail_key), "true") << c.body;
    }
    EXPECT_EQ(r.error().message.find(kToken), std::string::npos);
  }
  // Exactly one request per place_call: nothing is retried inside the driver.
  EXPECT_EQ(http_.requests.size(), cases.size());
}

TEST_F(ProviderTest, TransportTimeoutIsUnavailableAndMayExist) {
  http_.fail(make_error(ErrorCode::kUnavailable, "timed out", {{"timeout", "true"}}));
  auto r = provider_->place_call(request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().details.at("timeout"), "true");
  EXPECT_EQ(r.error().details.at("may_exist"), "true");
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(ProviderTest, ProblemJsonBodiesAreUnderstood) {
  const Error e = map_twilio_error(400, R"({"type":"x","title":"Bad","status":400,"code":21211,"detail":"bad To"})",
                                   "create call");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.details.at("provider_code"), "21211");
  EXPECT_NE(e.message.find("bad To"), std::string::npos);
}

TEST_F(ProviderTest, HangupUpdatesStatusCompletedAndToleratesEndedCalls) {
  http_.reply(200, R"({"sid":"CA9","status":"completed"})");
  ASSERT_TRUE(provider_->hangup("CA9").ok());
  EXPECT_EQ(http_.requests[0].url, "http://127.0.0.1:9999/2010-04-01/Accounts/" + kSid + "/Calls/CA9.json");
  EXPECT_EQ(http_.requests[0].body, "Status=completed");
  http_.reply(400, R"({"code":21220,"message":"Call is not in-progress"})");
  EXPECT_TRUE(provider_->hangup("CA9").ok());
  http_.reply(404, R"({"code":20404,"message":"not found"})");
  EXPECT_EQ(provider_->hangup("CA8").error().code, ErrorCode::kNotFound);
}

TEST_F(ProviderTest, RedirectPostsTheNewUrl) {
  http_.reply(200, R"({"sid":"CA9"})");
  ASSERT_TRUE(provider_->redirect("CA9", "https://dial.example/twilio/voicemail/17").ok());
  const auto f = form(http_.requests[0]);
  EXPECT_EQ(values(f, "Url"), std::vector<std::string>{"https://dial.example/twilio/voicemail/17"});
}

TEST_F(ProviderTest, SendSms) {
  http_.reply(201, R"({"sid":"SM123","status":"queued"})");
  SmsRequest s;
  s.from = "+15017122661";
  s.to = "+15558675310";
  s.body = "Hi & bye";
  auto r = provider_->send_sms(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "SM123");
  EXPECT_EQ(http_.requests[0].url, "http://127.0.0.1:9999/2010-04-01/Accounts/" + kSid + "/Messages.json");
  EXPECT_EQ(values(form(http_.requests[0]), "Body"), std::vector<std::string>{"Hi & bye"});
  http_.reply(400, R"({"code":21610,"message":"Attempt to send to unsubscribed recipient"})");
  auto opted = provider_->send_sms(s);
  ASSERT_FALSE(opted.ok());
  EXPECT_EQ(opted.error().details.at("opted_out"), "true");
  s.body = std::string(1601, 'x');
  EXPECT_EQ(provider_->send_sms(s).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ProviderTest, FindCallMatchesToFromAndCreationTime) {
  // Newest first, as Twilio lists them. placed_after = 2023-11-14T22:13:20Z.
  http_.reply(200, R"({"calls":[
    {"sid":"CAnew","to":"+15558675310","from":"+15017122661","date_created":"Tue, 14 Nov 2023 22:20:00 +0000"},
    {"sid":"CAours","to":"+15558675310","from":"+15017122661","date_created":"Tue, 14 Nov 2023 22:13:25 +0000"},
    {"sid":"CAother","to":"+15558675310","from":"+15550000000","date_created":"Tue, 14 Nov 2023 22:13:30 +0000"},
    {"sid":"CAold","to":"+15558675310","from":"+15017122661","date_created":"Mon, 13 Nov 2023 10:00:00 +0000"}
  ],"next_page_uri":"/2010-04-01/Accounts/AC/Calls.json?Page=1"})");
  CallLookup lookup("3:4:1");
  lookup.to = "+15558675310";
  lookup.from = "+15017122661";
  lookup.placed_after = from_epoch_ms(1'700'000'000'000);
  auto r = provider_->find_call(lookup);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, "CAours");
  ASSERT_EQ(http_.requests.size(), 1u);  // an older call was seen: no further page needed
  EXPECT_EQ(http_.requests[0].method, "GET");
  EXPECT_EQ(http_.requests[0].url, "http://127.0.0.1:9999/2010-04-01/Accounts/" + kSid +
                                       "/Calls.json?To=%2B15558675310&From=%2B15017122661&PageSize=50");
}

TEST_F(ProviderTest, FindCallPagesAndReportsNothingWhenNoCallExists) {
  http_.reply(200, R"({"calls":[
    {"sid":"CAx","to":"+15558675310","from":"+15550000000","date_created":"Tue, 14 Nov 2023 22:20:00 +0000"}],
    "next_page_uri":"/2010-04-01/Accounts/AC/Calls.json?Page=1&PageToken=PA1"})");
  http_.reply(200, R"({"calls":[],"next_page_uri":null})");
  CallLookup lookup("k");
  lookup.to = "+15558675310";
  lookup.from = "+15017122661";
  lookup.placed_after = from_epoch_ms(1'700'000'000'000);
  auto r = provider_->find_call(lookup);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.requests[1].url, "http://127.0.0.1:9999/2010-04-01/Accounts/AC/Calls.json?Page=1&PageToken=PA1");
  // A failure to list is an error, never "no call" (that would dial twice).
  http_.reply(500, "oops");
  EXPECT_EQ(provider_->find_call(lookup).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(provider_->find_call(CallLookup("k")).error().code, ErrorCode::kInvalidArgument);
}

class RecordingIngress final : public EventIngress {
 public:
  Status ingest(const CallEvent& e) override {
    events.push_back(e);
    return ok_status();
  }
  std::vector<CallEvent> events;
};

TEST_F(ProviderTest, ReconcileDeliversTheCallResourceStatusAsEvents) {
  RecordingIngress ingress;
  provider_->set_event_ingress(&ingress);
  http_.reply(200, R"({"sid":"CA5","status":"completed","answered_by":"human","duration":"49",
                       "end_time":"Tue, 14 Nov 2023 22:15:00 +0000"})");
  ASSERT_TRUE(provider_->reconcile("CA5").ok());
  ASSERT_EQ(ingress.events.size(), 2u);
  EXPECT_EQ(ingress.events[0].kind, CallEventKind::kAnsweredHuman);
  EXPECT_EQ(ingress.events[1].kind, CallEventKind::kCompleted);
  EXPECT_EQ(ingress.events[1].duration_seconds, 49);
  EXPECT_EQ(format_iso8601(ingress.events[1].at), "2023-11-14T22:15:00.000Z");
  http_.reply(404, R"({"code":20404})");
  EXPECT_EQ(provider_->reconcile("CAgone").error().code, ErrorCode::kNotFound);
}

// --- fetch_recording ---

const std::string kRecSid = "RE0123456789abcdef0123456789abcdef";

TEST_F(ProviderTest, FetchRecordingGetsTheMp3FromTheAccountsApiBaseWithItsCredentials) {
  net::ClientResponse ok;
  ok.status = 200;
  ok.headers = {{"content-type", "audio/mpeg"}};
  ok.body = std::string("ID3\0\xff", 5);
  http_.replies.emplace_back(ok);
  auto media = provider_->fetch_recording({"CA1", kRecSid});
  ASSERT_TRUE(media.ok()) << media.error().message;
  EXPECT_EQ(media->bytes, ok.body);
  EXPECT_EQ(media->content_type, "audio/mpeg");
  ASSERT_EQ(http_.requests.size(), 1u);
  const auto& r = http_.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.url, "http://127.0.0.1:9999/2010-04-01/Accounts/" + kSid + "/Recordings/" + kRecSid + ".mp3");
  EXPECT_EQ(r.basic_user, kSid);
  EXPECT_EQ(r.basic_password, kToken);
}

TEST_F(ProviderTest, FetchRecordingFollowsARedirectWithoutCredentials) {
  net::ClientResponse moved;
  moved.status = 302;
  moved.headers = {{"location", "https://media.example/signed/abc.mp3?sig=1"}};
  http_.replies.emplace_back(moved);
  http_.reply(200, "audio-bytes");
  auto media = provider_->fetch_recording({"CA1", kRecSid});
  ASSERT_TRUE(media.ok()) << media.error().message;
  EXPECT_EQ(media->bytes, "audio-bytes");
  EXPECT_EQ(media->content_type, "audio/mpeg");  // none sent: the .mp3 asked for
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.requests[1].url, "https://media.example/signed/abc.mp3?sig=1");
  EXPECT_TRUE(http_.requests[1].basic_user.empty());
  EXPECT_TRUE(http_.requests[1].basic_password.empty());
  for (const auto& [k, v] : http_.requests[1].headers) EXPECT_NE(k, "Authorization");
}

TEST_F(ProviderTest, FetchRecordingRefusesAnIdThatIsNotARecordingSidWithoutSendingAnything) {
  for (const std::string bad : {"", "RE123", "../Calls/CA1", "RE0123456789abcdef0123456789abcdeg",
                                "CA0123456789abcdef0123456789abcdef"}) {
    auto media = provider_->fetch_recording({"CA1", bad});
    ASSERT_FALSE(media.ok()) << bad;
    EXPECT_EQ(media.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(ProviderTest, FetchRecordingMapsTheCarriersAnswers) {
  struct Case {
    int status;
    ErrorCode code;
  };
  for (const auto& c : {Case{404, ErrorCode::kNotFound}, Case{401, ErrorCode::kUnavailable},
                        Case{403, ErrorCode::kUnavailable}, Case{500, ErrorCode::kUnavailable},
                        Case{503, ErrorCode::kUnavailable}}) {
    http_.reply(c.status, R"({"code":20404,"message":"not found","status":)" + std::to_string(c.status) + "}");
    auto media = provider_->fetch_recording({"CA1", kRecSid});
    ASSERT_FALSE(media.ok()) << c.status;
    EXPECT_EQ(media.error().code, c.code) << c.status;
    EXPECT_EQ(media.error().details.at("carrier_status"), std::to_string(c.status));
    EXPECT_EQ(media.error().message.find(kToken), std::string::npos);
  }
  http_.fail(make_error(ErrorCode::kUnavailable, "connect refused", {{"timeout", "true"}}));
  auto media = provider_->fetch_recording({"CA1", kRecSid});
  ASSERT_FALSE(media.ok());
  EXPECT_EQ(media.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace outdial::telephony::twilio
