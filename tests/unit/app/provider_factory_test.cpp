#include "outdial/app/provider_factory.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "outdial/app/account_routed_provider.hpp"
#include "outdial/app/telnyx_account_routed_provider.hpp"
#include "outdial/accounts/credential_vault.hpp"
#include "outdial/accounts/credentials.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/telnyx/client_state.hpp"
#include "outdial/telephony/telnyx/webhook_verifier.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"

namespace outdial::app {
namespace {

class NullSink final : public telephony::CallEventSink {
 public:
  void on_call_event(const CallEvent&) override {}
};

class ProviderFactoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("provider_factory_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    cfg_.db_path = (dir_ / "t.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Config twilio() const {
    Config c = cfg_;
    c.provider = "twilio";
    c.twilio_account_sid = "AC0123456789abcdef0123456789abcdef";
    c.twilio_auth_token = "factory-secret-token";
    c.twilio_api_base = "http://127.0.0.1:9";
    c.public_url = "https://dial.example";
    return c;
  }

  std::filesystem::path dir_;
  Config cfg_;
  ManualClock clock_{from_epoch_ms(1'790'000'000'000)};
};

TEST_F(ProviderFactoryTest, SimIsTheDefault) {
  auto p = ProviderSet::create(cfg_, clock_);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)->name(), "sim");
  ASSERT_NE((*p)->sim(), nullptr);
  EXPECT_EQ(&(*p)->provider(), static_cast<telephony::Provider*>((*p)->sim()));
  EXPECT_NE((*p)->scheduled_events(), nullptr);
}

TEST_F(ProviderFactoryTest, TwilioSettingsAreCheckedNamingTheVariableAndNeverEchoTheToken) {
  struct Case {
    void (*breaks)(Config&);
    const char* variable;
  };
  const Case cases[] = {
      {[](Config& c) { c.twilio_account_sid = "XY123"; }, "OUTDIAL_TWILIO_ACCOUNT_SID"},
      {[](Config& c) { c.twilio_auth_token.clear(); }, "OUTDIAL_TWILIO_AUTH_TOKEN"},
      {[](Config& c) { c.twilio_api_base = "api.twilio.com"; }, "OUTDIAL_TWILIO_API_BASE"},
      {[](Config& c) { c.public_url.clear(); }, "OUTDIAL_PUBLIC_URL"},
      {[](Config& c) { c.speed = 60; }, "speed"},
      {[](Config& c) { c.provider = "carrier-pigeon"; }, "OUTDIAL_PROVIDER"},
  };
  for (const auto& c : cases) {
    Config cfg = twilio();
    c.breaks(cfg);
    auto p = ProviderSet::create(cfg, clock_);
    ASSERT_FALSE(p.ok()) << c.variable;
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(p.error().details.at("variable"), c.variable);
    EXPECT_EQ(p.error().message.find("factory-secret-token"), std::string::npos);
  }
}

TEST_F(ProviderFactoryTest, TwilioConnectRegistersSignedWebhookRoutes) {
  auto p = ProviderSet::create(twilio(), clock_);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)->name(), "twilio");
  EXPECT_EQ((*p)->sim(), nullptr);
  EXPECT_EQ((*p)->scheduled_events(), nullptr);
  EXPECT_EQ((*p)->provider().name(), "twilio");
  auto db = storage::sqlite::SqliteDatabase::open(cfg_.db_path);
  ASSERT_TRUE(db.ok());
  NullSink sink;
  net::Router router;
  ASSERT_TRUE((*p)->connect(sink, **db, router).ok());
  net::Request req;
  req.method = "POST";
  req.path = req.raw_path = "/twilio/status/1";
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.body = "CallSid=CA1&CallStatus=ringing";
  EXPECT_EQ(router.dispatch(req).status, 403);  // routed, and unsigned
  (*p)->stop();
  EXPECT_TRUE(std::filesystem::exists(cfg_.db_path + ".inbox"));
}

Config telnyx_config(const Config& base) {
  Config c = base;
  c.provider = "telnyx";
  c.telnyx_api_key = "factory-telnyx-key";
  c.telnyx_connection_id = "conn-1";
  c.telnyx_public_key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";  // RFC 8032 TEST 1
  c.telnyx_api_base = "http://127.0.0.1:9/v2";
  c.public_url = "https://dial.example";
  return c;
}

// Which tenant accounts place their own calls (so their limits pace them, app::AccountPacers):
// the routers' rule, and none before route_by_account or for the simulated carrier.
TEST_F(ProviderFactoryTest, RoutesThroughIsTheRoutersRule) {
  auto db = storage::sqlite::SqliteDatabase::open(cfg_.db_path);
  ASSERT_TRUE(db.ok());
  ProviderAccount tw;
  tw.provider = ProviderKind::kTwilio;
  tw.account_sid = "AC0123456789abcdef0123456789abcdee";
  ProviderAccount tx;
  tx.provider = ProviderKind::kTelnyx;
  tx.connection_id = "conn-2";
  ProviderAccount off = tw;
  off.status = AccountStatus::kDisabled;
  ProviderAccount no_sid = tw;
  no_sid.account_sid.clear();
  auto sim = ProviderSet::create(cfg_, clock_);
  ASSERT_TRUE(sim.ok());
  (*sim)->route_by_account(**db, nullptr);
  EXPECT_FALSE((*sim)->routes_through(tw));
  auto twilio_set = ProviderSet::create(twilio(), clock_);
  ASSERT_TRUE(twilio_set.ok());
  EXPECT_FALSE((*twilio_set)->routes_through(tw));  // not routing yet
  (*twilio_set)->route_by_account(**db, nullptr);
  EXPECT_TRUE((*twilio_set)->routes_through(tw));
  EXPECT_FALSE((*twilio_set)->routes_through(tx));
  EXPECT_FALSE((*twilio_set)->routes_through(off));
  EXPECT_FALSE((*twilio_set)->routes_through(no_sid));
  auto telnyx_set = ProviderSet::create(telnyx_config(cfg_), clock_);
  ASSERT_TRUE(telnyx_set.ok());
  (*telnyx_set)->route_by_account(**db, nullptr);
  EXPECT_TRUE((*telnyx_set)->routes_through(tx));
  EXPECT_FALSE((*telnyx_set)->routes_through(tw));
  (*twilio_set)->stop();
  (*telnyx_set)->stop();
}

// An active Telnyx account without connection_id cannot place calls: not routed through it (nor
// paced by it), and check_account (the caller-ID usability check) says why; with it, the
// credentials must open and hold the public key its webhooks are verified with.
TEST_F(ProviderFactoryTest, ATelnyxAccountWithoutConnectionIdOrPublicKeyCannotPlaceCalls) {
  auto db = storage::sqlite::SqliteDatabase::open(cfg_.db_path);
  ASSERT_TRUE(db.ok());
  auto vault = accounts::CredentialVault::from_raw_key(std::string(32, 'k'));
  ASSERT_TRUE(vault.ok());
  ProviderAccount tx;
  tx.id = 5;
  tx.provider = ProviderKind::kTelnyx;
  tx.connection_id = "conn-2";
  tx.credential_blob = *accounts::seal_credentials(
      *vault, ProviderKind::kTelnyx,
      {{"api_key", "tenant-key"}, {"public_key", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}});
  ProviderAccount no_conn = tx;
  no_conn.connection_id.clear();
  ProviderAccount no_key = tx;
  no_key.credential_blob = *accounts::seal_credentials(*vault, ProviderKind::kTelnyx, {{"api_key", "tenant-key"}});
  auto set = ProviderSet::create(telnyx_config(cfg_), clock_);
  ASSERT_TRUE(set.ok());
  (*set)->route_by_account(**db, &*vault);
  EXPECT_TRUE((*set)->routes_through(tx));
  EXPECT_FALSE((*set)->routes_through(no_conn));
  EXPECT_TRUE((*set)->check_account(tx).ok());
  auto conn = (*set)->check_account(no_conn);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(conn.error().details.at("field"), "connection_id");
  auto key = (*set)->check_account(no_key);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(key.error().message.find("public_key"), std::string::npos) << key.error().message;
  EXPECT_EQ(key.error().message.find("tenant-key"), std::string::npos);
  (*set)->stop();
}

// With a secret key (tenants' accounts can open, and sign webhooks with their own keys) the
// client_state is authenticated: a validly signed webhook whose client_state outdial did not mint
// is refused. Without one only the configured key signs and states are taken as before.
TEST_F(ProviderFactoryTest, TelnyxClientStatesAreAuthenticatedWhenASecretKeyIsConfigured) {
  namespace tx = telephony::telnyx;
  auto db = storage::sqlite::SqliteDatabase::open(cfg_.db_path);
  ASSERT_TRUE(db.ok());
  auto vault = accounts::CredentialVault::from_raw_key(std::string(32, 'v'));
  ASSERT_TRUE(vault.ok());
  tx::ClientState cs;
  cs.idempotency_key = "k:1";
  const std::string body =
      nlohmann::json{{"data",
                      {{"record_type", "event"},
                       {"event_type", "call.hangup"},
                       {"id", "ev-1"},
                       {"occurred_at", "2026-11-22T10:00:00.000000Z"},
                       {"payload",
                        {{"call_control_id", "v3:x"}, {"client_state", tx::encode_client_state(cs)},
                         {"from", "+15550001111"}, {"to", "+16465551234"}, {"hangup_cause", "normal_clearing"}}}}}}
          .dump();
  // RFC 8032 TEST 1's secret key (the configured public key above).
  ASSERT_GE(sodium_init(), 0);
  const std::string seed_hex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i)
    seed[i] = static_cast<unsigned char>(std::stoi(seed_hex.substr(2 * i, 2), nullptr, 16));
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  const std::string ts = std::to_string(to_epoch_ms(clock_.now()) / 1000);
  const std::string message = ts + "|" + body;
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       sk.data());
  for (const bool with_key : {false, true}) {
    SCOPED_TRACE(with_key ? "secret key" : "no secret key");
    auto p = ProviderSet::create(telnyx_config(cfg_), clock_, &clock_);
    ASSERT_TRUE(p.ok()) << p.error().message;
    (*p)->route_by_account(**db, with_key ? &*vault : nullptr);
    NullSink sink;
    net::Router router;
    ASSERT_TRUE((*p)->connect(sink, **db, router).ok());
    net::Request req;
    req.method = "POST";
    req.path = req.raw_path = "/webhooks/telnyx";
    req.headers["telnyx-signature-ed25519"] =
        tx::base64_encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
    req.headers["telnyx-timestamp"] = ts;
    req.body = body;
    EXPECT_EQ(router.dispatch(req).status, with_key ? 403 : 200);
    (*p)->stop();
  }
}

TEST_F(ProviderFactoryTest, TelnyxSettingsAreCheckedNamingTheVariableAndNeverEchoTheKey) {
  struct Case {
    void (*breaks)(Config&);
    const char* variable;
  };
  const Case cases[] = {
      {[](Config& c) { c.telnyx_api_key.clear(); }, "OUTDIAL_TELNYX_API_KEY"},
      {[](Config& c) { c.telnyx_connection_id.clear(); }, "OUTDIAL_TELNYX_CONNECTION_ID"},
      {[](Config& c) { c.telnyx_public_key = "not-a-key"; }, "OUTDIAL_TELNYX_PUBLIC_KEY"},
      {[](Config& c) { c.telnyx_public_key = "AAAA"; }, "OUTDIAL_TELNYX_PUBLIC_KEY"},
      {[](Config& c) { c.telnyx_api_base = "api.telnyx.com"; }, "OUTDIAL_TELNYX_API_BASE"},
      {[](Config& c) { c.public_url.clear(); }, "OUTDIAL_PUBLIC_URL"},
      {[](Config& c) { c.speed = 60; }, "speed"},
  };
  for (const auto& c : cases) {
    Config cfg = telnyx_config(cfg_);
    c.breaks(cfg);
    auto p = ProviderSet::create(cfg, clock_);
    ASSERT_FALSE(p.ok()) << c.variable;
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(p.error().details.at("variable"), c.variable);
    EXPECT_EQ(p.error().message.find("factory-telnyx-key"), std::string::npos);
  }
}

TEST_F(ProviderFactoryTest, TelnyxConnectRegistersSignedWebhookRoute) {
  auto p = ProviderSet::create(telnyx_config(cfg_), clock_);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)->name(), "telnyx");
  EXPECT_EQ((*p)->sim(), nullptr);
  EXPECT_EQ((*p)->provider().name(), "telnyx");
  auto db = storage::sqlite::SqliteDatabase::open(cfg_.db_path);
  ASSERT_TRUE(db.ok());
  NullSink sink;
  net::Router router;
  ASSERT_TRUE((*p)->connect(sink, **db, router).ok());
  net::Request req;
  req.method = "POST";
  req.path = req.raw_path = "/webhooks/telnyx";
  req.body = R"({"data":{"id":"x","event_type":"call.answered","occurred_at":"2026-11-22T10:00:00Z","payload":{}}})";
  EXPECT_EQ(router.dispatch(req).status, 403);  // routed, and unsigned
  (*p)->stop();
}

}  // namespace
}  // namespace outdial::app

namespace outdial::app {
namespace {

TEST_F(ProviderFactoryTest, RouteByAccountWrapsTwilioAndTelnyxInTheirAccountRouters) {
  auto db = storage::sqlite::SqliteDatabase::open(cfg_.db_path);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->migrate().ok());
  Config telnyx = cfg_;
  telnyx.provider = "telnyx";
  telnyx.telnyx_api_key = "factory-secret-key";
  telnyx.telnyx_connection_id = "conn-1";
  telnyx.telnyx_public_key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
  telnyx.telnyx_api_base = "http://127.0.0.1:9/v2";
  telnyx.public_url = "https://dial.example";
  for (const Config& c : {twilio(), telnyx}) {
    auto p = ProviderSet::create(c, clock_);
    ASSERT_TRUE(p.ok()) << p.error().message;
    telephony::Provider* before = &(*p)->provider();
    (*p)->route_by_account(**db, nullptr);
    telephony::Provider* after = &(*p)->provider();
    EXPECT_NE(after, before) << c.provider;
    EXPECT_EQ(after->name(), c.provider);
    const bool routed = c.provider == "twilio" ? dynamic_cast<AccountRoutedProvider*>(after) != nullptr
                                               : dynamic_cast<TelnyxAccountRoutedProvider*>(after) != nullptr;
    EXPECT_TRUE(routed) << c.provider;
    (*p)->route_by_account(**db, nullptr);  // once only
    EXPECT_EQ(&(*p)->provider(), after);
  }
  auto sim = ProviderSet::create(cfg_, clock_);
  ASSERT_TRUE(sim.ok());
  (*sim)->route_by_account(**db, nullptr);  // the simulated carrier has no accounts
  EXPECT_EQ(&(*sim)->provider(), static_cast<telephony::Provider*>((*sim)->sim()));
}

}  // namespace
}  // namespace outdial::app
