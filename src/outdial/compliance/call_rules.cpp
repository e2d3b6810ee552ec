// Call set-up rules: recording notice, ring time, caller id, WA texts, LA emergencies.
#include <cstdio>

#include <date/date.h>

#include "outdial/compliance/rule_ids.hpp"
#include "outdial/compliance/rules.hpp"

namespace outdial::compliance {
namespace {
constexpr int kMinRingSeconds = 15;  // RING-MIN, 64.1200(a)(6)
}  // namespace

void set_block(Decision& out, const char* rule, std::string reason) {
  out.verdict = Verdict::kBlock;
  out.rule = rule;
  out.reason = std::move(reason);
  out.allowed_at.reset();
}

// Same shape as core's format_iso8601 ("2026-11-22T14:03:00.000Z") without an ostringstream:
// reason texts are built on every block/defer and must stay cheap.
std::string describe_instant(TimePoint t) {
  const auto day = std::chrono::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const auto ms = (t - day).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(ms / 3600000), static_cast<int>(ms / 60000 % 60), static_cast<int>(ms / 1000 % 60),
                static_cast<int>(ms % 1000));
  return buf;
}

bool check_caller_id(const AttemptFacts& facts, Decision& out) {
  if (facts.caller_id.empty() || !facts.caller_id_owned) {
    std::string reason = facts.caller_id.empty()
                             ? std::string("no caller id is set")
                             : "caller id " + facts.caller_id + " is not owned by or authorized for the tenant";
    if (!facts.caller_id_problem.empty()) reason += ": " + facts.caller_id_problem;
    set_block(out, rule_id::kCidValid, reason + " (CID-VALID)");
    return false;
  }
  return true;
}

bool check_call_setup(const EvalContext& ctx, const AttemptFacts& facts, Decision& out) {
  const bool voice = facts.channel == Channel::kVoice;
  // REC-ALLPARTY (§5): recording without an opening notice is blocked when any applicable state
  // is all-party, or the residence state is unknown.
  if (voice && facts.recording && !facts.recording_disclosure) {
    bool all_party = facts.stated_state.empty();
    for (std::size_t i = 0; i < ctx.state_count && !all_party; ++i) all_party = is_all_party_state(ctx.states[i]);
    if (all_party) {
      set_block(out, rule_id::kRecAllParty,
                facts.stated_state.empty()
                    ? std::string("the call is recorded without a disclosure and the residence state is unknown "
                                  "(REC-ALLPARTY)")
                    : "the call is recorded without a disclosure and an all-party consent state applies "
                      "(REC-ALLPARTY)");
      return false;
    }
  }
  // RING-MIN: ring an unanswered call at least 15 s.
  if (voice && facts.ring_timeout_seconds < kMinRingSeconds) {
    set_block(out, rule_id::kRingMin,
              "ring timeout " + std::to_string(facts.ring_timeout_seconds) + " s is below the 15 s minimum (RING-MIN)");
    return false;
  }
  if (!check_caller_id(facts, out)) return false;
  // WA-SMS: commercial texts to WA residents need clear, affirmative prior consent.
  if (facts.channel == Channel::kSms && ctx.telemarketing && ctx.has_state(state_code("WA")) &&
      !has_live_consent(facts, ConsentNeed::kPriorExpress)) {
    set_block(out, rule_id::kWaSms, "a commercial text to Washington needs affirmative prior consent (WA-SMS)");
    return false;
  }
  // LA-EMERGENCY: no solicitation (calls or texts) during a declared emergency.
  if (ctx.telemarketing && facts.state_emergency && ctx.has_state(state_code("LA"))) {
    set_block(out, rule_id::kLaEmergency,
              "Louisiana is under a declared state of emergency; solicitation is suspended (LA-EMERGENCY)");
    return false;
  }
  return true;
}

}  // namespace outdial::compliance
