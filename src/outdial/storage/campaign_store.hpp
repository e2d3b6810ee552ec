#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/campaign.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"

namespace outdial::storage {

struct TargetCounts {
  std::int64_t total = 0;
  std::map<std::string, std::int64_t> by_status;  // TargetStatus name -> count
  std::map<std::string, std::int64_t> blocked_outcomes;  // kBlocked targets: last_outcome -> count
};

// Campaigns and their per-contact targets. Claiming a target is an atomic lease in the
// database, so several nodes sharing one database never dial the same contact at once.
class CampaignStore {
 public:
  virtual ~CampaignStore() = default;
  virtual Result<Campaign> create_campaign(const Campaign& c) = 0;
  virtual Result<Campaign> get_campaign(TenantId tenant, CampaignId id) = 0;
  // Any tenant; for the dialer, which works across tenants.
  virtual Result<Campaign> get_campaign_any(CampaignId id) = 0;
  virtual Result<std::vector<Campaign>> list_campaigns(TenantId tenant) = 0;
  // Campaigns in status kActive, every tenant (the dialer's work list).
  virtual Result<std::vector<Campaign>> list_active_campaigns() = 0;
  // Overwrites the mutable fields (status, activated_by/at, limits, schedule). kNotFound if gone.
  virtual Result<Campaign> update_campaign(const Campaign& c) = 0;

  // Adds every contact of the list as a kPending target eligible at `eligible_at`; contacts
  // already targeted are left unchanged. Returns the number added.
  virtual Result<std::int64_t> add_targets_from_list(CampaignId campaign, ListId list, TimePoint eligible_at) = 0;

  // Atomically leases up to `max` targets that are kPending with next_eligible_at <= now and
  // no live lease (lease empty or expired), ordered by next_eligible_at then contact id. Targets
  // left kInProgress by a node whose lease expired (crashed, stopped renewing) are reclaimable
  // too, and are taken first.
  // Leased targets become kInProgress with lease_owner = node and lease_expires_at = now + ttl.
  // Two concurrent callers never receive the same target.
  virtual Result<std::vector<CampaignTarget>> claim_targets(CampaignId campaign, const std::string& node,
                                                            TimePoint now, Millis ttl, int max) = 0;
  // Writes status/attempts/next_eligible_at/last_outcome and clears the lease, but only if
  // `node` still holds it (kConflict otherwise).
  virtual Status release_target(const CampaignTarget& t, const std::string& node) = 0;
  // Writes status/next_eligible_at/last_outcome of a target that no node holds (a disposition
  // reschedules or closes it). kConflict while it is leased (a call is in progress), kNotFound
  // when the campaign has no such target.
  virtual Status update_idle_target(const CampaignTarget& t) = 0;
  // Makes the target kInProgress, leased by `node` until now + ttl: the claim of a dial put back
  // from the dialer's journal after a crash lost the transaction that claimed it. kConflict if
  // another node holds an unexpired lease on it, kNotFound if the campaign has no such target.
  virtual Status hold_target(CampaignId campaign, ContactId contact, const std::string& node, TimePoint now,
                             Millis ttl) = 0;
  // Extends the leases this node holds in the campaign (live calls) to now + ttl.
  virtual Status renew_leases(CampaignId campaign, const std::string& node, TimePoint now, Millis ttl) = 0;
  virtual Result<std::optional<CampaignTarget>> get_target(CampaignId campaign, ContactId contact) = 0;
  // Targets in kInProgress held by `node` (restart recovery).
  virtual Result<std::vector<CampaignTarget>> targets_held_by(CampaignId campaign, const std::string& node) = 0;
  virtual Result<std::vector<CampaignTarget>> list_targets(CampaignId campaign, std::int64_t offset,
                                                           std::int64_t limit) = 0;
  virtual Result<TargetCounts> count_targets(CampaignId campaign) = 0;
  // The earliest next_eligible_at among kPending targets, if any (so the runner sleeps until then
  // instead of polling).
  virtual Result<std::optional<TimePoint>> next_eligible_at(CampaignId campaign) = 0;
};

}  // namespace outdial::storage
