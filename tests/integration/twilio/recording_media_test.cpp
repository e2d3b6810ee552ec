// Recordings fetched on demand (issue #3 §1) over loopback: a recorded call placed through a
// tenant's own Twilio account (an emulator with its own SID and token) and one through the
// install's configured account; their RecordingStatusCallbacks stored by the real routes; then
// GET /api/calls/:id/recordings and .../media through the real API, app::AccountRoutedProvider
// and the Twilio driver, against the emulators, which serve the media of the recordings they
// announced only with their account's credentials.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/provider_accounts.hpp"
#include "integration/twilio/routed_stack.hpp"
#include "outdial/api/auth.hpp"
#include "outdial/api/routes.hpp"

namespace outdial {
namespace {

using namespace outdial::twilio_emulator;
using namespace outdial::twilio_emulator::testing;
using itest::twilio::kCallerId;
using nlohmann::json;

const char* kSidA = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";
const char* kTokenA = "token-of-tenant-a-0001";
const char* kNumA = "+13125550100";
const std::string kHumanA = "+12125550301";
const std::string kHumanC = "+12125550201";

class NoImports final : public importer::ImportService {
 public:
  Result<importer::ImportReport> import_csv(std::istream&, const importer::ImportOptions&) override {
    return make_error(ErrorCode::kFailedPrecondition, "not in this test");
  }
};

// A server the stored (webhook) URLs point at: it must never be asked for anything.
class Bystander {
 public:
  Bystander()
      : server_(net::ServerOptions{}, [this](net::Request& r) {
          std::lock_guard lock(mu_);
          requests_.push_back(r.method + " " + r.path + " auth=" + r.header("Authorization"));
          return net::Response::text(200, "not audio");
        }) {
    EXPECT_TRUE(server_.start().ok());
  }
  ~Bystander() { server_.stop(); }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(server_.port()) + path; }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  net::HttpServer server_;
};

class TwilioRecordingMediaTest : public ::testing::Test, protected itest::twilio::RoutedTwilioStack {
 protected:
  TwilioRecordingMediaTest() : RoutedTwilioStack('r') {}

  void SetUp() override {
    set_up();
    ASSERT_FALSE(HasFatalFailure());
    // The configured account (tenant C) owns only the configured caller ID.
    emu_->stop();
    auto opts = test_options();
    opts.owned_numbers = {kCallerId};
    emu_ = std::make_unique<TwilioEmulator>(opts, sched_, *http_, Script{});
    ASSERT_TRUE(emu_->start().ok());
    config_.api_base = emu_->base_url();
    EmulatorOptions oa = test_options();
    oa.account_sid = kSidA;
    oa.auth_token = kTokenA;
    oa.owned_numbers = {kNumA};
    oa.seed = 21;
    emu_a_ = std::make_unique<TwilioEmulator>(oa, sched_, *http_, Script{});
    ASSERT_TRUE(emu_a_->start().ok());
    tenant_c_ = tenant_;
    auto t = db_->tenants().create_tenant(Tenant{0, "Bright Smiles", "US", true, "", t0()});
    ASSERT_TRUE(t);
    tenant_a_ = t->id;
    ProviderAccount a;
    a.tenant_id = tenant_a_;
    a.provider = ProviderKind::kTwilio;
    a.name = "Bright Smiles Twilio";
    a.account_sid = kSidA;
    a.api_base = emu_a_->base_url();
    itest::add_owned_account(*db_, vault_, a, {{"auth_token", kTokenA}}, kNumA, t0());
    agent_a_ = make_user(tenant_a_, Role::kAgent, "agent-a");
    viewer_a_ = make_user(tenant_a_, Role::kClientViewer, "viewer-a");
    admin_c_ = make_user(tenant_c_, Role::kOperatorAdmin, "admin-c");
  }
  void TearDown() override {
    if (emu_a_) emu_a_->stop();
    tear_down();
    routed_.reset();
  }

  std::string make_user(TenantId tenant, Role role, const std::string& name) {
    User u;
    u.tenant_id = tenant;
    u.email = name + "@example.com";
    u.name = name;
    u.role = role;
    u.created_at = t0();
    auto user = db_->tenants().create_user(u);
    EXPECT_TRUE(user);
    const std::string key = "key-" + name;
    ApiKey k;
    k.user_id = user->id;
    k.key_hash = api::sha256_hex(key);
    k.label = name;
    k.created_at = t0();
    EXPECT_TRUE(db_->tenants().create_api_key(k));
    return key;
  }

  CampaignId recorded_campaign(TenantId tenant, const std::string& to, const std::string& from) {
    tenant_ = tenant;
    staff_ = Actor{1, tenant, Role::kOperatorAdmin, "user:1"};
    list_ = 0;
    return make_campaign({to}, [&](Campaign& d) {
      d.caller_id = from;
      d.record_calls = true;
      d.recording_disclosure = true;
    });
  }

  // The dialer, the Twilio routes and the API on outdial's one router.
  void wire_all() {
    dialer::CallerIdDirectory dir;
    dir.owned = {{tenant_a_, {kNumA}}, {tenant_c_, {kCallerId}}};
    wire_routed_dialer(std::move(dir));
    campaigns_ = std::make_unique<dialer::CampaignServiceImpl>(db_->campaigns(), db_->contacts(), db_->calls(),
                                                               db_->audit(), sched_);
    api_deps_ = std::make_unique<api::ApiDeps>(api::ApiDeps{*db_, imports_, *campaigns_, gate_, sched_});
    api_deps_->recordings = routed_.get();
    api::register_routes(router_, *api_deps_);
    finish_wiring();
  }

  void drive_all() { drive_over({emu_.get(), emu_a_.get()}); }

  net::ClientResponse get(const std::string& path, const std::string& key) {
    net::ClientRequest req;
    req.url = config_.public_base_url + path;
    req.headers = {{"Authorization", "Bearer " + key}};
    auto r = http_->send(req);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : net::ClientResponse{};
  }

  AttemptId only_attempt(CampaignId c, TenantId t) {
    tenant_ = t;
    auto as = attempts(c);
    EXPECT_EQ(as.size(), 1u);
    return as.empty() ? 0 : as[0].id;
  }

  // Both recorded campaigns, dialed and ended.
  void run_recorded_calls() {
    camp_a_ = recorded_campaign(tenant_a_, kHumanA, kNumA);
    camp_c_ = recorded_campaign(tenant_c_, kHumanC, kCallerId);
    wire_all();
    ASSERT_FALSE(HasFatalFailure());
    drive_all();
    call_a_ = only_attempt(camp_a_, tenant_a_);
    call_c_ = only_attempt(camp_c_, tenant_c_);
    ASSERT_EQ(emu_a_->calls().size(), 1u);
    ASSERT_EQ(emu_->calls().size(), 1u);
    ASSERT_FALSE(emu_a_->calls()[0].recording_sid.empty());
    ASSERT_FALSE(emu_->calls()[0].recording_sid.empty());
  }

  void expect_no_secrets(const std::string& text) {
    for (const char* secret : {kTokenA, kToken}) EXPECT_EQ(text.find(secret), std::string::npos) << text;
  }

  std::unique_ptr<TwilioEmulator> emu_a_;
  NoImports imports_;
  std::unique_ptr<dialer::CampaignServiceImpl> campaigns_;
  std::unique_ptr<api::ApiDeps> api_deps_;
  TenantId tenant_a_ = 0, tenant_c_ = 0;
  std::string agent_a_, viewer_a_, admin_c_;
  CampaignId camp_a_ = 0, camp_c_ = 0;
  AttemptId call_a_ = 0, call_c_ = 0;
};

TEST_F(TwilioRecordingMediaTest, ARecordedCallsRecordingIsListedAndFetchedThroughThePlacingAccount) {
  run_recorded_calls();
  ASSERT_FALSE(HasFatalFailure());
  const std::string sid_a = emu_a_->calls()[0].recording_sid;

  auto r = get("/api/calls/" + std::to_string(call_a_) + "/recordings", agent_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  const json list = json::parse(r.body);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["recording_id"], sid_a);
  EXPECT_EQ(list["items"][0]["provider"], "twilio");
  EXPECT_EQ(list["items"][0]["status"], "completed");
  const std::string media = list["items"][0]["media_url"];

  r = get(media, agent_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, recording_media(sid_a));
  EXPECT_EQ(r.header("content-type"), "audio/mpeg");
  // Fetched from tenant A's account (its emulator, its SID and token), not the configured one.
  EXPECT_EQ(emu_a_->media_requests(), 1u);
  EXPECT_EQ(emu_->media_requests(), 0u);

  // Who fetched which recording is in the audit log.
  auto audit = db_->audit().list(tenant_a_, "call_recording", 0, 10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "recording.fetch");
  EXPECT_NE((*audit)[0].actor.find("user:"), std::string::npos);
  EXPECT_NE((*audit)[0].payload_json.find(sid_a), std::string::npos);
  expect_no_secrets((*audit)[0].payload_json);

  // The configured account's call: fetched with the configured account.
  r = get("/api/calls/" + std::to_string(call_c_) + "/recordings", admin_c_);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string media_c = json::parse(r.body)["items"][0]["media_url"];
  r = get(media_c, admin_c_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, recording_media(emu_->calls()[0].recording_sid));
  EXPECT_EQ(emu_->media_requests(), 1u);
  EXPECT_EQ(emu_a_->media_requests(), 1u);
  for (const auto& w : warnings()) expect_no_secrets(w);
}

TEST_F(TwilioRecordingMediaTest, AfterARestartTheCallsAccountIsFoundAgainFromItsAttempt) {
  run_recorded_calls();
  ASSERT_FALSE(HasFatalFailure());
  // A new router (no call id -> account memory), as after a restart.
  app::AccountRoutedProvider fresh(*provider_, db_->accounts(), db_->calls(), &vault_, *http_, sched_);
  api_deps_->recordings = &fresh;
  auto r = get("/api/calls/" + std::to_string(call_a_) + "/recordings", agent_a_);
  ASSERT_EQ(r.status, 200);
  r = get(std::string(json::parse(r.body)["items"][0]["media_url"]), agent_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, recording_media(emu_a_->calls()[0].recording_sid));
  EXPECT_EQ(emu_a_->media_requests(), 1u);
  EXPECT_EQ(emu_->media_requests(), 0u);
  api_deps_->recordings = routed_.get();
}

TEST_F(TwilioRecordingMediaTest, OtherTenantsAndClientViewersGetNothing) {
  run_recorded_calls();
  ASSERT_FALSE(HasFatalFailure());
  const std::string list_a = "/api/calls/" + std::to_string(call_a_) + "/recordings";
  auto r = get(list_a, admin_c_);  // tenant C's admin, tenant A's call
  EXPECT_EQ(r.status, 404) << r.body;
  r = get(list_a, viewer_a_);
  EXPECT_EQ(r.status, 403) << r.body;
  auto recs = db_->calls().recordings_for_attempt(call_a_);
  ASSERT_TRUE(recs);
  ASSERT_EQ(recs->size(), 1u);
  const std::string media = list_a + "/" + std::to_string((*recs)[0].id) + "/media";
  r = get(media, admin_c_);
  EXPECT_EQ(r.status, 404) << r.body;
  r = get(media, viewer_a_);
  EXPECT_EQ(r.status, 403) << r.body;
  // Tenant A's recording through tenant C's call id: not that call's recording.
  r = get("/api/calls/" + std::to_string(call_c_) + "/recordings/" + std::to_string((*recs)[0].id) + "/media",
          admin_c_);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(emu_a_->media_requests(), 0u);
  EXPECT_EQ(emu_->media_requests(), 0u);
}

TEST_F(TwilioRecordingMediaTest, AStoredRecordingUrlIsNeverRequestedAndAnUnknownRecordingIs404) {
  run_recorded_calls();
  ASSERT_FALSE(HasFatalFailure());
  Bystander elsewhere;
  // A recording row whose webhook URL points at another server (as a forged or altered callback
  // could have stored it) and whose sid the account does not have.
  storage::CallRecording planted;
  planted.attempt_id = call_a_;
  planted.provider = "twilio";
  planted.provider_call_id = emu_a_->calls()[0].sid;
  planted.recording_id = "RE00000000000000000000000000000000";
  planted.url = elsewhere.url("/2010-04-01/Accounts/" + std::string(kSidA) + "/Recordings/RE0000.mp3");
  planted.status = "completed";
  planted.at = sched_.now();
  ASSERT_TRUE(db_->calls().add_recording(planted));
  auto recs = db_->calls().recordings_for_attempt(call_a_);
  ASSERT_TRUE(recs);
  ASSERT_EQ(recs->size(), 2u);
  for (const auto& rec : *recs) {
    auto r = get("/api/calls/" + std::to_string(call_a_) + "/recordings/" + std::to_string(rec.id) + "/media",
                 agent_a_);
    if (rec.recording_id == planted.recording_id) {
      EXPECT_EQ(r.status, 404) << r.body;  // the account has no such recording
      EXPECT_NE(r.body.find("no recording"), std::string::npos) << r.body;
    } else {
      EXPECT_EQ(r.status, 200) << r.body;  // its stored URL (api.twilio.com) was not used either
      EXPECT_EQ(rec.url.rfind("https://api.twilio.com/", 0), 0u) << rec.url;
    }
    expect_no_secrets(r.body);
    for (const auto& [k, v] : r.headers) expect_no_secrets(v);
  }
  EXPECT_TRUE(elsewhere.requests().empty());
  auto list = get("/api/calls/" + std::to_string(call_a_) + "/recordings", agent_a_);
  EXPECT_EQ(list.body.find(elsewhere.url("")), std::string::npos);  // stored URLs are not echoed
}

TEST_F(TwilioRecordingMediaTest, TheEmulatorServesMediaOnlyWithTheAccountsCredentials) {
  run_recorded_calls();
  ASSERT_FALSE(HasFatalFailure());
  const std::string sid_a = emu_a_->calls()[0].recording_sid;
  const std::string url = emu_a_->base_url() + "/2010-04-01/Accounts/" + kSidA + "/Recordings/" + sid_a + ".mp3";
  net::ClientRequest req;
  req.url = url;
  auto r = http_->send(req);  // no credentials
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  req.basic_user = kSid;  // another account's
  req.basic_password = kToken;
  r = http_->send(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  req.basic_user = kSidA;
  req.basic_password = kTokenA;
  r = http_->send(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, recording_media(sid_a));
  req.url = emu_a_->base_url() + "/2010-04-01/Accounts/" + kSidA + "/Recordings/RE" + std::string(32, '0') + ".mp3";
  r = http_->send(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(recording_media(sid_a), recording_media(emu_->calls()[0].recording_sid));
}

}  // namespace
}  // namespace outdial
