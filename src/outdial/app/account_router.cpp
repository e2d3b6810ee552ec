#include "outdial/app/account_router.hpp"

#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "outdial/telephony/twilio/twilio_provider.hpp"

namespace outdial::app {

namespace {
constexpr std::size_t kRememberedCalls = 200'000;  // call id -> account entries kept in memory
}  // namespace

template <class D>
AccountRouter<D>::AccountRouter(D& configured, ProviderKind kind, storage::AccountStore& accounts,
                                storage::CallStore& calls, const accounts::CredentialVault* vault, Factory factory)
    : configured_(configured),
      kind_(kind),
      accounts_(accounts),
      calls_(calls),
      vault_(vault),
      factory_(std::move(factory)) {}

template <class D>
AccountRouter<D>::~AccountRouter() = default;

template <class D>
bool AccountRouter<D>::routes_through(const ProviderAccount& a) const {
  return a.provider == kind_ && accounts::check_can_place_calls(a).ok();
}

template <class D>
Status AccountRouter<D>::check_account(const ProviderAccount& a) {
  if (auto st = accounts::check_can_place_calls(a); !st) return st;
  if (!routes_through(a)) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "provider account " + std::to_string(a.id) + " cannot place calls through this install",
                      {{"account_id", std::to_string(a.id)}});
  }
  auto driver = for_account(a);
  if (!driver) return driver.error();
  return ok_status();
}

template <class D>
Result<D*> AccountRouter<D>::for_account(const ProviderAccount& account) {
  {
    std::lock_guard lock(mu_);
    auto it = drivers_.find(account.id);
    if (it != drivers_.end() && it->second.credential_blob == account.credential_blob &&
        it->second.account_sid == account.account_sid && it->second.connection_id == account.connection_id &&
        it->second.api_base == account.api_base) {
      return it->second.driver.get();
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
  auto built = factory_(account, *creds);
  if (!built) {
    Error e = built.error();
    e.code = ErrorCode::kFailedPrecondition;
    e.message = where + ": " + e.message;
    e.details["account_id"] = std::to_string(account.id);
    return e;
  }
  std::lock_guard lock(mu_);
  prepare(**built);
  Slot& slot = drivers_[account.id];
  if (slot.driver) retired_.push_back(std::move(slot.driver));
  slot.account_sid = account.account_sid;
  slot.connection_id = account.connection_id;
  slot.api_base = account.api_base;
  slot.credential_blob = account.credential_blob;
  slot.driver = std::move(built).value();
  return slot.driver.get();
}

template <class D>
Result<D*> AccountRouter<D>::for_number(TenantId tenant, const std::string& from, ProviderAccountId* account_id,
                                        bool placing) {
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
  if (account->provider != kind_) return &configured_;  // another carrier's account
  if (placing && !routes_through(*account)) {
    // Never through another account: the caller-ID check blocks such numbers; a call that got
    // here anyway waits, and its resolution counts this as "not placed".
    if (auto st = accounts::check_can_place_calls(*account); !st) return st.error();
    return make_error(ErrorCode::kFailedPrecondition,
                      "provider account " + std::to_string(account->id) + " cannot place calls",
                      {{"account_id", std::to_string(account->id)}});
  }
  auto driver = for_account(*account);
  if (driver && account_id != nullptr) *account_id = account->id;
  return driver;
}

template <class D>
std::optional<ProviderAccountId> AccountRouter<D>::remembered(const std::string& provider_call_id) const {
  std::lock_guard lock(mu_);
  auto it = call_accounts_.find(provider_call_id);
  if (it == call_accounts_.end()) return std::nullopt;
  return it->second;
}

template <class D>
void AccountRouter<D>::remember(const std::string& provider_call_id, ProviderAccountId account) {
  std::lock_guard lock(mu_);
  if (!call_accounts_.insert_or_assign(provider_call_id, account).second) return;
  call_order_.push_back(provider_call_id);
  while (call_order_.size() > kRememberedCalls) {
    call_accounts_.erase(call_order_.front());
    call_order_.pop_front();
  }
}

template <class D>
Result<D*> AccountRouter<D>::for_call(const std::string& provider_call_id) {
  {
    std::lock_guard lock(mu_);
    auto it = call_accounts_.find(provider_call_id);
    if (it != call_accounts_.end()) {
      if (it->second == 0) return &configured_;
      auto d = drivers_.find(it->second);
      if (d != drivers_.end()) return d->second.driver.get();
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

template <class D>
Result<telephony::DialAccepted> AccountRouter<D>::place_call(const telephony::DialRequest& req) {
  ProviderAccountId account = 0;
  auto driver = for_number(req.tenant_id, req.from, &account, /*placing=*/true);
  if (!driver) {
    // A store error: certainly not placed yet.
    if (driver.error().code == ErrorCode::kFailedPrecondition) return driver.error();
    return make_error(ErrorCode::kFailedPrecondition, "caller ID's account not resolved: " + driver.error().message);
  }
  auto accepted = (*driver)->place_call(req);
  if (accepted) remember(accepted->provider_call_id, account);
  return accepted;
}

template <class D>
Status AccountRouter<D>::hangup(const std::string& provider_call_id) {
  auto driver = for_call(provider_call_id);
  if (!driver) return driver.error();
  return (*driver)->hangup(provider_call_id);
}

template <class D>
Result<std::string> AccountRouter<D>::send_sms(const telephony::SmsRequest& req) {
  auto driver = for_number(req.tenant_id, req.from, nullptr, /*placing=*/true);
  if (!driver) return driver.error();
  return (*driver)->send_sms(req);
}

template <class D>
Result<std::optional<std::string>> AccountRouter<D>::find_call(const telephony::CallLookup& lookup) {
  ProviderAccountId account = 0;
  auto driver = for_number(lookup.tenant_id, lookup.from, &account);
  if (!driver) return driver.error();
  auto found = (*driver)->find_call(lookup);
  if (found && *found) remember(**found, account);
  return found;
}

template <class D>
Status AccountRouter<D>::reconcile(const std::string& provider_call_id) {
  auto driver = for_call(provider_call_id);
  if (!driver) return driver.error();
  return (*driver)->reconcile(provider_call_id);
}

template <class D>
Result<telephony::RecordingMedia> AccountRouter<D>::fetch_recording(const telephony::RecordingRef& recording) {
  if (recording.provider_call_id.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "recording without a call id: its account is unknown",
                      {{"field", "provider_call_id"}});
  }
  auto driver = for_call(recording.provider_call_id);
  if (!driver) return driver.error();
  return (*driver)->fetch_recording(recording);
}

template <class D>
std::size_t AccountRouter<D>::account_drivers() const {
  std::lock_guard lock(mu_);
  return drivers_.size();
}

template <class D>
void AccountRouter<D>::for_each_driver(const std::function<void(D&)>& fn) {
  std::lock_guard lock(mu_);
  fn(configured_);
  for (auto& [id, slot] : drivers_) fn(*slot.driver);
  for (auto& d : retired_) fn(*d);
}

template class AccountRouter<telephony::twilio::TwilioProvider>;
template class AccountRouter<telephony::telnyx::TelnyxProvider>;

}  // namespace outdial::app
