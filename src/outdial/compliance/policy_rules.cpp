// Engine policy rules: the AI Outbound Call Policy (seed 000) and the campaign lifecycle.
#include "outdial/compliance/rule_ids.hpp"
#include "outdial/compliance/rules.hpp"

namespace outdial::compliance {
namespace {

// AI-POLICY (POLICY, seed 000 "AI Outbound Call Policy"): AI voice only for dropped-call recovery
// within the callback window, and staff-activated reactivation campaigns with consent.
bool check_ai_policy(const AttemptFacts& facts, Decision& out) {
  if (facts.channel != Channel::kVoice || facts.voice != VoiceType::kAi) return true;
  switch (facts.purpose) {
    case Purpose::kDroppedCallRecovery: {
      if (!facts.dropped_call_at) {
        set_block(out, rule_id::kAiPolicy,
                  "AI dropped-call recovery needs the time the call dropped (AI-POLICY, POLICY)");
        return false;
      }
      const TimePoint end = *facts.dropped_call_at + std::chrono::minutes{facts.callback_window_minutes};
      if (facts.at < *facts.dropped_call_at || facts.at > end) {
        set_block(out, rule_id::kAiPolicy,
                  "AI dropped-call recovery is allowed only within " + std::to_string(facts.callback_window_minutes) +
                      " minutes of the drop at " + describe_instant(*facts.dropped_call_at) + " (AI-POLICY, POLICY)");
        return false;
      }
      return true;
    }
    case Purpose::kReactivation:
      if (!facts.campaign.present || !facts.campaign.activated_by_staff) {
        set_block(out, rule_id::kAiPolicy,
                  "AI reactivation calls need a campaign activated by operator staff (AI-POLICY, POLICY)");
        return false;
      }
      if (!has_live_consent(facts, ConsentNeed::kPriorExpress)) {
        set_block(out, rule_id::kAiPolicy, "AI reactivation calls need the contact's consent (AI-POLICY, POLICY)");
        return false;
      }
      return true;
    case Purpose::kNoShowRebooking:
      set_block(out, rule_id::kAiPolicy,
                "AI calls for no-shows and rebooking are not allowed; use SMS (AI-POLICY, POLICY)");
      return false;
    case Purpose::kColdList:
      set_block(out, rule_id::kAiPolicy, "AI calls to cold lead lists are not allowed (AI-POLICY, POLICY)");
      return false;
    case Purpose::kMissedCallNoIntent:
      set_block(out, rule_id::kAiPolicy,
                "AI calls back to missed calls without intent are not allowed (AI-POLICY, POLICY)");
      return false;
    case Purpose::kInternalFollowUp:
      set_block(out, rule_id::kAiPolicy,
                "AI internal follow-up calls are not allowed; staff handle them (AI-POLICY, POLICY)");
      return false;
    default:
      set_block(out, rule_id::kAiPolicy,
                std::string("AI voice is allowed only for dropped-call recovery and reactivation, not for ") +
                    to_string(facts.purpose) + " (AI-POLICY, POLICY)");
      return false;
  }
}

bool check_campaign(const AttemptFacts& facts, Decision& out) {
  const CampaignFacts& c = facts.campaign;
  if (!c.present) return true;
  if (c.status != CampaignStatus::kActive) {
    set_block(out, rule_id::kCampaignState,
              std::string("the campaign is ") + to_string(c.status) + ", not active (CAMPAIGN-STATE)");
    return false;
  }
  if (!c.activated_by_staff) {
    set_block(out, rule_id::kCampaignState, "the campaign was not activated by operator staff (CAMPAIGN-STATE)");
    return false;
  }
  if (c.expires_at && facts.at >= *c.expires_at) {
    set_block(out, rule_id::kCampaignState,
              "the campaign expired at " + describe_instant(*c.expires_at) + " (CAMPAIGN-STATE)");
    return false;
  }
  if (c.schedule_end && facts.at >= *c.schedule_end) {
    set_block(out, rule_id::kCampaignState,
              "the campaign schedule ended at " + describe_instant(*c.schedule_end) + " (CAMPAIGN-STATE)");
    return false;
  }
  if (c.max_attempts > 0 && c.attempts_made >= c.max_attempts) {
    set_block(out, rule_id::kFreqCampaign,
              "the contact already had " + std::to_string(c.attempts_made) + " of " + std::to_string(c.max_attempts) +
                  " campaign attempts (FREQ-CAMPAIGN)");
    return false;
  }
  return true;
}

}  // namespace

bool check_policy(const EvalContext& /*ctx*/, const AttemptFacts& facts, Decision& out) {
  return check_ai_policy(facts, out) && check_campaign(facts, out);
}

}  // namespace outdial::compliance
