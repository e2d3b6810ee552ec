#pragma once
// A provider account's secret fields, sealed as one JSON object by the CredentialVault.
//   twilio: {"auth_token"}  (HTTP Basic with the account SID; provider-contracts.md §1)
//   telnyx: {"api_key"}     (Authorization: Bearer), optionally {"public_key"}: the account's
//           webhook signing key (base64 of the 32-byte Ed25519 public key; provider-contracts.md
//           §5.4). Not a secret, but it must come with the key it verifies: required for an
//           active account (check_active_credentials; the API refuses an active Telnyx account
//           without it), and calls are routed through a tenant's Telnyx account only when it is set.
//   vapi:   {"api_key"}     (Authorization: Bearer, the private key)
//   sim:    {}              (no credentials)
#include <map>
#include <string>
#include <vector>

#include "outdial/accounts/credential_vault.hpp"
#include "outdial/core/provider_account.hpp"

namespace outdial::accounts {

using Credentials = std::map<std::string, std::string>;

// The fields a provider requires.
std::vector<std::string> credential_fields(ProviderKind provider);
// The fields a provider accepts besides the required ones (telnyx: public_key).
std::vector<std::string> optional_credential_fields(ProviderKind provider);

// Checks `creds` against credential_fields and optional_credential_fields (kInvalidArgument
// {"field": "credentials.<name>"} for a missing, empty or unknown field, or a public_key that is
// not base64 of 32 bytes; the message never contains a value) and seals it.
Result<std::string> seal_credentials(const CredentialVault& vault, ProviderKind provider, const Credentials& creds);
// Opens a blob made by seal_credentials. Errors as CredentialVault::open.
Result<Credentials> open_credentials(const CredentialVault& vault, const std::string& blob);

// Whether calls can go out through the account, by its public configuration (its credentials
// are checked by check_active_credentials, and when its driver is built): kFailedPrecondition
// {"account_id", "field"} naming what stops it: the account is disabled ("status"), a twilio
// account has no account_sid, a telnyx account no connection_id. A number of such an account
// is not a usable caller ID (app::AccountCallerIds) and no call is routed through it.
Status check_can_place_calls(const ProviderAccount& account);
// What the credentials of an active account need besides credential_fields: a telnyx account
// also its public_key (without it none of its webhooks could be verified, so its calls could
// never be resolved). kInvalidArgument {"field": "credentials.public_key"}.
Status check_active_credentials(ProviderKind provider, const Credentials& creds);

}  // namespace outdial::accounts
