#include "outdial/accounts/health_check.hpp"

#include "outdial/accounts/credentials.hpp"

namespace outdial::accounts {
namespace {

std::string base_of(const ProviderAccount& a) {
  std::string base = a.api_base.empty() ? default_api_base(a.provider) : a.api_base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace

std::string default_api_base(ProviderKind provider) {
  switch (provider) {
    case ProviderKind::kTwilio:
      return "https://api.twilio.com";
    case ProviderKind::kTelnyx:
      return "https://api.telnyx.com";
    case ProviderKind::kVapi:
      return "https://api.vapi.ai";
    case ProviderKind::kSim:
      return "";
  }
  return "";
}

Result<HealthReport> check_account_health(const ProviderAccount& account, const CredentialVault& vault,
                                          net::HttpClient& http) {
  if (account.provider == ProviderKind::kSim) return HealthReport{true, 0, "ok (simulated carrier)", ""};
  auto creds = open_credentials(vault, account.credential_blob);
  if (!creds.ok()) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "the stored credentials of this account cannot be opened with the configured secret key",
                      {{"account_id", std::to_string(account.id)}});
  }
  net::ClientRequest req;
  req.method = "GET";
  req.timeout = std::chrono::seconds(10);
  req.headers.emplace_back("Accept", "application/json");
  const std::string base = base_of(account);
  switch (account.provider) {
    case ProviderKind::kTwilio:
      if (account.account_sid.empty()) {
        return make_error(ErrorCode::kInvalidArgument, "a Twilio account needs account_sid",
                          {{"field", "account_sid"}});
      }
      req.url = base + "/2010-04-01/Accounts/" + net::url_encode_component(account.account_sid) + ".json";
      req.basic_user = account.account_sid;
      req.basic_password = (*creds)["auth_token"];
      break;
    case ProviderKind::kTelnyx:
      req.url = base + "/v2/balance";
      req.headers.emplace_back("Authorization", "Bearer " + (*creds)["api_key"]);
      break;
    case ProviderKind::kVapi:
      req.url = base + "/assistant?limit=1";
      req.headers.emplace_back("Authorization", "Bearer " + (*creds)["api_key"]);
      break;
    case ProviderKind::kSim:
      break;
  }
  HealthReport report;
  report.url = req.url;
  auto resp = http.send(req);
  if (!resp.ok()) {
    report.message = "could not reach the provider API (" + std::string(to_string(resp.error().code)) + ")";
    return report;
  }
  report.http_status = resp->status;
  if (resp->status >= 200 && resp->status < 300) {
    report.ok = true;
    report.message = "ok";
  } else if (resp->status == 401 || resp->status == 403) {
    report.message = "credentials rejected";
  } else if (resp->status == 404) {
    report.message = "account not found at the provider";
  } else if (resp->status == 429) {
    report.message = "rate limited by the provider";
  } else {
    report.message = "unexpected HTTP status";
  }
  return report;
}

}  // namespace outdial::accounts
