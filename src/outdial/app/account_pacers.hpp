#pragma once
// The dialer's PacerDirectory over the provider-account store (issue #3 §3: "Pacing inside each
// account's limits"): one accounts::Pacer per provider account that places its own calls, made
// on first use from the account's stored limits (ProviderAccount::limits) and kept for the
// process's life; when the stored limits change, the same pacer takes the new ones
// (Pacer::set_limits), keeping its recent starts and its calls in flight. A call whose From is a
// number of such an account is paced by that account's pacer; any other call (a configured
// caller ID, a number of an account that does not place calls, e.g. a disabled one) by the
// install's pacer (RunnerConfig::pacer). Which accounts place their own calls is the routing's
// rule (AccountRoutedProvider), passed in as `places_calls` so the two cannot disagree silently.
// Part of the composition root. Thread-safe.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "outdial/accounts/pacer.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/dialer/pacer_directory.hpp"
#include "outdial/storage/account_store.hpp"

namespace outdial::app {

class AccountPacers final : public dialer::PacerDirectory {
 public:
  // Does this account place its own calls (so its limits govern them)?
  using PlacesCalls = std::function<bool(const ProviderAccount&)>;
  // `accounts` and `clock` must outlive this object. `options` for every account's pacer (even
  // spacing and headroom for real carriers, as the install's). pacers_for_campaign answers are
  // cached per campaign for `refresh` (they are read every round).
  AccountPacers(storage::AccountStore& accounts, const Clock& clock, PlacesCalls places_calls,
                accounts::PacerOptions options = {}, Millis refresh = std::chrono::seconds(5));

  Result<accounts::Pacer*> pacer_for_call(TenantId tenant, const std::string& from) override;
  Result<std::vector<accounts::Pacer*>> pacers_for_campaign(const Campaign& campaign) override;

  // The account's pacer if one was made (tests, diagnostics); null otherwise.
  accounts::Pacer* pacer_of(ProviderAccountId account) const;

 private:
  // The pacer of `account` if it places its own calls (made on first use, limits brought up to
  // date), else nullptr (the install's).
  accounts::Pacer* pacer(const ProviderAccount& account);
  // The account a call of `tenant` from `number` goes out through, as pacer().
  Result<accounts::Pacer*> number_pacer(TenantId tenant, const std::string& number);

  storage::AccountStore& accounts_;
  const Clock& clock_;
  const PlacesCalls places_calls_;
  const accounts::PacerOptions options_;
  const Millis refresh_;

  mutable std::mutex mu_;
  std::map<ProviderAccountId, std::unique_ptr<accounts::Pacer>> pacers_;
  struct Cached {
    std::vector<accounts::Pacer*> pacers;
    TimePoint at{};
  };
  std::map<CampaignId, Cached> campaigns_;
};

}  // namespace outdial::app
