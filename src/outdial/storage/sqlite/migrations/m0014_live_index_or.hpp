#pragma once
// Migration 14: the partial index of live attempts is written as an OR of equalities.
//
// SQLite evaluates a partial index's WHERE on every INSERT and on both rows of every UPDATE of
// the table. A constant IN list of more than two values is compiled into a temporary b-tree
// that is built again each time the statement runs (OpenEphemeral + five inserts, twice per
// UPDATE): about 40% of the cost of an attempt update in bench/campaign. An OR of equalities is
// compiled into plain comparisons. SqliteCallStore::live_attempts_sql() writes the same
// expression, so the planner can still prove that its query implies the index's WHERE (a
// storage test checks the plan).

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0014LiveIndexOr = R"sql(
DROP INDEX call_attempts_live;
CREATE INDEX call_attempts_live ON call_attempts (id)
  WHERE (state = 'queued' OR state = 'dialing' OR state = 'ringing' OR state = 'answered_human' OR state = 'answered_machine');
)sql";

}  // namespace outdial::storage::sqlite
