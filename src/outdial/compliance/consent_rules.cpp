// DNC, revocation and consent rules (compliance-rules.md §2, §7).
#include <algorithm>
#include <optional>

#include <date/date.h>

#include "outdial/compliance/rule_ids.hpp"
#include "outdial/compliance/rules.hpp"

namespace outdial::compliance {
namespace {

constexpr auto kStaleAfter = std::chrono::days{31};         // DNC-STALE, 310.4(b)(3)(iv)
constexpr auto kConfirmWithin = std::chrono::minutes{5};    // SMS-CONFIRM, 64.1200(a)(11)
constexpr int kEbrPurchaseMonths = 18;                      // 64.1200(f)(5)
constexpr int kEbrInquiryMonths = 3;

bool consent_live(const ConsentRecord& c, const AttemptFacts& facts) {
  if (c.granted_at > facts.at) return false;
  if (c.revoked_at && *c.revoked_at <= facts.at) return false;
  if (c.channel && *c.channel != facts.channel) return false;
  return true;
}

// `start` + n calendar months, same time of day; a day past the month's end clamps to its last day.
TimePoint add_months(TimePoint start, int n) {
  const auto day = std::chrono::floor<date::days>(start);
  const auto tod = start - day;
  date::year_month_day ymd{day};
  ymd += date::months{n};
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / date::last;
  return TimePoint{date::sys_days{ymd}} + tod;
}

// EBR end (exclusive) for a record, or nullopt if it is not an EBR record.
std::optional<TimePoint> ebr_end(const ConsentRecord& c) {
  if (c.ebr_kind == EbrKind::kNone || !c.ebr_start) return std::nullopt;
  return add_months(*c.ebr_start, c.ebr_kind == EbrKind::kPurchase ? kEbrPurchaseMonths : kEbrInquiryMonths);
}

// The most recent opt-out or consent revocation at or before `at`.
std::optional<TimePoint> latest_revocation(const AttemptFacts& facts) {
  std::optional<TimePoint> latest;
  for (const OptOut& o : facts.opt_outs) {
    if (o.at <= facts.at && (!latest || o.at > *latest)) latest = o.at;
  }
  for (const ConsentRecord& c : facts.consents) {
    if (c.revoked_at && *c.revoked_at <= facts.at && (!latest || *c.revoked_at > *latest)) latest = c.revoked_at;
  }
  return latest;
}

}  // namespace

bool has_live_consent(const AttemptFacts& facts, ConsentNeed need) {
  for (const ConsentRecord& c : facts.consents) {
    if (!consent_live(c, facts)) continue;
    switch (need) {
      case ConsentNeed::kPriorExpress:
        if (c.type == ConsentType::kPriorExpressWritten || c.type == ConsentType::kPriorExpress) return true;
        break;
      case ConsentNeed::kWritten:
        if (c.type == ConsentType::kPriorExpressWritten) return true;
        break;
      case ConsentNeed::kWrittenArtificialVoice:
        if (c.type == ConsentType::kPriorExpressWritten && c.covers_artificial_voice) return true;
        break;
    }
  }
  return false;
}

bool check_sms_confirmation(const AttemptFacts& facts, Decision& out) {
  const auto revoked = latest_revocation(facts);
  if (facts.channel != Channel::kSms) {
    set_block(out, rule_id::kSmsConfirm, "an opt-out confirmation must be a text message (SMS-CONFIRM)");
    return false;
  }
  if (is_telemarketing(facts.purpose)) {
    set_block(out, rule_id::kSmsConfirm, "an opt-out confirmation may not be marketing (SMS-CONFIRM)");
    return false;
  }
  if (!revoked) {
    set_block(out, rule_id::kSmsConfirm, "no opt-out on record to confirm (SMS-CONFIRM)");
    return false;
  }
  if (facts.at - *revoked > kConfirmWithin) {
    set_block(out, rule_id::kSmsConfirm,
              "the opt-out at " + describe_instant(*revoked) +
                  " is more than 5 minutes old; a confirmation text is no longer allowed (SMS-CONFIRM, POLICY)");
    return false;
  }
  for (const PriorAttempt& p : facts.prior_attempts) {
    if (p.channel == Channel::kSms && p.at > *revoked && p.at <= facts.at) {
      set_block(out, rule_id::kSmsConfirm,
                "a text was already sent after the opt-out at " + describe_instant(*revoked) +
                    "; only one confirmation is allowed (SMS-CONFIRM)");
      return false;
    }
  }
  return true;
}

bool check_dnc_and_consent(const EvalContext& ctx, const AttemptFacts& facts, Decision& out) {
  // CARRIER-REJECTED (POLICY): a number the carrier refused as invalid or not callable is not
  // dialed again on that channel until staff clear it (a retry only repeats the failure).
  if (facts.carrier_rejected) {
    set_block(out, rule_id::kCarrierRejected,
              "a carrier refused this number before" +
                  (facts.carrier_rejected_reason.empty() ? std::string() : ": " + facts.carrier_rejected_reason) +
                  " (CARRIER-REJECTED)");
    return false;
  }
  // DNC-INTERNAL. POLICY: honored at once, for every channel and purpose (legal: telemarketing
  // within 10 business days).
  if (facts.on_internal_dnc) {
    set_block(out, rule_id::kDncInternal, "the number is on the company do-not-call list (DNC-INTERNAL)");
    return false;
  }
  if (ctx.telemarketing) {
    // DNC-NATL: needs PEWC or a live EBR (purchase 18 months, inquiry 3 months; a company DNC
    // request ends it, handled above).
    if (facts.on_national_dnc && !has_live_consent(facts, ConsentNeed::kWritten)) {
      bool ebr_live = false;
      std::optional<TimePoint> expired_at;
      for (const ConsentRecord& c : facts.consents) {
        if (c.revoked_at && *c.revoked_at <= facts.at) continue;
        const auto end = ebr_end(c);
        if (!end || *c.ebr_start > facts.at) continue;
        if (facts.at < *end) {
          ebr_live = true;
          break;
        }
        if (!expired_at || *end > *expired_at) expired_at = end;
      }
      if (!ebr_live) {
        std::string reason = "the number is on the National DNC Registry and there is no prior express written consent";
        reason += expired_at ? " and the established business relationship ended at " + describe_instant(*expired_at)
                             : " or established business relationship";
        reason += " (DNC-NATL)";
        set_block(out, rule_id::kDncNatl, std::move(reason));
        return false;
      }
    }
    // DNC-STALE: the registry copy used for scrubbing must be at most 31 days old.
    if (!facts.national_dnc_loaded_at) {
      set_block(out, rule_id::kDncStale, "no National DNC Registry copy is loaded; telemarketing is blocked (DNC-STALE)");
      return false;
    }
    if (facts.at - *facts.national_dnc_loaded_at > kStaleAfter) {
      set_block(out, rule_id::kDncStale,
                "the National DNC Registry copy from " + describe_instant(*facts.national_dnc_loaded_at) +
                    " is older than 31 days (DNC-STALE)");
      return false;
    }
  }
  // REVOKE. POLICY: any opt-out or revocation blocks every channel and purpose at once, unless
  // consent was granted again afterwards (re-opt-in, e.g. START).
  if (const auto revoked = latest_revocation(facts)) {
    bool re_opted_in = false;
    for (const ConsentRecord& c : facts.consents) {
      if (c.granted_at > *revoked && consent_live(c, facts)) {
        re_opted_in = true;
        break;
      }
    }
    if (!re_opted_in) {
      set_block(out, rule_id::kRevoke,
                "the contact opted out or revoked consent at " + describe_instant(*revoked) + " (REVOKE)");
      return false;
    }
  }
  // CONSENT-ROBO / AI-VOICE (64.1200(a)(2),(a)(3); FCC 24-17: AI voices are artificial).
  const char* robo_rule = facts.voice == VoiceType::kAi && facts.channel == Channel::kVoice ? rule_id::kAiVoice
                                                                                             : rule_id::kConsentRobo;
  // POLICY: unknown and VoIP lines are treated as wireless.
  const bool wireless_like = facts.line_type != LineType::kLandline;
  if (ctx.telemarketing && ctx.artificial_voice) {
    if (!has_live_consent(facts, ConsentNeed::kWrittenArtificialVoice)) {
      set_block(out, robo_rule,
                std::string("an artificial or AI voice telemarketing call needs prior express written consent that "
                            "covers artificial voice (") + robo_rule + ")");
      return false;
    }
  } else if (ctx.telemarketing && facts.autodialed && wireless_like) {
    if (!has_live_consent(facts, ConsentNeed::kWritten)) {
      set_block(out, rule_id::kConsentRobo,
                "autodialed telemarketing to a wireless or unknown line needs prior express written consent "
                "(CONSENT-ROBO)");
      return false;
    }
  } else if (!ctx.telemarketing && ctx.robocall && wireless_like) {
    // POLICY: a dropped-call recovery callback rests on the contact's own call (user-initiated).
    const bool implied = facts.purpose == Purpose::kDroppedCallRecovery && facts.dropped_call_at.has_value();
    if (!implied && !has_live_consent(facts, ConsentNeed::kPriorExpress)) {
      set_block(out, robo_rule,
                std::string("an autodialed or artificial-voice call to a wireless or unknown line needs prior "
                            "express consent (") + robo_rule + ")");
      return false;
    }
  }
  // RND-REASSIGNED (§7).
  if (facts.reassigned == ReassignedStatus::kYes) {
    set_block(out, rule_id::kRndReassigned,
              "the Reassigned Numbers Database reports the number was disconnected after consent (RND-REASSIGNED)");
    return false;
  }
  if (facts.reassigned == ReassignedStatus::kNoData && ctx.robocall) {
    set_block(out, rule_id::kRndReassigned,
              "the Reassigned Numbers Database has no data for the number; POLICY blocks robocalls and robotexts "
              "without a safe harbor (RND-REASSIGNED)");
    return false;
  }
  return true;
}

}  // namespace outdial::compliance
