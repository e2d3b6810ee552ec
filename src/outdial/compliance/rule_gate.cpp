#include "outdial/compliance/rule_gate.hpp"

#include "outdial/compliance/eval_context.hpp"
#include "outdial/compliance/rule_ids.hpp"
#include "outdial/compliance/rules.hpp"
#include "outdial/compliance/time_rules.hpp"
#include "outdial/geo/npa.hpp"

namespace outdial::compliance {
namespace {

constexpr const char* kAllowReason = "allowed";  // short: fits std::string's small buffer

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

RuleGate::RuleGate() {
  for (const geo::NpaRow& row : geo::npa_rows()) {
    const auto info = geo::lookup_npa(row.npa);
    NpaZones& nz = npa_zones_[static_cast<std::size_t>(row.npa)];
    for (std::size_t i = 0; i < info->zone_count; ++i) {
      nz.zones[i] = catalog_.find(info->zones[i]);
      if (nz.zones[i] != nullptr) ++nz.count;
    }
  }
}

bool RuleGate::build_context(const AttemptFacts& facts, EvalContext& ctx, Decision& out) const {
  const std::string& phone = facts.phone_e164;
  // NON-US: only +1 numbers are US; Canada and the non-US Caribbean share +1.
  if (phone.size() < 2 || phone[0] != '+' || phone[1] != '1') {
    set_block(out, rule_id::kNonUs, "'" + phone + "' is not a +1 (US) number (NON-US)");
    return false;
  }
  bool digits_ok = phone.size() == 12;
  for (std::size_t i = 2; i < phone.size() && digits_ok; ++i) digits_ok = is_digit(phone[i]);
  if (!digits_ok) {
    set_block(out, rule_id::kTzUnresolved, "'" + phone + "' is not a valid +1 number (TZ-UNRESOLVED)");
    return false;
  }
  ctx.npa = (phone[2] - '0') * 100 + (phone[3] - '0') * 10 + (phone[4] - '0');
  if (geo::is_non_us_nanp(ctx.npa)) {
    set_block(out, rule_id::kNonUs,
              "area code " + std::to_string(ctx.npa) + " is in Canada or a non-US NANP country (NON-US)");
    return false;
  }
  const NpaZones& nz = npa_zones_[static_cast<std::size_t>(ctx.npa)];
  const auto info = geo::lookup_npa(ctx.npa);
  if (!info || nz.count == 0) {
    set_block(out, rule_id::kTzUnresolved,
              "area code " + std::to_string(ctx.npa) + " is not a mapped US geographic area code (TZ-UNRESOLVED)");
    return false;
  }
  ctx.npa_state = info->state;

  // TZ-ALLZONES: a stated zone that fits the NPA is used alone; otherwise every NPA zone plus the
  // stated zone is a candidate. POLICY: an unknown stated zone name blocks (TZ-UNRESOLVED).
  const geo::ZoneOffsets* stated = nullptr;
  if (!facts.stated_timezone.empty()) {
    stated = catalog_.find(facts.stated_timezone);
    if (stated == nullptr) {
      set_block(out, rule_id::kTzUnresolved,
                "stated time zone '" + facts.stated_timezone + "' is not a known IANA zone (TZ-UNRESOLVED)");
      return false;
    }
  }
  if (stated != nullptr && geo::zone_fits_npa(ctx.npa, facts.stated_timezone)) {
    ctx.zones[0] = stated;
    ctx.zone_count = 1;
    ctx.stated_zone_used_alone = true;
  } else {
    for (std::size_t i = 0; i < nz.count; ++i) ctx.zones[ctx.zone_count++] = nz.zones[i];
    if (stated != nullptr) ctx.zones[ctx.zone_count++] = stated;
  }

  // State rules of both the area-code state and the stated residence state.
  ctx.states[ctx.state_count++] = state_code(ctx.npa_state);
  const StateCode residence = state_code(facts.stated_state);
  if (residence != kNoState && residence != ctx.states[0]) ctx.states[ctx.state_count++] = residence;

  ctx.telemarketing = is_telemarketing(facts.purpose);
  ctx.artificial_voice = facts.channel == Channel::kVoice && facts.voice != VoiceType::kHuman;
  ctx.robocall = facts.autodialed || ctx.artificial_voice;
  ctx.express_consent = has_live_consent(facts, ConsentNeed::kPriorExpress);
  return true;
}

Decision RuleGate::evaluate(const AttemptFacts& facts) const {
  Decision out;
  EvalContext ctx;
  if (!build_context(facts, ctx, out)) return out;

  if (facts.opt_out_confirmation) {
    // SMS-CONFIRM: the single confirmation text after an opt-out is lawful without consent and is
    // not marketing; it only needs a valid sender. It cannot wait, so time rules do not apply.
    if (!check_sms_confirmation(facts, out) || !check_caller_id(facts, out)) return out;
  } else {
    if (!check_dnc_and_consent(ctx, facts, out)) return out;
    if (!check_call_setup(ctx, facts, out)) return out;
    if (!check_policy(ctx, facts, out)) return out;
    if (!check_time_rules(ctx, facts, out)) return out;
  }
  out.verdict = Verdict::kAllow;
  out.rule = rule_id::kOk;
  out.reason = kAllowReason;
  return out;
}

}  // namespace outdial::compliance
