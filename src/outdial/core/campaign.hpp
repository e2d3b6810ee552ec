#pragma once
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/core/ids.hpp"

namespace outdial {

// Why the call is placed. The AI policy (seed "AI Outbound Call Policy") allows AI voice only for
// kDroppedCallRecovery and staff-activated kReactivation with consent.
enum class Purpose {
  kReactivation,
  kDroppedCallRecovery,
  kMessageRelay,       // relaying a customer message to an employee and bridging them
  kPowerDialer,        // a human agent works a lead list
  kColdList,
  kMissedCallNoIntent,
  kNoShowRebooking,
  kInternalFollowUp,
  kInformational,
};
const char* to_string(Purpose p);
std::optional<Purpose> parse_purpose(const std::string& s);
// Telemarketing purposes need the stricter consent and DNC rules.
bool is_telemarketing(Purpose p);

enum class VoiceType { kHuman, kAi, kPrerecorded };
const char* to_string(VoiceType v);
std::optional<VoiceType> parse_voice_type(const std::string& s);

enum class CampaignStatus { kDraft, kActive, kPaused, kStopped, kCompleted, kExpired };
const char* to_string(CampaignStatus s);
std::optional<CampaignStatus> parse_campaign_status(const std::string& s);

struct RetryRule {
  int max_attempts = 3;       // total attempts for this outcome, including the first
  int backoff_minutes = 60;   // wait before the next attempt
};

struct RetryPolicy {
  RetryRule busy{3, 10};
  RetryRule no_answer{3, 120};
  RetryRule machine{2, 1440};
  RetryRule failed{2, 60};
};

struct Campaign {
  CampaignId id = 0;
  TenantId tenant_id = 0;
  std::string name;
  std::string description;
  std::string script;        // locked once activated
  std::string voicemail_text;
  Purpose purpose = Purpose::kReactivation;
  VoiceType voice = VoiceType::kAi;
  CampaignStatus status = CampaignStatus::kDraft;
  ListId list_id = 0;
  std::string caller_id;     // E.164, must be owned by the tenant
  std::string agent_number;  // press 1 bridges here
  int lines = 1;             // progressive: calls in flight per line
  int max_concurrency = 5;
  int calls_per_minute = 30;
  int max_attempts = 3;      // across all outcomes
  int min_spacing_minutes = 60;
  int daily_limit = 0;       // 0 = unlimited; attempts per local day (UTC day in v1)
  RetryPolicy retry;
  std::optional<TimePoint> schedule_start;
  std::optional<TimePoint> schedule_end;
  std::optional<TimePoint> expires_at;
  bool record_calls = false;
  bool recording_disclosure = false;
  UserId created_by = 0;
  std::optional<UserId> activated_by;
  std::optional<TimePoint> activated_at;
  TimePoint created_at{};
};

// Per-contact progress inside one campaign; the unit the dialer leases.
enum class TargetStatus { kPending, kInProgress, kDone, kBlocked, kExhausted };
const char* to_string(TargetStatus s);
std::optional<TargetStatus> parse_target_status(const std::string& s);

struct CampaignTarget {
  CampaignId campaign_id = 0;
  ContactId contact_id = 0;
  TargetStatus status = TargetStatus::kPending;
  int attempts = 0;
  TimePoint next_eligible_at{};
  std::string last_outcome;   // call state name or "blocked:<RULE>"
  std::string lease_owner;    // node id holding the lease, empty when free
  std::optional<TimePoint> lease_expires_at;
};

}  // namespace outdial
