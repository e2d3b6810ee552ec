#pragma once
#include <chrono>
#include <map>
#include <set>
#include <string>

#include "outdial/compliance/attempt_facts.hpp"
#include "outdial/core/campaign.hpp"
#include "outdial/core/contact.hpp"
#include "outdial/core/result.hpp"
#include "outdial/dialer/caller_id_source.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "outdial/storage/compliance_store.hpp"

namespace outdial::dialer {

// Caller IDs each tenant owns (v1: a per-tenant allow-list from configuration; later the
// provider's number inventory).
struct CallerIdDirectory {
  std::map<TenantId, std::set<std::string>> owned;
  // Numbers every tenant of this install owns (a single-operator install's configured caller
  // IDs); they apply to tenants created after start-up too.
  std::set<std::string> shared = {};
  bool owns(TenantId tenant, const std::string& number) const {
    if (shared.count(number) > 0) return true;
    auto it = owned.find(tenant);
    return it != owned.end() && it->second.count(number) > 0;
  }
};

// Gathers compliance::AttemptFacts for one (campaign, contact, instant) from the stores. The
// gate is pure; everything it needs to know is read here. Thread-safe if the stores are.
class FactsBuilder {
 public:
  // registry may be null (no national registry loaded: on_national_dnc comes from the
  // contact's import-time flag only and national_dnc_loaded_at stays empty). `campaigns` names
  // the subject of other campaigns' attempts to the number (FL/OK/MD same-subject caps).
  FactsBuilder(storage::ComplianceStore& compliance, storage::CallStore& calls,
               storage::CampaignStore& campaigns, const dnc::NationalRegistry* registry,
               CallerIdDirectory caller_ids, int ring_timeout_seconds = 30);
  // Without a CampaignStore other campaigns' subjects are unknown, so their attempts to the number
  // are counted as the same subject: over-counts the same-subject caps, never under-counts.
  // Prefer the overload above.
  FactsBuilder(storage::ComplianceStore& compliance, storage::CallStore& calls, const dnc::NationalRegistry* registry,
               CallerIdDirectory caller_ids, int ring_timeout_seconds = 30);

  // prior_attempts: every attempt of the tenant to the contact's number (any campaign) that
  // reached the carrier in the last kPriorAttemptsWindow; subject = that attempt's campaign name.
  // campaign.attempts_made: this campaign's attempts to this contact made (all time; not one
  // canceled before anything was sent: counts_as_attempt).
  // Errors: whatever the stores return (kUnavailable, kInternal; kNotFound when a prior attempt's
  // campaign is missing).
  // campaign_history: this campaign's attempts to the contact when the caller already read them
  // (CallStore::attempts_for_contact); null = read here.
  // Caller ID (caller_id, caller_id_owned, caller_id_problem): with a CallerIdSource, its
  // choose() for a new attempt, or its recheck() of `fixed_from` when given (a stored attempt re-sent
  // under its key keeps its From); without one, `fixed_from` or campaign.caller_id checked against the
  // CallerIdDirectory. The runner dials from facts.caller_id.
  // resending: the stored attempt being gated again before it is (re-)sent under its key; it is
  // not counted among its own prior attempts (prior_attempts, attempts_made, attempts_today).
  Result<compliance::AttemptFacts> build(const Campaign& campaign, const Contact& contact, TimePoint at,
                                         const std::vector<CallAttempt>* campaign_history = nullptr,
                                         const std::string* fixed_from = nullptr, AttemptId resending = 0);

  // Per-call caller IDs from `source` (which must outlive this builder); null = the campaign's
  // caller_id and the directory. Set before the runner starts (not synchronized with build()).
  void set_caller_id_source(CallerIdSource* source) { caller_id_source_ = source; }

  // Longer than every rule window over prior attempts (24 h caps, campaign spacing).
  static constexpr std::chrono::days kPriorAttemptsWindow{31};

  int ring_timeout_seconds() const { return ring_timeout_seconds_; }

 private:
  storage::ComplianceStore& compliance_;
  storage::CallStore& calls_;
  storage::CampaignStore* campaigns_;  // null: see the second constructor
  const dnc::NationalRegistry* registry_;
  CallerIdDirectory caller_ids_;
  CallerIdSource* caller_id_source_ = nullptr;
  int ring_timeout_seconds_;
};

}  // namespace outdial::dialer
