#pragma once
// Where the dialer gets the caller ID (From number) of each call (issue #3 §3). Owned by the
// dialer so the runner and FactsBuilder do not depend on how numbers are stored: the
// composition root (app/) implements it over the provider-account store and
// accounts::CallerIdSelector. Without a source, FactsBuilder uses the campaign's caller_id and
// its CallerIdDirectory (the configured allow-list).
#include <string>

#include "outdial/core/campaign.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/core/contact.hpp"
#include "outdial/core/result.hpp"

namespace outdial::dialer {

// One call's caller ID and the gate's CID-VALID fact about it.
struct CallerIdPick {
  std::string number;  // E.164 From; empty when no number could be chosen
  // The tenant owns `number` and may present it from this campaign now (an active number of the
  // tenant that is not dedicated to another campaign, or a configured caller ID).
  bool owned = false;
  // How it was chosen: "campaign" (the campaign's caller_id: no caller-ID policy), "dedicated",
  // "area_code", "state", "default", "static".
  std::string how;
  // When !owned: why, in words for the stored decision ("no active number in area code 415 ...").
  std::string problem;
};

class CallerIdSource {
 public:
  virtual ~CallerIdSource() = default;

  // The caller ID of a new attempt of `campaign` to `contact` at `at`. Reads the current state
  // of the tenant's numbers, so a number retired or flagged before this call is never picked.
  // A campaign without a caller-ID policy keeps campaign.caller_id. "No usable number" is not an
  // error: it is a pick with owned == false and a problem (the gate then blocks under
  // CID-VALID and the decision says why). Errors: store failures only (kUnavailable,
  // kInternal): the caller retries later. Thread-safe.
  virtual Result<CallerIdPick> choose(const Campaign& campaign, const Contact& contact, TimePoint at) = 0;

  // A stored attempt is re-sent with the From it was created with (same key, same From): is
  // `number` still a caller ID `campaign` may present at `at`? Errors as choose(). Thread-safe.
  virtual Result<CallerIdPick> recheck(const Campaign& campaign, const std::string& number, TimePoint at) = 0;
};

}  // namespace outdial::dialer
