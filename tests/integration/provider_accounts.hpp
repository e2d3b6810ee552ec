#pragma once
// Shared by the account-routing integration tests (Twilio, Telnyx): a secret key for the
// credential vault and a tenant's own carrier account owning one number, stored as the provider
// accounts API stores them (credentials sealed, default limits).
#include <gtest/gtest.h>

#include <string>

#include "outdial/accounts/credentials.hpp"
#include "outdial/accounts/pacer.hpp"
#include "outdial/storage/database.hpp"

namespace outdial::itest {

// A vault whose 32-byte key is `fill` repeated (another fill: another key).
inline accounts::CredentialVault test_vault(char fill) {
  auto v = accounts::CredentialVault::from_raw_key(std::string(32, fill));
  EXPECT_TRUE(v);
  return std::move(v).value();
}

// Stores `account` (tenant_id, provider, name and public configuration set by the caller) with
// `creds` sealed by `vault`, and `number` as its number (state "IL"). Returns the account id.
inline ProviderAccountId add_owned_account(storage::Database& db, const accounts::CredentialVault& vault,
                                           ProviderAccount account, const accounts::Credentials& creds,
                                           const std::string& number, TimePoint at) {
  auto blob = accounts::seal_credentials(vault, account.provider, creds);
  EXPECT_TRUE(blob) << (blob ? "" : blob.error().message);
  account.credential_blob = blob ? *blob : std::string();
  account.limits = accounts::default_limits(account.provider);
  account.created_at = at;
  auto stored = db.accounts().create_account(account);
  EXPECT_TRUE(stored) << (stored ? "" : stored.error().message);
  if (!stored) return 0;
  PhoneNumber n;
  n.tenant_id = account.tenant_id;
  n.account_id = stored->id;
  n.e164 = number;
  n.area_code = number.substr(2, 3);
  n.state = "IL";
  n.created_at = at;
  EXPECT_TRUE(db.accounts().add_number(n));
  return stored->id;
}

}  // namespace outdial::itest
