#pragma once
// Migration 10: the dialer reads a contact's caller-ID candidates on every dial (local
// presence: the tenant's active numbers in the contact's state, AccountStore::
// active_numbers_in_state). Without an index that read walked the tenant's whole pool, retired
// numbers included (bench/callerid: ~1.7 us per number in the pool per dial). Partial on
// status = 'active', so flagged and retired numbers cost nothing; id last for ORDER BY id.

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0010CallerIdCandidates = R"sql(
CREATE INDEX phone_numbers_active_state ON phone_numbers (tenant_id, state, id) WHERE status = 'active';
)sql";

}  // namespace outdial::storage::sqlite
