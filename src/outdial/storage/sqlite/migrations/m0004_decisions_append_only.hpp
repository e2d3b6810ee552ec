#pragma once
// Migration 4: stored gate decisions are part of the audit trail (issue #2: "every gate decision"
// is recorded), so, like audit_log and call_events, they can be appended but never changed.

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0004DecisionsAppendOnly = R"sql(
CREATE TRIGGER gate_decisions_no_update BEFORE UPDATE ON gate_decisions
BEGIN SELECT RAISE(ABORT, 'gate_decisions is append-only'); END;
CREATE TRIGGER gate_decisions_no_delete BEFORE DELETE ON gate_decisions
BEGIN SELECT RAISE(ABORT, 'gate_decisions is append-only'); END;
)sql";

}  // namespace outdial::storage::sqlite
