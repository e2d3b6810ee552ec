#pragma once
// A provider account's health check (issue #3 §3): one minimal authenticated GET against the
// account's API base proves the base is reachable and the credentials are accepted.
//   sim:    always ok, no request
//   twilio: GET {api_base|https://api.twilio.com}/2010-04-01/Accounts/{account_sid}.json,
//           HTTP Basic account_sid:auth_token
//   telnyx: GET {api_base|https://api.telnyx.com}/v2/balance, Bearer api_key
//   vapi:   GET {api_base|https://api.vapi.ai}/assistant?limit=1, Bearer api_key
// The report never contains the credential (nor the response body, which could echo it).
#include <string>

#include "outdial/accounts/credential_vault.hpp"
#include "outdial/core/provider_account.hpp"
#include "outdial/net/http_client.hpp"

namespace outdial::accounts {

struct HealthReport {
  bool ok = false;
  int http_status = 0;  // 0 when no HTTP exchange happened (sim, transport failure)
  std::string message;  // "ok", "credentials rejected", "could not reach ...", ...
  std::string url;      // what was requested (no credentials in it)
};

// The default API base of a provider ("" for sim).
std::string default_api_base(ProviderKind provider);

// Transport failures are a failed report, not an error. Errors: kFailedPrecondition when the
// stored credentials cannot be opened with the vault's key (wrong OUTDIAL_SECRET_KEY or altered
// row), kInvalidArgument when the account lacks what the check needs (Twilio account_sid).
Result<HealthReport> check_account_health(const ProviderAccount& account, const CredentialVault& vault,
                                          net::HttpClient& http);

}  // namespace outdial::accounts
