#pragma once
// Migration 13: numbers a carrier refused to call (CARRIER-REJECTED, POLICY). One row per tenant,
// number and channel; the gate blocks the tenant's later attempts on that channel until staff
// remove the row. Keyed by what the gate looks up, so the table is its own index.

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0013RejectedNumbers = R"sql(
CREATE TABLE rejected_numbers (
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  phone_e164    TEXT NOT NULL,
  channel       TEXT NOT NULL CHECK (channel IN ('voice', 'sms')),
  reason        TEXT NOT NULL,
  provider      TEXT NOT NULL,
  provider_code TEXT NOT NULL DEFAULT '',
  rejected_at   INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, phone_e164, channel)
) WITHOUT ROWID;
)sql";

}  // namespace outdial::storage::sqlite
