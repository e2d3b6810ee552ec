// GET /api/calls/:id/recordings and .../recordings/:rid/media over HTTP: who may list and fetch,
// tenant isolation, the audit entry of every fetch, and how the carrier's errors are answered. The
// carrier is a scripted telephony::Provider here (the real drivers against their emulators are
// in tests/integration/twilio and tests/integration/telnyx).
#include "outdial/telephony/provider.hpp"
#include "unit/api/api_fixture.hpp"

namespace outdial::api::test {
namespace {

class ScriptedCarrier final : public telephony::Provider {
 public:
  std::string name() const override { return "twilio"; }
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest&) override {
    return make_error(ErrorCode::kInternal, "not used");
  }
  Status hangup(const std::string&) override { return ok_status(); }
  Result<std::string> send_sms(const telephony::SmsRequest&) override {
    return make_error(ErrorCode::kInternal, "not used");
  }
  Result<std::optional<std::string>> find_call(const telephony::CallLookup&) override { return std::optional<std::string>(); }
  Status reconcile(const std::string&) override { return ok_status(); }
  Result<telephony::RecordingMedia> fetch_recording(const telephony::RecordingRef& r) override {
    std::lock_guard lock(mu);
    asked.push_back(r);
    if (fail) return *fail;
    return telephony::RecordingMedia{content_type, bytes};
  }

  std::mutex mu;
  std::vector<telephony::RecordingRef> asked;
  std::optional<Error> fail;
  std::string content_type = "audio/mpeg";
  std::string bytes = std::string("ID3\x04\0\r\n\xff\xfb", 10) + "audio";
};

class RecordingApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    deps_->recordings = &carrier_;
    std::vector<Contact> contacts;
    const CampaignId id = seed_campaign_with_contacts({"+14155550123"}, contacts);
    ASSERT_EQ(contacts.size(), 1u);
    CallAttempt a;
    a.tenant_id = tenant_a_;
    a.campaign_id = id;
    a.contact_id = contacts[0].id;
    a.idempotency_key = std::to_string(id) + ":1:1";
    a.state = CallState::kCompleted;
    a.provider = "twilio";
    a.provider_call_id = "CA0123456789abcdef0123456789abcdef";
    a.to_number = "+14155550123";
    a.created_at = clock_.now();
    auto stored = db_->calls().create_attempt(a);
    ASSERT_TRUE(stored.ok());
    attempt_ = stored->id;
    storage::CallRecording rec;
    rec.attempt_id = attempt_;
    rec.provider = "twilio";
    rec.provider_call_id = a.provider_call_id;
    rec.recording_id = "RE0123456789abcdef0123456789abcdef";
    // As the webhook delivered it: a URL with a signature that must not leak through the API.
    rec.url = "https://media.example/RE0123.mp3?X-Amz-Signature=secret-signature";
    rec.status = "completed";
    rec.duration_seconds = 42;
    rec.at = clock_.now();
    ASSERT_TRUE(db_->calls().add_recording(rec).ok());
    auto recs = db_->calls().recordings_for_attempt(attempt_);
    ASSERT_TRUE(recs.ok());
    ASSERT_EQ(recs->size(), 1u);
    recording_ = (*recs)[0].id;
  }

  std::string list_path() const { return "/api/calls/" + std::to_string(attempt_) + "/recordings"; }
  std::string media_path() const { return list_path() + "/" + std::to_string(recording_) + "/media"; }
  outdial::testing::RawResponse raw(const std::string& target, const std::string& key) {
    outdial::testing::TestHttpClient c(server_->port());
    return c.request("GET", target, "", {{"Authorization", "Bearer " + key}});
  }
  std::vector<AuditEntry> fetch_audits() {
    auto list = db_->audit().list(tenant_a_, "call_recording", 0, 100);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<AuditEntry>{};
  }

  ScriptedCarrier carrier_;
  AttemptId attempt_ = 0;
  std::int64_t recording_ = 0;
};

TEST_F(RecordingApiTest, StaffAndAgentsListTheCallsRecordingsWithoutTheStoredUrl) {
  for (const auto* key : {&admin_key_, &staff_key_, &agent_key_}) {
    auto r = call("GET", list_path(), *key);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    ASSERT_EQ(r.body["items"].size(), 1u);
    const json& item = r.body["items"][0];
    EXPECT_EQ(item["id"], recording_);
    EXPECT_EQ(item["call_id"], attempt_);
    EXPECT_EQ(item["provider"], "twilio");
    EXPECT_EQ(item["recording_id"], "RE0123456789abcdef0123456789abcdef");
    EXPECT_EQ(item["duration_seconds"], 42);
    EXPECT_EQ(item["status"], "completed");
    EXPECT_EQ(item["media_url"], media_path());
    EXPECT_FALSE(item.contains("url"));
    EXPECT_EQ(r.body.dump().find("secret-signature"), std::string::npos);
  }
  EXPECT_TRUE(carrier_.asked.empty());  // listing fetches nothing
}

TEST_F(RecordingApiTest, ClientViewersMayNeitherListNorFetch) {
  auto r = call("GET", list_path(), viewer_key_);
  EXPECT_EQ(r.status, 403) << r.body.dump();
  EXPECT_EQ(r.body["error"]["details"]["required"], "agent");
  r = call("GET", media_path(), viewer_key_);
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(carrier_.asked.empty());
  EXPECT_TRUE(fetch_audits().empty());
}

TEST_F(RecordingApiTest, AnotherTenantsCallIsNotFound) {
  auto r = call("GET", list_path(), other_admin_key_);
  EXPECT_EQ(r.status, 404) << r.body.dump();
  r = call("GET", media_path(), other_admin_key_);
  EXPECT_EQ(r.status, 404);
  r = call("GET", "/api/calls/999999/recordings", admin_key_);
  EXPECT_EQ(r.status, 404);
  r = call("GET", list_path() + "/" + std::to_string(recording_ + 100) + "/media", admin_key_);
  EXPECT_EQ(r.status, 404);
  r = call("GET", "/api/calls/x/recordings", admin_key_);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(carrier_.asked.empty());
  auto b = db_->audit().list(tenant_b_, "call_recording", 0, 100);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->empty());
}

TEST_F(RecordingApiTest, MediaIsFetchedFromTheCarrierForTheCallAndAudited) {
  auto r = raw(media_path(), agent_key_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, carrier_.bytes);  // binary-safe: NUL, CR LF, 0xff
  EXPECT_EQ(r.headers["content-type"], "audio/mpeg");
  EXPECT_EQ(r.headers["cache-control"], "no-store");
  EXPECT_NE(r.headers["content-disposition"].find("recording-" + std::to_string(recording_) + ".mp3"),
            std::string::npos);
  ASSERT_EQ(carrier_.asked.size(), 1u);
  EXPECT_EQ(carrier_.asked[0].provider_call_id, "CA0123456789abcdef0123456789abcdef");
  EXPECT_EQ(carrier_.asked[0].recording_id, "RE0123456789abcdef0123456789abcdef");

  // Fetched again: asked again (nothing kept), audited again.
  r = raw(media_path(), admin_key_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(carrier_.asked.size(), 2u);
  auto audits = fetch_audits();
  ASSERT_EQ(audits.size(), 2u);
  std::set<std::string> actors;
  for (const auto& e : audits) {
    actors.insert(e.actor);
    EXPECT_EQ(e.action, "recording.fetch");
    EXPECT_EQ(e.entity_id, std::to_string(recording_));
    const json p = json::parse(e.payload_json);
    EXPECT_EQ(p["call_id"], attempt_);
    EXPECT_EQ(p["recording_id"], "RE0123456789abcdef0123456789abcdef");
    EXPECT_EQ(p["outcome"], "ok");
    EXPECT_EQ(p["bytes"], carrier_.bytes.size());
  }
  EXPECT_EQ(actors.size(), 2u);  // who fetched: the agent, then the admin
}

TEST_F(RecordingApiTest, CarrierErrorsAreAnsweredAsTheCallersProblemOnlyWhenTheyAre) {
  struct Case {
    ErrorCode carrier;
    int status;
  };
  const Case cases[] = {{ErrorCode::kNotFound, 404},
                        {ErrorCode::kInvalidArgument, 404},  // a recording id the carrier cannot have
                        {ErrorCode::kUnavailable, 503},
                        {ErrorCode::kUnauthenticated, 503},  // the account's credentials, not the API key
                        {ErrorCode::kPermissionDenied, 503},
                        {ErrorCode::kFailedPrecondition, 409}};
  for (const auto& c : cases) {
    carrier_.fail = make_error(c.carrier, "carrier says no");
    auto r = call("GET", media_path(), staff_key_);
    EXPECT_EQ(r.status, c.status) << to_string(c.carrier) << " " << r.body.dump();
    EXPECT_EQ(r.body["error"]["details"]["recording_id"], "RE0123456789abcdef0123456789abcdef");
  }
  // Failed fetches are audited too, with their outcome.
  auto audits = fetch_audits();
  ASSERT_EQ(audits.size(), std::size(cases));
  EXPECT_EQ(json::parse(audits.back().payload_json)["outcome"], to_string(cases[0].carrier));
}

TEST_F(RecordingApiTest, OnlyAudioContentTypesArePassedOn) {
  carrier_.content_type = "text/html";
  auto r = raw(media_path(), agent_key_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/octet-stream");
  EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
}

TEST_F(RecordingApiTest, ARecordingOfAnotherCarrierOrNoCarrierIsRefused) {
  carrier_.fail.reset();
  deps_->recordings = nullptr;
  auto r = call("GET", media_path(), agent_key_);
  EXPECT_EQ(r.status, 503) << r.body.dump();

  class Sim final : public telephony::Provider {
   public:
    std::string name() const override { return "sim"; }
    Result<telephony::DialAccepted> place_call(const telephony::DialRequest&) override {
      return make_error(ErrorCode::kInternal, "");
    }
    Status hangup(const std::string&) override { return ok_status(); }
    Result<std::string> send_sms(const telephony::SmsRequest&) override { return std::string(); }
    Result<std::optional<std::string>> find_call(const telephony::CallLookup&) override { return std::optional<std::string>(); }
    Status reconcile(const std::string&) override { return ok_status(); }
  } sim;
  deps_->recordings = &sim;
  r = call("GET", media_path(), agent_key_);
  EXPECT_EQ(r.status, 409) << r.body.dump();  // made through twilio, this install runs sim
  // A provider that keeps no recordings answers kFailedPrecondition by default.
  auto direct = sim.fetch_recording({"call", "rec"});
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(carrier_.asked.empty());
}

}  // namespace
}  // namespace outdial::api::test
