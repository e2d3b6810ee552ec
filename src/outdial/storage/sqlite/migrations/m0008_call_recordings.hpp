#pragma once
// Migration 8: where providers keep call recordings (Twilio RecordingStatusCallback). One row
// per (provider, recording id), so a replayed callback inserts nothing. The URL only: outdial
// never stores the audio (seed "PII minimization: store recording URLs, not blobs").

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0008CallRecordings = R"sql(
CREATE TABLE call_recordings (
  id               INTEGER PRIMARY KEY,
  attempt_id       INTEGER NOT NULL,
  provider         TEXT NOT NULL,
  provider_call_id TEXT NOT NULL,
  recording_id     TEXT NOT NULL,
  url              TEXT NOT NULL,
  status           TEXT NOT NULL,
  duration_seconds INTEGER NOT NULL,
  at               INTEGER NOT NULL,
  UNIQUE (provider, recording_id)
);
CREATE INDEX call_recordings_attempt ON call_recordings (attempt_id);
)sql";

}  // namespace outdial::storage::sqlite
