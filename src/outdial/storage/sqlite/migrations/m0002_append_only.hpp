#pragma once
// Migration 2: call_events and audit_log are append-only (issue #2: the audit trail and the
// carrier event log are evidence). Any UPDATE or DELETE aborts the statement.

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0002AppendOnly = R"sql(
CREATE TRIGGER call_events_no_update BEFORE UPDATE ON call_events
BEGIN SELECT RAISE(ABORT, 'call_events is append-only'); END;
CREATE TRIGGER call_events_no_delete BEFORE DELETE ON call_events
BEGIN SELECT RAISE(ABORT, 'call_events is append-only'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";

}  // namespace outdial::storage::sqlite
