#include "outdial/dialer/event_processor.hpp"

#include <algorithm>

#include "outdial/dialer/retry_policy.hpp"

namespace outdial::dialer {
namespace {

constexpr int kCasRetries = 5;

// Folds one event into a copy of the attempt; returns true if anything changed.
bool fold(CallAttempt& a, const CallEvent& ev) {
  if (ev.kind == CallEventKind::kDigits) {
    if (is_terminal(a.state) || a.digits.find(ev.digits) != std::string::npos) return false;
    a.digits += ev.digits;
    return true;
  }
  const auto target = state_for(ev.kind);
  if (!target) return false;
  auto next = transition(a.state, *target);
  if (!next) return false;  // illegal or late: recorded in the event log, state unchanged
  a.state = *next;
  switch (a.state) {
    case CallState::kDialing:
      if (!a.dialed_at) a.dialed_at = ev.at;
      break;
    case CallState::kAnsweredHuman:
    case CallState::kAnsweredMachine:
      a.answered_at = ev.at;
      a.answered_by_machine = a.state == CallState::kAnsweredMachine;
      break;
    default:
      break;
  }
  if (is_terminal(a.state)) {
    a.ended_at = ev.at;
    if (!ev.detail.empty() && a.state != CallState::kCompleted) a.failure_reason = ev.detail;
  }
  return true;
}

}  // namespace

EventProcessor::EventProcessor(storage::CallStore& calls, storage::CampaignStore& campaigns,
                               storage::ComplianceStore& compliance, const Clock& clock, storage::Database* db)
    : calls_(calls), campaigns_(campaigns), compliance_(compliance), clock_(clock), db_(db) {}

Status EventProcessor::in_order(const std::function<Status()>& fn) {
  auto locked = [&]() -> Status {
    std::lock_guard lock(mu_);
    return fn();
  };
  if (db_ == nullptr) return locked();
  // Every unit here is made of writes each complete on its own (an event row, the attempt's
  // compare-and-set, the target's release, a DNC entry): inside the runner's transaction they
  // need no savepoint of their own; alone (a webhook's event) they still commit together.
  return db_->with_batched_writes(locked);
}

void EventProcessor::track_live(const CallAttempt& attempt) {
  if (attempt.campaign_id == 0 || is_terminal(attempt.state)) return;
  std::lock_guard lock(mu_);
  auto it = live_.find(attempt.campaign_id);
  if (it != live_.end()) it->second.insert(attempt.id);  // unseen campaigns resync on first use
}

void EventProcessor::untrack_locked(const CallAttempt& attempt) {
  if (!is_terminal(attempt.state)) return;
  auto it = live_.find(attempt.campaign_id);
  if (it != live_.end() && it->second.erase(attempt.id) > 0 && on_ended_) on_ended_(attempt.id);
}

Status EventProcessor::resync_live(CampaignId campaign) {
  return in_order([&] { return resync_live_locked(campaign); });
}

Status EventProcessor::resync_live_locked(CampaignId campaign) {
  auto live = calls_.live_attempts(campaign);
  if (!live) {
    live_.erase(campaign);  // unknown: the next live_count() asks the store again
    return live.error();
  }
  auto& ids = live_[campaign];
  std::set<AttemptId> fresh;
  for (const auto& a : *live) fresh.insert(a.id);
  if (on_ended_) {
    for (AttemptId id : ids) {
      if (fresh.count(id) == 0) on_ended_(id);
    }
  }
  ids = std::move(fresh);
  for (auto it = calls_cache_.begin(); it != calls_cache_.end();) {
    const CallAttempt& a = it->second.attempt;
    if (a.campaign_id == campaign && ids.count(a.id) == 0) {
      it = calls_cache_.erase(it);  // ended elsewhere (another node) or never live: re-read next time
    } else {
      ++it;
    }
  }
  campaigns_cache_.erase(campaign);
  return ok_status();
}

Result<std::int64_t> EventProcessor::live_count(CampaignId campaign) {
  {
    std::lock_guard lock(mu_);
    auto it = live_.find(campaign);
    if (it != live_.end()) return static_cast<std::int64_t>(it->second.size());
  }
  std::int64_t n = 0;
  auto st = in_order([&]() -> Status {
    auto it = live_.find(campaign);
    if (it == live_.end()) {
      if (auto r = resync_live_locked(campaign); !r) return r;
      it = live_.find(campaign);
    }
    n = static_cast<std::int64_t>(it->second.size());
    return ok_status();
  });
  if (!st) return st.error();
  return n;
}

std::string EventProcessor::call_key(const std::string& provider, const std::string& call_id) {
  std::string k;
  k.reserve(provider.size() + call_id.size() + 1);
  k += provider;
  k += '\n';
  k += call_id;
  return k;
}

void EventProcessor::remember_locked(const CallAttempt& attempt, std::vector<CallEvent> events) {
  if (attempt.provider_call_id.empty()) return;
  const std::string key = call_key(attempt.provider, attempt.provider_call_id);
  if (is_terminal(attempt.state)) {
    calls_cache_.erase(key);
    return;
  }
  calls_cache_[key] = LiveCall{attempt, std::move(events)};
}

Result<Campaign> EventProcessor::campaign_locked(CampaignId id) {
  if (auto it = campaigns_cache_.find(id); it != campaigns_cache_.end()) return it->second;
  auto c = campaigns_.get_campaign_any(id);
  if (!c) return c.error();
  campaigns_cache_[id] = *c;
  return c;
}

bool EventProcessor::apply_cached_locked(LiveCall& call) {
  const CallAttempt before_attempt = call.attempt;
  CallAttempt next = call.attempt;
  bool changed = false;
  for (const auto& ev : call.events) changed = fold(next, ev) || changed;
  if (!changed) return true;  // waits for a predecessor, or late: recorded, nothing moves
  auto st = commit_fold_locked(next, before_attempt.state, before_attempt.digits);
  if (!st) return false;  // conflict (another writer moved it) or store error: re-read
  return true;
}

Status EventProcessor::commit_fold_locked(const CallAttempt& next, CallState before, const std::string& digits_before) {
  auto st = calls_.update_attempt(next, before);
  if (!st) return st;
  if (next.digits.find('2') != std::string::npos && digits_before.find('2') == std::string::npos) {
    // Press 2 = "do not call me" (DNC-INTERNAL): on the list at once, every channel.
    DncEntry e;
    e.tenant_id = next.tenant_id;
    e.phone_e164 = next.to_number;
    e.reason = "press 2";
    e.source = "call:" + next.idempotency_key;
    e.created_at = clock_.now();
    (void)compliance_.add_dnc(e);
  }
  if (is_terminal(next.state)) {
    calls_cache_.erase(call_key(next.provider, next.provider_call_id));
    untrack_locked(next);
    (void)finalize_locked(next, false);
  } else if (auto it = calls_cache_.find(call_key(next.provider, next.provider_call_id)); it != calls_cache_.end()) {
    it->second.attempt = next;
  }
  return ok_status();
}

void EventProcessor::on_call_event(const CallEvent& event) {
  (void)in_order([&] {
    on_call_event_locked(event);
    return ok_status();
  });
}

void EventProcessor::on_call_event_locked(const CallEvent& event) {
  ++events_seen_;
  if (!event.provider_call_id.empty()) {
    auto cached = calls_cache_.find(call_key(event.provider, event.provider_call_id));
    if (cached != calls_cache_.end()) {
      CallEvent stored = event;
      stored.attempt_id = cached->second.attempt.id;
      auto appended = calls_.append_event(stored);
      if (!appended) return;  // store down: the provider re-delivers / reconcile replays
      if (!*appended) {
        ++duplicates_;
        return;
      }
      auto& evs = cached->second.events;
      auto pos = std::upper_bound(evs.begin(), evs.end(), stored.sequence,
                                  [](std::int64_t seq, const CallEvent& e) { return seq < e.sequence; });
      evs.insert(pos, stored);
      const CallAttempt attempt = cached->second.attempt;
      if (!apply_cached_locked(cached->second)) {
        calls_cache_.erase(call_key(event.provider, event.provider_call_id));
        auto fresh = calls_.get_attempt(attempt.id);
        if (fresh) (void)apply_locked(*fresh);
      }
      return;
    }
  }
  auto found = calls_.find_by_provider_id(event.provider, event.provider_call_id);
  CallEvent stored = event;
  std::optional<CallAttempt> attempt;
  if (found && found->has_value()) attempt = **found;
  if (!attempt && event.attempt_id != 0) {
    // Crash window: the provider accepted the call but its id was never stored. The event
    // names our attempt, so attach the provider id now.
    auto a = calls_.get_attempt(event.attempt_id);
    if (a && a->provider_call_id.empty() && !is_terminal(a->state)) {
      CallAttempt copy = *a;
      copy.provider = event.provider;
      copy.provider_call_id = event.provider_call_id;
      if (copy.state == CallState::kQueued) copy.state = CallState::kDialing;
      // The call did reach the carrier: record when, or the frequency caps would not see it.
      if (!copy.dialed_at) copy.dialed_at = event.at;
      if (calls_.update_attempt(copy, a->state)) attempt = copy;
    } else if (a && a->provider_call_id == event.provider_call_id) {
      attempt = *a;
    }
  }
  // Unresolved (not ours, or a call id no attempt knows yet): stored without an attempt, found
  // by call id when replay() attaches it. An attempt id the event named but that carries another
  // call id is not this event's attempt.
  stored.attempt_id = attempt ? attempt->id : 0;
  auto appended = calls_.append_event(stored);
  if (!appended) return;  // store down: the provider re-delivers / reconcile replays
  if (!*appended) {
    ++duplicates_;
    return;
  }
  if (!attempt) return;  // stored; applied by replay() once the attempt knows its call id
  (void)apply_locked(*attempt);
}

Result<CallAttempt> EventProcessor::attempt_in_order(const char* what,
                                                     const std::function<Result<CallAttempt>()>& fn) {
  std::optional<Result<CallAttempt>> out;
  (void)in_order([&] {
    out = fn();
    return ok_status();  // a failed unit keeps what it wrote before failing
  });
  if (!out)
    return make_error(ErrorCode::kUnavailable, std::string(what) + " could not start a store transaction");
  return *out;
}

Result<CallAttempt> EventProcessor::replay(const CallAttempt& attempt) {
  return attempt_in_order("replay", [&] { return apply_locked(attempt); });
}

Result<CallAttempt> EventProcessor::placed(const CallAttempt& attempt) {
  return attempt_in_order("placed", [&]() -> Result<CallAttempt> {
    auto waiting = calls_.has_unattached_events(attempt.provider, attempt.provider_call_id);
    if (!waiting || *waiting) return apply_locked(attempt);  // events to attach, or the store could not say
    remember_locked(attempt, {});
    return attempt;
  });
}

Result<CallAttempt> EventProcessor::apply_locked(CallAttempt attempt) {
  for (int i = 0; i < kCasRetries; ++i) {
    if (attempt.provider_call_id.empty()) return attempt;
    auto events = calls_.events_for_call(attempt.provider, attempt.provider_call_id);
    if (!events) return events.error();
    std::stable_sort(events->begin(), events->end(),
                     [](const CallEvent& x, const CallEvent& y) { return x.sequence < y.sequence; });
    const CallState before = attempt.state;
    const std::string digits_before = attempt.digits;
    CallAttempt next = attempt;
    bool changed = false;
    for (const auto& ev : *events) changed = fold(next, ev) || changed;
    if (!changed) {
      if (is_terminal(next.state)) {
        untrack_locked(next);
        (void)finalize_locked(next, false);
      }
      remember_locked(next, std::move(*events));
      return next;
    }
    remember_locked(attempt, *events);  // commit_fold_locked() moves the cached state on
    auto st = commit_fold_locked(next, before, digits_before);
    if (st) return next;
    calls_cache_.erase(call_key(attempt.provider, attempt.provider_call_id));
    if (st.error().code != ErrorCode::kConflict) return st.error();
    auto fresh = calls_.get_attempt(attempt.id);  // someone else moved it: fold again on top
    if (!fresh) return fresh.error();
    attempt = *fresh;
  }
  return make_error(ErrorCode::kConflict, "attempt kept changing under the event processor",
                    {{"attempt_id", std::to_string(attempt.id)}});
}

Status EventProcessor::finalize_target(const CallAttempt& attempt, bool undialable) {
  return in_order([&] { return finalize_locked(attempt, undialable); });
}

Status EventProcessor::finalize_locked(const CallAttempt& attempt, bool undialable) {
  if (!is_terminal(attempt.state) || attempt.campaign_id == 0) return ok_status();
  untrack_locked(attempt);
  auto target = campaigns_.get_target(attempt.campaign_id, attempt.contact_id);
  if (!target) return target.error();
  if (!target->has_value() || (*target)->status != TargetStatus::kInProgress) return ok_status();
  CampaignTarget t = **target;
  // Already finalized for this attempt (finalize records attempt_number in t.attempts): the
  // target is in progress again for the next attempt, which a late event must not release.
  if (t.attempts >= attempt.attempt_number) return ok_status();
  auto campaign = campaign_locked(attempt.campaign_id);
  if (!campaign) return campaign.error();
  auto history = calls_.attempts_for_contact(attempt.campaign_id, attempt.contact_id);
  if (!history) return history.error();
  // Only the newest attempt decides: an old attempt's late event must not release a target
  // that a newer attempt is using.
  for (const auto& a : *history) {
    if (a.attempt_number > attempt.attempt_number) return ok_status();
  }
  const TargetUpdate u = next_target_state(*campaign, attempt, *history, clock_.now(), undialable);
  t.status = u.status;
  t.attempts = u.attempts;
  t.next_eligible_at = u.next_eligible_at;
  t.last_outcome = u.last_outcome;
  // Released on behalf of whichever node holds the lease (webhooks may land on any node).
  auto released = campaigns_.release_target(t, t.lease_owner);
  if (released) ++releases_;
  return released;
}

}  // namespace outdial::dialer
