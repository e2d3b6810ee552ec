#pragma once
// The dialer's CallerIdSource over the provider-account store (issue #3 §3): a campaign with a
// caller-ID policy gets its From per call from accounts::CallerIdSelector over the tenant's
// numbers (read fresh on every call, so a number retired or flagged before a call is never its
// caller ID); a campaign without one keeps its caller_id, owned when the configured directory
// lists it or it is an active number of the tenant.
#include <functional>
#include <optional>
#include <string>

#include "outdial/dialer/caller_id_source.hpp"
#include "outdial/dialer/facts_builder.hpp"
#include "outdial/storage/account_store.hpp"

namespace outdial::app {

// A number is usable only while its provider account can place calls
// (accounts::check_can_place_calls, then `check` if given: the composition root passes
// ProviderSet::check_account, which also opens the account's credentials); otherwise the pick
// says why (CID-VALID).
class AccountCallerIds final : public dialer::CallerIdSource {
 public:
  using AccountCheck = std::function<Status(const ProviderAccount&)>;
  // `accounts` must outlive this object. Thread-safe if the store and `check` are.
  AccountCallerIds(storage::AccountStore& accounts, dialer::CallerIdDirectory directory, AccountCheck check = {});

  Result<dialer::CallerIdPick> choose(const Campaign& campaign, const Contact& contact, TimePoint at) override;
  Result<dialer::CallerIdPick> recheck(const Campaign& campaign, const std::string& number, TimePoint at) override;

 private:
  // The tenant's policy for the campaign; nullopt also when the store has no account support
  // (a driver or fake without it: every campaign keeps its caller_id).
  Result<std::optional<CallerIdPolicy>> policy_of(const Campaign& campaign);
  // The numbers the policy could pick for a contact in `state`: the campaign's dedicated number,
  // the static number, or the tenant's active numbers in the state (else the default number).
  Result<std::vector<PhoneNumber>> candidates(const CallerIdPolicy& policy, TenantId tenant,
                                              const std::string& state);
  // `number` checked for a campaign without a policy (directory, then the tenant's numbers).
  Result<dialer::CallerIdPick> campaign_number(const Campaign& campaign, const std::string& number);

  // Why the number's account cannot place calls (nullopt: it can, or the number has none).
  Result<std::optional<std::string>> account_problem(const PhoneNumber& n);

  storage::AccountStore& accounts_;
  const dialer::CallerIdDirectory directory_;
  const AccountCheck check_;
};

}  // namespace outdial::app
