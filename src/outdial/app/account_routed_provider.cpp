#include "outdial/app/account_routed_provider.hpp"

#include "outdial/accounts/credentials.hpp"

namespace outdial::app {
namespace tw = telephony::twilio;

namespace {

bool is_usable_twilio(const ProviderAccount& a) {
  return a.provider == ProviderKind::kTwilio && a.status == AccountStatus::kActive && !a.account_sid.empty();
}

// Whose signatures a callback naming the account's SID is checked against, and whose driver
// controls its live calls: active or disabled alike. Disabling stops new calls through the
// account (is_usable_twilio), but Twilio still signs the callbacks of the calls it placed and the
// texts its numbers receive (a STOP among them) with its token.
bool is_our_twilio(const ProviderAccount& a) {
  return a.provider == ProviderKind::kTwilio && !a.account_sid.empty();
}

}  // namespace

AccountRoutedProvider::AccountRoutedProvider(tw::TwilioProvider& configured, storage::AccountStore& accounts,
                                             storage::CallStore& calls, const accounts::CredentialVault* vault,
                                             net::HttpClient& http, const Clock& clock)
    : AccountRouter(configured, ProviderKind::kTwilio, accounts, calls, vault,
                    [&configured, &http, &clock](const ProviderAccount& account,
                                                 const accounts::Credentials& creds) -> Result<std::unique_ptr<tw::TwilioProvider>> {
                      auto token = creds.find("auth_token");
                      if (token == creds.end() || token->second.empty()) {
                        return make_error(ErrorCode::kFailedPrecondition, "no auth_token in its credentials");
                      }
                      tw::TwilioConfig cfg = configured.config();  // callback URL, voice, time-outs
                      cfg.account_sid = account.account_sid;
                      cfg.auth_token = token->second;
                      cfg.api_base = account.api_base.empty() ? tw::TwilioConfig{}.api_base : account.api_base;
                      return std::make_unique<tw::TwilioProvider>(std::move(cfg), http, clock);
                    }) {}

AccountRoutedProvider::~AccountRoutedProvider() = default;

bool AccountRoutedProvider::routes_through(const ProviderAccount& a) const { return is_usable_twilio(a); }

void AccountRoutedProvider::prepare(tw::TwilioProvider& driver) { driver.set_event_ingress(ingress_.load()); }

Result<std::optional<std::string>> AccountRoutedProvider::auth_token(const std::string& account_sid) {
  auto found = accounts_.accounts_with_sid(ProviderKind::kTwilio, account_sid);
  if (!found) return found.error();
  // One SID, one tenant, one token: several tenants (or tokens) for a SID (registered before the
  // API refused duplicates) leave no way to tell whose callback it is, so none is accepted.
  std::optional<TenantId> tenant;
  for (const auto& a : *found) {
    if (!is_our_twilio(a)) continue;
    if (tenant && *tenant != a.tenant_id) {
      return make_error(ErrorCode::kPermissionDenied, "account SID is registered by more than one tenant",
                        {{"account_sid", account_sid}});
    }
    tenant = a.tenant_id;
  }
  // The tenant's active accounts decide; its disabled ones only when none is active (a token
  // rotated by adding a new account and disabling the old one: the new token signs).
  for (const bool active : {true, false}) {
    std::optional<std::string> chosen;
    for (const auto& a : *found) {
      if (!is_our_twilio(a) || (a.status == AccountStatus::kActive) != active || vault_ == nullptr) continue;
      auto creds = accounts::open_credentials(*vault_, a.credential_blob);
      if (!creds) continue;
      auto token = creds->find("auth_token");
      if (token == creds->end() || token->second.empty()) continue;
      if (chosen && *chosen != token->second) {
        return make_error(ErrorCode::kPermissionDenied, "account SID has accounts with different auth tokens",
                          {{"account_sid", account_sid}});
      }
      chosen = token->second;
    }
    if (chosen) return chosen;
  }
  return std::optional<std::string>();
}

tw::TwilioProvider* AccountRoutedProvider::provider(const std::string& account_sid) {
  auto found = accounts_.accounts_with_sid(ProviderKind::kTwilio, account_sid);
  if (!found) return nullptr;
  for (const auto& a : *found) {
    if (!is_our_twilio(a)) continue;
    if (auto driver = for_account(a)) return *driver;
  }
  return nullptr;
}

Result<bool> AccountRoutedProvider::placed_by(const CallAttempt& attempt, const std::string& account_sid) {
  ProviderAccountId account = 0;
  auto driver = for_number(attempt.tenant_id, attempt.from_number, &account);
  if (!driver) {
    // The owning account's credentials do not open: no call of it can be verified now.
    if (driver.error().code == ErrorCode::kFailedPrecondition) return false;
    return driver.error();
  }
  return (*driver)->config().account_sid == account_sid;
}

void AccountRoutedProvider::set_event_ingress(telephony::EventIngress* ingress) {
  ingress_.store(ingress);
  for_each_driver([ingress](tw::TwilioProvider& d) { d.set_event_ingress(ingress); });
}

}  // namespace outdial::app
