// Provider accounts, numbers and campaign caller IDs over loopback HTTP against real SQLite, with
// the real CredentialVault and the real libcurl client calling a loopback fake provider API.
#include <fstream>
#include <iterator>

#include "outdial/accounts/credential_vault.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "unit/api/api_fixture.hpp"

namespace outdial::api::test {
namespace {

constexpr const char* kToken = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
constexpr const char* kSid = "AC0123456789abcdef0123456789abcdef";
constexpr const char* kOtherSid = "AC99999999999999999999999999999999";

class AccountApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    vault_ = std::make_unique<accounts::CredentialVault>(
        std::move(accounts::CredentialVault::from_key_text(std::string(64, '7'), "test")).value());
    http_ = net::make_curl_client();
    deps_->vault = vault_.get();
    deps_->http = http_.get();
    // A fake Twilio REST API: GET the account with HTTP Basic sid:token.
    fake_router_.add("GET", "/2010-04-01/Accounts/:sid", [this](const net::Request& r) {
      std::lock_guard lock(mu_);
      seen_authorization_ = r.header("authorization");
      ++fake_calls_;
      const std::string want = "Basic " + base64(std::string(kSid) + ":" + kToken);
      if (seen_authorization_ != want) return net::Response::json(401, R"({"code":20003,"message":"Authenticate"})");
      return net::Response::json(200, std::string(R"({"sid":")") + kSid + R"(","status":"active"})");
    });
    fake_ = std::make_unique<net::HttpServer>(net::ServerOptions{}, fake_router_.as_handler());
    ASSERT_TRUE(fake_->start().ok());
  }
  void TearDown() override {
    fake_->stop();
    ApiTest::TearDown();
  }

  static std::string base64(const std::string& in) {
    static const char* kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
      const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                         static_cast<unsigned char>(in[i + 2]);
      for (int k = 18; k >= 0; k -= 6) out.push_back(kChars[(v >> k) & 63]);
    }
    if (i < in.size()) {
      unsigned v = static_cast<unsigned char>(in[i]) << 16;
      if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
      out.push_back(kChars[(v >> 18) & 63]);
      out.push_back(kChars[(v >> 12) & 63]);
      out.push_back(i + 1 < in.size() ? kChars[(v >> 6) & 63] : '=');
      out.push_back('=');
    }
    return out;
  }

  std::string fake_base() const { return "http://127.0.0.1:" + std::to_string(fake_->port()); }

  json twilio_body(const std::string& name, const std::string& token = kToken, const std::string& sid = kSid) {
    return {{"provider", "twilio"},
            {"name", name},
            {"account_sid", sid},
            {"api_base", fake_base()},
            {"credentials", {{"auth_token", token}}},
            {"limits", {{"calls_per_second", 3}}}};
  }

  std::int64_t create_twilio(const std::string& name = "main", const std::string& token = kToken) {
    auto r = call_json("POST", "/api/provider-accounts", admin_key_, twilio_body(name, token));
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body.value("id", std::int64_t{0});
  }

  std::int64_t add_number(std::int64_t account, const std::string& e164) {
    auto r = call_json("POST", "/api/provider-accounts/" + std::to_string(account) + "/numbers", staff_key_,
                       {{"e164", e164}});
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body.value("id", std::int64_t{0});
  }

  // Every byte the database has on disk (main file and WAL).
  std::string database_bytes() const {
    std::string all;
    for (const std::string& p : {path_, path_ + "-wal"}) {
      std::ifstream in(p, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  std::unique_ptr<accounts::CredentialVault> vault_;
  std::unique_ptr<net::HttpClient> http_;
  net::Router fake_router_;
  std::unique_ptr<net::HttpServer> fake_;
  std::mutex mu_;
  std::string seen_authorization_;
  int fake_calls_ = 0;
};

TEST_F(AccountApiTest, CredentialsAreWriteOnly) {
  auto created = call_json("POST", "/api/provider-accounts", admin_key_, twilio_body("main"));
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["provider"], "twilio");
  EXPECT_EQ(created.body["account_sid"], kSid);
  EXPECT_EQ(created.body["has_credentials"], true);
  EXPECT_EQ(created.body["limits"]["calls_per_second"], 3);
  EXPECT_EQ(created.body["limits"]["max_concurrency"], 2);  // Twilio default kept
  EXPECT_FALSE(created.body.contains("credentials"));
  EXPECT_FALSE(created.body.contains("credential_blob"));
  const std::string id = std::to_string(created.body["id"].get<std::int64_t>());

  for (const std::string& target :
       {std::string("/api/provider-accounts"), "/api/provider-accounts/" + id, std::string("/api/audit")}) {
    auto r = call("GET", target, admin_key_);
    ASSERT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.body.dump().find(kToken), std::string::npos) << target;
    EXPECT_EQ(r.body.dump().find("v1."), std::string::npos) << target;  // nor the sealed blob
  }
  auto health = call("POST", "/api/provider-accounts/" + id + "/health", staff_key_);
  EXPECT_EQ(health.body.dump().find(kToken), std::string::npos);
  // Stored only sealed: the token's bytes are nowhere in the database files.
  EXPECT_EQ(database_bytes().find(kToken), std::string::npos);
  auto stored = db_->accounts().get_account(tenant_a_, created.body["id"].get<std::int64_t>());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->credential_blob.rfind("v1.", 0), 0U);
  EXPECT_EQ(*vault_->open(stored->credential_blob), std::string(R"({"auth_token":")") + kToken + "\"}");
}

TEST_F(AccountApiTest, OnlyStaffManageAccounts) {
  for (const std::string& key : {viewer_key_, agent_key_}) {
    auto r = call_json("POST", "/api/provider-accounts", key, twilio_body("x"));
    EXPECT_EQ(r.status, 403) << r.body.dump();
    EXPECT_EQ(call("GET", "/api/provider-accounts", key).status, 403);
    EXPECT_EQ(call("GET", "/api/numbers", key).status, 403);
  }
  EXPECT_EQ(call_json("POST", "/api/provider-accounts", "", twilio_body("x")).status, 401);
  EXPECT_TRUE(db_->accounts().list_accounts(tenant_a_)->empty());
  auto staff = call_json("POST", "/api/provider-accounts", staff_key_, twilio_body("y"));
  EXPECT_EQ(staff.status, 201);
}

TEST_F(AccountApiTest, BadAccountBodiesNameTheField) {
  auto no_token = call_json("POST", "/api/provider-accounts", admin_key_,
                            {{"provider", "twilio"}, {"name", "a"}, {"account_sid", kSid}});
  EXPECT_EQ(no_token.status, 400);
  EXPECT_EQ(no_token.body["error"]["details"]["field"], "credentials.auth_token");
  auto no_sid = call_json("POST", "/api/provider-accounts", admin_key_,
                          {{"provider", "twilio"}, {"name", "a"}, {"credentials", {{"auth_token", kToken}}}});
  EXPECT_EQ(no_sid.status, 400);
  EXPECT_EQ(no_sid.body["error"]["details"]["field"], "account_sid");
  auto bad_provider = call_json("POST", "/api/provider-accounts", admin_key_, {{"provider", "plivo"}, {"name", "a"}});
  EXPECT_EQ(bad_provider.status, 400);
  EXPECT_EQ(bad_provider.body["error"]["details"]["field"], "provider");
  auto half_window = call_json("POST", "/api/provider-accounts", admin_key_,
                               {{"provider", "telnyx"},
                                {"name", "t"},
                                {"credentials", {{"api_key", "KEYsecret"}}},
                                {"limits", {{"window_seconds", 5}, {"window_max", 0}}}});
  EXPECT_EQ(half_window.status, 400);
  EXPECT_EQ(half_window.body["error"]["details"]["field"], "limits.window_max");
  auto typo = call_json("POST", "/api/provider-accounts", admin_key_,
                        {{"provider", "telnyx"}, {"name", "t"}, {"credentials", {{"apikey", "KEYsecret"}}}});
  EXPECT_EQ(typo.status, 400);
  EXPECT_EQ(typo.body.dump().find("KEYsecret"), std::string::npos);
  create_twilio("dup");
  auto dup = call_json("POST", "/api/provider-accounts", admin_key_, twilio_body("dup"));
  EXPECT_EQ(dup.status, 409);
}

TEST_F(AccountApiTest, WithoutASecretKeyCredentialsAreRefused) {
  deps_->vault = nullptr;
  auto r = call_json("POST", "/api/provider-accounts", admin_key_, twilio_body("main"));
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("OUTDIAL_SECRET_KEY"), std::string::npos);
  auto sim = call_json("POST", "/api/provider-accounts", admin_key_, {{"provider", "sim"}, {"name", "sim"}});
  EXPECT_EQ(sim.status, 201);
  EXPECT_EQ(sim.body["has_credentials"], false);
}

TEST_F(AccountApiTest, HealthCheckCallsTheProviderWithTheStoredCredentials) {
  const auto good = create_twilio("good");
  const auto bad = create_twilio("bad", "wrong-token");
  auto ok = call("POST", "/api/provider-accounts/" + std::to_string(good) + "/health", staff_key_);
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_EQ(ok.body["ok"], true);
  EXPECT_EQ(ok.body["http_status"], 200);
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(seen_authorization_, "Basic " + base64(std::string(kSid) + ":" + kToken));
  }
  auto rejected = call("POST", "/api/provider-accounts/" + std::to_string(bad) + "/health", staff_key_);
  ASSERT_EQ(rejected.status, 200);
  EXPECT_EQ(rejected.body["ok"], false);
  EXPECT_EQ(rejected.body["http_status"], 401);
  EXPECT_EQ(rejected.body["message"], "credentials rejected");
  EXPECT_EQ(rejected.body.dump().find("wrong-token"), std::string::npos);

  auto sim = call_json("POST", "/api/provider-accounts", admin_key_, {{"provider", "sim"}, {"name", "sim"}});
  auto fake_calls = [this] {
    std::lock_guard lock(mu_);
    return fake_calls_;
  };
  const int calls_before = fake_calls();
  auto sim_health = call("POST", "/api/provider-accounts/" + std::to_string(sim.body["id"].get<std::int64_t>()) + "/health",
                         staff_key_);
  EXPECT_EQ(sim_health.body["ok"], true);
  EXPECT_EQ(fake_calls(), calls_before);

  // Unreachable API base: a failed report, not an error.
  fake_->stop();
  auto down = call("POST", "/api/provider-accounts/" + std::to_string(good) + "/health", staff_key_);
  ASSERT_EQ(down.status, 200);
  EXPECT_EQ(down.body["ok"], false);
  EXPECT_TRUE(down.body["http_status"].is_null());
  EXPECT_EQ(call("POST", "/api/provider-accounts/" + std::to_string(good) + "/health", viewer_key_).status, 403);
}

TEST_F(AccountApiTest, TenantIsolation) {
  const auto acc = create_twilio();
  const auto num = add_number(acc, "+14155550001");
  const std::string a = std::to_string(acc);
  EXPECT_EQ(call("GET", "/api/provider-accounts/" + a, other_admin_key_).status, 404);
  EXPECT_EQ(call("POST", "/api/provider-accounts/" + a + "/health", other_admin_key_).status, 404);
  EXPECT_EQ(call_json("POST", "/api/provider-accounts/" + a + "/numbers", other_admin_key_, {{"e164", "+14155550009"}})
                .status,
            404);
  EXPECT_EQ(call("POST", "/api/numbers/" + std::to_string(num) + "/retire", other_admin_key_).status, 404);
  auto list = call("GET", "/api/provider-accounts", other_admin_key_);
  EXPECT_TRUE(list.body["items"].empty());
  auto numbers = call("GET", "/api/numbers", other_admin_key_);
  EXPECT_TRUE(numbers.body["items"].empty());
  // A live number belongs to one tenant only.
  auto other_acc = call_json("POST", "/api/provider-accounts", other_admin_key_, twilio_body("theirs", kToken, kOtherSid));
  ASSERT_EQ(other_acc.status, 201);
  auto clash = call_json("POST", "/api/provider-accounts/" + std::to_string(other_acc.body["id"].get<std::int64_t>()) + "/numbers",
                         other_admin_key_, {{"e164", "+14155550001"}});
  EXPECT_EQ(clash.status, 409);
}

// A Twilio AccountSid belongs to one tenant: another tenant registering it (with a token of its
// own) could sign callbacks for the first tenant's calls.
TEST_F(AccountApiTest, ATwilioSidOfAnotherTenantIsRefused) {
  create_twilio();
  auto theirs = call_json("POST", "/api/provider-accounts", other_admin_key_, twilio_body("theirs", "their-own-token"));
  EXPECT_EQ(theirs.status, 409) << theirs.body.dump();
  EXPECT_EQ(theirs.body["error"]["details"]["field"], "account_sid");
  EXPECT_NE(theirs.body["error"]["message"].get<std::string>().find("another tenant"), std::string::npos);
  EXPECT_EQ(theirs.body.dump().find("their-own-token"), std::string::npos);
  // Nor by renaming an account of its own to that SID.
  auto own = call_json("POST", "/api/provider-accounts", other_admin_key_, twilio_body("own", kToken, kOtherSid));
  ASSERT_EQ(own.status, 201);
  const std::string path = "/api/provider-accounts/" + std::to_string(own.body["id"].get<std::int64_t>());
  EXPECT_EQ(call_json("PATCH", path, other_admin_key_, {{"account_sid", kSid}}).status, 409);
  EXPECT_EQ(call("GET", path, other_admin_key_).body["account_sid"], kOtherSid);
  auto sid_users = db_->accounts().accounts_with_sid(ProviderKind::kTwilio, kSid);
  ASSERT_TRUE(sid_users.ok());
  EXPECT_EQ(sid_users->size(), 1u);
  // The same tenant may keep several accounts (e.g. subaccount settings) under its SID.
  EXPECT_EQ(call_json("POST", "/api/provider-accounts", admin_key_, twilio_body("second")).status, 201);
  EXPECT_EQ(call_json("PATCH", path, other_admin_key_, {{"name", "renamed"}}).status, 200);
}

TEST_F(AccountApiTest, NumbersWithLocationStatusAndHealth) {
  const auto acc = create_twilio();
  auto added = call_json("POST", "/api/provider-accounts/" + std::to_string(acc) + "/numbers", staff_key_,
                         {{"e164", "+13055550002"}, {"label", "Miami"}});
  ASSERT_EQ(added.status, 201) << added.body.dump();
  EXPECT_EQ(added.body["area_code"], "305");
  EXPECT_EQ(added.body["state"], "FL");
  EXPECT_EQ(added.body["status"], "active");
  const auto id = added.body["id"].get<std::int64_t>();
  for (const std::string bad : {"+442071234567", "+18005550100", "4155550100"}) {
    auto r = call_json("POST", "/api/provider-accounts/" + std::to_string(acc) + "/numbers", staff_key_, {{"e164", bad}});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.body["error"]["details"]["field"], "e164");
  }

  // 40 finished attempts from the number, 1 answered by a person: below 5 % with enough samples.
  auto campaign = create_campaign();
  for (int i = 0; i < 40; ++i) {
    CallAttempt a;
    a.tenant_id = tenant_a_;
    a.campaign_id = campaign;
    a.contact_id = 1;
    a.attempt_number = i + 1;
    a.idempotency_key = "h" + std::to_string(i);
    a.provider = "twilio";
    a.from_number = "+13055550002";
    a.to_number = "+13055550100";
    a.state = i == 0 ? CallState::kCompleted : CallState::kNoAnswer;
    if (i == 0) a.answered_at = clock_.now();
    a.created_at = clock_.now() - std::chrono::hours(1);
    ASSERT_TRUE(db_->calls().create_attempt(a).ok());
  }
  auto list = call("GET", "/api/numbers?status=active", staff_key_);
  ASSERT_EQ(list.status, 200) << list.body.dump();
  ASSERT_EQ(list.body["items"].size(), 1U);
  const json& h = list.body["items"][0]["health"];
  EXPECT_EQ(h["attempts"], 40);
  EXPECT_EQ(h["answered"], 1);
  EXPECT_DOUBLE_EQ(h["answer_rate"].get<double>(), 0.025);
  EXPECT_EQ(h["below_threshold"], true);
  auto series = call("GET", "/api/numbers/" + std::to_string(id) + "/health?days=2&bucket_hours=24", staff_key_);
  ASSERT_EQ(series.status, 200) << series.body.dump();
  ASSERT_EQ(series.body["buckets"].size(), 2U);
  EXPECT_EQ(series.body["buckets"][1]["attempts"], 40);
  EXPECT_EQ(call("GET", "/api/numbers?status=gone", staff_key_).status, 400);

  auto flagged = call_json("POST", "/api/numbers/" + std::to_string(id) + "/flag", staff_key_,
                           {{"reason", "answer rate 2.5%"}});
  ASSERT_EQ(flagged.status, 200) << flagged.body.dump();
  EXPECT_EQ(flagged.body["status"], "flagged");
  EXPECT_EQ(flagged.body["status_reason"], "answer rate 2.5%");
  EXPECT_TRUE(call("GET", "/api/numbers?status=active", staff_key_).body["items"].empty());
  EXPECT_EQ(call("POST", "/api/numbers/" + std::to_string(id) + "/flag", viewer_key_).status, 403);
  EXPECT_EQ(call("POST", "/api/numbers/" + std::to_string(id) + "/retire", staff_key_).status, 200);
  auto revive = call("POST", "/api/numbers/" + std::to_string(id) + "/unflag", staff_key_);
  EXPECT_EQ(revive.status, 409);
}

TEST_F(AccountApiTest, DedicatedNumberIsShownToTheClientReadOnly) {
  const auto acc = create_twilio();
  add_number(acc, "+14155550001");
  const auto second = add_number(acc, "+14155550002");
  const auto campaign = create_campaign();
  const std::string path = "/api/campaigns/" + std::to_string(campaign) + "/dedicated-number";
  const std::string campaign_path = "/api/campaigns/" + std::to_string(campaign);
  EXPECT_EQ(call("GET", path, viewer_key_).status, 404);
  EXPECT_TRUE(call("GET", campaign_path, viewer_key_).body["dedicated_number"].is_null());
  EXPECT_EQ(call("POST", path, viewer_key_).status, 403);
  EXPECT_EQ(call("POST", path, agent_key_).status, 403);

  auto assigned = call_json("POST", path, staff_key_, {{"number_id", second}});
  ASSERT_EQ(assigned.status, 200) << assigned.body.dump();
  EXPECT_EQ(assigned.body["number"], "+14155550002");
  EXPECT_EQ(assigned.body["label"], "Reactivation_Nov2026_Acme");  // tenant "acme", campaign created 2026-11-18

  auto shown = call("GET", path, viewer_key_);
  ASSERT_EQ(shown.status, 200) << shown.body.dump();
  EXPECT_EQ(shown.body, (json{{"campaign_id", campaign},
                              {"number", "+14155550002"},
                              {"label", "Reactivation_Nov2026_Acme"},
                              {"status", "active"}}));
  EXPECT_EQ(call("GET", path, other_admin_key_).status, 404);
  // The campaign itself shows it too (single and list), to the client as well.
  const json in_campaign = {{"number", "+14155550002"}, {"label", "Reactivation_Nov2026_Acme"}, {"status", "active"}};
  auto one = call("GET", campaign_path, viewer_key_);
  ASSERT_EQ(one.status, 200) << one.body.dump();
  EXPECT_EQ(one.body["dedicated_number"], in_campaign);
  auto listed = call("GET", "/api/campaigns", viewer_key_);
  ASSERT_EQ(listed.status, 200) << listed.body.dump();
  ASSERT_EQ(listed.body["items"].size(), 1U);
  EXPECT_EQ(listed.body["items"][0]["dedicated_number"], in_campaign);
  // Idempotent; another number for the same campaign is refused.
  EXPECT_EQ(call("POST", path, staff_key_).body["number"], "+14155550002");
  EXPECT_EQ(call_json("POST", path, staff_key_, {{"number_id", second - 1}}).status, 409);

  // The dedicated number is not usable by another campaign's local presence nor re-dedicated.
  const auto other_campaign = create_campaign("Other");
  auto other = call_json("POST", "/api/campaigns/" + std::to_string(other_campaign) + "/dedicated-number", staff_key_,
                         {{"number_id", second}});
  EXPECT_EQ(other.status, 409);
  EXPECT_TRUE(call("GET", "/api/campaigns/" + std::to_string(other_campaign), viewer_key_)
                  .body["dedicated_number"]
                  .is_null());
  // A retired dedicated number is no longer the campaign's.
  EXPECT_EQ(call("POST", "/api/numbers/" + std::to_string(second) + "/retire", staff_key_).status, 200);
  EXPECT_TRUE(call("GET", campaign_path, viewer_key_).body["dedicated_number"].is_null());
}

TEST_F(AccountApiTest, CallerIdPolicyOnlyWithOwnedNumbers) {
  const auto acc = create_twilio();
  add_number(acc, "+14155550001");
  const auto campaign = create_campaign();
  const std::string path = "/api/campaigns/" + std::to_string(campaign) + "/caller-id";
  EXPECT_EQ(call("GET", path, viewer_key_).status, 404);
  auto unowned = call_json("PUT", path, staff_key_, {{"strategy", "static"}, {"static_number", "+12125550000"}});
  EXPECT_EQ(unowned.status, 400);
  EXPECT_EQ(unowned.body["error"]["details"]["field"], "static_number");
  EXPECT_NE(unowned.body["error"]["message"].get<std::string>().find("does not own"), std::string::npos);
  auto missing = call_json("PUT", path, staff_key_, {{"strategy", "static"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(call_json("PUT", path, viewer_key_, {{"strategy", "dedicated"}}).status, 403);
  auto ok = call_json("PUT", path, staff_key_, {{"strategy", "local_presence"}, {"default_number", "+14155550001"}});
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  auto shown = call("GET", path, viewer_key_);
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(shown.body["strategy"], "local_presence");
  EXPECT_EQ(shown.body["default_number"], "+14155550001");
  EXPECT_EQ(call("GET", path, other_admin_key_).status, 404);
  auto stored = db_->accounts().get_caller_id_policy(tenant_a_, campaign);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->strategy, CallerIdStrategy::kLocalPresence);
}

TEST_F(AccountApiTest, PatchRotatesCredentialsAndChangesLimits) {
  const auto id = create_twilio("main", "old-token-111");
  const std::string path = "/api/provider-accounts/" + std::to_string(id);
  EXPECT_EQ(call("POST", path + "/health", staff_key_).body["ok"], false);
  auto patched = call_json("PATCH", path, staff_key_,
                           {{"credentials", {{"auth_token", kToken}}},
                            {"limits", {{"max_concurrency", 7}}},
                            {"status", "disabled"}});
  ASSERT_EQ(patched.status, 200) << patched.body.dump();
  EXPECT_EQ(patched.body["limits"]["calls_per_second"], 3);  // untouched
  EXPECT_EQ(patched.body["limits"]["max_concurrency"], 7);
  EXPECT_EQ(patched.body["status"], "disabled");
  EXPECT_EQ(patched.body.dump().find(kToken), std::string::npos);
  EXPECT_EQ(call("POST", path + "/health", staff_key_).body["ok"], true);
  auto audit = call("GET", "/api/audit?entity_type=provider_account", admin_key_);
  EXPECT_EQ(audit.body.dump().find(kToken), std::string::npos);
  EXPECT_NE(audit.body.dump().find("provider_account.update"), std::string::npos);
  EXPECT_EQ(database_bytes().find(kToken), std::string::npos);

  EXPECT_EQ(call_json("PATCH", path, viewer_key_, {{"name", "x"}}).status, 403);
  EXPECT_EQ(call_json("PATCH", path, other_admin_key_, {{"name", "x"}}).status, 404);
  auto bad = call_json("PATCH", path, staff_key_, {{"limits", {{"window_seconds", 5}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["error"]["details"]["field"], "limits.window_max");
  EXPECT_EQ(call_json("PATCH", path, staff_key_, {{"credentials", {{"api_key", "k"}}}}).status, 400);
  EXPECT_EQ(db_->accounts().get_account(tenant_a_, id)->limits.max_concurrency, 7);
}

// An active Telnyx account needs its connection_id and its webhook signing key (public_key):
// without them its calls could be placed but never resolved. Creating one, or making one active
// (by a PATCH of status, connection_id or credentials), without them is a 400 naming the field;
// a disabled account may lack them.
TEST_F(AccountApiTest, AnActiveTelnyxAccountNeedsConnectionIdAndPublicKey) {
  const std::string key = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=";  // base64 of 32 bytes
  auto no_conn = call_json("POST", "/api/provider-accounts", admin_key_,
                           {{"provider", "telnyx"},
                            {"name", "t"},
                            {"credentials", {{"api_key", "KEYsecret"}, {"public_key", key}}}});
  EXPECT_EQ(no_conn.status, 400);
  EXPECT_EQ(no_conn.body["error"]["details"]["field"], "connection_id");
  auto no_key = call_json("POST", "/api/provider-accounts", admin_key_,
                          {{"provider", "telnyx"},
                           {"name", "t"},
                           {"connection_id", "conn-1"},
                           {"credentials", {{"api_key", "KEYsecret"}}}});
  EXPECT_EQ(no_key.status, 400);
  EXPECT_EQ(no_key.body["error"]["details"]["field"], "credentials.public_key");
  EXPECT_EQ(no_key.body.dump().find("KEYsecret"), std::string::npos);
  EXPECT_TRUE(db_->accounts().list_accounts(tenant_a_)->empty());
  auto made = call_json("POST", "/api/provider-accounts", admin_key_,
                        {{"provider", "telnyx"},
                         {"name", "t"},
                         {"connection_id", "conn-1"},
                         {"credentials", {{"api_key", "KEYsecret"}, {"public_key", key}}}});
  ASSERT_EQ(made.status, 201) << made.body.dump();
  const std::string path = "/api/provider-accounts/" + std::to_string(made.body["id"].get<std::int64_t>());
  // Active: neither may go.
  auto clear_conn = call_json("PATCH", path, staff_key_, {{"connection_id", ""}});
  EXPECT_EQ(clear_conn.status, 400);
  EXPECT_EQ(clear_conn.body["error"]["details"]["field"], "connection_id");
  auto drop_key = call_json("PATCH", path, staff_key_, {{"credentials", {{"api_key", "KEY2"}}}});
  EXPECT_EQ(drop_key.status, 400);
  EXPECT_EQ(drop_key.body["error"]["details"]["field"], "credentials.public_key");
  EXPECT_EQ(call_json("PATCH", path, staff_key_, {{"name", "renamed"}}).status, 200);  // the stored key counts
  // Disabled: it may lack them, but not be made active again without them.
  EXPECT_EQ(call_json("PATCH", path, staff_key_,
                      {{"status", "disabled"}, {"connection_id", ""}, {"credentials", {{"api_key", "KEY2"}}}})
                .status,
            200);
  auto reactivate = call_json("PATCH", path, staff_key_, {{"status", "active"}});
  EXPECT_EQ(reactivate.status, 400);
  EXPECT_EQ(reactivate.body["error"]["details"]["field"], "connection_id");
  auto still_no_key = call_json("PATCH", path, staff_key_, {{"status", "active"}, {"connection_id", "conn-2"}});
  EXPECT_EQ(still_no_key.status, 400);
  EXPECT_EQ(still_no_key.body["error"]["details"]["field"], "credentials.public_key");
  auto back = call_json("PATCH", path, staff_key_,
                        {{"status", "active"},
                         {"connection_id", "conn-2"},
                         {"credentials", {{"api_key", "KEY2"}, {"public_key", key}}}});
  EXPECT_EQ(back.status, 200) << back.body.dump();
  EXPECT_EQ(back.body["status"], "active");
}

TEST_F(AccountApiTest, FlagUnhealthyFlagsOnlyNumbersBelowTheThreshold) {
  const auto acc = create_twilio();
  const auto bad = add_number(acc, "+13055550002");
  const auto good = add_number(acc, "+13055550003");
  const auto campaign = create_campaign();
  int n = 0;
  for (const auto& [from, answered] : {std::pair<std::string, int>{"+13055550002", 1}, {"+13055550003", 20}}) {
    for (int i = 0; i < 40; ++i) {
      CallAttempt a;
      a.tenant_id = tenant_a_;
      a.campaign_id = campaign;
      a.contact_id = 1;
      a.attempt_number = ++n;
      a.idempotency_key = "f" + std::to_string(n);
      a.provider = "twilio";
      a.from_number = from;
      a.to_number = "+13055550100";
      a.state = i < answered ? CallState::kCompleted : CallState::kNoAnswer;
      if (i < answered) a.answered_at = clock_.now();
      a.created_at = clock_.now() - std::chrono::hours(2);
      ASSERT_TRUE(db_->calls().create_attempt(a).ok());
    }
  }
  EXPECT_EQ(call("POST", "/api/numbers/flag-unhealthy", viewer_key_).status, 403);
  auto r = call("POST", "/api/numbers/flag-unhealthy", staff_key_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["flagged"].size(), 1U);
  EXPECT_EQ(r.body["flagged"][0]["id"], bad);
  EXPECT_EQ(r.body["flagged"][0]["status_reason"], "answer rate 1/40 over 7 days");
  EXPECT_EQ(db_->accounts().get_number(tenant_a_, bad)->status, NumberStatus::kFlagged);
  EXPECT_EQ(db_->accounts().get_number(tenant_a_, good)->status, NumberStatus::kActive);
  // A stricter threshold catches the 50 % number too; flagged ones are not flagged twice.
  auto strict = call_json("POST", "/api/numbers/flag-unhealthy", staff_key_, {{"min_answer_rate", 0.6}});
  ASSERT_EQ(strict.status, 200);
  ASSERT_EQ(strict.body["flagged"].size(), 1U);
  EXPECT_EQ(strict.body["flagged"][0]["id"], good);
  EXPECT_EQ(call_json("POST", "/api/numbers/flag-unhealthy", staff_key_, {{"min_answer_rate", 2}}).status, 400);
}

}  // namespace
}  // namespace outdial::api::test
