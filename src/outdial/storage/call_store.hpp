#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/call.hpp"
#include "outdial/core/disposition.hpp"
#include "outdial/core/result.hpp"

namespace outdial::storage {

// Where a provider stored a call's recording (Twilio RecordingStatusCallback). outdial keeps
// the URL, never the audio.
struct CallRecording {
  std::int64_t id = 0;
  AttemptId attempt_id = 0;
  std::string provider;
  std::string provider_call_id;
  std::string recording_id;  // the provider's recording id (Twilio RecordingSid)
  std::string url;
  std::string status;        // completed | absent | failed
  int duration_seconds = 0;
  TimePoint at{};
};

// Call attempts and their append-only normalized events.
class CallStore {
 public:
  virtual ~CallStore() = default;
  // Inserts the attempt. If an attempt with the same idempotency_key exists, returns that one
  // unchanged instead (a retried create after a crash never makes a second attempt).
  virtual Result<CallAttempt> create_attempt(const CallAttempt& a) = 0;
  // Puts back an attempt row exactly as given, its id included (a dial from the dialer's journal
  // whose transaction a crash lost: events and the carrier may already name that id).
  // true: inserted; false: that very attempt (same id, same key) is stored already. kConflict if
  // the id or the key belongs to another attempt; kInvalidArgument for id 0 or an empty key.
  virtual Result<bool> restore_attempt(const CallAttempt& a) = 0;
  virtual Result<CallAttempt> get_attempt(AttemptId id) = 0;
  virtual Result<std::optional<CallAttempt>> find_by_provider_id(const std::string& provider,
                                                                 const std::string& provider_call_id) = 0;
  // Compare-and-set: writes every mutable field of `a` only if the stored state is still
  // `expected`. kConflict if another writer moved it first (or no attempt has a.id). Identity
  // fields (tenant_id, campaign_id, contact_id, attempt_number, idempotency_key, created_at) are
  // fixed by create_attempt and not rewritten.
  virtual Status update_attempt(const CallAttempt& a, CallState expected) = 0;
  // Attempts not in a terminal state (restart recovery), optionally for one campaign (0 = all).
  virtual Result<std::vector<CallAttempt>> live_attempts(CampaignId campaign) = 0;
  virtual Result<std::vector<CallAttempt>> list_attempts(TenantId tenant, CampaignId campaign,
                                                         std::int64_t offset, std::int64_t limit) = 0;
  virtual Result<std::vector<CallAttempt>> attempts_for_contact(CampaignId campaign, ContactId contact) = 0;
  // Every attempt of `tenant` to `phone_e164` (CallAttempt::to_number, exact E.164 match) created
  // at or after `since`, from any campaign, oldest first (created_at, then id). Includes attempts
  // that never reached the carrier (dialed_at empty): callers filter. Feeds the per-number
  // compliance facts (FL/OK/MD "any number" caps), so drivers index (tenant, number, created_at).
  virtual Result<std::vector<CallAttempt>> attempts_to_number(TenantId tenant, const std::string& phone_e164,
                                                              TimePoint since) = 0;
  // A campaign's attempts grouped by (state, answered, answered by a machine), for progress
  // reports without reading every row. answered = answered_at is set.
  struct AttemptTally {
    CallState state = CallState::kQueued;
    bool answered = false;
    bool by_machine = false;
    std::int64_t count = 0;
  };
  virtual Result<std::vector<AttemptTally>> tally_attempts(CampaignId campaign) = 0;
  // Attempts per final/current state for a campaign: state name -> count.
  virtual Result<std::map<std::string, std::int64_t>> count_by_state(CampaignId campaign) = 0;
  // Attempts made in [from, to) for a campaign (daily limits, the throttle after a restart):
  // created in that interval, not counting one canceled before anything was sent (no dial time,
  // no carrier call id; dialer::counts_as_attempt), which placed no call.
  virtual Result<std::int64_t> count_created_between(CampaignId campaign, TimePoint from, TimePoint to) = 0;

  // Appends an event. Returns false (and stores nothing) when an event with the same
  // (provider, dedupe_key) was already stored: replays and duplicates change nothing.
  virtual Result<bool> append_event(const CallEvent& e) = 0;
  virtual Result<std::vector<CallEvent>> events_for_call(const std::string& provider,
                                                         const std::string& provider_call_id) = 0;
  // Whether any event of this call id is stored without an attempt (it arrived before any
  // attempt knew the id): the one read a placement needs when nothing can be waiting otherwise.
  virtual Result<bool> has_unattached_events(const std::string& provider, const std::string& provider_call_id) = 0;

  // Stores a recording once per (provider, recording_id): false (nothing stored) when it was
  // already there, so a replayed callback changes nothing. Drivers without the table answer
  // kFailedPrecondition (the default).
  virtual Result<bool> add_recording(const CallRecording& r) {
    (void)r;
    return make_error(ErrorCode::kFailedPrecondition, "this call store does not keep recordings");
  }
  // Oldest first.
  // Dispositions (append-only): returns the stored row with its id; the attempt's, oldest first.
  virtual Result<Disposition> add_disposition(const Disposition& d) {
    (void)d;
    return make_error(ErrorCode::kFailedPrecondition, "this call store does not keep dispositions");
  }
  virtual Result<std::vector<Disposition>> dispositions_for_attempt(AttemptId attempt) {
    (void)attempt;
    return make_error(ErrorCode::kFailedPrecondition, "this call store does not keep dispositions");
  }
  virtual Result<std::vector<CallRecording>> recordings_for_attempt(AttemptId attempt) {
    (void)attempt;
    return make_error(ErrorCode::kFailedPrecondition, "this call store does not keep recordings");
  }
};

}  // namespace outdial::storage
