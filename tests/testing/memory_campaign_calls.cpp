// In-memory CampaignStore and CallStore (see in_memory_database.hpp).
#include <algorithm>
#include <map>
#include <memory>
#include <tuple>

#include "outdial/storage/call_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "testing/memory_state.hpp"

namespace outdial::testing {
namespace {

using Lock = std::lock_guard<std::mutex>;
Error not_found(const std::string& what) { return make_error(ErrorCode::kNotFound, what + " not found"); }

class Campaigns final : public storage::CampaignStore {
 public:
  explicit Campaigns(MemoryState& s) : s_(s) {}
  Result<Campaign> create_campaign(const Campaign& c) override {
    Lock g(s_.mu);
    Campaign x = c;
    x.id = s_.next_id++;
    return s_.campaigns[x.id] = x;
  }
  Result<Campaign> get_campaign(TenantId tenant, CampaignId id) override {
    Lock g(s_.mu);
    auto it = s_.campaigns.find(id);
    if (it == s_.campaigns.end() || it->second.tenant_id != tenant) return not_found("campaign");
    return it->second;
  }
  Result<Campaign> get_campaign_any(CampaignId id) override {
    Lock g(s_.mu);
    auto it = s_.campaigns.find(id);
    if (it == s_.campaigns.end()) return not_found("campaign");
    return it->second;
  }
  Result<std::vector<Campaign>> list_campaigns(TenantId tenant) override {
    Lock g(s_.mu);
    std::vector<Campaign> out;
    for (auto& [id, c] : s_.campaigns) {
      if (c.tenant_id == tenant) out.push_back(c);
    }
    return out;
  }
  Result<std::vector<Campaign>> list_active_campaigns() override {
    Lock g(s_.mu);
    std::vector<Campaign> out;
    for (auto& [id, c] : s_.campaigns) {
      if (c.status == CampaignStatus::kActive) out.push_back(c);
    }
    return out;
  }
  Result<Campaign> update_campaign(const Campaign& c) override {
    Lock g(s_.mu);
    auto it = s_.campaigns.find(c.id);
    if (it == s_.campaigns.end()) return not_found("campaign");
    Campaign x = c;
    x.script = it->second.script;  // immutable through update (locked once active)
    x.tenant_id = it->second.tenant_id;
    return it->second = x;
  }
  Result<std::int64_t> add_targets_from_list(CampaignId campaign, ListId list, TimePoint eligible_at) override {
    Lock g(s_.mu);
    std::int64_t n = 0;
    for (auto& [id, c] : s_.contacts) {
      if (c.list_id != list) continue;
      auto key = std::make_pair(campaign, id);
      if (s_.targets.count(key)) continue;
      CampaignTarget t;
      t.campaign_id = campaign;
      t.contact_id = id;
      t.next_eligible_at = eligible_at;
      s_.targets[key] = t;
      ++n;
    }
    return n;
  }
  Result<std::vector<CampaignTarget>> claim_targets(CampaignId campaign, const std::string& node, TimePoint now,
                                                    Millis ttl, int max) override {
    Lock g(s_.mu);
    std::vector<CampaignTarget*> eligible;
    for (auto it = s_.targets.lower_bound({campaign, 0}); it != s_.targets.end() && it->first.first == campaign;
         ++it) {
      auto& t = it->second;
      const bool leased = !t.lease_owner.empty() && t.lease_expires_at && *t.lease_expires_at > now;
      if (t.status == TargetStatus::kPending && t.next_eligible_at <= now && !leased) eligible.push_back(&t);
    }
    std::stable_sort(eligible.begin(), eligible.end(),
                     [](auto* a, auto* b) { return a->next_eligible_at < b->next_eligible_at; });
    std::vector<CampaignTarget> out;
    for (auto* t : eligible) {
      if (static_cast<int>(out.size()) >= max) break;
      t->status = TargetStatus::kInProgress;
      t->lease_owner = node;
      t->lease_expires_at = now + ttl;
      out.push_back(*t);
    }
    return out;
  }
  Status release_target(const CampaignTarget& t, const std::string& node) override {
    Lock g(s_.mu);
    auto it = s_.targets.find({t.campaign_id, t.contact_id});
    if (it == s_.targets.end()) return not_found("target");
    if (it->second.lease_owner != node) return make_error(ErrorCode::kConflict, "lease not held");
    auto& x = it->second;
    x.status = t.status;
    x.attempts = t.attempts;
    x.next_eligible_at = t.next_eligible_at;
    x.last_outcome = t.last_outcome;
    x.lease_owner.clear();
    x.lease_expires_at.reset();
    return ok_status();
  }
  Status update_idle_target(const CampaignTarget& t) override {
    Lock g(s_.mu);
    auto it = s_.targets.find({t.campaign_id, t.contact_id});
    if (it == s_.targets.end()) return not_found("target");
    auto& x = it->second;
    if (!x.lease_owner.empty() || x.status == TargetStatus::kInProgress) {
      return make_error(ErrorCode::kConflict, "the target is leased (a call is in progress)");
    }
    x.status = t.status;
    x.next_eligible_at = t.next_eligible_at;
    x.last_outcome = t.last_outcome;
    return ok_status();
  }
  Status hold_target(CampaignId campaign, ContactId contact, const std::string& node, TimePoint now,
                     Millis ttl) override {
    Lock g(s_.mu);
    auto it = s_.targets.find({campaign, contact});
    if (it == s_.targets.end()) return not_found("target");
    auto& x = it->second;
    if (!x.lease_owner.empty() && x.lease_owner != node && x.lease_expires_at && *x.lease_expires_at > now) {
      return make_error(ErrorCode::kConflict, "the target is leased by another node");
    }
    x.status = TargetStatus::kInProgress;
    x.lease_owner = node;
    x.lease_expires_at = now + ttl;
    return ok_status();
  }
  Status renew_leases(CampaignId campaign, const std::string& node, TimePoint now, Millis ttl) override {
    Lock g(s_.mu);
    for (auto it = s_.targets.lower_bound({campaign, 0}); it != s_.targets.end() && it->first.first == campaign;
         ++it) {
      if (it->second.lease_owner == node) it->second.lease_expires_at = now + ttl;
    }
    return ok_status();
  }
  Result<std::optional<CampaignTarget>> get_target(CampaignId campaign, ContactId contact) override {
    Lock g(s_.mu);
    auto it = s_.targets.find({campaign, contact});
    if (it == s_.targets.end()) return std::optional<CampaignTarget>();
    return std::optional<CampaignTarget>(it->second);
  }
  Result<std::vector<CampaignTarget>> targets_held_by(CampaignId campaign, const std::string& node) override {
    Lock g(s_.mu);
    std::vector<CampaignTarget> out;
    for (auto it = s_.targets.lower_bound({campaign, 0}); it != s_.targets.end() && it->first.first == campaign;
         ++it) {
      if (it->second.status == TargetStatus::kInProgress && it->second.lease_owner == node) out.push_back(it->second);
    }
    return out;
  }
  Result<std::vector<CampaignTarget>> list_targets(CampaignId campaign, std::int64_t offset,
                                                   std::int64_t limit) override {
    Lock g(s_.mu);
    std::vector<CampaignTarget> out;
    std::int64_t i = 0;
    for (auto it = s_.targets.lower_bound({campaign, 0}); it != s_.targets.end() && it->first.first == campaign;
         ++it, ++i) {
      if (i >= offset && i < offset + limit) out.push_back(it->second);
    }
    return out;
  }
  Result<storage::TargetCounts> count_targets(CampaignId campaign) override {
    Lock g(s_.mu);
    storage::TargetCounts c;
    for (auto it = s_.targets.lower_bound({campaign, 0}); it != s_.targets.end() && it->first.first == campaign;
         ++it) {
      ++c.total;
      ++c.by_status[to_string(it->second.status)];
      if (it->second.status == TargetStatus::kBlocked) ++c.blocked_outcomes[it->second.last_outcome];
    }
    return c;
  }
  Result<std::optional<TimePoint>> next_eligible_at(CampaignId campaign) override {
    Lock g(s_.mu);
    std::optional<TimePoint> out;
    for (auto it = s_.targets.lower_bound({campaign, 0}); it != s_.targets.end() && it->first.first == campaign;
         ++it) {
      if (it->second.status == TargetStatus::kPending && (!out || it->second.next_eligible_at < *out)) {
        out = it->second.next_eligible_at;
      }
    }
    return out;
  }

 private:
  MemoryState& s_;
};

class Calls final : public storage::CallStore {
 public:
  explicit Calls(MemoryState& s) : s_(s) {}
  Result<CallAttempt> create_attempt(const CallAttempt& a) override {
    Lock g(s_.mu);
    if (auto it = s_.attempt_by_key.find(a.idempotency_key); it != s_.attempt_by_key.end()) {
      return s_.attempts[it->second];
    }
    CallAttempt x = a;
    x.id = s_.next_id++;
    s_.attempts[x.id] = x;
    s_.attempt_by_key[x.idempotency_key] = x.id;
    index(x);
    return x;
  }
  Result<bool> restore_attempt(const CallAttempt& a) override {
    Lock g(s_.mu);
    if (a.id <= 0 || a.idempotency_key.empty()) return make_error(ErrorCode::kInvalidArgument, "id and key needed");
    auto by_id = s_.attempts.find(a.id);
    auto by_key = s_.attempt_by_key.find(a.idempotency_key);
    if (by_id == s_.attempts.end() && by_key == s_.attempt_by_key.end()) {
      s_.attempts[a.id] = a;
      s_.attempt_by_key[a.idempotency_key] = a.id;
      s_.next_id = std::max(s_.next_id, a.id + 1);
      index(a);
      return true;
    }
    if (by_id != s_.attempts.end() && by_key != s_.attempt_by_key.end() && by_key->second == a.id) return false;
    return make_error(ErrorCode::kConflict, "the id or the key belongs to another attempt");
  }
  Result<CallAttempt> get_attempt(AttemptId id) override {
    Lock g(s_.mu);
    auto it = s_.attempts.find(id);
    if (it == s_.attempts.end()) return not_found("attempt");
    return it->second;
  }
  Result<std::optional<CallAttempt>> find_by_provider_id(const std::string& provider,
                                                         const std::string& id) override {
    Lock g(s_.mu);
    auto it = s_.attempt_by_provider.find({provider, id});
    if (it == s_.attempt_by_provider.end()) return std::optional<CallAttempt>();
    return std::optional<CallAttempt>(s_.attempts[it->second]);
  }
  Status update_attempt(const CallAttempt& a, CallState expected) override {
    Lock g(s_.mu);
    auto it = s_.attempts.find(a.id);
    if (it == s_.attempts.end()) return not_found("attempt");
    if (s_.fail_attempt_updates > 0) {
      --s_.fail_attempt_updates;
      return make_error(ErrorCode::kConflict, "injected conflict");
    }
    if (it->second.state != expected) return make_error(ErrorCode::kConflict, "attempt state moved");
    it->second = a;
    index(a);
    return ok_status();
  }
  Result<std::vector<CallAttempt>> live_attempts(CampaignId campaign) override {
    Lock g(s_.mu);
    std::vector<CallAttempt> out;
    for (AttemptId id : s_.live) {
      const auto& a = s_.attempts[id];
      if (campaign == 0 || a.campaign_id == campaign) out.push_back(a);
    }
    return out;
  }
  Result<std::vector<CallAttempt>> list_attempts(TenantId tenant, CampaignId campaign, std::int64_t offset,
                                                 std::int64_t limit) override {
    Lock g(s_.mu);
    std::vector<CallAttempt> out;
    std::int64_t i = 0;
    for (auto& [id, a] : s_.attempts) {
      if (a.tenant_id != tenant || (campaign != 0 && a.campaign_id != campaign)) continue;
      if (i >= offset && i < offset + limit) out.push_back(a);
      ++i;
    }
    return out;
  }
  Result<std::vector<CallAttempt>> attempts_for_contact(CampaignId campaign, ContactId contact) override {
    Lock g(s_.mu);
    std::vector<CallAttempt> out;
    // Keys are "<campaign>:<contact>:<n>": walk that prefix in the key index.
    const std::string prefix = std::to_string(campaign) + ":" + std::to_string(contact) + ":";
    for (auto it = s_.attempt_by_key.lower_bound(prefix);
         it != s_.attempt_by_key.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      out.push_back(s_.attempts[it->second]);
    }
    for (auto& [id, a] : s_.attempts) {  // attempts with other key shapes
      if (a.campaign_id == campaign && a.contact_id == contact && a.idempotency_key.rfind(prefix, 0) != 0) {
        out.push_back(a);
      }
    }
    std::sort(out.begin(), out.end(), [](auto& x, auto& y) { return x.attempt_number < y.attempt_number; });
    return out;
  }
  Result<std::vector<CallAttempt>> attempts_to_number(TenantId tenant, const std::string& phone_e164,
                                                      TimePoint since) override {
    Lock g(s_.mu);
    std::vector<CallAttempt> out;
    for (auto& [id, a] : s_.attempts) {  // ascending id
      if (a.tenant_id == tenant && a.to_number == phone_e164 && a.created_at >= since) out.push_back(a);
    }
    std::stable_sort(out.begin(), out.end(), [](auto& x, auto& y) { return x.created_at < y.created_at; });
    return out;
  }
  Result<std::vector<AttemptTally>> tally_attempts(CampaignId campaign) override {
    Lock g(s_.mu);
    std::map<std::tuple<int, bool, bool>, std::int64_t> groups;
    for (auto& [id, a] : s_.attempts) {
      if (a.campaign_id == campaign) ++groups[{static_cast<int>(a.state), a.answered_at.has_value(), a.answered_by_machine}];
    }
    std::vector<AttemptTally> out;
    for (const auto& [k, n] : groups) {
      out.push_back(AttemptTally{static_cast<CallState>(std::get<0>(k)), std::get<1>(k), std::get<2>(k), n});
    }
    return out;
  }
  Result<std::map<std::string, std::int64_t>> count_by_state(CampaignId campaign) override {
    Lock g(s_.mu);
    std::map<std::string, std::int64_t> out;
    for (auto& [id, a] : s_.attempts) {
      if (a.campaign_id == campaign) ++out[to_string(a.state)];
    }
    return out;
  }
  Result<std::int64_t> count_created_between(CampaignId campaign, TimePoint from, TimePoint to) override {
    Lock g(s_.mu);
    std::int64_t n = 0;
    for (auto& [id, a] : s_.attempts) {
      const bool unsent = a.state == CallState::kCanceled && !a.dialed_at && a.provider_call_id.empty();
      n += (a.campaign_id == campaign && a.created_at >= from && a.created_at < to && !unsent) ? 1 : 0;
    }
    return n;
  }
  Result<bool> append_event(const CallEvent& e) override {
    Lock g(s_.mu);
    if (!s_.event_keys.insert({e.provider, e.dedupe_key}).second) return false;
    CallEvent x = e;
    x.id = s_.next_id++;
    s_.events.push_back(x);
    return true;
  }
  Result<std::vector<CallEvent>> events_for_call(const std::string& provider, const std::string& id) override {
    Lock g(s_.mu);
    std::vector<CallEvent> out;
    for (auto& e : s_.events) {
      if (e.provider == provider && e.provider_call_id == id) out.push_back(e);
    }
    return out;
  }
  Result<bool> has_unattached_events(const std::string& provider, const std::string& id) override {
    Lock g(s_.mu);
    for (auto& e : s_.events) {
      if (e.attempt_id == 0 && e.provider == provider && e.provider_call_id == id) return true;
    }
    return false;
  }

 private:
  void index(const CallAttempt& a) {
    if (!a.provider_call_id.empty()) s_.attempt_by_provider[{a.provider, a.provider_call_id}] = a.id;
    if (is_terminal(a.state)) s_.live.erase(a.id);
    else s_.live.insert(a.id);
  }
  MemoryState& s_;
};

}  // namespace

std::unique_ptr<storage::CampaignStore> make_memory_campaign_store(MemoryState& s) {
  return std::make_unique<Campaigns>(s);
}
std::unique_ptr<storage::CallStore> make_memory_call_store(MemoryState& s) { return std::make_unique<Calls>(s); }

}  // namespace outdial::testing
