#include "outdial/dialer/retry_policy.hpp"

#include <algorithm>

namespace outdial::dialer {

OutcomeClass classify(const CallAttempt& a) {
  switch (a.state) {
    case CallState::kCompleted:
    case CallState::kDropped:
      if (a.answered_by_machine) return OutcomeClass::kMachine;
      return a.digits.find('2') != std::string::npos ? OutcomeClass::kOptedOut : OutcomeClass::kDone;
    case CallState::kBusy: return OutcomeClass::kBusy;
    case CallState::kNoAnswer: return OutcomeClass::kNoAnswer;
    default: return OutcomeClass::kFailed;  // failed, canceled (and never a live state)
  }
}

bool counts_as_attempt(const CallAttempt& a) {
  return !(a.state == CallState::kCanceled && !a.dialed_at && a.provider_call_id.empty());
}

std::string outcome_label(const CallAttempt& a) {
  switch (classify(a)) {
    case OutcomeClass::kMachine: return "voicemail";
    case OutcomeClass::kOptedOut: return "opted_out";
    default: return to_string(a.state);
  }
}

TargetUpdate next_target_state(const Campaign& c, const CallAttempt& finished, const std::vector<CallAttempt>& history,
                               TimePoint now, bool undialable) {
  TargetUpdate u;
  u.last_outcome = undialable ? "undialable" : outcome_label(finished);
  u.attempts = finished.attempt_number;
  for (const auto& a : history) u.attempts = std::max(u.attempts, a.attempt_number);
  u.next_eligible_at = now;
  const OutcomeClass cls = classify(finished);
  if (cls == OutcomeClass::kDone || cls == OutcomeClass::kOptedOut) {
    u.status = TargetStatus::kDone;
    return u;
  }
  if (undialable) {
    u.status = TargetStatus::kExhausted;
    return u;
  }
  const bool made = counts_as_attempt(finished);
  if (!made) {
    // Canceled before anything was sent: no attempt made. Back to pending now; the gate decides
    // again when the target is claimed (a closed window defers it, a do-not-call entry blocks it,
    // a paused campaign is not dialed). u.attempts keeps its number taken.
    u.status = TargetStatus::kPending;
    return u;
  }
  const RetryRule& rule = cls == OutcomeClass::kBusy       ? c.retry.busy
                          : cls == OutcomeClass::kNoAnswer ? c.retry.no_answer
                          : cls == OutcomeClass::kMachine  ? c.retry.machine
                                                           : c.retry.failed;
  // Attempts made (counts_as_attempt), not attempt numbers: one canceled before its dial took a
  // number but made no call.
  int same = 0;
  int total = 0;
  bool counted_finished = false;
  for (const auto& a : history) {
    if (a.id == finished.id && a.id != 0) counted_finished = true;
    if (!counts_as_attempt(a)) continue;
    ++total;
    if (is_terminal(a.state) && classify(a) == cls) ++same;
  }
  if (!counted_finished) {
    ++same;
    ++total;
  }
  if (same >= rule.max_attempts || total >= c.max_attempts) {
    u.status = TargetStatus::kExhausted;
    return u;
  }
  u.status = TargetStatus::kPending;
  u.next_eligible_at = now + std::chrono::minutes(std::max(rule.backoff_minutes, c.min_spacing_minutes));
  return u;
}

}  // namespace outdial::dialer
