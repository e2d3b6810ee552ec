#pragma once
// Calls go out through the carrier account that owns their From number (issue #3 §3), for any
// carrier driver D (TwilioProvider, TelnyxProvider). A call whose From is a number of an active
// account of D's carrier of the call's tenant is placed through a D built (by the Factory) from
// that account's public configuration and its sealed credentials, opened by the CredentialVault;
// any other call through the install's configured driver, as before. Hang-up, find_call,
// reconcile and SMS go to the account that placed the call: the call id -> account map filled
// by place_call / find_call, else (after a restart) the attempt's From number looked up again.
// An account's driver is built on first use and rebuilt when its credentials or public
// configuration change. Credentials never appear in logs or errors.
//
// The carrier-specific parts (webhook signing keys, live-call commands) are in the subclasses:
// AccountRoutedProvider (Twilio), TelnyxAccountRoutedProvider. Part of the composition root.
// Thread-safe.
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "outdial/accounts/credential_vault.hpp"
#include "outdial/accounts/credentials.hpp"
#include "outdial/core/provider_account.hpp"
#include "outdial/storage/account_store.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/telephony/provider.hpp"

namespace outdial::app {

template <class D>
class AccountRouter : public telephony::Provider {
 public:
  // Builds an account's driver from its public configuration and its opened credentials;
  // kFailedPrecondition naming what is missing (never a credential's value).
  using Factory = std::function<Result<std::unique_ptr<D>>(const ProviderAccount&, const accounts::Credentials&)>;

  // `configured` is the install's driver; the stores and the vault (null: no secret key
  // configured, so no account's credentials can be opened) must outlive this object.
  AccountRouter(D& configured, ProviderKind kind, storage::AccountStore& accounts, storage::CallStore& calls,
                const accounts::CredentialVault* vault, Factory factory);
  ~AccountRouter() override;

  std::string name() const override { return configured_.name(); }
  // Errors as the drivers', plus kFailedPrecondition (certainly not placed: the dialer retries
  // later) when the From number's account has credentials that cannot be opened (no secret key
  // configured, wrong key, altered blob) or lack what its driver needs; such a call is never sent
  // through another account.
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest& req) override;
  Status hangup(const std::string& provider_call_id) override;
  Result<std::string> send_sms(const telephony::SmsRequest& req) override;
  Result<std::optional<std::string>> find_call(const telephony::CallLookup& lookup) override;
  Status reconcile(const std::string& provider_call_id) override;
  // Through the driver of the account that placed the call (for_call: the call id -> account
  // map, else the attempt's tenant and From), so with that account's credentials and API base.
  Result<telephony::RecordingMedia> fetch_recording(const telephony::RecordingRef& recording) override;

  // How many account drivers have been built (tests).
  std::size_t account_drivers() const;
  // Whether calls from this account's numbers go through it (else through the configured one).
  // Default: an account of this carrier that can place calls (accounts::check_can_place_calls:
  // active, with the public configuration its carrier needs). Public: the account's limits pace
  // exactly these calls (app::AccountPacers).
  virtual bool routes_through(const ProviderAccount& a) const;
  // Whether a call from a number of `a` can go out through `a` now: routes_through(a) and its
  // driver can be built (credentials opened, with what the driver needs). kFailedPrecondition
  // naming what is missing (never a credential's value). The caller-ID check asks this: a
  // number whose account cannot place calls is not usable (app::AccountCallerIds).
  Status check_account(const ProviderAccount& a);

 protected:
  // Called under the router's lock when a new account driver is installed (before any use).
  virtual void prepare(D&) {}

  // The driver for the call's tenant and From number: an account's, or the configured one (no
  // account of this carrier owns the number). Also returns the account id (0 = configured).
  // `placing` (a new call or text): an account of this carrier that cannot place calls
  // (routes_through false: disabled, misconfigured) is kFailedPrecondition, never the configured
  // account instead. Otherwise (a call already placed: find_call, hang-up, reconcile, its
  // webhooks) the account's own driver even after it was disabled: only it knows the call.
  Result<D*> for_number(TenantId tenant, const std::string& from, ProviderAccountId* account_id = nullptr,
                        bool placing = false);
  // The account's driver, built on first use and rebuilt when its credentials or configuration change.
  Result<D*> for_account(const ProviderAccount& account);
  // The driver of the account that placed this call (the attempt's From after a restart).
  Result<D*> for_call(const std::string& provider_call_id);
  // The account remembered for this call id (0 = configured), if any.
  std::optional<ProviderAccountId> remembered(const std::string& provider_call_id) const;
  void remember(const std::string& provider_call_id, ProviderAccountId account);
  // Runs `fn` on the configured driver and every account driver (also replaced ones), under the lock.
  void for_each_driver(const std::function<void(D&)>& fn);

  D& configured_;
  const ProviderKind kind_;
  storage::AccountStore& accounts_;
  storage::CallStore& calls_;
  const accounts::CredentialVault* vault_;

 private:
  struct Slot {
    std::string account_sid;
    std::string connection_id;
    std::string api_base;
    std::string credential_blob;
    std::unique_ptr<D> driver;
  };

  Factory factory_;
  mutable std::mutex mu_;
  std::map<ProviderAccountId, Slot> drivers_;
  // Drivers replaced after a credential change: kept alive, another thread may still use them.
  std::vector<std::unique_ptr<D>> retired_;
  std::unordered_map<std::string, ProviderAccountId> call_accounts_;
  std::deque<std::string> call_order_;  // eviction order of call_accounts_ (bounded)
};

}  // namespace outdial::app
