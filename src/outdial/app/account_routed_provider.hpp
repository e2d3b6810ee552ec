#pragma once
// Twilio calls go out through the Twilio account that owns their From number (issue #3 §3; the
// routing itself is AccountRouter's): a call whose From is a number of an active Twilio account
// of the call's tenant is placed through a TwilioProvider built from that account's sealed
// credentials ({"auth_token"}) and public configuration (account SID, API base); any other call
// through the install's configured account (OUTDIAL_TWILIO_*), as before.
//
// Also the webhook routes' TwilioAccountDirectory: each callback is checked against the auth
// token of the account its AccountSid names, and a callback about an attempt must be signed by
// the account that placed it. Credentials never appear in logs or errors. Part of the
// composition root. Thread-safe.
#include <atomic>
#include <optional>
#include <string>

#include "outdial/app/account_router.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/net/http_client.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/twilio/twilio_provider.hpp"
#include "outdial/telephony/twilio/twilio_webhooks.hpp"

namespace outdial::app {

class AccountRoutedProvider final : public AccountRouter<telephony::twilio::TwilioProvider>,
                                    public telephony::twilio::TwilioAccountDirectory {
 public:
  // `configured` is the install's account; the stores, vault (null: no secret key configured, so
  // no account's credentials can be opened), http client and clock must outlive this object.
  AccountRoutedProvider(telephony::twilio::TwilioProvider& configured, storage::AccountStore& accounts,
                        storage::CallStore& calls, const accounts::CredentialVault* vault, net::HttpClient& http,
                        const Clock& clock);
  ~AccountRoutedProvider() override;

  // TwilioAccountDirectory: the first active Twilio account (any tenant) with this SID whose
  // credentials open. A stored account whose credentials do not open counts as not ours.
  Result<std::optional<std::string>> auth_token(const std::string& account_sid) override;
  telephony::twilio::TwilioProvider* provider(const std::string& account_sid) override;
  // The account the attempt's From number routes to (the configured one when none) has this SID.
  Result<bool> placed_by(const CallAttempt& attempt, const std::string& account_sid) override;

  // Where every driver's reconcile() delivers events (the configured one's too).
  void set_event_ingress(telephony::EventIngress* ingress);

 private:
  bool routes_through(const ProviderAccount& a) const override;
  void prepare(telephony::twilio::TwilioProvider& driver) override;

  std::atomic<telephony::EventIngress*> ingress_{nullptr};
};

}  // namespace outdial::app
