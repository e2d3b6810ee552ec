#pragma once
// Migration 12: call events and attempts indexed for locality.
//
// call_events are indexed by attempt instead of by the carrier's call id.
//
// Carriers' call ids are random (Twilio CA + 32 hex, Telnyx v3:…, the simulated carrier's too),
// so the old indexes on (provider, dedupe_key) and (provider, provider_call_id) put every new
// event on a random leaf page: one 4 KiB WAL frame per event per index, which made event
// ingestion write-bound (bench/campaign: ~90 frames per commit at 100k contacts). Attempt ids
// grow with time and the events of live calls belong to recent attempts, so an index led by
// attempt_id appends near its end.
//
// - An event that names its attempt is unique on (attempt_id, provider, dedupe_key): one call id
//   belongs to one attempt, so this is the old (provider, dedupe_key) key for attached events.
// - An event whose attempt is not known yet (attempt_id 0; a crash left the call id unstored, or
//   the call is not ours) is, by the same index, unique on (provider, dedupe_key) among such
//   events, and found by call id through a partial index as small as the number of such events.
// - The store checks the orphan index before appending an attached event, so a webhook first
//   stored as an orphan and re-delivered after its attempt learned the call id is still a duplicate.
//
//
// call_attempts_state indexed every attempt by state, so each state change moved an entry
// between state segments. Only the live ones are ever looked up by state (restart recovery and
// the live-call count): a partial index over the live states stays as small as the calls in
// flight (keyed by id, so the recovery scan is already in id order). Its WHERE must be written exactly as SqliteCallStore::live_attempts writes it, or the
// planner cannot prove the query implies it (a storage test checks the plan).
//
// SQLite cannot drop a table constraint, so the table is rebuilt (ids kept); the append-only
// triggers of migration 2 go with the old table and are created again.

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0012EventLocality = R"sql(
CREATE TABLE call_events_v12 (
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
  detail           TEXT NOT NULL
);
INSERT INTO call_events_v12 (id, provider, provider_call_id, attempt_id, kind, at, sequence, dedupe_key,
                             digits, duration_seconds, detail)
  SELECT id, provider, provider_call_id, attempt_id, kind, at, sequence, dedupe_key, digits, duration_seconds,
         detail FROM call_events ORDER BY id;
DROP TABLE call_events;
ALTER TABLE call_events_v12 RENAME TO call_events;
CREATE UNIQUE INDEX call_events_attempt ON call_events (attempt_id, provider, dedupe_key);
CREATE INDEX call_events_orphan_call ON call_events (provider, provider_call_id) WHERE attempt_id = 0;
DROP INDEX call_attempts_state;
CREATE INDEX call_attempts_live ON call_attempts (id)
  WHERE state IN ('queued', 'dialing', 'ringing', 'answered_human', 'answered_machine');
CREATE TRIGGER call_events_no_update BEFORE UPDATE ON call_events
BEGIN SELECT RAISE(ABORT, 'call_events is append-only'); END;
CREATE TRIGGER call_events_no_delete BEFORE DELETE ON call_events
BEGIN SELECT RAISE(ABORT, 'call_events is append-only'); END;
)sql";

}  // namespace outdial::storage::sqlite
