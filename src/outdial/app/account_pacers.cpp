#include "outdial/app/account_pacers.hpp"

#include <algorithm>
#include <set>

namespace outdial::app {
namespace {

// UnsupportedAccountStore (a driver without accounts) answers kFailedPrecondition: no accounts,
// so every call is the install's.
bool unsupported(const Error& e) { return e.code == ErrorCode::kFailedPrecondition; }

void add_unique(std::vector<accounts::Pacer*>& out, accounts::Pacer* p) {
  if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
}

}  // namespace

AccountPacers::AccountPacers(storage::AccountStore& accounts, const Clock& clock, PlacesCalls places_calls,
                             accounts::PacerOptions options, Millis refresh)
    : accounts_(accounts),
      clock_(clock),
      places_calls_(std::move(places_calls)),
      options_(options),
      refresh_(refresh) {}

accounts::Pacer* AccountPacers::pacer(const ProviderAccount& account) {
  if (!places_calls_ || !places_calls_(account)) return nullptr;
  std::lock_guard lock(mu_);
  auto& slot = pacers_[account.id];
  if (!slot) {
    slot = std::make_unique<accounts::Pacer>(account.limits, options_);
  } else {
    slot->set_limits(account.limits);  // no-op unless the stored limits changed
  }
  return slot.get();
}

accounts::Pacer* AccountPacers::pacer_of(ProviderAccountId account) const {
  std::lock_guard lock(mu_);
  auto it = pacers_.find(account);
  return it == pacers_.end() ? nullptr : it->second.get();
}

Result<accounts::Pacer*> AccountPacers::number_pacer(TenantId tenant, const std::string& number) {
  accounts::Pacer* install = nullptr;
  if (tenant == 0 || number.empty()) return install;
  auto found = accounts_.find_number(tenant, number);
  if (!found) {
    if (unsupported(found.error())) return install;
    return found.error();
  }
  if (!found->has_value() || (*found)->account_id == 0) return install;
  auto account = accounts_.get_account(tenant, (*found)->account_id);
  if (!account) {
    if (account.error().code == ErrorCode::kNotFound || unsupported(account.error())) return install;
    return account.error();
  }
  return pacer(*account);
}

Result<accounts::Pacer*> AccountPacers::pacer_for_call(TenantId tenant, const std::string& from) {
  return number_pacer(tenant, from);
}

Result<std::vector<accounts::Pacer*>> AccountPacers::pacers_for_campaign(const Campaign& campaign) {
  const TimePoint now = clock_.now();
  {
    std::lock_guard lock(mu_);
    auto it = campaigns_.find(campaign.id);
    if (it != campaigns_.end() && now >= it->second.at && now - it->second.at < refresh_) return it->second.pacers;
  }
  std::vector<accounts::Pacer*> out;
  auto add_number = [&](const std::string& number) -> Status {
    auto p = number_pacer(campaign.tenant_id, number);
    if (!p) return p.error();
    add_unique(out, *p);
    return ok_status();
  };
  auto policy = accounts_.get_caller_id_policy(campaign.tenant_id, campaign.id);
  if (!policy && !unsupported(policy.error())) return policy.error();
  if (!policy || !policy->has_value()) {
    // No caller-ID policy: every call is from the campaign's caller_id.
    if (auto st = add_number(campaign.caller_id); !st) return st.error();
  } else {
    const CallerIdPolicy& p = **policy;
    switch (p.strategy) {
      case CallerIdStrategy::kDedicated: {
        auto dedicated = accounts_.dedicated_number(campaign.tenant_id, campaign.id);
        if (!dedicated) return dedicated.error();
        if (dedicated->has_value()) {
          if (auto st = add_number((*dedicated)->e164); !st) return st.error();
        }
        break;
      }
      case CallerIdStrategy::kStatic:
        if (auto st = add_number(p.static_number); !st) return st.error();
        break;
      case CallerIdStrategy::kLocalPresence: {
        // Any active number of the tenant may be a contact's local number: every account
        // holding one, and the default number's.
        storage::NumberFilter active;
        active.status = NumberStatus::kActive;
        auto numbers = accounts_.list_numbers(campaign.tenant_id, active);
        if (!numbers) return numbers.error();
        std::set<ProviderAccountId> holding;
        for (const auto& n : *numbers) holding.insert(n.account_id);
        if (!holding.empty()) {
          auto listed = accounts_.list_accounts(campaign.tenant_id);
          if (!listed) return listed.error();
          for (ProviderAccountId id : holding) {
            auto a = std::find_if(listed->begin(), listed->end(), [id](const ProviderAccount& x) { return x.id == id; });
            add_unique(out, a == listed->end() ? nullptr : pacer(*a));
          }
        }
        if (!p.default_number.empty()) {
          if (auto st = add_number(p.default_number); !st) return st.error();
        }
        break;
      }
    }
  }
  std::lock_guard lock(mu_);
  campaigns_[campaign.id] = Cached{out, now};
  return out;
}

}  // namespace outdial::app
