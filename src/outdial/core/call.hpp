#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/core/ids.hpp"
#include "outdial/core/result.hpp"

namespace outdial {

// The call attempt state machine (issue #2 §2). Terminal states never change.
//   queued -> dialing | canceled | failed
//   dialing -> ringing | answered_human | answered_machine | busy | no_answer | failed | canceled
//   ringing -> answered_human | answered_machine | busy | no_answer | failed | canceled
//   answered_human -> completed | dropped
//   answered_machine -> completed | dropped
enum class CallState {
  kQueued,
  kDialing,
  kRinging,
  kAnsweredHuman,
  kAnsweredMachine,
  kCompleted,
  kBusy,
  kNoAnswer,
  kFailed,
  kCanceled,
  kDropped,
};
const char* to_string(CallState s);
std::optional<CallState> parse_call_state(const std::string& s);
bool is_terminal(CallState s);
bool can_transition(CallState from, CallState to);
// Returns the new state, or kFailedPrecondition naming both states when illegal.
Result<CallState> transition(CallState from, CallState to);

struct CallAttempt {
  AttemptId id = 0;
  TenantId tenant_id = 0;
  CampaignId campaign_id = 0;   // 0 for ad-hoc calls (dropped-call recovery, relay)
  ContactId contact_id = 0;
  int attempt_number = 1;
  // "<campaign>:<contact>:<attempt_number>" — unique; also sent to the provider so a retried
  // request after a crash cannot create a second call.
  std::string idempotency_key;
  CallState state = CallState::kQueued;
  std::string provider;          // "sim", "twilio", "telnyx", "vapi"
  std::string provider_call_id;  // empty until the provider accepted the call
  std::string from_number;
  std::string to_number;
  std::string digits;            // DTMF collected (IVR)
  bool answered_by_machine = false;
  TimePoint created_at{};
  std::optional<TimePoint> dialed_at;
  std::optional<TimePoint> answered_at;
  std::optional<TimePoint> ended_at;
  std::string failure_reason;
};

// Normalized carrier event (telephony layer -> dialer). Append-only in the store.
enum class CallEventKind {
  kInitiated,
  kRinging,
  kAnsweredHuman,
  kAnsweredMachine,
  kDigits,
  kCompleted,
  kBusy,
  kNoAnswer,
  kFailed,
  kCanceled,
  kDropped,
};
const char* to_string(CallEventKind k);
std::optional<CallEventKind> parse_call_event_kind(const std::string& s);
// The state an event moves a call to, or nullopt for events that carry data only (kDigits).
std::optional<CallState> state_for(CallEventKind k);

struct CallEvent {
  std::int64_t id = 0;
  std::string provider;
  std::string provider_call_id;
  AttemptId attempt_id = 0;       // filled by the dialer once correlated
  CallEventKind kind = CallEventKind::kInitiated;
  TimePoint at{};
  std::int64_t sequence = 0;      // provider sequence number (ordering, dedupe)
  std::string dedupe_key;         // unique per provider event; replays are ignored
  std::string digits;
  int duration_seconds = 0;
  std::string detail;             // provider error code, hang-up cause
};

}  // namespace outdial
