#pragma once
// Which provider account's limits govern a call (issue #3 §3: "Pacing inside each account's
// limits"). A call goes out through the account owning its From number, or through the install's
// configured account; each account has its own accounts::Pacer (calls per second, rolling window,
// concurrency), shared by every campaign whose calls go out through it. Owned by the dialer so the
// runner does not depend on how accounts and numbers are stored: the composition root (app/)
// implements it over the provider-account store (app::AccountPacers).
#include <string>
#include <vector>

#include "outdial/accounts/pacer.hpp"
#include "outdial/core/campaign.hpp"
#include "outdial/core/ids.hpp"
#include "outdial/core/result.hpp"

namespace outdial::dialer {

class PacerDirectory {
 public:
  virtual ~PacerDirectory() = default;

  // The pacer of the account a call of `tenant` from `from` goes out through; nullptr when it
  // goes out through the install's configured account (RunnerConfig::pacer governs it). The
  // pointer stays valid for the directory's lifetime (a change of the stored limits is applied
  // to the same pacer, Pacer::set_limits), so a call's slot is given back to the pacer that gave
  // it. Errors: store failures only (kUnavailable, kInternal): the call waits and asks again.
  // Thread-safe.
  virtual Result<accounts::Pacer*> pacer_for_call(TenantId tenant, const std::string& from) = 0;

  // Every pacer the campaign's next calls may go out through (its caller ID, its dedicated or
  // static number, or for local presence each account holding an active number of the tenant;
  // nullptr = the install's), for sizing a round before the caller IDs are chosen. May be a
  // little stale (a cached answer), never wrong about a call: each call still takes its slot
  // from pacer_for_call's pacer. Errors as pacer_for_call. Thread-safe.
  virtual Result<std::vector<accounts::Pacer*>> pacers_for_campaign(const Campaign& campaign) = 0;
};

}  // namespace outdial::dialer
