#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "outdial/core/actor.hpp"
#include "outdial/core/campaign.hpp"
#include "outdial/core/result.hpp"

namespace outdial::dialer {

struct Progress {
  CampaignId campaign_id = 0;
  std::string status;
  std::int64_t contacts = 0;
  std::map<std::string, std::int64_t> targets;   // pending/in_progress/done/blocked/exhausted
  std::int64_t attempts = 0;
  std::int64_t in_flight = 0;
  std::int64_t connects = 0;      // answered by a human
  std::int64_t voicemails = 0;    // answered by a machine
  std::int64_t busy = 0;
  std::int64_t no_answer = 0;
  std::int64_t failed = 0;
  std::int64_t dropped = 0;
  std::int64_t blocked = 0;       // targets blocked by the gate
  std::map<std::string, std::int64_t> blocked_by_rule;  // rule id -> count
  double connect_rate = 0.0;      // connects / finished attempts
};

// Campaign lifecycle with the policy checks (seed "AI Outbound Call Policy": staff-only manual
// activation; script locked once active; auto-expiry). Every change is audited.
// Errors: kPermissionDenied (role), kNotFound (other tenant / missing), kFailedPrecondition
// (illegal status change), kInvalidArgument (field named in details).
class CampaignService {
 public:
  virtual ~CampaignService() = default;
  virtual Result<Campaign> create(const Actor& actor, const Campaign& draft) = 0;
  virtual Result<Campaign> get(const Actor& actor, CampaignId id) = 0;
  virtual Result<std::vector<Campaign>> list(const Actor& actor) = 0;
  virtual Result<Campaign> activate(const Actor& actor, CampaignId id) = 0;  // = "start"
  virtual Result<Campaign> pause(const Actor& actor, CampaignId id) = 0;
  virtual Result<Campaign> resume(const Actor& actor, CampaignId id) = 0;
  virtual Result<Campaign> stop(const Actor& actor, CampaignId id) = 0;
  virtual Result<Progress> progress(const Actor& actor, CampaignId id) = 0;
};

}  // namespace outdial::dialer
