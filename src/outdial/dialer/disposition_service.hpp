#pragma once
// Call dispositions (wrap-up codes) and what they do to the campaign (issue #2 §2):
//   do_not_call  -> the number is on the tenant's internal do-not-call list at once (every channel);
//   callback     -> the campaign target is due again at callback_at (future, inside the
//                   campaign's reach: the gate still decides when that dial happens);
//   wrong_number -> the target is closed ("wrong_number"): never dialed again by this campaign;
//   other codes  -> recorded only.
// Every disposition is audited. A target with a call in progress is not rescheduled (kConflict:
// dispose again once the call ended); the disposition itself is stored first either way.
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/actor.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/core/disposition.hpp"
#include "outdial/storage/audit_store.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "outdial/storage/compliance_store.hpp"

namespace outdial::dialer {

struct DispositionRequest {
  DispositionCode code = DispositionCode::kOther;
  std::string note;
  std::optional<TimePoint> callback_at;
};

class DispositionService {
 public:
  DispositionService(storage::CallStore& calls, storage::CampaignStore& campaigns, storage::ComplianceStore& compliance,
                     storage::AuditStore& audit, const Clock& clock);

  // Errors: kPermissionDenied (a client viewer), kNotFound (no such attempt in the actor's
  // tenant), kInvalidArgument naming the field (callback without a future callback_at,
  // callback_at on another code, a note over 2,000 characters), kConflict (callback or
  // wrong_number while the contact's call is still in progress: the disposition is stored, the
  // target is left to the call's outcome).
  Result<Disposition> record(const Actor& actor, AttemptId attempt, const DispositionRequest& request);
  // The attempt's dispositions, oldest first (the newest counts). kNotFound as above.
  Result<std::vector<Disposition>> list(const Actor& actor, AttemptId attempt);

  static constexpr std::size_t kMaxNote = 2000;

 private:
  Result<CallAttempt> attempt_of(const Actor& actor, AttemptId attempt);

  storage::CallStore& calls_;
  storage::CampaignStore& campaigns_;
  storage::ComplianceStore& compliance_;
  storage::AuditStore& audit_;
  const Clock& clock_;
};

}  // namespace outdial::dialer
