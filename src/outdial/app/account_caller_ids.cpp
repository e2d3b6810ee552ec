#include "outdial/app/account_caller_ids.hpp"

#include <map>
#include <set>

#include "outdial/accounts/caller_id_selector.hpp"
#include "outdial/accounts/credentials.hpp"

namespace outdial::app {
namespace {

// UnsupportedAccountStore (a driver without accounts) answers kFailedPrecondition: no policies,
// no numbers.
bool unsupported(const Error& e) { return e.code == ErrorCode::kFailedPrecondition; }

// A number the campaign may present: the tenant's, active, not dedicated to another campaign
// (the selector's own rule, applied to a From chosen earlier).
bool usable_by(const PhoneNumber& n, const Campaign& c) {
  return n.tenant_id == c.tenant_id && n.status == NumberStatus::kActive &&
         (n.dedicated_campaign_id == 0 || n.dedicated_campaign_id == c.id);
}

}  // namespace

AccountCallerIds::AccountCallerIds(storage::AccountStore& accounts, dialer::CallerIdDirectory directory,
                                   AccountCheck check)
    : accounts_(accounts), directory_(std::move(directory)), check_(std::move(check)) {}

Result<std::optional<std::string>> AccountCallerIds::account_problem(const PhoneNumber& n) {
  if (n.account_id == 0) return std::optional<std::string>();
  auto account = accounts_.get_account(n.tenant_id, n.account_id);
  if (!account) {
    if (unsupported(account.error())) return std::optional<std::string>();
    if (account.error().code == ErrorCode::kNotFound) {
      return std::optional<std::string>("its provider account " + std::to_string(n.account_id) + " does not exist");
    }
    return account.error();
  }
  if (auto st = accounts::check_can_place_calls(*account); !st) return std::optional<std::string>(st.error().message);
  if (check_) {
    if (auto st = check_(*account); !st) return std::optional<std::string>(st.error().message);
  }
  return std::optional<std::string>();
}

Result<std::optional<CallerIdPolicy>> AccountCallerIds::policy_of(const Campaign& campaign) {
  auto policy = accounts_.get_caller_id_policy(campaign.tenant_id, campaign.id);
  if (!policy && unsupported(policy.error())) return std::optional<CallerIdPolicy>();
  return policy;
}

Result<dialer::CallerIdPick> AccountCallerIds::campaign_number(const Campaign& campaign, const std::string& number) {
  dialer::CallerIdPick pick{number, false, "campaign", ""};
  if (number.empty()) {
    pick.problem = "the campaign has no caller ID and no caller-ID policy";
    return pick;
  }
  if (directory_.owns(campaign.tenant_id, number)) {
    pick.owned = true;
    return pick;
  }
  auto found = accounts_.find_number(campaign.tenant_id, number);
  if (!found) {
    if (unsupported(found.error())) return pick;
    return found.error();
  }
  pick.owned = found->has_value() && usable_by(**found, campaign);
  if (pick.owned) {
    auto problem = account_problem(**found);
    if (!problem) return problem.error();
    if (*problem) {
      pick.owned = false;
      pick.problem = "caller ID " + number + " cannot be used: " + **problem;
    }
  }
  return pick;
}

Result<std::vector<PhoneNumber>> AccountCallerIds::candidates(const CallerIdPolicy& policy, TenantId tenant,
                                                              const std::string& state) {
  std::vector<PhoneNumber> out;
  auto add = [&](Result<std::optional<PhoneNumber>> n) -> Status {
    if (!n) return n.error();
    if (n->has_value()) out.push_back(std::move(**n));
    return ok_status();
  };
  switch (policy.strategy) {
    case CallerIdStrategy::kDedicated:
      // The live one, active or flagged (the selector says which).
      if (auto st = add(accounts_.dedicated_number(tenant, policy.campaign_id)); !st) return st.error();
      return out;
    case CallerIdStrategy::kStatic:
      if (!policy.static_number.empty()) {
        if (auto st = add(accounts_.find_number(tenant, policy.static_number)); !st) return st.error();
      }
      return out;
    case CallerIdStrategy::kLocalPresence: {
      if (!state.empty()) {
        auto in_state = accounts_.active_numbers_in_state(tenant, state);
        if (!in_state) return in_state.error();
        // A number dedicated to another campaign is never this campaign's.
        for (auto& n : *in_state) {
          if (n.dedicated_campaign_id == 0 || n.dedicated_campaign_id == policy.campaign_id) out.push_back(std::move(n));
        }
      }
      // The default number matters only when the state has none this campaign may use.
      if (out.empty() && !policy.default_number.empty()) {
        if (auto st = add(accounts_.find_number(tenant, policy.default_number)); !st) return st.error();
      }
      return out;
    }
  }
  return out;
}

Result<dialer::CallerIdPick> AccountCallerIds::choose(const Campaign& campaign, const Contact& contact, TimePoint) {
  auto policy = policy_of(campaign);
  if (!policy) return policy.error();
  if (!policy->has_value()) return campaign_number(campaign, campaign.caller_id);
  // Local presence by the contact's number (its area code and that code's state); the stated
  // residence state only when the number has no US geographic area code.
  accounts::ContactLocation where{contact.phone_e164, "", contact.state};
  if (auto located = accounts::locate_us_number(contact.phone_e164); located) {
    where.area_code = located->area_code;
    where.state = located->state;
  }
  // Only the numbers this call could use, read now (indexed: the cost follows the candidates,
  // not the pool); the selector applies the rules to them.
  auto numbers = candidates(**policy, campaign.tenant_id, where.state);
  if (!numbers) return numbers.error();
  // The candidates' accounts that cannot place calls (each asked once).
  std::map<ProviderAccountId, std::string> blocked;
  std::set<ProviderAccountId> asked;
  for (const auto& n : *numbers) {
    if (n.account_id == 0 || !asked.insert(n.account_id).second) continue;
    auto problem = account_problem(n);
    if (!problem) return problem.error();
    if (*problem) blocked.emplace(n.account_id, **problem);
  }
  auto choice = accounts::CallerIdSelector::select(campaign.tenant_id, *numbers, **policy, where, blocked);
  if (!choice) {
    const Error& e = choice.error();
    if (e.code != ErrorCode::kFailedPrecondition && e.code != ErrorCode::kPermissionDenied &&
        e.code != ErrorCode::kInvalidArgument) {
      return e;
    }
    // No usable number (or a configured one the tenant does not own): a CID-VALID block that
    // says why, not a store error to retry.
    auto named = e.details.find("number");
    return dialer::CallerIdPick{named == e.details.end() ? std::string() : named->second, false,
                                to_string((*policy)->strategy), e.message};
  }
  return dialer::CallerIdPick{choice->number.e164, true, choice->reason, ""};
}

Result<dialer::CallerIdPick> AccountCallerIds::recheck(const Campaign& campaign, const std::string& number,
                                                      TimePoint) {
  auto policy = policy_of(campaign);
  if (!policy) return policy.error();
  if (!policy->has_value()) return campaign_number(campaign, number);
  auto found = accounts_.find_number(campaign.tenant_id, number);
  if (!found) return found.error();
  dialer::CallerIdPick pick{number, false, "stored", ""};
  if (found->has_value() && usable_by(**found, campaign)) {
    auto problem = account_problem(**found);
    if (!problem) return problem.error();
    pick.owned = !problem->has_value();
    if (*problem) pick.problem = "the attempt's caller ID " + number + " cannot be used: " + **problem;
  } else if (!found->has_value()) {
    pick.problem = "the attempt's caller ID " + number + " is no longer a number of the tenant";
  } else if ((*found)->status != NumberStatus::kActive) {
    pick.problem = "the attempt's caller ID " + number + " is now " + to_string((*found)->status);
  } else {
    pick.problem = "the attempt's caller ID " + number + " is now dedicated to campaign " +
                   std::to_string((*found)->dedicated_campaign_id);
  }
  return pick;
}

}  // namespace outdial::app
