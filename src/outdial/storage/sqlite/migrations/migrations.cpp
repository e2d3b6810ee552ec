#include "outdial/storage/sqlite/migrations/migrations.hpp"

#include "outdial/storage/sqlite/migrations/m0001_schema.hpp"
#include "outdial/storage/sqlite/migrations/m0002_append_only.hpp"
#include "outdial/storage/sqlite/migrations/m0003_attempts_by_number.hpp"
#include "outdial/storage/sqlite/migrations/m0004_decisions_append_only.hpp"
#include "outdial/storage/sqlite/migrations/m0007_accounts.hpp"
#include "outdial/storage/sqlite/migrations/m0008_call_recordings.hpp"
#include "outdial/storage/sqlite/migrations/m0009_dispositions.hpp"
#include "outdial/storage/sqlite/migrations/m0010_caller_id_candidates.hpp"
#include "outdial/storage/sqlite/migrations/m0012_event_locality.hpp"
#include "outdial/storage/sqlite/migrations/m0013_rejected_numbers.hpp"
#include "outdial/storage/sqlite/migrations/m0014_live_index_or.hpp"
#include "outdial/storage/sqlite/migrations/m0015_contact_numbers.hpp"
#include "outdial/storage/sqlite/migrations/m0016_unsent_attempts.hpp"
#include "outdial/storage/sqlite/migrations/m0017_deferred_numbers.hpp"

namespace outdial::storage::sqlite {

std::span<const Migration> migrations() {
  static constexpr Migration kAll[] = {
      {1, "schema", kMigration0001Schema},
      {2, "append_only", kMigration0002AppendOnly},
      {3, "attempts_by_number", kMigration0003AttemptsByNumber},
      {4, "decisions_append_only", kMigration0004DecisionsAppendOnly},
      // 5-6 were reserved while modules landed in parallel and never used: no release has them.
      {7, "accounts", kMigration0007Accounts},
      {8, "call_recordings", kMigration0008CallRecordings},
      {9, "dispositions", kMigration0009Dispositions},
      {10, "caller_id_candidates", kMigration0010CallerIdCandidates},
      // 11 was reserved for parallel work and never used.
      {12, "event_locality", kMigration0012EventLocality},
      {13, "rejected_numbers", kMigration0013RejectedNumbers},
      {14, "live_index_or", kMigration0014LiveIndexOr},
      {15, "contact_numbers", kMigration0015ContactNumbers, /*foreign_keys_off=*/true},
      {16, "unsent_attempts", kMigration0016UnsentAttempts},
      {17, "deferred_numbers", kMigration0017DeferredNumbers},
  };
  return kAll;
}

}  // namespace outdial::storage::sqlite
