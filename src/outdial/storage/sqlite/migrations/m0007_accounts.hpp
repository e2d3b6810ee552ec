#pragma once
// Migration 7: provider accounts, their phone numbers and campaign caller-ID policies
// (issue #3 §3, storage::AccountStore).
//   - credential_blob holds only the sealed form (accounts::CredentialVault, "v1.<base64>").
//   - A live (not retired) number belongs to one tenant: unique E.164 among live rows; a retired
//     number may be bought again later.
//   - One live dedicated number per campaign (seed "AI Outbound Call Policy").
//   - A number's account must belong to the number's tenant (trigger).

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0007Accounts = R"sql(
CREATE TABLE provider_accounts (
  id               INTEGER PRIMARY KEY,
  tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
  provider         TEXT NOT NULL CHECK (provider IN ('twilio', 'telnyx', 'vapi', 'sim')),
  name             TEXT NOT NULL,
  account_sid      TEXT NOT NULL,
  connection_id    TEXT NOT NULL,
  api_base         TEXT NOT NULL,
  credential_blob  TEXT NOT NULL,
  calls_per_second INTEGER NOT NULL CHECK (calls_per_second >= 0),
  window_seconds   INTEGER NOT NULL CHECK (window_seconds >= 0),
  window_max       INTEGER NOT NULL CHECK (window_max >= 0),
  max_concurrency  INTEGER NOT NULL CHECK (max_concurrency >= 0),
  status           TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at       INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE phone_numbers (
  id                    INTEGER PRIMARY KEY,
  tenant_id             INTEGER NOT NULL REFERENCES tenants(id),
  account_id            INTEGER NOT NULL REFERENCES provider_accounts(id),
  e164                  TEXT NOT NULL,
  area_code             TEXT NOT NULL,
  state                 TEXT NOT NULL,
  label                 TEXT NOT NULL,
  status                TEXT NOT NULL CHECK (status IN ('active', 'flagged', 'retired')),
  status_reason         TEXT NOT NULL,
  dedicated_campaign_id INTEGER NOT NULL DEFAULT 0,
  created_at            INTEGER NOT NULL,
  status_changed_at     INTEGER
);
CREATE UNIQUE INDEX phone_numbers_live_e164 ON phone_numbers (e164) WHERE status <> 'retired';
CREATE UNIQUE INDEX phone_numbers_live_dedicated ON phone_numbers (dedicated_campaign_id)
  WHERE dedicated_campaign_id <> 0 AND status <> 'retired';
CREATE INDEX phone_numbers_tenant ON phone_numbers (tenant_id, account_id, status);

CREATE TRIGGER phone_numbers_account_tenant BEFORE INSERT ON phone_numbers
WHEN (SELECT tenant_id FROM provider_accounts WHERE id = NEW.account_id) IS NOT NEW.tenant_id
BEGIN
  SELECT RAISE(ABORT, 'phone number and provider account belong to different tenants');
END;

CREATE TABLE campaign_caller_ids (
  campaign_id    INTEGER PRIMARY KEY REFERENCES campaigns(id),
  tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
  strategy       TEXT NOT NULL CHECK (strategy IN ('dedicated', 'local_presence', 'static')),
  static_number  TEXT NOT NULL,
  default_number TEXT NOT NULL,
  updated_at     INTEGER NOT NULL
);
)sql";

}  // namespace outdial::storage::sqlite
