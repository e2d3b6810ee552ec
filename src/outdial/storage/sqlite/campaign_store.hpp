#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "outdial/storage/campaign_store.hpp"

namespace outdial::storage::sqlite {

class Connection;

class SqliteCampaignStore final : public CampaignStore {
 public:
  explicit SqliteCampaignStore(Connection& conn);
  ~SqliteCampaignStore() override;
  SqliteCampaignStore(const SqliteCampaignStore&) = delete;
  SqliteCampaignStore& operator=(const SqliteCampaignStore&) = delete;
  Result<Campaign> create_campaign(const Campaign& c) override;
  Result<Campaign> get_campaign(TenantId tenant, CampaignId id) override;
  Result<Campaign> get_campaign_any(CampaignId id) override;
  Result<std::vector<Campaign>> list_campaigns(TenantId tenant) override;
  Result<std::vector<Campaign>> list_active_campaigns() override;
  Result<Campaign> update_campaign(const Campaign& c) override;
  Result<std::int64_t> add_targets_from_list(CampaignId campaign, ListId list,
                                             TimePoint eligible_at) override;
  Result<std::vector<CampaignTarget>> claim_targets(CampaignId campaign, const std::string& node,
                                                    TimePoint now, Millis ttl, int max) override;
  Status release_target(const CampaignTarget& t, const std::string& node) override;
  Status update_idle_target(const CampaignTarget& t) override;
  Status hold_target(CampaignId campaign, ContactId contact, const std::string& node, TimePoint now,
                     Millis ttl) override;
  Status renew_leases(CampaignId campaign, const std::string& node, TimePoint now, Millis ttl) override;
  Result<std::optional<CampaignTarget>> get_target(CampaignId campaign, ContactId contact) override;
  Result<std::vector<CampaignTarget>> targets_held_by(CampaignId campaign, const std::string& node) override;
  Result<std::vector<CampaignTarget>> list_targets(CampaignId campaign, std::int64_t offset,
                                                   std::int64_t limit) override;
  Result<TargetCounts> count_targets(CampaignId campaign) override;
  Result<std::optional<TimePoint>> next_eligible_at(CampaignId campaign) override;

 private:
  // claim_targets' expired-lease pass reads every in-progress target of the campaign (the claim
  // index does not cover lease_expires_at). Skipped while `now` is below a known lower bound of
  // those leases' expiries: the MIN read after the last full pass, lowered by every lease this
  // connection grants or renews. Forgotten when another connection commits (PRAGMA
  // data_version) or a transaction on this one rolls back (rollback hook).
  bool expired_pass_needed_locked(CampaignId campaign, TimePoint now);
  void lower_lease_floor_locked(CampaignId campaign, TimePoint expires);
  // Why an UPDATE of one target changed no row: kNotFound if the campaign has no such target,
  // else kConflict with `conflict`; details name the target (plus `details`).
  Status target_refused_locked(CampaignId campaign, ContactId contact, const std::string& conflict,
                               std::map<std::string, std::string> details);
  static void on_rollback(void* self);

  Connection& conn_;
  struct LeaseFloor {
    std::optional<TimePoint> at;  // nullopt: no in-progress target holds a lease
  };
  std::map<CampaignId, LeaseFloor> lease_floor_;
  std::int64_t data_version_ = -1;
};

}  // namespace outdial::storage::sqlite
