#pragma once
#include <string>
#include <vector>

#include "outdial/core/call.hpp"
#include "outdial/core/campaign.hpp"

namespace outdial::dialer {

// What a finished attempt means for the contact.
enum class OutcomeClass { kDone, kOptedOut, kBusy, kNoAnswer, kMachine, kFailed, kUndialable };

// Precondition: is_terminal(a.state).
//   completed/dropped by a human -> kDone (digit "2" -> kOptedOut); answered by a machine -> kMachine;
//   busy -> kBusy; no_answer -> kNoAnswer; failed/canceled -> kFailed.
OutcomeClass classify(const CallAttempt& a);
// The target's last_outcome text: the state name, "voicemail" for machine answers, "opted_out".
std::string outcome_label(const CallAttempt& a);

// Whether `a` is an attempt made: it reached the carrier or may have (live, sent, a call id,
// failed at or after its dial). Not one canceled before anything was sent (the gate refused
// its re-send, the campaign was paused, the carrier confirmed no call under its key): that one
// counts toward neither campaign.max_attempts, its outcome's RetryRule nor FREQ-CAMPAIGN
// (facts' attempts_made). Its attempt number (and key) stay taken all the same.
bool counts_as_attempt(const CallAttempt& a);

struct TargetUpdate {
  TargetStatus status = TargetStatus::kPending;
  int attempts = 0;
  TimePoint next_eligible_at{};
  std::string last_outcome;
};

// The target's next state after `finished`. `history` holds every attempt for the contact in
// this campaign (including `finished`). Retry while both the per-outcome rule
// (RetryPolicy: busy/no_answer/machine/failed max_attempts) and campaign.max_attempts allow it,
// no sooner than max(backoff, min_spacing) after `now`; otherwise kExhausted.
// `undialable` (provider said the number is invalid or blocked) exhausts at once.
TargetUpdate next_target_state(const Campaign& campaign, const CallAttempt& finished,
                               const std::vector<CallAttempt>& history, TimePoint now, bool undialable = false);

}  // namespace outdial::dialer
