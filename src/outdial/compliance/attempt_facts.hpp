#pragma once
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/campaign.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/core/consent.hpp"
#include "outdial/core/contact.hpp"

namespace outdial::compliance {

// Everything the gate needs to decide one call or text, gathered by the caller (dialer, API
// what-if). The gate itself does no I/O, so it is pure, fast, and testable with any clock.
struct PriorAttempt {
  TimePoint at{};
  Channel channel = Channel::kVoice;
  std::string subject;        // FL/OK/MD caps count attempts on the same subject
};

struct OptOut {
  TimePoint at{};
  Channel channel = Channel::kSms;
  std::string text;           // "STOP", "press 2", "please don't call me"
};

struct CampaignFacts {
  bool present = false;       // false for ad-hoc calls (dropped-call recovery, relay)
  CampaignStatus status = CampaignStatus::kDraft;
  bool activated_by_staff = false;
  std::optional<TimePoint> schedule_start;
  std::optional<TimePoint> schedule_end;
  std::optional<TimePoint> expires_at;
  int max_attempts = 0;         // 0 = no cap
  int min_spacing_minutes = 0;  // between attempts to the same contact
  int daily_limit = 0;          // 0 = no cap
  int attempts_today = 0;       // campaign attempts already made in the current day
  int attempts_made = 0;        // campaign attempts already made to this contact (max_attempts)
};

enum class ReassignedStatus { kNotChecked, kNo, kYes, kNoData };

struct AttemptFacts {
  std::string phone_e164;        // "+1..." (callers normalize first)
  std::string stated_timezone;   // IANA, may be empty
  std::string stated_state;      // USPS code, may be empty
  TimePoint at{};                // when the call would be placed
  Channel channel = Channel::kVoice;
  Purpose purpose = Purpose::kReactivation;
  VoiceType voice = VoiceType::kHuman;
  LineType line_type = LineType::kUnknown;
  bool autodialed = true;        // placed by the dialer without a human pressing dial

  std::vector<ConsentRecord> consents;
  bool on_internal_dnc = false;
  bool on_national_dnc = false;
  std::optional<TimePoint> national_dnc_loaded_at;  // registry copy date (DNC-STALE)
  std::vector<OptOut> opt_outs;
  ReassignedStatus reassigned = ReassignedStatus::kNotChecked;
  // CARRIER-REJECTED (POLICY): a carrier already refused this number on this channel (invalid,
  // unassigned, outside the account's geographic permissions); its words, for the reason.
  bool carrier_rejected = false;
  std::string carrier_rejected_reason;

  std::vector<PriorAttempt> prior_attempts;  // to this number, any campaign, newest last
  std::string subject;                       // this attempt's subject (campaign name/purpose)
  CampaignFacts campaign;

  // Dropped-call recovery: when the live call dropped and the configured callback window.
  std::optional<TimePoint> dropped_call_at;
  int callback_window_minutes = 2;

  std::string caller_id;
  bool caller_id_owned = false;
  // Why no owned caller ID could be chosen (the dialer's caller-ID selection), for the reason
  // of a CID-VALID block; empty when unknown.
  std::string caller_id_problem;
  bool recording = false;
  bool recording_disclosure = false;
  int ring_timeout_seconds = 30;
  bool state_emergency = false;  // LA-EMERGENCY feed for the contact's state
  // SMS-CONFIRM: this text is the single confirmation reply to the latest opt-out (non-marketing,
  // must go within 5 minutes of it; no other text since).
  bool opt_out_confirmation = false;
};

}  // namespace outdial::compliance
