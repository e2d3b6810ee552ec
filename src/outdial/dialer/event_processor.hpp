#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "outdial/core/call.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "outdial/storage/compliance_store.hpp"
#include "outdial/storage/database.hpp"
#include "outdial/telephony/provider.hpp"

namespace outdial::dialer {

// The one event path from every provider to the stores (telephony::CallEventSink).
//   1. append the event (a duplicate dedupe_key changes nothing and stops here);
//   2. correlate it to an attempt (provider call id, else DialRequest attempt id);
//   3. fold all of the call's stored events, in sequence order, over the attempt's state with
//      core transition(): illegal and late events stay recorded but move nothing, and an event
//      that arrives before its predecessor takes effect once the predecessor arrives;
//   4. compare-and-set the attempt; on a terminal state finalize the contact's target with the
//      retry policy. Digit "2" adds the number to the tenant's internal DNC list.
// Thread-safe: calls are serialized by an internal mutex (events for one call must not race).
class EventProcessor final : public telephony::CallEventSink {
 public:
  // db: when given, every entry point that touches the stores runs inside db->with_batched_writes()
  // and takes this processor's lock inside it. The lock order is then always "database, then
  // processor", whichever thread calls (the runner inside its batch transaction, a webhook or
  // inbox thread with an event): without it a tick holding the database while it replays a call
  // and a webhook holding the processor while it writes an event wait for each other forever.
  // An event's writes (event row, attempt, target, DNC) also commit together.
  EventProcessor(storage::CallStore& calls, storage::CampaignStore& campaigns, storage::ComplianceStore& compliance,
                 const Clock& clock, storage::Database* db = nullptr);

  void on_call_event(const CallEvent& event) override;

  // Re-applies every stored event of the attempt's call (restart recovery, or after the
  // provider call id was stored). Returns the attempt as stored afterwards.
  Result<CallAttempt> replay(const CallAttempt& attempt);
  // After a placement stored the call id of an attempt that was queued without one (its
  // compare-and-set from kQueued succeeded): only events stored without an attempt can be
  // waiting for it (one naming the attempt would have moved it out of kQueued first, failing
  // that compare-and-set). Replays them if there are any; otherwise only remembers the call.
  // Returns the attempt as stored afterwards.
  Result<CallAttempt> placed(const CallAttempt& attempt);
  // If the attempt is terminal and its target is still in progress, writes the target's next
  // state (idempotent). `undialable`: the provider refused the number for good.
  Status finalize_target(const CallAttempt& attempt, bool undialable = false);

  std::int64_t events_seen() const { return events_seen_; }
  std::int64_t duplicates() const { return duplicates_; }

  // In-memory view of the live (non-terminal) attempts per campaign, so the runner need not
  // read them from the store on every tick. The runner adds an attempt when it creates it; this
  // processor drops it when the attempt's stored state turns terminal. resync_live() rebuilds a
  // campaign's set from the store (first sight, recover(), lease renewal, a rolled-back commit).
  // Attempts turned terminal by another node are dropped at the next resync (conservative: the
  // count is never lower than the truth because of them).
  void track_live(const CallAttempt& attempt);
  // Called (under this processor's lock, from any thread) when an attempt leaves a live set:
  // its call ended here, or a resync found it ended elsewhere. The runner frees pacing slots.
  void set_on_ended(std::function<void(AttemptId)> fn) {
    std::lock_guard lock(mu_);
    on_ended_ = std::move(fn);
  }
  Status resync_live(CampaignId campaign);
  // Live attempts of the campaign; resyncs from the store the first time a campaign is asked for.
  Result<std::int64_t> live_count(CampaignId campaign);
  // Bumped whenever a terminal attempt releases its target (a slot and maybe a retry freed up).
  std::int64_t releases() const { return releases_; }

 private:
  // Live calls this processor has folded, with their events in sequence order: a call's next
  // event is then appended and folded without reading the call back (the store stays the truth:
  // the attempt update is a compare-and-set on the cached state, and a conflict drops the entry
  // and falls back to reading the store). Dropped when the call ends or leaves the live set.
  struct LiveCall {
    CallAttempt attempt;
    std::vector<CallEvent> events;
  };
  static std::string call_key(const std::string& provider, const std::string& call_id);
  void remember_locked(const CallAttempt& attempt, std::vector<CallEvent> events);
  // Applies the cached call's events after a new one was appended; false = fall back to the store.
  bool apply_cached_locked(LiveCall& call);
  // Applies `next` (a fold of the call's events) with a CAS on `before`; DNC and finalize.
  Status commit_fold_locked(const CallAttempt& next, CallState before, const std::string& digits_before);
  Result<Campaign> campaign_locked(CampaignId id);

  Result<CallAttempt> apply_locked(CallAttempt attempt);
  // Runs fn in in_order() and returns its answer (`what` names it in the error when the store
  // transaction could not start).
  Result<CallAttempt> attempt_in_order(const char* what, const std::function<Result<CallAttempt>()>& fn);
  void on_call_event_locked(const CallEvent& event);
  Status resync_live_locked(CampaignId campaign);
  // Runs fn in a store transaction (when a Database was given), then under mu_.
  Status in_order(const std::function<Status()>& fn);
  void untrack_locked(const CallAttempt& attempt);
  Status finalize_locked(const CallAttempt& attempt, bool undialable);

  storage::CallStore& calls_;
  storage::CampaignStore& campaigns_;
  storage::ComplianceStore& compliance_;
  const Clock& clock_;
  storage::Database* db_ = nullptr;
  std::recursive_mutex mu_;
  std::int64_t events_seen_ = 0;
  std::int64_t duplicates_ = 0;
  std::int64_t releases_ = 0;
  std::map<CampaignId, std::set<AttemptId>> live_;
  std::unordered_map<std::string, LiveCall> calls_cache_;
  std::function<void(AttemptId)> on_ended_;
  std::map<CampaignId, Campaign> campaigns_cache_;  // retry rules; refreshed by resync_live()
};

}  // namespace outdial::dialer
