#pragma once
#include "outdial/core/clock.hpp"
#include "outdial/dialer/campaign_service.hpp"
#include "outdial/storage/audit_store.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "outdial/storage/contact_store.hpp"

namespace outdial::dialer {

// CampaignService over the stores. Roles (seed "AI Outbound Call Policy": "Staff-only manual
// activation", "Clients do not get access to outbound controls"):
//   create, activate, resume: operator admin/staff only;
//   pause, stop: staff and agents (the safe direction);
//   get, list, progress: everyone in the tenant; client viewers never mutate.
// Another tenant's campaign is kNotFound. Every change is appended to the audit log.
// Thread-safe if the stores are.
class CampaignServiceImpl final : public CampaignService {
 public:
  CampaignServiceImpl(storage::CampaignStore& campaigns, storage::ContactStore& contacts, storage::CallStore& calls,
                      storage::AuditStore& audit, const Clock& clock);

  Result<Campaign> create(const Actor& actor, const Campaign& draft) override;
  Result<Campaign> get(const Actor& actor, CampaignId id) override;
  Result<std::vector<Campaign>> list(const Actor& actor) override;
  Result<Campaign> activate(const Actor& actor, CampaignId id) override;
  Result<Campaign> pause(const Actor& actor, CampaignId id) override;
  Result<Campaign> resume(const Actor& actor, CampaignId id) override;
  Result<Campaign> stop(const Actor& actor, CampaignId id) override;
  Result<Progress> progress(const Actor& actor, CampaignId id) override;

 private:
  Result<Campaign> change_status(const Actor& actor, CampaignId id, const char* action, bool staff_only);
  void audit(const Actor& actor, const Campaign& c, const std::string& action, const std::string& payload);

  storage::CampaignStore& campaigns_;
  storage::ContactStore& contacts_;
  storage::CallStore& calls_;
  storage::AuditStore& audit_;
  const Clock& clock_;
};

// Field validation for create (kInvalidArgument with details {"field": name}).
Status validate_campaign(const Campaign& c, TimePoint now);

}  // namespace outdial::dialer
