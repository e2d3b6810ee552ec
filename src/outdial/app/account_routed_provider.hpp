#pragma once
// Calls go out through the carrier account that owns their From number (issue #3 §3). A call
// whose From is a number of an active Twilio account of the call's tenant is placed through a
// TwilioProvider built from that account's sealed credentials (opened by the CredentialVault)
// and public configuration (account SID, API base); any other call through the install's
// configured account (OUTDIAL_TWILIO_*), as before. Hang-up, find_call, reconcile and SMS go to
// the account that placed the call: the call sid -> account map filled by place_call, else
// (after a restart) the attempt's From number looked up again.
//
// Also the webhook routes' TwilioAccountDirectory: each callback is checked against the auth
// token of the account its AccountSid names. Credentials never appear in logs or errors.
// Part of the composition root. Thread-safe.
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "outdial/accounts/credential_vault.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/core/provider_account.hpp"
#include "outdial/net/http_client.hpp"
#include "outdial/storage/account_store.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/provider.hpp"
#include "outdial/telephony/twilio/twilio_provider.hpp"
#include "outdial/telephony/twilio/twilio_webhooks.hpp"

namespace outdial::app {

class AccountRoutedProvider final : public telephony::Provider, public telephony::twilio::TwilioAccountDirectory {
 public:
  // `configured` is the install's account; the stores, vault (null: no secret key configured, so
  // no account's credentials can be opened), http client and clock must outlive this object.
  AccountRoutedProvider(telephony::twilio::TwilioProvider& configured, storage::AccountStore& accounts,
                        storage::CallStore& calls, const accounts::CredentialVault* vault, net::HttpClient& http,
                        const Clock& clock);
  ~AccountRoutedProvider() override;

  std::string name() const override { return "twilio"; }
  // Errors as the drivers', plus kFailedPrecondition (certainly not placed: the dialer retries
  // later) when the From number's account has credentials that cannot be opened (no secret key
  // configured, wrong key, altered blob); such a call is never sent through another account.
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest& req) override;
  Status hangup(const std::string& provider_call_id) override;
  Result<std::string> send_sms(const telephony::SmsRequest& req) override;
  Result<std::optional<std::string>> find_call(const telephony::CallLookup& lookup) override;
  Status reconcile(const std::string& provider_call_id) override;

  // TwilioAccountDirectory: the first active Twilio account (any tenant) with this SID whose
  // credentials open. A stored account whose credentials do not open counts as not ours.
  Result<std::optional<std::string>> auth_token(const std::string& account_sid) override;
  telephony::twilio::TwilioProvider* provider(const std::string& account_sid) override;
  // The account the attempt's From number routes to (the configured one when none) has this SID.
  Result<bool> placed_by(const CallAttempt& attempt, const std::string& account_sid) override;

  // Where every driver's reconcile() delivers events (the configured one's too).
  void set_event_ingress(telephony::EventIngress* ingress);
  // How many account drivers have been built (tests).
  std::size_t account_drivers() const;

 private:
  struct Driver {
    std::string account_sid;
    std::string api_base;
    std::string credential_blob;
    std::unique_ptr<telephony::twilio::TwilioProvider> provider;
  };
  // The driver for the call's tenant and From number: an account's, or the configured one.
  // Also returns the account id (0 = configured).
  Result<telephony::twilio::TwilioProvider*> for_number(TenantId tenant, const std::string& from,
                                                        ProviderAccountId* account_id = nullptr);
  // The account's driver, built on first use and rebuilt when its credentials or SID change.
  Result<telephony::twilio::TwilioProvider*> for_account(const ProviderAccount& account);
  // The driver of the account that placed this call.
  Result<telephony::twilio::TwilioProvider*> for_call(const std::string& provider_call_id);
  void remember(const std::string& provider_call_id, ProviderAccountId account);

  telephony::twilio::TwilioProvider& configured_;
  storage::AccountStore& accounts_;
  storage::CallStore& calls_;
  const accounts::CredentialVault* vault_;
  net::HttpClient& http_;
  const Clock& clock_;

  mutable std::mutex mu_;
  telephony::EventIngress* ingress_ = nullptr;
  std::map<ProviderAccountId, Driver> drivers_;
  // Drivers replaced after a credential change: kept alive, another thread may still use them.
  std::vector<std::unique_ptr<telephony::twilio::TwilioProvider>> retired_;
  std::unordered_map<std::string, ProviderAccountId> call_accounts_;
  std::deque<std::string> call_order_;  // eviction order of call_accounts_ (bounded)
};

}  // namespace outdial::app
