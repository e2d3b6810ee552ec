// NON-US, TZ-UNRESOLVED, DNC, REVOKE, consent, RND and call set-up rules.
#include "gate_test_util.hpp"

namespace outdial::compliance {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using testing::allow;
using testing::base;
using testing::block;
using testing::marketing;
using testing::T;

constexpr const char* kNoon = "2026-06-10T16:00:00Z";  // 12:00 EDT Wednesday

void check(const AttemptFacts& f, const testing::Expect& e, const char* label) {
  testing::expect_decision(testing::gate().evaluate(f), e, label);
}

TEST(GateRulesTest, NonUsAndUnresolved) {
  check(base("+14165550123", kNoon), block("NON-US"), "Toronto 416");
  check(base("+16045550123", kNoon), block("NON-US"), "Vancouver 604");
  check(base("+18765550123", kNoon), block("NON-US"), "Jamaica 876");
  check(base("+447911123456", kNoon), block("NON-US"), "UK");
  check(base("2125550123", kNoon), block("NON-US"), "no plus");
  check(base("+15555550123", kNoon), block("TZ-UNRESOLVED"), "555");
  check(base("+18005550123", kNoon), block("TZ-UNRESOLVED"), "toll free");
  check(base("+19115550123", kNoon), block("TZ-UNRESOLVED"), "N11");
  check(base("+1212555012", kNoon), block("TZ-UNRESOLVED"), "short");
  check(base("+1212555012x", kNoon), block("TZ-UNRESOLVED"), "non-digit");
  AttemptFacts f = base("+12125550123", kNoon);
  f.stated_timezone = "Mars/Olympus_Mons";
  check(f, block("TZ-UNRESOLVED"), "unknown stated zone");
  check(base("+17875550123", kNoon), allow(), "Puerto Rico is US");
  check(base("+13405550123", kNoon), allow(), "USVI is US");
}

TEST(GateRulesTest, NonTimeBlockBeatsTimeDefer) {
  AttemptFacts f = base("+12125550123", "2026-06-11T01:30:00Z");  // 21:30 EDT
  f.ring_timeout_seconds = 10;
  check(f, block("RING-MIN"), "ring min at night");
}

TEST(GateRulesTest, InternalDnc) {
  AttemptFacts f = base("+12125550123", kNoon);
  f.on_internal_dnc = true;
  check(f, block("DNC-INTERNAL"), "internal dnc informational");
  AttemptFacts m = marketing("+12125550123", kNoon);
  m.on_internal_dnc = true;
  check(m, block("DNC-INTERNAL"), "internal dnc marketing");
}

TEST(GateRulesTest, CarrierRejectedNumberIsBlockedBeforeEverythingButTheNumberChecks) {
  AttemptFacts f = base("+12125550123", kNoon);
  f.carrier_rejected = true;
  f.carrier_rejected_reason = "twilio place_call: HTTP 400 code 21211 (invalid To)";
  check(f, block("CARRIER-REJECTED"), "rejected");
  EXPECT_NE(RuleGate().evaluate(f).reason.find("21211"), std::string::npos);
  f.on_internal_dnc = true;
  check(f, block("CARRIER-REJECTED"), "rejected and on dnc");
  AttemptFacts night = base("+12125550123", "2026-06-11T01:30:00Z");  // 21:30 EDT: a block, not a defer
  night.carrier_rejected = true;
  check(night, block("CARRIER-REJECTED"), "rejected at night");
}

AttemptFacts national_dnc_ebr(EbrKind kind, const char* start, const char* at) {
  AttemptFacts f = marketing("+12125550123", at);
  f.consents.clear();
  f.on_national_dnc = true;
  ConsentRecord c;
  c.type = ConsentType::kEstablishedBusinessRelationship;
  c.ebr_kind = kind;
  c.ebr_start = T(start);
  c.granted_at = T(start);
  f.consents.push_back(c);
  return f;
}

TEST(GateRulesTest, NationalDncAndEbrEdges) {
  // Purchase EBR: 18 months. 2025-01-15T16:00Z -> ends 2026-07-15T16:00Z (exclusive).
  check(national_dnc_ebr(EbrKind::kPurchase, "2025-01-15T16:00:00Z", "2026-07-15T15:59:59.999Z"), allow(),
        "purchase EBR last ms");
  check(national_dnc_ebr(EbrKind::kPurchase, "2025-01-15T16:00:00Z", "2026-07-15T16:00:00Z"), block("DNC-NATL"),
        "purchase EBR expired");
  // Inquiry EBR: 3 months. 2026-03-10T16:00Z -> ends 2026-06-10T16:00Z.
  check(national_dnc_ebr(EbrKind::kInquiry, "2026-03-10T16:00:00Z", "2026-06-10T15:59:59.999Z"), allow(),
        "inquiry EBR last ms");
  check(national_dnc_ebr(EbrKind::kInquiry, "2026-03-10T16:00:00Z", "2026-06-10T16:00:00Z"), block("DNC-NATL"),
        "inquiry EBR expired");
  // Month-end clamp: 2025-11-30 + 3 months = 2026-02-28.
  check(national_dnc_ebr(EbrKind::kInquiry, "2025-11-30T16:00:00Z", "2026-02-27T16:00:00Z"), allow(), "clamp before");
  check(national_dnc_ebr(EbrKind::kInquiry, "2025-11-30T16:00:00Z", "2026-02-28T16:00:00Z"), block("DNC-NATL"),
        "clamp at");
  // A company DNC request ends the EBR (reported as DNC-INTERNAL, which comes first).
  AttemptFacts ended = national_dnc_ebr(EbrKind::kPurchase, "2026-01-15T16:00:00Z", kNoon);
  ended.on_internal_dnc = true;
  check(ended, block("DNC-INTERNAL"), "EBR ended by internal DNC");
  // PEWC overrides the registry; none at all blocks.
  AttemptFacts pewc = marketing("+12125550123", kNoon);
  pewc.on_national_dnc = true;
  check(pewc, allow(), "PEWC on national DNC");
  AttemptFacts none = marketing("+12125550123", kNoon);
  none.on_national_dnc = true;
  none.consents.clear();
  check(none, block("DNC-NATL"), "no consent");
  // Non-marketing calls are not telemarketing.
  AttemptFacts info = base("+12125550123", kNoon);
  info.on_national_dnc = true;
  check(info, allow(), "informational on national DNC");
}

TEST(GateRulesTest, DncStale) {
  AttemptFacts f = marketing("+12125550123", kNoon);
  f.national_dnc_loaded_at = f.at - days{31};
  check(f, allow(), "31 days old");
  f.national_dnc_loaded_at = f.at - days{31} - milliseconds{1};
  check(f, block("DNC-STALE"), "31 days + 1 ms");
  f.national_dnc_loaded_at.reset();
  check(f, block("DNC-STALE"), "no registry copy");
  AttemptFacts info = base("+12125550123", kNoon);
  check(info, allow(), "non-marketing needs no registry copy");
}

TEST(GateRulesTest, RevokeAndOptOut) {
  AttemptFacts f = marketing("+12125550123", kNoon);
  f.consents[0].revoked_at = T("2026-06-10T15:00:00Z");
  check(f, block("REVOKE"), "consent revoked");
  AttemptFacts later = marketing("+12125550123", kNoon);
  later.consents[0].revoked_at = T("2026-06-10T17:00:00Z");
  check(later, allow(), "revocation in the future");
  AttemptFacts stop = base("+12125550123", kNoon);
  stop.opt_outs.push_back(OptOut{T("2026-06-01T00:00:00Z"), Channel::kSms, "STOP"});
  check(stop, block("REVOKE"), "STOP blocks calls too (POLICY)");
  // Re-opt-in after the opt-out.
  ConsentRecord again;
  again.type = ConsentType::kPriorExpress;
  again.granted_at = T("2026-06-02T00:00:00Z");
  stop.consents.push_back(again);
  check(stop, allow(), "START after STOP");
}

TEST(GateRulesTest, SmsConfirmation) {
  AttemptFacts f = base("+12125550123", "2026-06-10T16:04:00Z");
  f.channel = Channel::kSms;
  f.opt_out_confirmation = true;
  f.opt_outs.push_back(OptOut{T("2026-06-10T16:00:00Z"), Channel::kSms, "STOP"});
  check(f, allow(), "confirmation within 5 min");
  f.at = T("2026-06-11T03:00:00Z");  // 23:00 EDT, and long after
  check(f, block("SMS-CONFIRM"), "confirmation too late");
  f.at = T("2026-06-10T16:03:00Z");
  f.prior_attempts.push_back(PriorAttempt{T("2026-06-10T16:01:00Z"), Channel::kSms, "confirm"});
  check(f, block("SMS-CONFIRM"), "second confirmation");
  AttemptFacts plain = base("+12125550123", "2026-06-10T16:03:00Z");
  plain.channel = Channel::kSms;
  plain.opt_outs = f.opt_outs;
  check(plain, block("REVOKE"), "ordinary text after STOP");
}

TEST(GateRulesTest, ConsentRoboAndAiVoice) {
  // Prerecorded telemarketing: PEWC that covers artificial voice.
  AttemptFacts pre = marketing("+12125550123", kNoon);
  pre.voice = VoiceType::kPrerecorded;
  check(pre, allow(), "prerecorded with PEWC+artificial");
  pre.consents[0].covers_artificial_voice = false;
  check(pre, block("CONSENT-ROBO"), "prerecorded PEWC without artificial voice");
  // Autodialed human telemarketing to wireless: PEWC.
  AttemptFacts auto_w = marketing("+12125550123", kNoon);
  auto_w.autodialed = true;
  auto_w.line_type = LineType::kWireless;
  auto_w.consents[0].type = ConsentType::kPriorExpress;
  check(auto_w, block("CONSENT-ROBO"), "autodialed marketing to wireless, PE only");
  auto_w.line_type = LineType::kLandline;
  check(auto_w, allow(), "autodialed human marketing to landline");
  auto_w.line_type = LineType::kUnknown;
  check(auto_w, block("CONSENT-ROBO"), "unknown line treated as wireless");
  // Non-marketing robocall to wireless: prior express consent.
  AttemptFacts info = base("+12125550123", kNoon);
  info.autodialed = true;
  info.line_type = LineType::kWireless;
  check(info, block("CONSENT-ROBO"), "informational robocall no consent");
  ConsentRecord pe;
  pe.type = ConsentType::kPriorExpress;
  pe.granted_at = T("2026-01-01T00:00:00Z");
  info.consents.push_back(pe);
  check(info, allow(), "informational robocall with PE");
  // Consent for another channel does not count.
  info.consents[0].channel = Channel::kSms;
  check(info, block("CONSENT-ROBO"), "consent for SMS only");
  // AI voice telemarketing without AI coverage -> AI-VOICE.
  AttemptFacts ai = marketing("+12125550123", kNoon);
  ai.voice = VoiceType::kAi;
  ai.consents[0].covers_artificial_voice = false;
  check(ai, block("AI-VOICE"), "AI reactivation without artificial-voice consent");
}

TEST(GateRulesTest, ReassignedNumbers) {
  AttemptFacts f = base("+12125550123", kNoon);
  f.reassigned = ReassignedStatus::kYes;
  check(f, block("RND-REASSIGNED"), "RND yes");
  f.reassigned = ReassignedStatus::kNoData;
  check(f, allow(), "RND no data, manual human call");
  f.autodialed = true;
  check(f, block("RND-REASSIGNED"), "RND no data robocall");
  f.reassigned = ReassignedStatus::kNo;
  check(f, allow(), "RND no");
}

TEST(GateRulesTest, RecordingRingCallerId) {
  AttemptFacts f = base("+12125550123", kNoon);
  f.recording = true;
  check(f, block("REC-ALLPARTY"), "recording, residence unknown");
  f.stated_state = "NY";
  check(f, allow(), "recording, one-party NY");
  f.stated_state = "CA";
  check(f, block("REC-ALLPARTY"), "recording, CA resident");
  f.recording_disclosure = true;
  check(f, allow(), "recording with disclosure");
  AttemptFacts fl = base("+13055550123", kNoon);
  fl.stated_state = "NY";
  fl.recording = true;
  check(fl, block("REC-ALLPARTY"), "FL area code is all-party");

  AttemptFacts ring = base("+12125550123", kNoon);
  ring.ring_timeout_seconds = 14;
  check(ring, block("RING-MIN"), "14 s");
  ring.ring_timeout_seconds = 15;
  check(ring, allow(), "15 s");

  AttemptFacts cid = base("+12125550123", kNoon);
  cid.caller_id_owned = false;
  check(cid, block("CID-VALID"), "not owned");
  cid.caller_id.clear();
  cid.caller_id_owned = true;
  check(cid, block("CID-VALID"), "empty");
  // The dialer's reason for having no usable number is part of the stored explanation.
  cid.caller_id_problem = "no active number in area code 212 or state NY and no default number";
  const Decision d = testing::gate().evaluate(cid);
  EXPECT_EQ(d.rule, "CID-VALID");
  EXPECT_EQ(d.reason,
            "no caller id is set: no active number in area code 212 or state NY and no default number (CID-VALID)");
}

TEST(GateRulesTest, WashingtonTextsAndLouisianaEmergency) {
  AttemptFacts wa = marketing("+12065550123", "2026-06-10T19:00:00Z");
  wa.channel = Channel::kSms;
  wa.consents[0].channel = Channel::kVoice;
  check(wa, block("WA-SMS"), "WA marketing text without SMS consent");
  wa.consents[0].channel.reset();
  check(wa, allow(), "WA marketing text with consent");

  AttemptFacts la = marketing("+15045550123", kNoon);
  la.state_emergency = true;
  check(la, block("LA-EMERGENCY"), "LA emergency marketing");
  AttemptFacts la_info = base("+15045550123", kNoon);
  la_info.state_emergency = true;
  check(la_info, allow(), "LA emergency informational");
}

}  // namespace
}  // namespace outdial::compliance
