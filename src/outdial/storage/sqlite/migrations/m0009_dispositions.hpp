#pragma once
// Migration 9: call dispositions (wrap-up codes), append-only like the other records of what
// happened: a correction is a newer row.

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0009Dispositions = R"sql(
CREATE TABLE dispositions (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  attempt_id  INTEGER NOT NULL REFERENCES call_attempts(id),
  code        TEXT NOT NULL,
  note        TEXT NOT NULL DEFAULT '',
  callback_at INTEGER,
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX dispositions_attempt ON dispositions (attempt_id, id);
CREATE TRIGGER dispositions_no_update BEFORE UPDATE ON dispositions
BEGIN SELECT RAISE(ABORT, 'dispositions are append-only'); END;
CREATE TRIGGER dispositions_no_delete BEFORE DELETE ON dispositions
BEGIN SELECT RAISE(ABORT, 'dispositions are append-only'); END;
)sql";

}  // namespace outdial::storage::sqlite
