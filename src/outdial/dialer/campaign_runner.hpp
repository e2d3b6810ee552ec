#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "outdial/accounts/pacer.hpp"
#include "outdial/compliance/gate.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/dialer/dial_journal.hpp"
#include "outdial/dialer/event_processor.hpp"
#include "outdial/dialer/facts_builder.hpp"
#include "outdial/dialer/pacer_directory.hpp"
#include "outdial/dialer/throttle.hpp"
#include "outdial/storage/database.hpp"
#include "outdial/telephony/provider.hpp"

namespace outdial::dialer {

struct RunnerConfig {
  std::string node_id = "node-1";  // lease owner; must be stable across restarts of this node
  // Unresolved dials (see CampaignRunner): first retry after resolve_backoff, doubling up to
  // resolve_backoff_max; after max_resolve_tries confirmed-absent re-dials the attempt fails
  // (the retry policy then decides, under a new key, which is safe: the carrier said no call).
  Millis resolve_backoff{std::chrono::seconds(5)};
  Millis resolve_backoff_max{std::chrono::minutes(5)};
  int max_resolve_tries = 6;
  // Lines are refilled in groups: a campaign with free lines but fewer than
  // max(1, capacity / refill_divisor) waits until that many are free or its first free line has
  // waited refill_max_wait, then dials them in one round (one commit, one burst to the carrier).
  // refill_divisor <= 1 or refill_max_wait 0: every free line is refilled at once.
  int refill_divisor = 10;
  Millis refill_max_wait{std::chrono::seconds(2)};
  // The install's configured account's limits (calls per second, rolling window, concurrency):
  // they govern every call that does not go out through a tenant's own account (below); null =
  // no limits (the simulated carrier). A round leases only as many targets as the pacer can
  // start soon (Pacer::admissible); each allowed target's attempt row is stored, and its slot is
  // taken right before its place_call, at a fresh clock read, so the pacer's instants are the
  // send instants. The slot is given back when the call ends.
  accounts::Pacer* pacer = nullptr;
  // Per-account pacing: the pacer of the account each call goes out through (by its tenant and
  // From). Null: every call is paced by `pacer`. With one, a round is sized by every pacer the
  // campaign's calls may use (the tightest decides: whichever account each leased target's
  // caller ID lands on can start it), and each attempt takes (and at its end gives back) the
  // slot of its own account's pacer; an attempt whose account cannot start it now waits queued
  // under its key, without holding up other accounts' attempts. Must outlive the runner.
  PacerDirectory* pacers = nullptr;
  // Several evenly spaced starts per tick in real time: a round covers the pacer slots within
  // pace_horizon of now, and the runner waits for each (set_pace_wait) instead of handing the
  // turn back to its driver. Without a pace wait (virtual time, tests) it never waits: only the
  // slots at `now` are used.
  Millis pace_horizon{20};
  // An attempt whose gate decision is older than this when its turn to be sent comes is asked
  // the gate again first (allow: sent under its key; anything else: canceled, never sent, not an
  // attempt made). Attempts wait queued under their key behind their account's earlier ones,
  // for their account's rate window, for its concurrency (only another call's end frees it: no
  // bound) or for the account store; a round's own sends wait at most pace_horizon and never
  // pay for a second decision. 1 s: what a pause or a do-not-call entry may take to stop calls
  // that were already decided, and well below the minute granularity of calling windows and
  // spacing, while the re-gate's store reads stay off the hot path.
  Millis max_gate_age{std::chrono::seconds(1)};
  // The dial-intent log (null: none). With one, group() keeps one store transaction open across
  // many of the virtual-time driver's turns: each round's attempts are appended here before the
  // carrier hears of them (instead of a store commit per round) and the log is cleared after the
  // group commits. recover() first puts back what the log holds and the store lost. One node
  // per database file while it is used (an attempt id lost with a transaction must still be
  // free at restart). Must outlive the runner.
  DialJournal* journal = nullptr;
  // A group ends after this many turns or this many journaled dials (bounds the write lock's
  // hold and what a crash makes recovery re-ask the carrier).
  int group_max_turns = 256;
  int group_max_dials = 2048;
  // ... or once it has held the store's write lock this long in real time (other connections'
  // writes, e.g. API requests and webhooks, wait for it), measured on `monotonic`.
  Millis group_max_hold{std::chrono::milliseconds(250)};
  // The real-time clock for group_max_hold (injected by tests); null = std::chrono::steady_clock.
  std::function<std::chrono::steady_clock::time_point()> monotonic = nullptr;
  Millis lease_ttl{std::chrono::minutes(15)};
  Millis default_defer{std::chrono::minutes(15)};  // defer without allowed_at (should not happen)
};

struct TickResult {
  int dialed = 0;            // calls placed this tick
  int decided = 0;           // gate decisions made this tick
  int active_campaigns = 0;  // still active after the tick
  std::int64_t in_flight = 0;
  // The earliest instant (> now) at which the runner has work: a throttle slot, a target's
  // next_eligible_at, a schedule start or an expiry. Provider events are not included.
  std::optional<TimePoint> next_due;
};

// Progressive dialer for every active campaign. One tick(): expire campaigns past expires_at;
// per campaign, while calls in flight < min(lines, max_concurrency) and the calls_per_minute
// window allows, lease targets (CampaignStore::claim_targets), build facts, ask the gate (every
// decision stored), then block (target kBlocked "blocked:<RULE>"), defer (target back to
// kPending at allowed_at: no polling) or dial (attempt "<campaign>:<contact>:<n>" stored
// before place_call with the same key); mark campaigns complete when nothing is pending or in
// progress. Provider events come in through sink(). Pause/resume/stop take effect at the next
// tick (only kActive campaigns dial; calls in flight finish normally).
// Not thread-safe: one thread calls recover()/tick(); sink() may be called from any thread.
class CampaignRunner {
 public:
  CampaignRunner(storage::Database& db, telephony::Provider& provider, const compliance::Gate& gate,
                 FactsBuilder& facts, const Clock& clock, RunnerConfig config = {});

  // Restart recovery; call once before the first tick. For this node's live attempts: without a
  // provider call id ask find_call(key) and attach, or, when the carrier has no such call, ask
  // the gate again and place it with the same key (anything but allow cancels it: the window
  // may have closed while the process was down); with one, reconcile(). Replays stored events, then finalizes targets held by this node whose
  // newest attempt is terminal and releases those that never got an attempt.
  // The pacers' calls in flight are restored all at once or not at all: an error (a store
  // failure finding an account's pacer) leaves them untouched. On any error the caller must call
  // recover() again (RealtimeDriver retries with back-off) before ticking; a repeat after the
  // pacers were restored does not restore them twice.
  Status recover();
  TickResult tick();

  // Runs fn inside one store transaction (Database::with_transaction): the virtual-time driver
  // delivers a burst of carrier events as one commit. If the commit fails, this node's live
  // attempts are reconciled at once (the provider re-sends each call's events, dedupe makes the
  // replays harmless; an attempt without a call id is found by key, or placed).
  void batch(const std::function<void()>& fn);

  // Without a journal (RunnerConfig::journal): runs fn, whose batch() calls commit one by one.
  // With one: runs fn inside one store transaction; the batch() calls in it become savepoints,
  // send_pending() journals each attempt before its dial, and the journal is cleared after the
  // commit. A failed commit puts the journaled attempts back (as recover() does) and has the
  // carrier re-send the live calls (as after a failed batch). Sends held back because the
  // journal could not be written go out after the commit. group_open() turns false when the
  // group is full (or the journal failed): the driver ends the group there.
  void group(const std::function<void()>& fn);
  bool group_open() const;

  // For the virtual-time driver between ticks: would a tick() at `now` do anything (dial,
  // decide, expire, complete, start a schedule, renew leases)? Uses the active campaigns seen by
  // the last tick(), the in-memory live sets and throttles, and one index read per campaign with
  // room. act == false: nothing until `until` (nullopt: not without a carrier event).
  struct Quiet {
    bool act = true;
    std::optional<TimePoint> until;
  };
  Quiet quiet_until(TimePoint now);

  // Virtual-time driver, which runs tick() inside batch(): when on, tick() neither dials nor
  // commits call ids itself. Its attempts (created in the batch's transaction) are dialed by
  // send_pending(), which the driver calls after that batch committed (a rolled-back batch
  // drops them: no dial without a durable attempt row); their provider call ids (phase 3) are
  // stored first thing in the next batch(), or by the next tick() / defer_placements(false).
  // Same crash repair as a crash between the dial and phase 3 (recover(): find_call by key, or
  // the first event names the attempt).
  void defer_placements(bool on);
  void send_pending();
  bool has_pending_sends() const { return !pending_sends_.empty(); }

  // Real time only (RealtimeDriver installs it): brings the runner's clock up to the present
  // and, when `until` is later, waits until the clock reads at least `until`. Called on the
  // tick's thread with no transaction or lock held, for at most pace_horizon at a time.
  using PaceWait = std::function<void(TimePoint until)>;
  void set_pace_wait(PaceWait wait) { pace_wait_ = std::move(wait); }
  // Called on the thread that applied the event (under the EventProcessor's lock: it must not
  // call back into the runner) whenever a live call ends, i.e. a line and maybe an account slot
  // are free: a real-time driver sleeping until "something happens" wakes up.
  void set_on_call_ended(std::function<void()> fn);

  telephony::CallEventSink& sink() { return events_; }
  EventProcessor& events() { return events_; }
  std::int64_t total_dials() const { return total_dials_; }
  std::int64_t gate_calls() const { return gate_calls_; }

 private:
  int run_campaign(const Campaign& c, TimePoint now, TickResult& out);
  struct Prepared {
    std::optional<CallAttempt> to_place;  // a stored kQueued attempt to dial now
    bool occupies = false;                // no dial, but a live call holds the target
    storage::DecisionRecord decision;     // the gate's allow for to_place
  };
  // Gate + attempt row for one leased target (no carrier call).
  Prepared prepare_target(const Campaign& c, CampaignTarget t, TimePoint now);
  Result<telephony::DialAccepted> send(const Campaign& c, const CallAttempt& a);
  storage::DecisionRecord store_decision(const Campaign& c, ContactId contact, const std::string& phone,
                                         const compliance::Decision& d, TimePoint now);
  // The journal's records put back into the store (restore_attempt, its decision, its target
  // held by this node), then the journal cleared. No journal or nothing in it: ok.
  Status restore_journal();
  void clear_journal();  // after the store holds every record (a failure is only logged)
  // Appends those of `sends` not journaled yet (in a group). False: not written (no dial).
  struct PendingSend;
  bool journal_sends(const std::vector<PendingSend*>& sends);
  void store_placement(CallAttempt a, const Result<telephony::DialAccepted>& accepted, TimePoint now);
  void release(CampaignTarget t, TargetStatus status, TimePoint next, const std::string& outcome);
  Status recover_attempt(const CallAttempt& a);
  Status recover_held_targets(CampaignId campaign);
  void audit_system(const Campaign& c, const std::string& action, TimePoint now);
  Throttle& throttle_for(const Campaign& c);
  // Any kPending target left (an index-served MIN, unlike count_targets' scan of all targets).
  bool has_pending(CampaignId campaign);
  void resync_all();
  // After a rolled-back batch(): recover_attempt() for each of this node's live attempts.
  void reconcile_live();
  struct Placement {
    CallAttempt attempt;
    Result<telephony::DialAccepted> accepted;
    TimePoint at;
  };
  void store_pending_placements();  // inside a transaction
  void flush_placements();          // in its own transaction
  // Dial errors other than "bad number"/"blocked" leave the attempt queued under its key: a
  // rate-limited dial was certainly not placed, an unavailable one may have been (a time-out
  // after the request reached the carrier). Each is resolved later, with back-off, by
  // find_call() first (attach the call if it exists) and only then a new place_call() with the
  // SAME key. Never a new key for a call that may exist.
  struct Unresolved {
    CallAttempt attempt;
    TimePoint due{};
    int tries = 0;
  };
  void defer_resolution(const CallAttempt& a, TimePoint now, const Error& why);
  // What a carrier's refusal of a call says about the number, kept for every later campaign of
  // the tenant: "the person opted out" (details opted_out) puts it on the internal do-not-call
  // list; an invalid number (kInvalidArgument) or one outside the account's geographic
  // permissions (details geo_permission) is recorded as rejected (the gate's CARRIER-REJECTED).
  // Other refusals are about the account, not the number, and record nothing.
  Status remember_refusal(const CallAttempt& a, const Error& why, TimePoint now);
  void resolve_due(TimePoint now);
  std::optional<TimePoint> next_resolution() const;
  std::map<AttemptId, Unresolved> unresolved_;
  // Refill grouping: is a round due for campaign c with `live` calls in flight? If not, when.
  std::optional<TimePoint> refill_wait(const Campaign& c, std::int64_t live, TimePoint now);
  std::map<CampaignId, TimePoint> free_since_;  // first instant a line was seen free
  // Pacing: attempts holding one of the pacer's concurrency slots (freed when their call ends).
  // take_slot: the pacer's slot for the next start, at a fresh clock read (waiting for it when
  // it is within pace_horizon and a pace wait is installed); false = not now, `next` says when
  // (nullopt: the account's concurrency is full). A null pacer always has a slot.
  bool take_slot(accounts::Pacer* pacer, TimePoint& at, std::optional<TimePoint>& next);
  TimePoint present();  // the runner's clock, brought up to date first in real time
  // Dials pending_sends_ in order, each at its own account's slot; what a pacer cannot start now
  // stays queued (its attempt row is durable and counts as a live call) for a later tick, and
  // so do the later attempts of that pacer (they keep their order); other accounts' go on.
  void send_ready();
  // Why the stored, never-sent attempt `a` must not be sent at `at` ("" = the gate allows it
  // again), with `fresh` the campaign as stored now: the campaign is not active, the contact or
  // the facts cannot be read, or the gate (asked with `a` left out of its own prior attempts)
  // does not allow. The decision is stored.
  std::string refusal_now(const Campaign& fresh, const CallAttempt& a, TimePoint at,
                          storage::DecisionRecord* decided = nullptr);
  // `a` (queued, never sent) canceled with `why`: no attempt made, its target back to the gate.
  // False: the store did not take it (the attempt stays queued).
  bool cancel_unsent(CallAttempt a, const std::string& why, TimePoint at);
  void pace_hold(AttemptId id, accounts::Pacer* pacer);
  void pace_end(AttemptId id);
  bool paced() const { return config_.pacer != nullptr || config_.pacers != nullptr; }
  // The pacer governing a call of `tenant` from `from` (its account's, else the install's;
  // nullptr: unpaced), or a store error.
  Result<accounts::Pacer*> pacer_for(TenantId tenant, const std::string& from);
  // The same without restored(): changes nothing (recover() looks every pacer up first).
  Result<accounts::Pacer*> find_pacer(TenantId tenant, const std::string& from);
  // recover() restores the pacers' calls in flight once: the first recover() that found them all.
  Status restore_pacers(const std::vector<CallAttempt>& live);
  // The pacers a round of campaign c may start calls through (no nulls; empty: unpaced).
  Result<std::vector<accounts::Pacer*>> campaign_pacers(const Campaign& c);
  // After recover(): a pacer first used since then has not seen the starts of calls that ended
  // before the restart; Pacer::restore_unknown keeps its windows sound.
  accounts::Pacer* restored(accounts::Pacer* pacer);
  int reserved_for(const accounts::Pacer* pacer) const;  // pending sends waiting for its slots
  // The earliest slot of the pacers holding pending sends (nullopt: none, or only a call's end).
  std::optional<TimePoint> pending_slot(TimePoint now, bool& now_ready) const;
  std::mutex paced_mu_;
  std::map<AttemptId, accounts::Pacer*> paced_;  // the slot each placed attempt holds
  std::function<void()> on_call_ended_;  // under paced_mu_
  std::optional<TimePoint> recovered_at_;
  std::set<accounts::Pacer*> restored_;
  bool pacers_restored_ = false;  // recover() restored the calls in flight

  storage::Database& db_;
  telephony::Provider& provider_;
  const compliance::Gate& gate_;
  FactsBuilder& facts_;
  const Clock& clock_;
  RunnerConfig config_;
  EventProcessor events_;
  std::map<CampaignId, Throttle> throttles_;
  std::map<CampaignId, TimePoint> renewed_at_;  // lease renewal is a write: not every tick
  std::vector<Campaign> last_active_;           // the active campaigns of the last tick()
  bool defer_placements_ = false;
  bool defer_sends_ = false;
  std::vector<Placement> pending_placements_;
  // group(): a store transaction spans the driver's turns (journal set).
  bool in_group_ = false;
  int group_turns_ = 0;
  int group_dials_ = 0;
  std::chrono::steady_clock::time_point group_began_{};
  std::chrono::steady_clock::time_point monotonic_now() const;
  bool journal_failed_ = false;      // an append failed in this group: no dial until its commit
  bool journal_unrestored_ = false;  // records the store may lack: restore before journaling again
  bool holding_ = false;             // journal_unrestored_ and its restore failed: ticks do nothing
  struct PendingSend {
    Campaign campaign;
    CallAttempt attempt;
    TimePoint at;
    storage::DecisionRecord decision;  // the gate's allow the send goes out under
    bool journaled = false;            // in the dial journal with this decision (group())
    bool resolved = false;            // pacer looked up (a store error leaves it to the next try)
    accounts::Pacer* pacer = nullptr;  // the account's (or the install's) pacer; null: unpaced
  };
  // Attempts stored but not yet dialed, in order: the virtual-time driver's (sent after its
  // batch commits) and, with a pacer, those whose slot has not come yet.
  std::vector<PendingSend> pending_sends_;
  // send_ready's check of a pending send at `at`: its decision is recent enough (or was made
  // again and allows it) -> kSend; refused -> kCanceled; cannot tell now (store) -> kWait.
  enum class Recheck { kSend, kCanceled, kWait };
  Recheck recheck(PendingSend& p, TimePoint at);
  PaceWait pace_wait_;
  std::int64_t total_dials_ = 0;
  std::int64_t gate_calls_ = 0;
};

}  // namespace outdial::dialer
