#pragma once
// Migration 1: the initial schema. Timestamps are INTEGER epoch milliseconds (UTC); enums are
// stored as their wire names (core to_string/parse_*).

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0001Schema = R"sql(
CREATE TABLE tenants (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  default_region TEXT NOT NULL,
  us_only        INTEGER NOT NULL,
  help_text      TEXT NOT NULL,
  created_at     INTEGER NOT NULL
);

CREATE TABLE users (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  email      TEXT NOT NULL,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, email)
);

CREATE TABLE api_keys (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  key_hash   TEXT NOT NULL UNIQUE,
  label      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE contact_lists (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE contacts (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  list_id       INTEGER NOT NULL REFERENCES contact_lists(id),
  phone_e164    TEXT NOT NULL,
  first_name    TEXT NOT NULL,
  last_name     TEXT NOT NULL,
  email         TEXT NOT NULL,
  timezone      TEXT NOT NULL,
  state         TEXT NOT NULL,
  tags          TEXT NOT NULL,  -- JSON array of strings
  custom_fields TEXT NOT NULL,  -- JSON object string -> string
  line_type     TEXT NOT NULL,
  national_dnc  INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  UNIQUE (list_id, phone_e164)
);
CREATE INDEX contacts_tenant_list ON contacts (tenant_id, list_id, id);

CREATE TABLE consents (
  id                      INTEGER PRIMARY KEY,
  tenant_id               INTEGER NOT NULL REFERENCES tenants(id),
  phone_e164              TEXT NOT NULL,
  type                    TEXT NOT NULL,
  ebr_kind                TEXT NOT NULL,
  ebr_start               INTEGER,
  channel                 TEXT,  -- NULL = every channel
  covers_artificial_voice INTEGER NOT NULL,
  source                  TEXT NOT NULL,
  evidence                TEXT NOT NULL,
  granted_at              INTEGER NOT NULL,
  revoked_at              INTEGER
);
CREATE INDEX consents_tenant_phone ON consents (tenant_id, phone_e164);

CREATE TABLE dnc_entries (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  phone_e164 TEXT NOT NULL,
  reason     TEXT NOT NULL,
  source     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, phone_e164)
);

CREATE TABLE campaigns (
  id                    INTEGER PRIMARY KEY,
  tenant_id             INTEGER NOT NULL REFERENCES tenants(id),
  name                  TEXT NOT NULL,
  description           TEXT NOT NULL,
  script                TEXT NOT NULL,
  voicemail_text        TEXT NOT NULL,
  purpose               TEXT NOT NULL,
  voice                 TEXT NOT NULL,
  status                TEXT NOT NULL,
  list_id               INTEGER NOT NULL,
  caller_id             TEXT NOT NULL,
  agent_number          TEXT NOT NULL,
  lines                 INTEGER NOT NULL,
  max_concurrency       INTEGER NOT NULL,
  calls_per_minute      INTEGER NOT NULL,
  max_attempts          INTEGER NOT NULL,
  min_spacing_minutes   INTEGER NOT NULL,
  daily_limit           INTEGER NOT NULL,
  retry_busy_max        INTEGER NOT NULL,
  retry_busy_backoff    INTEGER NOT NULL,
  retry_no_answer_max   INTEGER NOT NULL,
  retry_no_answer_backoff INTEGER NOT NULL,
  retry_machine_max     INTEGER NOT NULL,
  retry_machine_backoff INTEGER NOT NULL,
  retry_failed_max      INTEGER NOT NULL,
  retry_failed_backoff  INTEGER NOT NULL,
  schedule_start        INTEGER,
  schedule_end          INTEGER,
  expires_at            INTEGER,
  record_calls          INTEGER NOT NULL,
  recording_disclosure  INTEGER NOT NULL,
  created_by            INTEGER NOT NULL,
  activated_by          INTEGER,
  activated_at          INTEGER,
  created_at            INTEGER NOT NULL
);
CREATE INDEX campaigns_tenant ON campaigns (tenant_id, id);
CREATE INDEX campaigns_status ON campaigns (status);

CREATE TABLE campaign_targets (
  campaign_id      INTEGER NOT NULL REFERENCES campaigns(id),
  contact_id       INTEGER NOT NULL REFERENCES contacts(id),
  status           TEXT NOT NULL,
  attempts         INTEGER NOT NULL,
  next_eligible_at INTEGER NOT NULL,
  last_outcome     TEXT NOT NULL,
  lease_owner      TEXT NOT NULL,  -- '' = free
  lease_expires_at INTEGER,
  PRIMARY KEY (campaign_id, contact_id)
);
-- contact_id last: the claim query walks this index in (next_eligible_at, contact_id) order and
-- stops at LIMIT instead of sorting every pending target.
CREATE INDEX campaign_targets_claim ON campaign_targets (campaign_id, status, next_eligible_at, contact_id);

-- campaign_id / contact_id are 0 for ad-hoc calls, so they carry no foreign key.
CREATE TABLE call_attempts (
  id                  INTEGER PRIMARY KEY,
  tenant_id           INTEGER NOT NULL,
  campaign_id         INTEGER NOT NULL,
  contact_id          INTEGER NOT NULL,
  attempt_number      INTEGER NOT NULL,
  idempotency_key     TEXT NOT NULL UNIQUE,
  state               TEXT NOT NULL,
  provider            TEXT NOT NULL,
  provider_call_id    TEXT NOT NULL,
  from_number         TEXT NOT NULL,
  to_number           TEXT NOT NULL,
  digits              TEXT NOT NULL,
  answered_by_machine INTEGER NOT NULL,
  created_at          INTEGER NOT NULL,
  dialed_at           INTEGER,
  answered_at         INTEGER,
  ended_at            INTEGER,
  failure_reason      TEXT NOT NULL
);
CREATE INDEX call_attempts_provider ON call_attempts (provider, provider_call_id);
CREATE INDEX call_attempts_campaign ON call_attempts (campaign_id, contact_id);
CREATE INDEX call_attempts_campaign_created ON call_attempts (campaign_id, created_at);
CREATE INDEX call_attempts_state ON call_attempts (state);

-- dedupe_key NULL = the event carries no dedupe key (never deduplicated).
CREATE TABLE call_events (
  id               INTEGER PRIMARY KEY,
  provider         TEXT NOT NULL,
  provider_call_id TEXT NOT NULL,
  attempt_id       INTEGER NOT NULL,
  kind             TEXT NOT NULL,
  at               INTEGER NOT NULL,
  sequence         INTEGER NOT NULL,
  dedupe_key       TEXT,
  digits           TEXT NOT NULL,
  duration_seconds INTEGER NOT NULL,
  detail           TEXT NOT NULL,
  UNIQUE (provider, dedupe_key)
);
CREATE INDEX call_events_call ON call_events (provider, provider_call_id);

CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  entity_type  TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  at           INTEGER NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, entity_type, id);

CREATE TABLE gate_decisions (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL,
  campaign_id INTEGER NOT NULL,
  contact_id  INTEGER NOT NULL,
  phone_e164  TEXT NOT NULL,
  channel     TEXT NOT NULL,
  verdict     TEXT NOT NULL,
  rule        TEXT NOT NULL,
  reason      TEXT NOT NULL,
  allowed_at  INTEGER,
  decided_at  INTEGER NOT NULL
);
CREATE INDEX gate_decisions_tenant ON gate_decisions (tenant_id, campaign_id, id);
)sql";

}  // namespace outdial::storage::sqlite
