#pragma once
// Rule ids used in Decision::rule. Ids from compliance-rules.md §2 keep their names; ids invented
// for the engine's own policy (documented in docs/compliance.md) are marked POLICY.

namespace outdial::compliance::rule_id {

inline constexpr const char* kOk = "OK";
inline constexpr const char* kNonUs = "NON-US";
inline constexpr const char* kTzUnresolved = "TZ-UNRESOLVED";
inline constexpr const char* kTzAllZones = "TZ-ALLZONES";
inline constexpr const char* kFedTime = "FED-TIME";
inline constexpr const char* kStateTime = "STATE-TIME";  // §3 states without their own id
inline constexpr const char* kSundayBan = "SUNDAY-BAN";
inline constexpr const char* kHolidayBan = "HOLIDAY-BAN";
inline constexpr const char* kFlFreq = "FL-FREQ";
inline constexpr const char* kOkFreq = "OK-FREQ";
inline constexpr const char* kMdFreq = "MD-FREQ";
inline constexpr const char* kDncInternal = "DNC-INTERNAL";
inline constexpr const char* kDncNatl = "DNC-NATL";
inline constexpr const char* kDncStale = "DNC-STALE";
inline constexpr const char* kRevoke = "REVOKE";
inline constexpr const char* kSmsConfirm = "SMS-CONFIRM";
inline constexpr const char* kConsentRobo = "CONSENT-ROBO";
inline constexpr const char* kAiVoice = "AI-VOICE";
inline constexpr const char* kRndReassigned = "RND-REASSIGNED";
inline constexpr const char* kRecAllParty = "REC-ALLPARTY";
inline constexpr const char* kRingMin = "RING-MIN";
inline constexpr const char* kCidValid = "CID-VALID";
inline constexpr const char* kWaSms = "WA-SMS";
inline constexpr const char* kLaEmergency = "LA-EMERGENCY";
inline constexpr const char* kAiPolicy = "AI-POLICY";            // POLICY: seed 000
inline constexpr const char* kCampaignState = "CAMPAIGN-STATE";  // POLICY: campaign lifecycle
inline constexpr const char* kFreqCampaign = "FREQ-CAMPAIGN";    // POLICY: campaign caps
inline constexpr const char* kCarrierRejected = "CARRIER-REJECTED";  // POLICY: carrier refused it

}  // namespace outdial::compliance::rule_id
