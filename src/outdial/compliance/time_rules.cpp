#include "outdial/compliance/time_rules.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

#include <date/date.h>

#include "outdial/compliance/rule_ids.hpp"
#include "outdial/compliance/rules.hpp"
#include "outdial/geo/holidays.hpp"

namespace outdial::compliance {
namespace {

using std::chrono::days;
using std::chrono::duration_cast;
using std::chrono::floor;
using std::chrono::hours;
using std::chrono::minutes;
using LocalMs = std::chrono::local_time<Millis>;

constexpr int kFedOpenMin = 8 * 60;    // 47 CFR 64.1200(c)(1): 08:00 local
constexpr int kFedCloseMin = 21 * 60;  // 21:00 local, exclusive (POLICY: 21:00:00 blocks)
constexpr int kMaxSearchSteps = 256;

struct LocalInfo {
  const geo::ZoneOffsets* zone = nullptr;
  std::chrono::local_days day{};
  int minute = 0;  // minutes after local midnight (floor)
  date::weekday weekday{};
};

LocalInfo local_info(const geo::ZoneOffsets* zone, TimePoint t) {
  const auto secs = floor<std::chrono::seconds>(t);
  const LocalMs local{(t + zone->offset_at(secs)).time_since_epoch()};
  LocalInfo li;
  li.zone = zone;
  li.day = floor<days>(local);
  li.minute = static_cast<int>(duration_cast<minutes>(local - li.day).count());
  li.weekday = date::weekday{date::local_days{li.day.time_since_epoch()}};
  return li;
}

TimePoint local_to_utc(const LocalInfo& li, days day_offset, int minute_of_day) {
  const auto target = std::chrono::local_seconds{li.day + day_offset} + minutes{minute_of_day};
  return TimePoint{li.zone->to_utc(target)};
}

enum class FailKind { kNone, kFed, kStateWindow, kSunday, kHoliday, kFreq, kSchedule, kSpacing, kDaily };

// What failed first (in rule order) at an instant, for the reason text.
struct Failure {
  FailKind kind = FailKind::kNone;
  const char* rule = nullptr;
  LocalInfo local{};
  Window window{};
  StateCode state = kNoState;
  int count = 0;
  TimePoint instant{};
  bool passes_in_other_zone = false;
};

struct Step {
  bool pass = true;
  TimePoint hint{};  // lower bound of the next instant at which every failing rule could pass
};

bool on_same_subject(const PriorAttempt& p, const AttemptFacts& facts) {
  return facts.subject.empty() || p.subject == facts.subject;
}

class TimeEvaluator {
 public:
  TimeEvaluator(const EvalContext& ctx, const AttemptFacts& facts) : ctx_(ctx), facts_(facts) {}

  // Checks every time rule at t. Records the first failure into `first` when non-null.
  Step check(TimePoint t, Failure* first) const {
    Step step;
    std::array<LocalInfo, kMaxCandidateZones> locals{};
    std::array<bool, kMaxCandidateZones> zone_failed{};
    for (std::size_t z = 0; z < ctx_.zone_count; ++z) locals[z] = local_info(ctx_.zones[z], t);

    const auto fail = [&](TimePoint hint, const Failure& f, std::size_t zone_index) {
      if (step.pass) {
        step.pass = false;
        step.hint = hint;
        if (first != nullptr) *first = f;
      } else {
        step.hint = std::max(step.hint, hint);
      }
      if (zone_index < kMaxCandidateZones) zone_failed[zone_index] = true;
    };

    // FED-TIME in every candidate zone (POLICY: all calls and texts, consented or not).
    for (std::size_t z = 0; z < ctx_.zone_count; ++z) {
      const LocalInfo& li = locals[z];
      if (li.minute < kFedOpenMin || li.minute >= kFedCloseMin) {
        const TimePoint hint = li.minute < kFedOpenMin ? local_to_utc(li, days{0}, kFedOpenMin)
                                                       : local_to_utc(li, days{1}, kFedOpenMin);
        fail(hint, Failure{FailKind::kFed, rule_id::kFedTime, li, Window{kFedOpenMin, kFedCloseMin, nullptr}}, z);
      }
    }
    // State windows of every applicable state, in every candidate zone.
    for (std::size_t s = 0; s < ctx_.state_count; ++s) {
      for (std::size_t z = 0; z < ctx_.zone_count; ++z) {
        const LocalInfo& li = locals[z];
        const auto w = state_window(ctx_.states[s], li.weekday);
        if (!w || (li.minute >= w->open_min && li.minute < w->close_min)) continue;
        const TimePoint hint = li.minute < w->open_min ? local_to_utc(li, days{0}, w->open_min)
                                                       : local_to_utc(li, days{1}, 0);
        Failure f{FailKind::kStateWindow, w->rule, li, *w};
        f.state = ctx_.states[s];
        fail(hint, f, z);
      }
    }
    // SUNDAY-BAN.
    for (std::size_t s = 0; s < ctx_.state_count; ++s) {
      const SundayBan ban = sunday_ban(ctx_.states[s]);
      const bool applies = ban == SundayBan::kAll || (ban == SundayBan::kAutomatedOnly && ctx_.robocall) ||
                           (ban == SundayBan::kUnlessExpressConsent && !ctx_.express_consent);
      if (!applies) continue;
      for (std::size_t z = 0; z < ctx_.zone_count; ++z) {
        const LocalInfo& li = locals[z];
        if (li.weekday != date::Sunday) continue;
        Failure f{FailKind::kSunday, rule_id::kSundayBan, li};
        f.state = ctx_.states[s];
        fail(local_to_utc(li, days{1}, 0), f, z);
      }
    }
    // HOLIDAY-BAN.
    for (std::size_t s = 0; s < ctx_.state_count; ++s) {
      const StateCode st = ctx_.states[s];
      if (!has_holiday_ban(st) || (holiday_ban_waived_by_consent(st) && ctx_.express_consent)) continue;
      const char code[2] = {static_cast<char>(st >> 8), static_cast<char>(st & 0xFF)};
      for (std::size_t z = 0; z < ctx_.zone_count; ++z) {
        const LocalInfo& li = locals[z];
        const date::year_month_day ymd{date::sys_days{li.day.time_since_epoch()}};
        if (!geo::is_state_holiday(std::string_view(code, 2), ymd)) continue;
        Failure f{FailKind::kHoliday, rule_id::kHolidayBan, li};
        f.state = st;
        fail(local_to_utc(li, days{1}, 0), f, z);
      }
    }
    // FL/OK/MD-FREQ: ≤3 per rolling 24 h on the same subject (POLICY: rolling, any number).
    for (std::size_t s = 0; s < ctx_.state_count; ++s) {
      const auto cap = freq_cap(ctx_.states[s]);
      if (!cap || (facts_.channel == Channel::kSms && !cap->counts_texts)) continue;
      // Count in-window attempts and keep the three newest (newest first): the cap passes again
      // once the third newest ages out of the 24 h window.
      std::array<TimePoint, kFreqCapMax> newest{};
      std::size_t n = 0;
      for (const PriorAttempt& p : facts_.prior_attempts) {
        if (p.at > t || p.at + hours{24} <= t || !on_same_subject(p, facts_)) continue;
        if (p.channel == Channel::kSms && !cap->counts_texts) continue;
        TimePoint v = p.at;
        const std::size_t kept = std::min<std::size_t>(n, newest.size());
        for (std::size_t i = 0; i < kept; ++i) {
          if (v > newest[i]) std::swap(v, newest[i]);
        }
        if (kept < newest.size()) newest[kept] = v;
        ++n;
      }
      if (n < static_cast<std::size_t>(kFreqCapMax)) continue;
      const TimePoint hint = newest[kFreqCapMax - 1] + hours{24};
      Failure f{FailKind::kFreq, cap->rule};
      f.state = ctx_.states[s];
      f.count = static_cast<int>(n);
      f.instant = hint;
      fail(hint, f, kMaxCandidateZones);
    }
    // Campaign: schedule start, spacing, daily limit (POLICY ids CAMPAIGN-STATE, FREQ-CAMPAIGN).
    const CampaignFacts& c = facts_.campaign;
    if (c.present) {
      if (c.schedule_start && t < *c.schedule_start) {
        Failure f{FailKind::kSchedule, rule_id::kCampaignState};
        f.instant = *c.schedule_start;
        fail(*c.schedule_start, f, kMaxCandidateZones);
      }
      if (c.min_spacing_minutes > 0) {
        std::optional<TimePoint> last;
        for (const PriorAttempt& p : facts_.prior_attempts) {
          if (p.at <= t && (!last || p.at > *last)) last = p.at;
        }
        if (last && t < *last + minutes{c.min_spacing_minutes}) {
          Failure f{FailKind::kSpacing, rule_id::kFreqCampaign};
          f.instant = *last;
          f.count = c.min_spacing_minutes;
          fail(*last + minutes{c.min_spacing_minutes}, f, kMaxCandidateZones);
        }
      }
      // The daily count is for the UTC day of facts.at (v1); a later UTC day starts at zero.
      const auto today_end = floor<days>(facts_.at) + days{1};
      if (c.daily_limit > 0 && c.attempts_today >= c.daily_limit && t < today_end) {
        Failure f{FailKind::kDaily, rule_id::kFreqCampaign};
        f.count = c.daily_limit;
        fail(TimePoint{today_end}, f, kMaxCandidateZones);
      }
    }
    if (!step.pass && first != nullptr && first->local.zone != nullptr && ctx_.zone_count > 1) {
      for (std::size_t z = 0; z < ctx_.zone_count; ++z) {
        if (!zone_failed[z]) first->passes_in_other_zone = true;
      }
    }
    return step;
  }

 private:
  const EvalContext& ctx_;
  const AttemptFacts& facts_;
};

std::string hhmm(int minute) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 100, minute % 60);
  return buf;
}

const char* weekday_name(date::weekday wd) {
  static constexpr const char* kNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
  return kNames[wd.c_encoding() % 7];
}

std::string state_name(StateCode s) {
  return std::string{static_cast<char>(s >> 8), static_cast<char>(s & 0xFF)};
}

std::string describe(const Failure& f, const EvalContext& ctx, const AttemptFacts& facts) {
  std::string r;
  const std::string zone = f.local.zone != nullptr ? f.local.zone->name() : std::string();
  switch (f.kind) {
    case FailKind::kFed:
      r = hhmm(f.local.minute) + " in " + zone +
          (f.local.minute < kFedOpenMin ? " is before the federal 08:00 start" : " is after the federal 21:00 end") +
          " (FED-TIME)";
      break;
    case FailKind::kStateWindow:
      r = hhmm(f.local.minute) + " in " + zone + " is outside the " + state_name(f.state) + " calling window " +
          hhmm(f.window.open_min) + "-" + hhmm(f.window.close_min) + " for " +
          weekday_name(f.local.weekday) + " (" + f.rule + ")";
      break;
    case FailKind::kSunday:
      r = "it is Sunday in " + zone + " and " + state_name(f.state) + " bans solicitation on Sundays (SUNDAY-BAN)";
      break;
    case FailKind::kHoliday:
      r = describe_instant(TimePoint{date::sys_days{f.local.day.time_since_epoch()}}).substr(0, 10) + " in " + zone +
          " is a legal holiday in " + state_name(f.state) + " (HOLIDAY-BAN)";
      break;
    case FailKind::kFreq:
      r = std::to_string(f.count) + " attempts on the same subject in the last 24 h to a " + state_name(f.state) +
          " number; the cap is 3 per rolling 24 h (" + f.rule + ")";
      break;
    case FailKind::kSchedule:
      r = "the campaign schedule starts at " + describe_instant(f.instant) + " (CAMPAIGN-STATE)";
      break;
    case FailKind::kSpacing:
      r = "the last attempt was at " + describe_instant(f.instant) + " and the campaign spaces attempts " +
          std::to_string(f.count) + " minutes apart (FREQ-CAMPAIGN)";
      break;
    case FailKind::kDaily:
      r = "the campaign's daily limit of " + std::to_string(f.count) + " attempts is reached (FREQ-CAMPAIGN)";
      break;
    case FailKind::kNone:
      break;
  }
  if (f.passes_in_other_zone) {
    r += "; area code " + std::to_string(ctx.npa) + " maps to several zones";
    if (!facts.stated_timezone.empty() && !ctx.stated_zone_used_alone) {
      r += " and the stated zone " + facts.stated_timezone + " does not fit it";
    }
    r += ", so every candidate zone must allow the attempt (TZ-ALLZONES)";
  }
  return r;
}

}  // namespace

bool check_time_rules(const EvalContext& ctx, const AttemptFacts& facts, Decision& out) {
  const TimeEvaluator eval(ctx, facts);
  Failure first;
  Step step = eval.check(facts.at, &first);
  if (step.pass) return true;

  const char* rule = first.passes_in_other_zone ? rule_id::kTzAllZones : first.rule;
  std::string reason = describe(first, ctx, facts);

  // Hard deadlines after which deferring is pointless.
  TimePoint deadline = facts.at + kDeferHorizon;
  const char* deadline_what = "within 14 days";
  const CampaignFacts& c = facts.campaign;
  if (c.present && c.expires_at && *c.expires_at < deadline) {
    deadline = *c.expires_at;
    deadline_what = "before the campaign expires";
  }
  if (c.present && c.schedule_end && *c.schedule_end < deadline) {
    deadline = *c.schedule_end;
    deadline_what = "before the campaign schedule ends";
  }
  if (facts.channel == Channel::kVoice && facts.voice == VoiceType::kAi &&
      facts.purpose == Purpose::kDroppedCallRecovery && facts.dropped_call_at) {
    // AI-POLICY: the callback window end is inclusive; anything later is not a recovery call.
    const TimePoint end = *facts.dropped_call_at + minutes{facts.callback_window_minutes} + Millis{1};
    if (end < deadline) {
      deadline = end;
      deadline_what = "within the dropped-call callback window";
    }
  }

  TimePoint t = facts.at;
  for (int i = 0; i < kMaxSearchSteps && !step.pass; ++i) {
    t = step.hint > t ? step.hint : t + minutes{1};  // hints always move forward; guard anyway
    if (t >= deadline) break;
    step = eval.check(t, nullptr);
  }
  if (!step.pass || t >= deadline) {
    set_block(out, rule, reason + "; no allowed time " + deadline_what);
    return false;
  }
  out.verdict = Verdict::kDefer;
  out.rule = rule;
  out.reason = reason + "; next allowed at " + describe_instant(t);
  out.allowed_at = t;
  return false;
}

}  // namespace outdial::compliance
