#include "outdial/dialer/campaign_runner.hpp"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

namespace outdial::dialer {
namespace {

// How soon a round retries after the account store failed to name a campaign's pacers.
constexpr Millis kStoreRetry{1000};

void earliest(std::optional<TimePoint>& acc, TimePoint t, TimePoint now) {
  if (t <= now) return;
  if (!acc || t < *acc) acc = t;
}

int capacity_of(const Campaign& c) {
  // "lines" is the progressive ratio (calls per line); max_concurrency the hard cap.
  return std::max(1, std::min(c.lines, c.max_concurrency));
}

// Local names so the dialer needs only the compliance headers (Gate is abstract).
const char* verdict_name(compliance::Verdict v) {
  switch (v) {
    case compliance::Verdict::kAllow: return "allow";
    case compliance::Verdict::kBlock: return "block";
    case compliance::Verdict::kDefer: return "defer";
  }
  return "block";
}

std::string attempt_key(CampaignId c, ContactId k, int n) {
  return std::to_string(c) + ":" + std::to_string(k) + ":" + std::to_string(n);
}

}  // namespace

CampaignRunner::CampaignRunner(storage::Database& db, telephony::Provider& provider, const compliance::Gate& gate,
                               FactsBuilder& facts, const Clock& clock, RunnerConfig config)
    : db_(db),
      provider_(provider),
      gate_(gate),
      facts_(facts),
      clock_(clock),
      config_(std::move(config)),
      events_(db.calls(), db.campaigns(), db.compliance(), clock, &db) {
  events_.set_on_ended([this](AttemptId id) { pace_end(id); });
}

void CampaignRunner::set_on_call_ended(std::function<void()> fn) {
  std::lock_guard lock(paced_mu_);
  on_call_ended_ = std::move(fn);
}

void CampaignRunner::pace_hold(AttemptId id, accounts::Pacer* pacer) {
  if (pacer == nullptr) return;
  std::lock_guard lock(paced_mu_);
  paced_.emplace(id, pacer);
}

void CampaignRunner::pace_end(AttemptId id) {
  std::lock_guard lock(paced_mu_);
  if (auto it = paced_.find(id); it != paced_.end()) {
    it->second->release();  // to the pacer whose slot the call took
    paced_.erase(it);
  }
  if (on_call_ended_) on_call_ended_();
}

accounts::Pacer* CampaignRunner::restored(accounts::Pacer* pacer) {
  if (pacer != nullptr && recovered_at_ && restored_.insert(pacer).second) pacer->restore_unknown(*recovered_at_);
  return pacer;
}

Result<accounts::Pacer*> CampaignRunner::find_pacer(TenantId tenant, const std::string& from) {
  accounts::Pacer* pacer = config_.pacer;
  if (config_.pacers != nullptr) {
    auto own = config_.pacers->pacer_for_call(tenant, from);
    if (!own) return own.error();
    if (*own != nullptr) pacer = *own;
  }
  return pacer;
}

Result<accounts::Pacer*> CampaignRunner::pacer_for(TenantId tenant, const std::string& from) {
  auto pacer = find_pacer(tenant, from);
  if (!pacer) return pacer.error();
  return restored(*pacer);
}

Result<std::vector<accounts::Pacer*>> CampaignRunner::campaign_pacers(const Campaign& c) {
  std::vector<accounts::Pacer*> out;
  auto add = [&](accounts::Pacer* p) {
    if (p != nullptr && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(restored(p));
  };
  if (config_.pacers == nullptr) {
    add(config_.pacer);
    return out;
  }
  auto listed = config_.pacers->pacers_for_campaign(c);
  if (!listed) return listed.error();
  for (accounts::Pacer* p : *listed) add(p != nullptr ? p : config_.pacer);
  return out;
}

int CampaignRunner::reserved_for(const accounts::Pacer* pacer) const {
  int n = 0;
  for (const auto& p : pending_sends_) {
    if (p.pacer == pacer) ++n;
  }
  return n;
}

std::optional<TimePoint> CampaignRunner::pending_slot(TimePoint now, bool& now_ready) const {
  now_ready = false;
  std::optional<TimePoint> next;
  std::set<const accounts::Pacer*> seen;
  for (const auto& p : pending_sends_) {
    if (!p.resolved) {
      // Its account could not be looked up (the store failed): a tick asks again soon.
      if (!next || now + kStoreRetry < *next) next = now + kStoreRetry;
      continue;
    }
    if (p.pacer == nullptr) {
      now_ready = true;  // unpaced: a tick sends it
      continue;
    }
    if (!seen.insert(p.pacer).second) continue;
    if (auto slot = p.pacer->next_slot(now)) {
      if (*slot <= now) now_ready = true;
      if (!next || *slot < *next) next = *slot;
    }
  }
  return next;
}

void CampaignRunner::batch(const std::function<void()>& fn) {
  if (in_group_) {
    // Already inside the group's transaction, whose failure is handled by group(): a savepoint
    // here would only make SQLite copy every page the turn changes into its statement journal
    // (fn reports no error of its own; the store calls in it keep their own savepoints).
    ++group_turns_;
    store_pending_placements();
    fn();
    return;
  }
  const std::size_t kept = pending_sends_.size();  // committed earlier, waiting for their slot
  auto st = db_.with_transaction([&] {
    store_pending_placements();  // before any event of those calls is applied
    fn();
    return ok_status();
  });
  if (!st) {
    pending_sends_.resize(kept);  // this batch's attempt rows were rolled back: never dial them
    resync_all();            // the in-memory live sets may be ahead of the store
    // The carrier events handled in fn were popped by the provider before the rollback: nothing
    // re-delivers them by itself. Have the provider re-send the life of every live call.
    reconcile_live();
  }
}

std::chrono::steady_clock::time_point CampaignRunner::monotonic_now() const {
  return config_.monotonic ? config_.monotonic() : std::chrono::steady_clock::now();
}

bool CampaignRunner::group_open() const {
  return in_group_ && !journal_failed_ && group_turns_ < config_.group_max_turns &&
         group_dials_ < config_.group_max_dials && monotonic_now() - group_began_ < config_.group_max_hold;
}

void CampaignRunner::group(const std::function<void()>& fn) {
  if (config_.journal == nullptr || in_group_) {
    fn();
    return;
  }
  if (journal_unrestored_) {
    // Records of a failed group are not in the store yet. Until they are, no group may clear
    // the journal and nothing new is claimed or dialed (an attempt id they hold could be handed
    // out again): the turns only deliver carrier events, each batch committing on its own.
    if (!restore_journal()) {
      holding_ = true;
      fn();
      holding_ = false;
      return;
    }
    // Put back now: like after a restart, the carrier re-sends their calls (or they are
    // resolved by key).
    resync_all();
    reconcile_live();
  }
  // Stored before this group (committed). Sends go out between turns, so after a failure the
  // rolled-back ones are found by id, not by position.
  std::set<AttemptId> committed_sends;
  for (const auto& p : pending_sends_) committed_sends.insert(p.attempt.id);
  in_group_ = true;
  group_turns_ = 0;
  group_dials_ = 0;
  group_began_ = monotonic_now();
  journal_failed_ = false;
  const Status st = db_.with_transaction([&] {
    fn();
    return ok_status();
  });
  in_group_ = false;
  if (st) {
    clear_journal();
    if (journal_failed_ && !pending_sends_.empty()) send_pending();  // durable now
    journal_failed_ = false;
    return;
  }
  // Everything since the group began is rolled back, dials included. The journal has every
  // attempt the carrier may have heard of: put them back, then have the carrier re-send each
  // live call (or, for one it never got, the attempt is resolved by key as after a restart).
  spdlog::error("dialer: a grouped commit failed: {}; restoring the dial journal", st.error().message);
  std::erase_if(pending_sends_, [&](const PendingSend& p) { return !committed_sends.contains(p.attempt.id); });
  // Their attempts may be rolled back too (found again by key below). A carrier's refusal among
  // them is learnt again when the re-sent request is refused.
  pending_placements_.clear();
  journal_failed_ = false;
  journal_unrestored_ = true;
  if (auto restored = restore_journal(); !restored) {
    // Retried by the next group() (which holds new dials until it succeeds) or recover().
    spdlog::error("dialer: the dial journal could not be put back yet: {}", restored.error().message);
  }
  resync_all();
  reconcile_live();
}

bool CampaignRunner::journal_sends(const std::vector<PendingSend*>& sends) {
  if (!in_group_ || config_.journal == nullptr) return true;
  if (journal_failed_) return false;
  std::vector<JournaledDial> records;
  for (const PendingSend* p : sends) {
    if (!p->journaled) records.push_back(JournaledDial{p->attempt, p->decision});
  }
  if (records.empty()) return true;
  if (auto st = config_.journal->append(records); !st) {
    spdlog::error("dialer: the dial journal could not be written ({}); dials wait for the store's commit",
                  st.error().message);
    journal_failed_ = true;
    return false;
  }
  for (PendingSend* p : sends) p->journaled = true;
  group_dials_ += static_cast<int>(records.size());
  return true;
}

Status CampaignRunner::restore_journal() {
  if (config_.journal == nullptr) return ok_status();
  auto records = config_.journal->read();
  if (!records) return records.error();
  // The last record of an attempt wins (one decided again before its send is journaled twice).
  // One id under two keys means an id was handed out again while its first attempt was not
  // stored: refuse (and keep the journal) rather than drop a dial the carrier may have.
  std::map<AttemptId, const JournaledDial*> last;
  for (const auto& r : *records) {
    auto [it, inserted] = last.try_emplace(r.attempt.id, &r);
    if (!inserted && it->second->attempt.idempotency_key != r.attempt.idempotency_key) {
      return make_error(ErrorCode::kInternal, "dial journal: one attempt id under two keys",
                        {{"attempt_id", std::to_string(r.attempt.id)},
                         {"keys", it->second->attempt.idempotency_key + " " + r.attempt.idempotency_key}});
    }
    it->second = &r;
  }
  int restored = 0;
  const TimePoint now = clock_.now();
  auto st = db_.with_transaction([&]() -> Status {
    for (const auto& [id, r] : last) {
      auto put = db_.calls().restore_attempt(r->attempt);
      if (!put) return put.error();
      if (!*put) continue;  // its transaction committed before the crash
      ++restored;
      if (auto d = db_.compliance().record_decision(r->decision); !d) return d.error();
      if (r->attempt.campaign_id != 0) {
        // Its claim was lost with the transaction: held by this node again, as when it was dialed.
        auto held = db_.campaigns().hold_target(r->attempt.campaign_id, r->attempt.contact_id, config_.node_id, now,
                                                config_.lease_ttl);
        if (!held && held.error().code != ErrorCode::kNotFound && held.error().code != ErrorCode::kConflict) {
          return held;
        }
        // kConflict: another node holds it now; the restored attempt (same key) is what that
        // node's own dial of it finds, so it resolves that one by key instead of dialing anew.
      }
    }
    return ok_status();
  });
  if (!st) return st;
  if (restored > 0) {
    spdlog::warn("dialer: {} journaled dial(s) the store had lost were put back; the carrier is asked about each",
                 restored);
  }
  journal_unrestored_ = false;
  clear_journal();
  return ok_status();
}

void CampaignRunner::clear_journal() {
  if (auto cleared = config_.journal->clear(); !cleared) {
    // Harmless: its records are in the store now and restore_journal() skips them; the journal
    // only grows until a clear succeeds.
    spdlog::warn("dialer: the dial journal could not be cleared: {}", cleared.error().message);
  }
}

void CampaignRunner::reconcile_live() {
  // Outside any transaction (batch()'s failed): each repair commits on its own, and none of
  // them runs batch() again. recover_attempt() asks find_call(key) before it dials, so a call
  // whose call id was lost with the rollback is attached, not placed twice.
  auto live = db_.calls().live_attempts(0);
  if (!live) return;  // the store is unavailable: the next failure or restart tries again
  for (const auto& a : *live) {
    auto t = db_.campaigns().get_target(a.campaign_id, a.contact_id);
    // Only this node's calls: another live node is still handling its own.
    if (a.campaign_id != 0 && (!t || !t->has_value() || (*t)->lease_owner != config_.node_id)) continue;
    (void)recover_attempt(a);  // reconcile(call id) + replay, or find_call / place by key
  }
  resync_all();
}

void CampaignRunner::defer_placements(bool on) {
  defer_placements_ = on;
  defer_sends_ = on;
  if (!on) {
    send_pending();
    flush_placements();
  }
}

void CampaignRunner::send_pending() {
  send_ready();
  if (!defer_placements_) flush_placements();
}

TimePoint CampaignRunner::present() {
  if (pace_wait_) pace_wait_(clock_.now());  // catch the clock up; never waits
  return clock_.now();
}

bool CampaignRunner::take_slot(accounts::Pacer* pacer, TimePoint& at, std::optional<TimePoint>& next) {
  if (pacer == nullptr) {
    at = clock_.now();
    return true;
  }
  // A slot another user of the pacer takes while we wait just sends us round again; bounded so
  // that a stuck clock cannot keep the tick here.
  for (int round = 0; round < 64; ++round) {
    const TimePoint t = present();
    if (pacer->try_acquire(t)) {
      at = t;
      return true;
    }
    next = pacer->next_slot(t);
    if (!next || !pace_wait_ || *next > t + config_.pace_horizon) return false;
    pace_wait_(*next);
  }
  return false;
}

void CampaignRunner::send_ready() {
  if (pending_sends_.empty()) return;
  // In a group the store has not committed these attempts: the journal makes them durable
  // before the carrier hears of any. Not written: none goes out before the group commits.
  if (in_group_) {
    std::vector<PendingSend*> all;
    for (auto& p : pending_sends_) all.push_back(&p);
    if (!journal_sends(all)) return;
  }
  std::vector<PendingSend> waiting;         // kept, in order, for a later tick
  std::set<accounts::Pacer*> refused;  // no slot now: its later attempts keep their order
  for (auto& p : pending_sends_) {
    if (!p.resolved) {
      // The From's account could not be looked up when the attempt was stored (a store error):
      // no dial before its pacer is known.
      auto pacer = pacer_for(p.attempt.tenant_id, p.attempt.from_number);
      if (!pacer) {
        waiting.push_back(std::move(p));
        continue;
      }
      p.pacer = *pacer;
      p.resolved = true;
    }
    if (refused.contains(p.pacer)) {
      waiting.push_back(std::move(p));
      continue;
    }
    // Decided a while ago (it waited for its account): the gate is asked again before a slot.
    if (const Recheck r = recheck(p, clock_.now()); r != Recheck::kSend) {
      if (r == Recheck::kWait) {
        refused.insert(p.pacer);
        waiting.push_back(std::move(p));
      }
      continue;
    }
    TimePoint at{};
    std::optional<TimePoint> next;
    if (!take_slot(p.pacer, at, next)) {
      refused.insert(p.pacer);
      waiting.push_back(std::move(p));
      continue;
    }
    // The slot itself may have taken a while (pace waits): still a recent decision at the send.
    if (const Recheck r = recheck(p, at); r != Recheck::kSend) {
      if (p.pacer != nullptr) p.pacer->release();  // never placed
      if (r == Recheck::kWait) {
        refused.insert(p.pacer);
        waiting.push_back(std::move(p));
      }
      continue;
    }
    if (in_group_ && !p.journaled) {
      // Decided again while it waited: journaled under that decision before it goes out.
      if (!journal_sends({&p})) {
        if (p.pacer != nullptr) p.pacer->release();  // never placed
        waiting.push_back(std::move(p));
        continue;
      }
    }
    // Held before the dial: the call's end (on any thread) must find the slot to give back.
    pace_hold(p.attempt.id, p.pacer);
    pending_placements_.push_back(Placement{p.attempt, send(p.campaign, p.attempt), at});
  }
  pending_sends_ = std::move(waiting);
}

CampaignRunner::Recheck CampaignRunner::recheck(PendingSend& p, TimePoint at) {
  if (at - p.at <= config_.max_gate_age) return Recheck::kSend;
  auto c = db_.campaigns().get_campaign_any(p.attempt.campaign_id);
  if (!c) return Recheck::kWait;  // cannot ask: not sent on an old decision
  storage::DecisionRecord decided;
  const std::string refusal = refusal_now(*c, p.attempt, at, &decided);
  if (refusal.empty()) {
    p.campaign = *c;
    p.at = at;
    p.decision = std::move(decided);
    p.journaled = false;  // the send goes out under this decision: journaled again first
    return Recheck::kSend;
  }
  return cancel_unsent(p.attempt, "not sent: " + refusal, at) ? Recheck::kCanceled : Recheck::kWait;
}

std::string CampaignRunner::refusal_now(const Campaign& fresh, const CallAttempt& a, TimePoint at,
                                        storage::DecisionRecord* decided) {
  if (fresh.status != CampaignStatus::kActive) return std::string("campaign ") + to_string(fresh.status);
  auto contact = db_.contacts().get_contact(fresh.tenant_id, a.contact_id);
  if (!contact) return "contact unavailable";
  // The same From (a re-send keeps its key and caller ID); the attempt itself is not one of its
  // own prior calls (FREQ-CAMPAIGN, spacing, daily limit).
  auto facts = facts_.build(fresh, *contact, at, nullptr, &a.from_number, a.id);
  if (!facts) return "facts unavailable";
  ++gate_calls_;
  const compliance::Decision d = gate_.evaluate(*facts);
  storage::DecisionRecord rec = store_decision(fresh, a.contact_id, contact->phone_e164, d, at);
  if (decided != nullptr) *decided = std::move(rec);
  if (d.verdict != compliance::Verdict::kAllow) return std::string(verdict_name(d.verdict)) + ":" + d.rule;
  return "";
}

bool CampaignRunner::cancel_unsent(CallAttempt a, const std::string& why, TimePoint at) {
  a.state = CallState::kCanceled;
  a.ended_at = at;
  a.failure_reason = why;
  if (!db_.calls().update_attempt(a, CallState::kQueued)) return false;
  (void)events_.finalize_target(a);  // not an attempt made (counts_as_attempt): pending again
  return true;
}

void CampaignRunner::store_pending_placements() {
  std::vector<Placement> pending;
  pending.swap(pending_placements_);
  for (auto& p : pending) store_placement(p.attempt, p.accepted, p.at);
}

void CampaignRunner::flush_placements() {
  if (pending_placements_.empty()) return;
  auto st = db_.with_transaction([&] {
    store_pending_placements();
    return ok_status();
  });
  if (!st) resync_all();
}

void CampaignRunner::resync_all() {
  for (const auto& [id, when] : renewed_at_) (void)events_.resync_live(id);
}

Throttle& CampaignRunner::throttle_for(const Campaign& c) {
  auto [it, inserted] = throttles_.try_emplace(c.id, c.calls_per_minute);
  if (inserted) {
    // After a restart the window's history is gone. Count the attempts created in the last
    // minute as if they started now: conservative (at most one minute slower), never a burst
    // above calls_per_minute across the restart.
    const TimePoint now = clock_.now();
    auto recent = db_.calls().count_created_between(c.id, now - Millis(60'000), now + Millis(1));
    for (std::int64_t i = 0; recent && i < *recent; ++i) it->second.record(now);
  }
  it->second.set_rate(c.calls_per_minute);
  return it->second;
}

void CampaignRunner::audit_system(const Campaign& c, const std::string& action, TimePoint now) {
  AuditEntry e;
  e.tenant_id = c.tenant_id;
  e.actor = "system:dialer";
  e.action = action;
  e.entity_type = "campaign";
  e.entity_id = std::to_string(c.id);
  e.payload_json = "{\"node\":\"" + config_.node_id + "\"}";
  e.at = now;
  (void)db_.audit().append(e);
}

TickResult CampaignRunner::tick() {
  if (holding_) {
    // The dial journal could not be put back yet (group()): no claim, no dial, no re-dial.
    // Active campaigns stay active; nothing is due until a carrier event or the next try.
    TickResult held;
    held.active_campaigns = static_cast<int>(std::max<std::size_t>(1, last_active_.size()));
    return held;
  }
  flush_placements();  // deferred call ids of the previous tick, if no batch() took them
  if (!defer_sends_ && !pending_sends_.empty()) {
    send_ready();  // stored attempts whose pacer slot had not come: before any new lease
    if (!defer_placements_) flush_placements();
  }
  TickResult out;
  const TimePoint now = clock_.now();
  resolve_due(now);
  auto active = db_.campaigns().list_active_campaigns();
  last_active_.clear();
  static const std::vector<Campaign> kNone;  // the store failed: nothing to dial this tick
  const std::vector<Campaign>& campaigns = active ? *active : kNone;
  for (Campaign c : campaigns) {
    if (c.expires_at && now >= *c.expires_at) {
      // Auto-expiry (AI policy "Campaign auto-expiry"): no new dials; calls in flight finish.
      c.status = CampaignStatus::kExpired;
      if (db_.campaigns().update_campaign(c)) audit_system(c, "campaign.expire", now);
      continue;
    }
    if (c.schedule_start && now < *c.schedule_start) {
      earliest(out.next_due, *c.schedule_start, now);
      ++out.active_campaigns;
      last_active_.push_back(c);
      continue;
    }
    const int in_flight = run_campaign(c, now, out);
    out.in_flight += in_flight;
    if (in_flight == 0 && !has_pending(c.id)) {
      auto counts = db_.campaigns().count_targets(c.id);
      if (counts) {
        auto get = [&](TargetStatus s) {
          auto it = counts->by_status.find(to_string(s));
          return it == counts->by_status.end() ? 0 : it->second;
        };
        if (get(TargetStatus::kPending) == 0 && get(TargetStatus::kInProgress) == 0) {
          c.status = CampaignStatus::kCompleted;
          if (db_.campaigns().update_campaign(c)) audit_system(c, "campaign.complete", now);
          continue;
        }
      }
    }
    // Only a campaign that stays active has an expiry worth waking up for: a completed one must
    // not hold the virtual clock until its old expiry instant.
    if (c.expires_at) earliest(out.next_due, *c.expires_at, now);
    ++out.active_campaigns;
    last_active_.push_back(c);
  }
  // After this tick's own dials: one deferred now (429, time-out) must wake the driver too.
  if (auto r = next_resolution()) earliest(out.next_due, *r, now);
  if (!pending_sends_.empty()) {
    // Stored attempts still waiting for their pacers: wake at the next slot (none: a call's end).
    bool ready = false;
    if (auto slot = pending_slot(now, ready)) earliest(out.next_due, *slot, now);
  }
  return out;
}

CampaignRunner::Quiet CampaignRunner::quiet_until(TimePoint now) {
  Quiet q;
  if (!pending_sends_.empty()) {
    bool ready = false;
    auto slot = pending_slot(now, ready);
    if (ready) return q;
    if (slot) earliest(q.until, *slot, now);
  }
  if (auto r = next_resolution()) {
    if (*r <= now) return q;
    earliest(q.until, *r, now);
  }
  for (const Campaign& c : last_active_) {
    if (c.expires_at) {
      if (now >= *c.expires_at) return q;
      earliest(q.until, *c.expires_at, now);
    }
    if (c.schedule_start && now < *c.schedule_start) {
      earliest(q.until, *c.schedule_start, now);
      continue;
    }
    auto renewed = renewed_at_.find(c.id);
    if (renewed == renewed_at_.end()) return q;
    const TimePoint renew_at = renewed->second + config_.lease_ttl / 3;
    if (now >= renew_at) return q;
    earliest(q.until, renew_at, now);
    auto live = events_.live_count(c.id);
    if (!live || *live == 0) return q;  // maybe complete, or room for everything
    if (*live >= capacity_of(c)) continue;  // full: only a carrier event frees a line
    if (auto wait = refill_wait(c, *live, now)) {
      earliest(q.until, *wait, now);  // too few free lines yet: a later event or the wait ends it
      continue;
    }
    if (paced()) {
      // A round needs a slot of every account the campaign's calls may use (run_campaign).
      auto pacers = campaign_pacers(c);
      if (!pacers) return q;
      bool full = false;
      TimePoint at = now;
      for (accounts::Pacer* p : *pacers) {
        auto slot = p->next_slot(now);
        if (!slot) {
          full = true;  // an account's concurrency is full: only a call's end frees it
          break;
        }
        at = std::max(at, *slot);
      }
      if (full) continue;
      if (at > now) {
        earliest(q.until, at, now);
        continue;
      }
    }
    auto throttle = throttles_.find(c.id);
    if (throttle == throttles_.end()) return q;
    if (auto slot = throttle->second.next_slot(now)) {
      earliest(q.until, *slot, now);
      continue;
    }
    auto next = db_.campaigns().next_eligible_at(c.id);
    if (!next) return q;
    if (next->has_value()) {
      if (**next <= now) return q;  // a line, a slot and a due target: dial now
      earliest(q.until, **next, now);
    }
  }
  q.act = false;
  return q;
}

int CampaignRunner::run_campaign(const Campaign& c, TimePoint now, TickResult& out) {
  auto& campaigns = db_.campaigns();
  auto renewed = renewed_at_.find(c.id);
  if (renewed == renewed_at_.end() || now - renewed->second >= config_.lease_ttl / 3) {
    (void)campaigns.renew_leases(c.id, config_.node_id, now, config_.lease_ttl);
    // Also the moment to re-read the live attempts (drift from other nodes' events).
    (void)events_.resync_live(c.id);
    renewed_at_[c.id] = now;
  }
  Throttle& throttle = throttle_for(c);
  // In-flight calls from memory (EventProcessor's live set), not a store read per tick.
  auto live = events_.live_count(c.id);
  int in_flight = live ? static_cast<int>(*live) : capacity_of(c);
  if (auto wait = refill_wait(c, in_flight, now)) {
    earliest(out.next_due, *wait, now);
    return in_flight;
  }
  free_since_.erase(c.id);  // this round refills what it can
  const TimePoint turn_began = paced() ? present() : now;
  for (;;) {
    int room = std::min(capacity_of(c) - in_flight, throttle.available(now));
    if (room <= 0) break;
    if (paced()) {
      // The provider accounts' limits: lease only as many targets as every account the
      // campaign's calls may go out through can start within the horizon (after the stored
      // attempts still waiting for it): the caller IDs are chosen later, per target, so each
      // target must fit whichever account it lands on. Each one's slot is taken right before
      // its dial (send_ready), from its own account's pacer.
      auto pacers = campaign_pacers(c);
      if (!pacers) {
        earliest(out.next_due, now + kStoreRetry, now);  // the account store failed: retry soon
        break;
      }
      const TimePoint fresh = present();
      const Millis horizon = pace_wait_ ? config_.pace_horizon : Millis(0);
      for (accounts::Pacer* p : *pacers) {
        room = p->admissible(fresh, fresh + horizon, reserved_for(p), room);
        if (room <= 0) {
          // Full for now; nullopt: the account's concurrency is full, a call's end frees it.
          if (auto slot = p->next_slot(fresh)) earliest(out.next_due, *slot, now);
          break;
        }
      }
      if (room <= 0) break;
    }
    // Phase 1, one commit: lease up to `room` due targets, gate every one, store the decisions,
    // release the blocked and deferred, and create the attempt rows. Attempts are durable before
    // any dial; a rollback also undoes the leases.
    std::vector<Prepared> to_place;  // each with its attempt (and the allow that led to it)
    int occupied = 0;
    bool claimed_any = false;
    auto prepared = db_.with_transaction([&]() -> Status {
      auto claimed = campaigns.claim_targets(c.id, config_.node_id, now, config_.lease_ttl, room);
      if (!claimed) return claimed.error();
      claimed_any = !claimed->empty();
      for (auto& t : *claimed) {
        ++out.decided;
        Prepared p = prepare_target(c, t, now);
        if (p.to_place) {
          to_place.push_back(std::move(p));
        } else if (p.occupies) {
          ++occupied;
        }
      }
      return ok_status();
    });
    if (prepared && !claimed_any) break;
    if (!prepared) {
      (void)recover_held_targets(c.id);  // rolled back: give the leased targets back
      (void)events_.resync_live(c.id);
      break;
    }
    for (const auto& p : to_place) events_.track_live(*p.to_place);
    in_flight += occupied;
    for (std::size_t i = 0; i < to_place.size(); ++i) {
      ++in_flight;
      ++out.dialed;
      throttle.record(now);
    }
    for (auto& placed : to_place) {
      PendingSend p{c, std::move(*placed.to_place), now, std::move(placed.decision)};
      if (paced()) {
        // The account the call goes out through, known now that its caller ID is chosen.
        auto pacer = pacer_for(p.attempt.tenant_id, p.attempt.from_number);
        p.resolved = pacer.ok();
        if (pacer) p.pacer = *pacer;
      } else {
        p.resolved = true;
      }
      pending_sends_.push_back(std::move(p));
    }
    // Inside the driver's batch(): the carrier hears of these after that batch committed.
    if (defer_sends_) continue;
    // Phase 2, no transaction held: the carrier calls (a real provider is a network round trip),
    // each at its pacer slot.
    send_ready();
    // Phase 3, one commit: provider call ids. A crash before it is repaired by recover()
    // (find_call by key) or by the first event, which names the attempt. With deferred
    // placements (virtual-time driver) they ride in the next batch()'s transaction instead.
    if (!defer_placements_) flush_placements();
    if (!pending_sends_.empty()) break;  // the pacer's slots ran out before the round's calls
    // In real time a round takes up to the horizon: after that, the other campaigns' turn.
    // (Only after dialing: a tick that dialed nothing tells its driver when to come back.)
    if (pace_wait_ && paced() && out.dialed > 0 && present() - turn_began >= config_.pace_horizon) {
      break;
    }
  }
  if (in_flight < capacity_of(c)) {
    if (auto slot = throttle.next_slot(now)) {
      earliest(out.next_due, *slot, now);
    } else if (auto next = campaigns.next_eligible_at(c.id); next && next->has_value()) {
      earliest(out.next_due, **next, now);
    }
  }
  return in_flight;
}

std::optional<TimePoint> CampaignRunner::refill_wait(const Campaign& c, std::int64_t live, TimePoint now) {
  const int cap = capacity_of(c);
  const std::int64_t free_lines = cap - live;
  if (free_lines <= 0 || live <= 0) return std::nullopt;  // full (nothing to do) or idle: dial now
  const int group = config_.refill_divisor <= 1 ? 1 : std::max(1, cap / config_.refill_divisor);
  if (free_lines >= group || config_.refill_max_wait <= Millis(0)) return std::nullopt;
  auto [it, inserted] = free_since_.try_emplace(c.id, now);
  const TimePoint until = it->second + config_.refill_max_wait;
  if (now >= until) return std::nullopt;
  return until;
}

bool CampaignRunner::has_pending(CampaignId campaign) {
  auto next = db_.campaigns().next_eligible_at(campaign);
  return next && next->has_value();
}

void CampaignRunner::release(CampaignTarget t, TargetStatus status, TimePoint next, const std::string& outcome) {
  t.status = status;
  t.next_eligible_at = next;
  t.last_outcome = outcome;
  (void)db_.campaigns().release_target(t, config_.node_id);
}

CampaignRunner::Prepared CampaignRunner::prepare_target(const Campaign& c, CampaignTarget t, TimePoint now) {
  auto contact = db_.contacts().get_contact(c.tenant_id, t.contact_id);
  if (!contact) {
    release(t, TargetStatus::kBlocked, now, "blocked:CONTACT-MISSING");
    return {};
  }
  auto history = db_.calls().attempts_for_contact(c.id, t.contact_id);
  if (!history) {
    release(t, TargetStatus::kPending, now + config_.default_defer, t.last_outcome);
    return {};
  }
  int n = t.attempts;
  for (const auto& a : *history) {
    if (!is_terminal(a.state)) return Prepared{std::nullopt, true, {}};  // a live call already: keep the lease, wait for it
    n = std::max(n, a.attempt_number);
  }
  ++n;
  auto facts = facts_.build(c, *contact, now, &*history);
  if (!facts) {
    release(t, TargetStatus::kPending, now + config_.default_defer, t.last_outcome);
    return {};
  }
  ++gate_calls_;
  const compliance::Decision d = gate_.evaluate(*facts);
  storage::DecisionRecord decided = store_decision(c, t.contact_id, contact->phone_e164, d, now);
  if (d.verdict == compliance::Verdict::kBlock) {
    release(t, TargetStatus::kBlocked, now, "blocked:" + d.rule);
    return {};
  }
  if (d.verdict == compliance::Verdict::kDefer) {
    // Back to pending at the instant the gate named: the runner sleeps until then (no polling).
    const TimePoint at = d.allowed_at && *d.allowed_at > now ? *d.allowed_at : now + config_.default_defer;
    release(t, TargetStatus::kPending, at, "deferred:" + d.rule);
    return {};
  }
  CallAttempt a;
  a.tenant_id = c.tenant_id;
  a.campaign_id = c.id;
  a.contact_id = t.contact_id;
  a.attempt_number = n;
  a.idempotency_key = attempt_key(c.id, t.contact_id, n);
  a.state = CallState::kQueued;
  a.provider = provider_.name();
  a.from_number = facts->caller_id;  // the gate's caller ID; stored, so a re-send keeps it
  a.to_number = contact->phone_e164;
  a.created_at = now;
  auto stored = db_.calls().create_attempt(a);  // durable before the carrier hears of it
  if (!stored) {
    release(t, TargetStatus::kPending, now + config_.default_defer, t.last_outcome);
    return {};
  }
  if (stored->state != CallState::kQueued || !stored->provider_call_id.empty()) {
    (void)recover_attempt(*stored);  // an earlier run got further with this key
    return Prepared{std::nullopt, !is_terminal(stored->state), {}};
  }
  return Prepared{*stored, false, std::move(decided)};
}

storage::DecisionRecord CampaignRunner::store_decision(const Campaign& c, ContactId contact, const std::string& phone,
                                                       const compliance::Decision& d, TimePoint now) {
  storage::DecisionRecord rec;
  rec.tenant_id = c.tenant_id;
  rec.campaign_id = c.id;
  rec.contact_id = contact;
  rec.phone_e164 = phone;
  rec.channel = "voice";
  rec.verdict = verdict_name(d.verdict);
  rec.rule = d.rule;
  rec.reason = d.reason;
  rec.allowed_at = d.allowed_at;
  rec.decided_at = now;
  if (auto id = db_.compliance().record_decision(rec)) rec.id = *id;
  return rec;
}

Result<telephony::DialAccepted> CampaignRunner::send(const Campaign& c, const CallAttempt& a) {
  telephony::DialRequest req;
  req.idempotency_key = a.idempotency_key;
  req.attempt_id = a.id;
  req.tenant_id = a.tenant_id;
  req.campaign_id = a.campaign_id;
  req.from = a.from_number;
  req.to = a.to_number;
  req.ring_timeout_seconds = facts_.ring_timeout_seconds();
  req.record = c.record_calls;
  req.script = c.script;
  req.voicemail_text = c.voicemail_text;
  req.agent_number = c.agent_number;
  ++total_dials_;
  return provider_.place_call(req);
}

void CampaignRunner::store_placement(CallAttempt a, const Result<telephony::DialAccepted>& accepted, TimePoint now) {
  const CallState before = a.state;
  if (!accepted) {
    const ErrorCode code = accepted.error().code;
    if (code != ErrorCode::kInvalidArgument && code != ErrorCode::kPermissionDenied) {
      defer_resolution(a, now, accepted.error());  // may exist: never a second key for it
      return;
    }
    unresolved_.erase(a.id);
    a.state = CallState::kFailed;
    a.ended_at = now;
    a.failure_reason = std::string(to_string(code)) + ": " + accepted.error().message;
    // The failure and what it says about the number commit together.
    bool failed = false;
    (void)db_.with_transaction([&]() -> Status {
      auto st = db_.calls().update_attempt(a, before);
      if (!st) return st;
      failed = true;
      return remember_refusal(a, accepted.error(), now);
    });
    if (failed) (void)events_.finalize_target(a, /*undialable=*/true);
    return;
  }
  unresolved_.erase(a.id);
  const bool first_call_id = before == CallState::kQueued && a.provider_call_id.empty();
  a.provider_call_id = accepted->provider_call_id;
  a.state = CallState::kDialing;
  a.dialed_at = now;
  if (db_.calls().update_attempt(a, before)) {
    // Moved from kQueued without a call id: only unattached events can be waiting for it.
    if (first_call_id) {
      (void)events_.placed(a);
      return;
    }
  } else {
    auto fresh = db_.calls().get_attempt(a.id);
    if (!fresh) return;
    a = *fresh;
  }
  (void)events_.replay(a);  // events that arrived before the call id was stored
}

Status CampaignRunner::remember_refusal(const CallAttempt& a, const Error& why, TimePoint now) {
  auto flagged = [&](const char* key) {
    auto it = why.details.find(key);
    return it != why.details.end() && it->second == "true";
  };
  auto detail = [&](const char* key) {
    auto it = why.details.find(key);
    return it != why.details.end() ? it->second : std::string();
  };
  const std::string provider = detail("provider").empty() ? provider_.name() : detail("provider");
  if (flagged("opted_out")) {
    // The carrier says the person opted out (Twilio 21610): DNC-INTERNAL, every channel, at once.
    DncEntry e;
    e.tenant_id = a.tenant_id;
    e.phone_e164 = a.to_number;
    e.reason = "carrier: opted out";
    e.source = provider + ":" + a.idempotency_key;
    e.created_at = now;
    auto added = db_.compliance().add_dnc(e);
    return added ? ok_status() : Status(added.error());
  }
  if (why.code != ErrorCode::kInvalidArgument && !flagged("geo_permission")) {
    return ok_status();  // about the account or the request, not the number
  }
  RejectedNumber r;
  r.tenant_id = a.tenant_id;
  r.phone_e164 = a.to_number;
  r.channel = Channel::kVoice;
  r.reason = why.message;
  r.provider = provider;
  r.provider_code = detail("provider_code");
  r.rejected_at = now;
  auto added = db_.compliance().add_rejected(r);
  return added ? ok_status() : Status(added.error());
}

void CampaignRunner::defer_resolution(const CallAttempt& a, TimePoint now, const Error& why) {
  auto [it, inserted] = unresolved_.try_emplace(a.id, Unresolved{a, now, 0});
  Unresolved& u = it->second;
  u.attempt = a;
  Millis wait = config_.resolve_backoff;
  for (int i = 0; i < u.tries && wait < config_.resolve_backoff_max; ++i) wait *= 2;
  u.due = now + std::min(wait, config_.resolve_backoff_max);
  ++u.tries;
  // Recorded on the attempt if it finally fails.
  u.attempt.failure_reason = std::string(to_string(why.code)) + ": " + why.message;
}

std::optional<TimePoint> CampaignRunner::next_resolution() const {
  std::optional<TimePoint> next;
  for (const auto& [id, u] : unresolved_) {
    if (!next || u.due < *next) next = u.due;
  }
  return next;
}

void CampaignRunner::resolve_due(TimePoint now) {
  std::vector<AttemptId> due;
  for (const auto& [id, u] : unresolved_) {
    if (u.due <= now) due.push_back(id);
  }
  for (AttemptId id : due) {
    auto it = unresolved_.find(id);
    if (it == unresolved_.end()) continue;
    auto fresh = db_.calls().get_attempt(id);
    if (!fresh) {
      it->second.due = now + config_.resolve_backoff;  // store down: try again later
      continue;
    }
    if (fresh->state != CallState::kQueued || !fresh->provider_call_id.empty()) {
      unresolved_.erase(it);  // an event or another node already attached the call
      continue;
    }
    // The re-dial goes out through the account of its stored From: that account's pacer.
    auto pacer = pacer_for(fresh->tenant_id, fresh->from_number);
    if (!pacer) {
      it->second.due = now + config_.resolve_backoff;  // store down: try again later
      continue;
    }
    if (*pacer != nullptr) {
      // A re-dial needs a rate slot: none now, come back at the next one (before asking the
      // carrier and the gate again; not counted as a try).
      const TimePoint t = present();
      if (const TimePoint slot = (*pacer)->next_start(t); slot > t) {
        it->second.due = slot;
        continue;
      }
    }
    telephony::CallLookup lookup(fresh->idempotency_key);
    lookup.to = fresh->to_number;
    lookup.from = fresh->from_number;
    lookup.tenant_id = fresh->tenant_id;
    lookup.placed_after = fresh->created_at;
    auto found = provider_.find_call(lookup);
    // kFailedPrecondition: the call's account cannot be used (disabled, misconfigured, its
    // credentials unopenable), so no call went out through it under this key ("certainly not
    // placed"). It counts toward max_resolve_tries like a confirmed absence, so an attempt
    // never waits forever holding its line and slot.
    const bool unusable = !found && found.error().code == ErrorCode::kFailedPrecondition;
    if (!found && (!unusable || it->second.tries < config_.max_resolve_tries)) {
      defer_resolution(*fresh, now, found.error());  // cannot tell yet: never dial blind
      continue;
    }
    if (found && found->has_value()) {
      // The "failed" dial did create the call: attach it, no second dial.
      store_placement(*fresh, telephony::DialAccepted{**found}, now);
      continue;
    }
    if (it->second.tries >= config_.max_resolve_tries) {
      // The carrier confirms no call under this key after every try (or its account could not
      // be used at all): the attempt failed.
      CallAttempt failed = *fresh;
      failed.state = CallState::kFailed;
      failed.ended_at = now;
      failed.failure_reason = unusable ? std::string(to_string(found.error().code)) + ": " + found.error().message
                                       : it->second.attempt.failure_reason;
      unresolved_.erase(it);
      if (db_.calls().update_attempt(failed, CallState::kQueued)) (void)events_.finalize_target(failed);
      continue;
    }
    auto c = db_.campaigns().get_campaign_any(fresh->campaign_id);
    if (!c) {
      defer_resolution(*fresh, now, c.error());
      continue;
    }
    // Time has passed since the gate allowed this call: the campaign may be paused and the
    // calling window may have closed. Ask again; anything but allow cancels the attempt (the
    // carrier confirmed it holds no call under this key).
    if (const std::string refusal = refusal_now(*c, *fresh, now); !refusal.empty()) {
      unresolved_.erase(it);
      (void)cancel_unsent(*fresh, "not re-dialed: " + refusal, now);
      continue;
    }
    if (*pacer != nullptr) {
      // The same call again is a start at the carrier too: it needs a rate slot (its concurrency
      // slot is still held from its first dial), taken after the gate said yes. None now: at
      // the next one, not counted as a try.
      const TimePoint t = present();
      if (!(*pacer)->try_start(t)) {
        it->second.due = (*pacer)->next_start(t);
        continue;
      }
      store_placement(*fresh, send(*c, *fresh), t);  // same key; defers again on failure
      continue;
    }
    store_placement(*fresh, send(*c, *fresh), now);  // same key; defers again on failure
  }
}

Status CampaignRunner::recover_attempt(const CallAttempt& a) {
  CallAttempt cur = a;
  if (cur.provider_call_id.empty()) {
    telephony::CallLookup lookup(cur.idempotency_key);
    lookup.to = cur.to_number;
    lookup.from = cur.from_number;
    lookup.tenant_id = cur.tenant_id;
    lookup.placed_after = cur.created_at;
    auto found = provider_.find_call(lookup);
    if (!found) return found.error();
    if (!found->has_value()) {
      // Never reached the carrier. The gate allowed it before the process stopped, and the
      // process may have been down for a while: the calling window may have closed, the number
      // gone on do-not-call, the campaign been paused or its From retired. So it goes the way of
      // a dial whose outcome was unknown: the gate is asked again (anything but allow cancels
      // it), a pacer slot is taken, and it is sent under the same key. recover() runs those
      // resolutions before it returns.
      unresolved_.insert_or_assign(cur.id, Unresolved{cur, clock_.now(), 0});
      return ok_status();
    }
    CallAttempt next = cur;
    next.provider_call_id = **found;
    if (next.state == CallState::kQueued) {
      next.state = CallState::kDialing;
      next.dialed_at = clock_.now();
    }
    if (auto st = db_.calls().update_attempt(next, cur.state); !st) return st;
    cur = next;
  }
  if (auto st = provider_.reconcile(cur.provider_call_id); !st && st.error().code != ErrorCode::kNotFound) return st;
  auto replayed = events_.replay(cur);
  if (!replayed) return replayed.error();
  return ok_status();
}

Status CampaignRunner::recover_held_targets(CampaignId campaign) {
  auto held = db_.campaigns().targets_held_by(campaign, config_.node_id);
  if (!held) return held.error();
  const TimePoint now = clock_.now();
  for (const auto& t : *held) {
    auto history = db_.calls().attempts_for_contact(campaign, t.contact_id);
    if (!history) return history.error();
    const CallAttempt* newest = nullptr;
    for (const auto& a : *history) {
      if (newest == nullptr || a.attempt_number > newest->attempt_number) newest = &a;
    }
    if (newest == nullptr || (newest->attempt_number <= t.attempts && is_terminal(newest->state))) {
      // Leased but never dialed (crash between claim and create_attempt): back in the queue.
      release(t, TargetStatus::kPending, std::max(now, t.next_eligible_at), t.last_outcome);
    } else if (is_terminal(newest->state)) {
      (void)events_.finalize_target(*newest);
    }
  }
  return ok_status();
}

Status CampaignRunner::restore_pacers(const std::vector<CallAttempt>& live) {
  if (!paced() || pacers_restored_) return ok_status();
  // The calls still in flight hold their accounts' concurrency; their starts fill the
  // accounts' windows. Each live attempt's account is found again from its tenant and From.
  // The calls that ended before the restart left no live row: restore_unknown (restored())
  // keeps every pacer from starting before one window after now.
  // Every pacer is found before any is changed: a store failure part-way would otherwise leave
  // some calls uncounted (more calls started than the account allows, and their ends giving
  // back slots that belong to others), and a repeat would count the others twice.
  std::map<accounts::Pacer*, std::vector<TimePoint>> starts;
  std::vector<std::pair<AttemptId, accounts::Pacer*>> holds;
  for (const auto& a : live) {
    auto pacer = find_pacer(a.tenant_id, a.from_number);
    if (!pacer) return pacer.error();
    if (*pacer == nullptr) continue;
    starts[*pacer].push_back(a.dialed_at.value_or(a.created_at));
    holds.emplace_back(a.id, *pacer);
  }
  recovered_at_ = clock_.now();
  for (auto& [pacer, at] : starts) restored(pacer)->restore(at, static_cast<int>(at.size()));
  for (const auto& [id, pacer] : holds) pace_hold(id, pacer);
  restored(config_.pacer);
  pacers_restored_ = true;
  return ok_status();
}

Status CampaignRunner::recover() {
  // First the dials a crash may have left only in the journal: they are live attempts below.
  if (auto st = restore_journal(); !st) return st;
  auto live = db_.calls().live_attempts(0);
  if (!live) return live.error();
  if (auto st = restore_pacers(*live); !st) return st;
  std::set<CampaignId> campaigns;
  for (const auto& a : *live) {
    campaigns.insert(a.campaign_id);
    auto t = db_.campaigns().get_target(a.campaign_id, a.contact_id);
    // Only this node's calls: another live node is still handling its own.
    if (a.campaign_id != 0 && (!t || !t->has_value() || (*t)->lease_owner != config_.node_id)) continue;
    if (auto st = recover_attempt(a); !st) return st;
  }
  auto tenants = db_.tenants().list_tenants();
  if (!tenants) return tenants.error();
  for (const auto& tenant : *tenants) {
    auto list = db_.campaigns().list_campaigns(tenant.id);
    if (!list) return list.error();
    for (const auto& c : *list) campaigns.insert(c.id);
  }
  for (CampaignId id : campaigns) {
    if (id == 0) continue;
    if (auto st = recover_held_targets(id); !st) return st;
    if (auto st = events_.resync_live(id); !st) return st;
  }
  resolve_due(clock_.now());  // queued attempts that never reached the carrier (recover_attempt)
  return ok_status();
}

}  // namespace outdial::dialer
