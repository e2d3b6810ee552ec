#include "outdial/app/account_routed_provider.hpp"

#include "outdial/accounts/credentials.hpp"

namespace outdial::app {
namespace tw = telephony::twilio;

namespace {
constexpr std::size_t kRememberedCalls = 200'000;  // call sid -> account entries kept in memory

bool is_usable_twilio(const ProviderAccount& a) {
  return a.provider == ProviderKind::kTwilio && a.status == AccountStatus::kActive && !a.account_sid.empty();
}
}  // namespace

AccountRoutedProvider::AccountRoutedProvider(tw::TwilioProvider& configured, storage::AccountStore& accounts,
                                             storage::CallStore& calls, const accounts::CredentialVault* vault,
                                             net::HttpClient& http, const Clock& clock)
    : configured_(configured), accounts_(accounts), calls_(calls), vault_(vault), http_(http), clock_(clock) {}

AccountRoutedProvider::~AccountRoutedProvider() = default;

Result<tw::TwilioProvider*> AccountRoutedProvider::for_account(const ProviderAccount& account) {
  {
    std::lock_guard lock(mu_);
    auto it = drivers_.find(account.id);
    if (it != drivers_.end() && it->second.credential_blob == account.credential_blob &&
        it->second.account_sid == account.account_sid && it->second.api_base == account.api_base) {
      return it->second.provider.get();
    }
  }
  const std::string where = "provider account " + std::to_string(account.id);
  if (vault_ == nullptr) {
    return make_error(ErrorCode::kFailedPrecondition,
                      where + ": credentials cannot be opened (OUTDIAL_SECRET_KEY is not configured)",
                      {{"account_id", std::to_string(account.id)}});
  }
  auto creds = accounts::open_credentials(*vault_, account.credential_blob);
  if (!creds) {
    return make_error(ErrorCode::kFailedPrecondition, where + ": credentials cannot be opened (" +
                                                          std::string(to_string(creds.error().code)) + ")",
                      {{"account_id", std::to_string(account.id)}});
  }
  auto token = creds->find("auth_token");
  if (token == creds->end() || token->second.empty()) {
    return make_error(ErrorCode::kFailedPrecondition, where + ": no auth_token in its credentials",
                      {{"account_id", std::to_string(account.id)}});
  }
  tw::TwilioConfig cfg = configured_.config();  // callback URL, voice, time-outs
  cfg.account_sid = account.account_sid;
  cfg.auth_token = token->second;
  cfg.api_base = account.api_base.empty() ? tw::TwilioConfig{}.api_base : account.api_base;
  auto driver = std::make_unique<tw::TwilioProvider>(std::move(cfg), http_, clock_);
  std::lock_guard lock(mu_);
  driver->set_event_ingress(ingress_);
  Driver& slot = drivers_[account.id];
  if (slot.provider) retired_.push_back(std::move(slot.provider));
  slot.account_sid = account.account_sid;
  slot.api_base = account.api_base;
  slot.credential_blob = account.credential_blob;
  slot.provider = std::move(driver);
  return slot.provider.get();
}

Result<tw::TwilioProvider*> AccountRoutedProvider::for_number(TenantId tenant, const std::string& from,
                                                              ProviderAccountId* account_id) {
  if (account_id != nullptr) *account_id = 0;
  if (tenant == 0 || from.empty()) return &configured_;
  auto number = accounts_.find_number(tenant, from);
  if (!number) return number.error();
  if (!*number || (*number)->account_id == 0) return &configured_;
  auto account = accounts_.get_account(tenant, (*number)->account_id);
  if (!account) {
    if (account.error().code == ErrorCode::kNotFound) return &configured_;
    return account.error();
  }
  if (!is_usable_twilio(*account)) return &configured_;
  auto driver = for_account(*account);
  if (driver && account_id != nullptr) *account_id = account->id;
  return driver;
}

void AccountRoutedProvider::remember(const std::string& provider_call_id, ProviderAccountId account) {
  std::lock_guard lock(mu_);
  if (!call_accounts_.insert_or_assign(provider_call_id, account).second) return;
  call_order_.push_back(provider_call_id);
  while (call_order_.size() > kRememberedCalls) {
    call_accounts_.erase(call_order_.front());
    call_order_.pop_front();
  }
}

Result<tw::TwilioProvider*> AccountRoutedProvider::for_call(const std::string& provider_call_id) {
  {
    std::lock_guard lock(mu_);
    auto it = call_accounts_.find(provider_call_id);
    if (it != call_accounts_.end()) {
      if (it->second == 0) return &configured_;
      auto d = drivers_.find(it->second);
      if (d != drivers_.end()) return d->second.provider.get();
    }
  }
  // After a restart (or an evicted entry): the attempt's From number names the account again.
  auto attempt = calls_.find_by_provider_id(name(), provider_call_id);
  if (!attempt) return attempt.error();
  if (!*attempt) return &configured_;
  ProviderAccountId account = 0;
  auto driver = for_number((*attempt)->tenant_id, (*attempt)->from_number, &account);
  if (driver) remember(provider_call_id, account);
  return driver;
}

Result<telephony::DialAccepted> AccountRoutedProvider::place_call(const telephony::DialRequest& req) {
  ProviderAccountId account = 0;
  auto driver = for_number(req.tenant_id, req.from, &account);
  if (!driver) {
    // A store error: certainly not placed yet.
    if (driver.error().code == ErrorCode::kFailedPrecondition) return driver.error();
    return make_error(ErrorCode::kFailedPrecondition, "caller ID's account not resolved: " + driver.error().message);
  }
  auto accepted = (*driver)->place_call(req);
  if (accepted) remember(accepted->provider_call_id, account);
  return accepted;
}

Status AccountRoutedProvider::hangup(const std::string& provider_call_id) {
  auto driver = for_call(provider_call_id);
  if (!driver) return driver.error();
  return (*driver)->hangup(provider_call_id);
}

Result<std::string> AccountRoutedProvider::send_sms(const telephony::SmsRequest& req) {
  auto driver = for_number(req.tenant_id, req.from);
  if (!driver) return driver.error();
  return (*driver)->send_sms(req);
}

Result<std::optional<std::string>> AccountRoutedProvider::find_call(const telephony::CallLookup& lookup) {
  ProviderAccountId account = 0;
  auto driver = for_number(lookup.tenant_id, lookup.from, &account);
  if (!driver) return driver.error();
  auto found = (*driver)->find_call(lookup);
  if (found && *found) remember(**found, account);
  return found;
}

Status AccountRoutedProvider::reconcile(const std::string& provider_call_id) {
  auto driver = for_call(provider_call_id);
  if (!driver) return driver.error();
  return (*driver)->reconcile(provider_call_id);
}

Result<std::optional<std::string>> AccountRoutedProvider::auth_token(const std::string& account_sid) {
  auto found = accounts_.accounts_with_sid(ProviderKind::kTwilio, account_sid);
  if (!found) return found.error();
  for (const auto& a : *found) {
    if (!is_usable_twilio(a) || vault_ == nullptr) continue;
    auto creds = accounts::open_credentials(*vault_, a.credential_blob);
    if (!creds) continue;
    auto token = creds->find("auth_token");
    if (token != creds->end() && !token->second.empty()) return std::optional<std::string>(token->second);
  }
  return std::optional<std::string>();
}

tw::TwilioProvider* AccountRoutedProvider::provider(const std::string& account_sid) {
  auto found = accounts_.accounts_with_sid(ProviderKind::kTwilio, account_sid);
  if (!found) return nullptr;
  for (const auto& a : *found) {
    if (!is_usable_twilio(a)) continue;
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
  std::lock_guard lock(mu_);
  ingress_ = ingress;
  configured_.set_event_ingress(ingress);
  for (auto& [id, d] : drivers_) d.provider->set_event_ingress(ingress);
  for (auto& p : retired_) p->set_event_ingress(ingress);
}

std::size_t AccountRoutedProvider::account_drivers() const {
  std::lock_guard lock(mu_);
  return drivers_.size();
}

}  // namespace outdial::app
