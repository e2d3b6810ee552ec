#pragma once
// Migration 16: a partial index of the attempts canceled before anything was sent.
//
// CallStore::count_created_between (a campaign's daily limit, asked at every gate check of a
// campaign with one) counts attempts made, leaving out those canceled before anything was sent.
// Written as one query with that condition, every attempt of the day was read from the table to
// check it. Counted instead as "all created in the range" (covered by call_attempts_campaign_created)
// minus "canceled unsent in the range" (this index, as small as such attempts are rare), neither
// reads a row. The query writes the same WHERE so the planner can use it (a storage test checks).

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0016UnsentAttempts = R"sql(
CREATE INDEX call_attempts_unsent ON call_attempts (campaign_id, created_at)
  WHERE state = 'canceled' AND dialed_at IS NULL AND provider_call_id = '';
)sql";

}  // namespace outdial::storage::sqlite
