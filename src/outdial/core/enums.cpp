// Wire names of the core enums: used in JSON, the database and the CLI. Changing one is a
// schema change.
#include "outdial/core/campaign.hpp"
#include "outdial/core/consent.hpp"
#include "outdial/core/contact.hpp"
#include "outdial/core/enum_table.hpp"
#include "outdial/core/tenant.hpp"

namespace outdial {
namespace {
constexpr std::pair<Role, const char*> kRoles[] = {
    {Role::kOperatorAdmin, "operator_admin"},
    {Role::kOperatorStaff, "operator_staff"},
    {Role::kAgent, "agent"},
    {Role::kClientViewer, "client_viewer"},
};
constexpr std::pair<LineType, const char*> kLineTypes[] = {
    {LineType::kUnknown, "unknown"},
    {LineType::kWireless, "wireless"},
    {LineType::kLandline, "landline"},
    {LineType::kVoip, "voip"},
};
constexpr std::pair<Channel, const char*> kChannels[] = {
    {Channel::kVoice, "voice"},
    {Channel::kSms, "sms"},
};
constexpr std::pair<ConsentType, const char*> kConsentTypes[] = {
    {ConsentType::kPriorExpressWritten, "prior_express_written"},
    {ConsentType::kPriorExpress, "prior_express"},
    {ConsentType::kEstablishedBusinessRelationship, "ebr"},
};
constexpr std::pair<EbrKind, const char*> kEbrKinds[] = {
    {EbrKind::kNone, "none"},
    {EbrKind::kPurchase, "purchase"},
    {EbrKind::kInquiry, "inquiry"},
};
constexpr std::pair<Purpose, const char*> kPurposes[] = {
    {Purpose::kReactivation, "reactivation"},
    {Purpose::kDroppedCallRecovery, "dropped_call_recovery"},
    {Purpose::kMessageRelay, "message_relay"},
    {Purpose::kPowerDialer, "power_dialer"},
    {Purpose::kColdList, "cold_list"},
    {Purpose::kMissedCallNoIntent, "missed_call_no_intent"},
    {Purpose::kNoShowRebooking, "no_show_rebooking"},
    {Purpose::kInternalFollowUp, "internal_follow_up"},
    {Purpose::kInformational, "informational"},
};
constexpr std::pair<VoiceType, const char*> kVoices[] = {
    {VoiceType::kHuman, "human"},
    {VoiceType::kAi, "ai"},
    {VoiceType::kPrerecorded, "prerecorded"},
};
constexpr std::pair<CampaignStatus, const char*> kCampaignStatuses[] = {
    {CampaignStatus::kDraft, "draft"},
    {CampaignStatus::kActive, "active"},
    {CampaignStatus::kPaused, "paused"},
    {CampaignStatus::kStopped, "stopped"},
    {CampaignStatus::kCompleted, "completed"},
    {CampaignStatus::kExpired, "expired"},
};
constexpr std::pair<TargetStatus, const char*> kTargetStatuses[] = {
    {TargetStatus::kPending, "pending"},
    {TargetStatus::kInProgress, "in_progress"},
    {TargetStatus::kDone, "done"},
    {TargetStatus::kBlocked, "blocked"},
    {TargetStatus::kExhausted, "exhausted"},
};
}  // namespace

const char* to_string(Role r) { return detail::name_of(kRoles, r); }
std::optional<Role> parse_role(const std::string& s) { return detail::parse_name(kRoles, s); }
const char* to_string(LineType t) { return detail::name_of(kLineTypes, t); }
std::optional<LineType> parse_line_type(const std::string& s) { return detail::parse_name(kLineTypes, s); }
const char* to_string(Channel c) { return detail::name_of(kChannels, c); }
std::optional<Channel> parse_channel(const std::string& s) { return detail::parse_name(kChannels, s); }
const char* to_string(ConsentType t) { return detail::name_of(kConsentTypes, t); }
std::optional<ConsentType> parse_consent_type(const std::string& s) {
  return detail::parse_name(kConsentTypes, s);
}
const char* to_string(EbrKind k) { return detail::name_of(kEbrKinds, k); }
std::optional<EbrKind> parse_ebr_kind(const std::string& s) { return detail::parse_name(kEbrKinds, s); }
const char* to_string(Purpose p) { return detail::name_of(kPurposes, p); }
std::optional<Purpose> parse_purpose(const std::string& s) { return detail::parse_name(kPurposes, s); }
bool is_telemarketing(Purpose p) {
  switch (p) {
    case Purpose::kReactivation:
    case Purpose::kPowerDialer:
    case Purpose::kColdList:
    case Purpose::kNoShowRebooking:
      return true;
    default:
      return false;
  }
}
const char* to_string(VoiceType v) { return detail::name_of(kVoices, v); }
std::optional<VoiceType> parse_voice_type(const std::string& s) { return detail::parse_name(kVoices, s); }
const char* to_string(CampaignStatus s) { return detail::name_of(kCampaignStatuses, s); }
std::optional<CampaignStatus> parse_campaign_status(const std::string& s) {
  return detail::parse_name(kCampaignStatuses, s);
}
const char* to_string(TargetStatus s) { return detail::name_of(kTargetStatuses, s); }
std::optional<TargetStatus> parse_target_status(const std::string& s) {
  return detail::parse_name(kTargetStatuses, s);
}

}  // namespace outdial
