// AI-POLICY (seed 000), CAMPAIGN-STATE and FREQ-CAMPAIGN.
#include "gate_test_util.hpp"

namespace outdial::compliance {
namespace {

using std::chrono::minutes;
using testing::allow;
using testing::block;
using testing::defer;
using testing::marketing;
using testing::T;

constexpr const char* kNoon = "2026-06-10T16:00:00Z";  // 12:00 EDT Wednesday

CampaignFacts active_campaign() {
  CampaignFacts c;
  c.present = true;
  c.status = CampaignStatus::kActive;
  c.activated_by_staff = true;
  return c;
}

AttemptFacts ai_call(Purpose purpose) {
  AttemptFacts f = marketing("+12125550123", kNoon);  // PEWC covering artificial voice, fresh DNC
  f.voice = VoiceType::kAi;
  f.purpose = purpose;
  f.line_type = LineType::kWireless;
  f.autodialed = true;
  return f;
}

TEST(GatePolicyTest, AiPolicyTable) {
  struct Row {
    const char* label;
    Purpose purpose;
    bool campaign;
    testing::Expect expect;
  };
  const Row rows[] = {
      {"reactivation, staff campaign", Purpose::kReactivation, true, allow()},
      {"reactivation, no campaign", Purpose::kReactivation, false, block("AI-POLICY")},
      {"cold list", Purpose::kColdList, true, block("AI-POLICY")},
      {"missed call no intent", Purpose::kMissedCallNoIntent, false, block("AI-POLICY")},
      {"no-show rebooking (SMS only)", Purpose::kNoShowRebooking, true, block("AI-POLICY")},
      {"internal follow-up", Purpose::kInternalFollowUp, false, block("AI-POLICY")},
      {"power dialer", Purpose::kPowerDialer, true, block("AI-POLICY")},
      {"informational", Purpose::kInformational, false, block("AI-POLICY")},
      {"dropped call without drop time", Purpose::kDroppedCallRecovery, false, block("AI-POLICY")},
  };
  for (const Row& r : rows) {
    AttemptFacts f = ai_call(r.purpose);
    if (r.campaign) f.campaign = active_campaign();
    testing::expect_decision(testing::gate().evaluate(f), r.expect, r.label);
  }
  // Reactivation by a campaign that staff did not activate.
  AttemptFacts f = ai_call(Purpose::kReactivation);
  f.campaign = active_campaign();
  f.campaign.activated_by_staff = false;
  testing::expect_decision(testing::gate().evaluate(f), block("AI-POLICY"), "reactivation not staff-activated");
  // The same purposes with a human agent are not AI-POLICY's business.
  AttemptFacts human = ai_call(Purpose::kColdList);
  human.voice = VoiceType::kHuman;
  human.autodialed = false;
  testing::expect_decision(testing::gate().evaluate(human), allow(), "cold list, human");
}

TEST(GatePolicyTest, DroppedCallRecoveryWindow) {
  AttemptFacts f = ai_call(Purpose::kDroppedCallRecovery);
  f.consents.clear();  // the contact's own call is the consent
  f.callback_window_minutes = 2;
  f.dropped_call_at = f.at - minutes{1};
  testing::expect_decision(testing::gate().evaluate(f), allow(), "within 1 min");
  f.dropped_call_at = f.at - minutes{2};
  testing::expect_decision(testing::gate().evaluate(f), allow(), "at 2 min");
  f.dropped_call_at = f.at - minutes{3};
  testing::expect_decision(testing::gate().evaluate(f), block("AI-POLICY"), "after window");
  // A drop at 20:59:30 EDT: the callback at 21:00:10 would be after FED-TIME, and deferring past
  // the callback window is pointless -> block.
  AttemptFacts late = ai_call(Purpose::kDroppedCallRecovery);
  late.consents.clear();
  late.at = T("2026-06-11T01:00:10Z");
  late.dropped_call_at = T("2026-06-11T00:59:30Z");
  testing::expect_decision(testing::gate().evaluate(late), block("FED-TIME"), "callback after 21:00");
}

TEST(GatePolicyTest, CampaignState) {
  AttemptFacts f = marketing("+12125550123", kNoon);
  f.campaign = active_campaign();
  testing::expect_decision(testing::gate().evaluate(f), allow(), "active");
  f.campaign.status = CampaignStatus::kPaused;
  testing::expect_decision(testing::gate().evaluate(f), block("CAMPAIGN-STATE"), "paused");
  f.campaign = active_campaign();
  f.campaign.activated_by_staff = false;
  testing::expect_decision(testing::gate().evaluate(f), block("CAMPAIGN-STATE"), "not staff");
  f.campaign = active_campaign();
  f.campaign.expires_at = f.at;
  testing::expect_decision(testing::gate().evaluate(f), block("CAMPAIGN-STATE"), "expired");
  f.campaign = active_campaign();
  f.campaign.schedule_end = f.at - minutes{1};
  testing::expect_decision(testing::gate().evaluate(f), block("CAMPAIGN-STATE"), "schedule over");
  f.campaign = active_campaign();
  f.campaign.schedule_start = T("2026-06-12T14:00:00Z");
  testing::expect_decision(testing::gate().evaluate(f), defer("CAMPAIGN-STATE", "2026-06-12T14:00:00Z"),
                           "not started");
  f.campaign.schedule_start = T("2026-06-12T03:00:00Z");  // 23:00 EDT -> 08:00 EDT next day
  testing::expect_decision(testing::gate().evaluate(f), defer("CAMPAIGN-STATE", "2026-06-12T12:00:00Z"),
                           "starts at night");
  f.campaign.schedule_start = T("2026-07-10T14:00:00Z");
  testing::expect_decision(testing::gate().evaluate(f), block("CAMPAIGN-STATE"), "starts beyond 14 days");
  // Deferral that would land after the campaign expires.
  AttemptFacts night = marketing("+12125550123", "2026-06-11T01:30:00Z");  // 21:30 EDT
  night.campaign = active_campaign();
  night.campaign.expires_at = T("2026-06-11T10:00:00Z");
  testing::expect_decision(testing::gate().evaluate(night), block("FED-TIME"), "expires before morning");
}

TEST(GatePolicyTest, CampaignFrequency) {
  AttemptFacts f = marketing("+12125550123", kNoon);
  f.campaign = active_campaign();
  f.campaign.max_attempts = 3;
  f.campaign.attempts_made = 3;
  testing::expect_decision(testing::gate().evaluate(f), block("FREQ-CAMPAIGN"), "max attempts");
  f.campaign.attempts_made = 2;
  f.campaign.min_spacing_minutes = 60;
  f.prior_attempts.push_back(PriorAttempt{T("2026-06-10T15:30:00Z"), Channel::kVoice, "x"});
  testing::expect_decision(testing::gate().evaluate(f), defer("FREQ-CAMPAIGN", "2026-06-10T16:30:00Z"), "spacing");
  f.prior_attempts.clear();
  f.campaign.daily_limit = 5;
  f.campaign.attempts_today = 5;
  // Next UTC day starts at 20:00 EDT, inside the federal window.
  testing::expect_decision(testing::gate().evaluate(f), defer("FREQ-CAMPAIGN", "2026-06-11T00:00:00Z"), "daily");
  // For a CA number 00:00Z is 17:00 PDT: fine too; for FL (20:00 EDT end) it is the next morning.
  AttemptFacts fl = marketing("+13055550123", kNoon);
  fl.campaign = active_campaign();
  fl.campaign.daily_limit = 5;
  fl.campaign.attempts_today = 5;
  testing::expect_decision(testing::gate().evaluate(fl), defer("FREQ-CAMPAIGN", "2026-06-11T12:00:00Z"),
                           "daily, FL window");
}

}  // namespace
}  // namespace outdial::compliance
