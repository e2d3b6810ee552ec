#include "outdial/accounts/health_check.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "outdial/accounts/credentials.hpp"

namespace outdial::accounts {
namespace {

class ScriptedHttp final : public net::HttpClient {
 public:
  Result<net::ClientResponse> send(const net::ClientRequest& r) override {
    last = r;
    ++calls;
    if (fail) return *fail;
    net::ClientResponse resp;
    resp.status = status;
    resp.body = R"({"echo":"tok-SECRET-1"})";
    return resp;
  }
  std::optional<net::ClientRequest> last;
  std::optional<Error> fail;
  int status = 200;
  int calls = 0;
};

CredentialVault vault(char fill = 'b') {
  return std::move(CredentialVault::from_key_text(std::string(64, fill), "test")).value();
}

ProviderAccount twilio(const CredentialVault& v) {
  ProviderAccount a;
  a.id = 3;
  a.provider = ProviderKind::kTwilio;
  a.account_sid = "AC0123456789abcdef0123456789abcdef";
  a.api_base = "http://127.0.0.1:9/";
  a.credential_blob = *seal_credentials(v, ProviderKind::kTwilio, {{"auth_token", "tok-SECRET-1"}});
  return a;
}

bool mentions_secret(const HealthReport& r) {
  return (r.message + r.url).find("tok-SECRET-1") != std::string::npos;
}

TEST(HealthCheck, TwilioFetchesTheAccountWithBasicAuth) {
  const auto v = vault();
  ScriptedHttp http;
  auto r = check_account_health(twilio(v), v, http);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->http_status, 200);
  ASSERT_TRUE(http.last);
  EXPECT_EQ(http.last->method, "GET");
  EXPECT_EQ(http.last->url, "http://127.0.0.1:9/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef.json");
  EXPECT_EQ(http.last->basic_user, "AC0123456789abcdef0123456789abcdef");
  EXPECT_EQ(http.last->basic_password, "tok-SECRET-1");
  EXPECT_FALSE(mentions_secret(*r));
}

TEST(HealthCheck, TelnyxUsesBearerOnBalance) {
  const auto v = vault();
  ProviderAccount a;
  a.provider = ProviderKind::kTelnyx;
  a.credential_blob = *seal_credentials(v, ProviderKind::kTelnyx, {{"api_key", "KEY-SECRET"}});
  ScriptedHttp http;
  http.status = 401;
  auto r = check_account_health(a, v, http);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->http_status, 401);
  EXPECT_EQ(r->message, "credentials rejected");
  EXPECT_EQ(http.last->url, "https://api.telnyx.com/v2/balance");
  bool bearer = false;
  for (const auto& [k, val] : http.last->headers) bearer |= (k == "Authorization" && val == "Bearer KEY-SECRET");
  EXPECT_TRUE(bearer);
  EXPECT_EQ((r->message + r->url).find("KEY-SECRET"), std::string::npos);
}

TEST(HealthCheck, TransportFailureIsAFailedReport) {
  const auto v = vault();
  ScriptedHttp http;
  http.fail = make_error(ErrorCode::kUnavailable, "connect to http://127.0.0.1:9 failed");
  auto r = check_account_health(twilio(v), v, http);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->http_status, 0);
  EXPECT_FALSE(mentions_secret(*r));
}

TEST(HealthCheck, SimIsAlwaysOkWithoutARequest) {
  const auto v = vault();
  ProviderAccount a;
  a.provider = ProviderKind::kSim;
  ScriptedHttp http;
  auto r = check_account_health(a, v, http);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(http.calls, 0);
}

TEST(HealthCheck, CredentialsUnderAnotherKeyAreAPreconditionError) {
  const auto v = vault('b');
  const auto other = vault('c');
  ScriptedHttp http;
  auto r = check_account_health(twilio(v), other, http);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(http.calls, 0);
  auto no_sid = twilio(v);
  no_sid.account_sid.clear();
  auto r2 = check_account_health(no_sid, v, http);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().details.at("field"), "account_sid");
}

}  // namespace
}  // namespace outdial::accounts
