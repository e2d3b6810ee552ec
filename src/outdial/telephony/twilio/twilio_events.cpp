#include "outdial/telephony/twilio/twilio_events.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace outdial::telephony::twilio {
namespace {

bool parse_nonneg(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end && out >= 0;
}

CallEvent base_event(std::string_view call_sid, AttemptId attempt, TimePoint at) {
  CallEvent e;
  e.provider = kProviderName;
  e.provider_call_id = std::string(call_sid);
  e.attempt_id = attempt;
  e.at = at;
  return e;
}

CallEvent answered_event(std::string_view call_sid, CallEventKind kind, AttemptId attempt, std::int64_t sequence,
                         TimePoint at) {
  CallEvent e = base_event(call_sid, attempt, at);
  e.kind = kind;
  e.sequence = sequence;
  e.dedupe_key = std::string(call_sid) + ":answered";
  return e;
}

}  // namespace

std::string form_value(const FormParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

bool parse_rfc2822(std::string_view text, TimePoint& out) {
  // [Day, ]DD Mon YYYY HH:MM:SS +HHMM
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (const auto comma = text.find(','); comma != std::string_view::npos) text = text.substr(comma + 1);
  auto next_token = [&text]() {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    const auto sp = text.find(' ');
    std::string_view tok = text.substr(0, sp);
    text = sp == std::string_view::npos ? std::string_view() : text.substr(sp);
    return tok;
  };
  const auto day_s = next_token(), mon_s = next_token(), year_s = next_token(), time_s = next_token(),
             zone_s = next_token();
  std::int64_t day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  if (!parse_nonneg(day_s, day) || !parse_nonneg(year_s, year) || time_s.size() != 8 || time_s[2] != ':' ||
      time_s[5] != ':' || !parse_nonneg(time_s.substr(0, 2), hh) || !parse_nonneg(time_s.substr(3, 2), mm) ||
      !parse_nonneg(time_s.substr(6, 2), ss) || hh > 23 || mm > 59 || ss > 60) {
    return false;
  }
  const auto mon_it = std::find(kMonths.begin(), kMonths.end(), mon_s);
  if (mon_it == kMonths.end()) return false;
  const auto ymd = std::chrono::year(static_cast<int>(year)) /
                   std::chrono::month(static_cast<unsigned>(mon_it - kMonths.begin() + 1)) /
                   std::chrono::day(static_cast<unsigned>(day));
  if (!ymd.ok()) return false;
  std::int64_t offset_minutes = 0;
  if (zone_s == "GMT" || zone_s == "UT" || zone_s == "UTC" || zone_s == "Z") {
    offset_minutes = 0;
  } else {
    std::int64_t hhmm = 0;
    if (zone_s.size() != 5 || (zone_s[0] != '+' && zone_s[0] != '-') || !parse_nonneg(zone_s.substr(1), hhmm)) {
      return false;
    }
    offset_minutes = (hhmm / 100) * 60 + hhmm % 100;
    if (zone_s[0] == '-') offset_minutes = -offset_minutes;
  }
  const auto local = std::chrono::sys_days(ymd) + std::chrono::hours(hh) + std::chrono::minutes(mm) +
                     std::chrono::seconds(ss);
  out = std::chrono::time_point_cast<Millis>(local - std::chrono::minutes(offset_minutes));
  return true;
}

Result<StatusCallback> parse_status_callback(const FormParams& params) {
  StatusCallback cb;
  cb.call_sid = form_value(params, "CallSid");
  if (cb.call_sid.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "status callback without CallSid", {{"field", "CallSid"}});
  }
  cb.call_status = form_value(params, "CallStatus");
  if (cb.call_status.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "status callback without CallStatus", {{"field", "CallStatus"}});
  }
  if (const auto seq = form_value(params, "SequenceNumber"); !seq.empty()) {
    std::int64_t v = 0;
    if (!parse_nonneg(seq, v)) {
      return make_error(ErrorCode::kInvalidArgument, "SequenceNumber is not a non-negative integer: " + seq,
                        {{"field", "SequenceNumber"}});
    }
    cb.sequence = v;
  }
  if (const auto dur = form_value(params, "CallDuration"); !dur.empty()) {
    std::int64_t v = 0;
    if (!parse_nonneg(dur, v) || v > 1'000'000) {
      return make_error(ErrorCode::kInvalidArgument, "CallDuration is not a non-negative integer: " + dur,
                        {{"field", "CallDuration"}});
    }
    cb.call_duration = static_cast<int>(v);
  }
  cb.answered_by = form_value(params, "AnsweredBy");
  cb.sip_response_code = form_value(params, "SipResponseCode");
  cb.error_code = form_value(params, "ErrorCode");
  if (const auto ts = form_value(params, "Timestamp"); !ts.empty()) {
    TimePoint t{};
    if (parse_rfc2822(ts, t)) cb.timestamp = t;  // a bad Timestamp only loses precision, not the event
  }
  return cb;
}

std::optional<CallEventKind> answered_kind(std::string_view answered_by) {
  if (answered_by.empty()) return std::nullopt;
  if (answered_by.rfind("machine", 0) == 0 || answered_by == "fax") return CallEventKind::kAnsweredMachine;
  return CallEventKind::kAnsweredHuman;  // human, unknown, and values added later
}

std::vector<CallEvent> status_events(const StatusCallback& cb, AttemptId attempt, bool amd_pending, TimePoint at) {
  const TimePoint when = cb.timestamp.value_or(at);
  const std::int64_t seq = cb.sequence.value_or(0);
  std::vector<CallEvent> out;
  CallEvent e = base_event(cb.call_sid, attempt, when);
  e.sequence = seq;
  // Without SequenceNumber (a status callback configured without events) the status names the
  // event: still one event per status and call.
  e.dedupe_key = cb.call_sid + ":" + (cb.sequence ? std::to_string(seq) : cb.call_status);
  const std::string& s = cb.call_status;
  if (s == "initiated" || s == "queued") {
    e.kind = CallEventKind::kInitiated;
  } else if (s == "ringing") {
    e.kind = CallEventKind::kRinging;
  } else if (s == "in-progress" || s == "answered") {
    auto kind = answered_kind(cb.answered_by);
    if (!kind && amd_pending) return out;  // the AMD callback decides human or machine
    out.push_back(answered_event(cb.call_sid, kind.value_or(CallEventKind::kAnsweredHuman), attempt, seq, when));
    return out;
  } else if (s == "completed") {
    // `completed` means the call was answered; its AnsweredBy (when AMD ran) says by whom.
    out.push_back(answered_event(cb.call_sid, answered_kind(cb.answered_by).value_or(CallEventKind::kAnsweredHuman),
                                 attempt, seq, when));
    e.kind = CallEventKind::kCompleted;
    e.duration_seconds = cb.call_duration;
  } else if (s == "busy") {
    e.kind = CallEventKind::kBusy;
  } else if (s == "no-answer") {
    e.kind = CallEventKind::kNoAnswer;
  } else if (s == "canceled") {
    e.kind = CallEventKind::kCanceled;
  } else if (s == "failed") {
    e.kind = CallEventKind::kFailed;
  } else {
    return out;  // a status this version does not know: nothing to apply
  }
  if (!cb.error_code.empty()) {
    e.detail = "twilio:" + cb.error_code;
  } else if (!cb.sip_response_code.empty() && e.kind != CallEventKind::kCompleted) {
    e.detail = "sip:" + cb.sip_response_code;
  }
  out.push_back(std::move(e));
  return out;
}

std::optional<CallEvent> amd_event(std::string_view call_sid, std::string_view answered_by, AttemptId attempt,
                                   std::int64_t sequence, TimePoint at) {
  const auto kind = answered_kind(answered_by);
  if (!kind || call_sid.empty()) return std::nullopt;
  CallEvent e = answered_event(call_sid, *kind, attempt, sequence, at);
  e.detail = "amd:" + std::string(answered_by);
  return e;
}

CallEvent digits_event(std::string_view call_sid, std::string_view digits, int try_number, AttemptId attempt,
                       std::int64_t sequence, TimePoint at) {
  CallEvent e = base_event(call_sid, attempt, at);
  e.kind = CallEventKind::kDigits;
  e.digits = std::string(digits);
  e.sequence = sequence;
  e.dedupe_key = std::string(call_sid) + ":digits:" + std::to_string(try_number);
  return e;
}

std::int64_t digits_sequence(const std::vector<CallEvent>& stored) {
  std::int64_t highest = 0;
  std::int64_t limit = kReconcileSequence - 1;
  for (const auto& e : stored) {
    const auto state = state_for(e.kind);
    if (state && is_terminal(*state)) {
      limit = std::min(limit, e.sequence - 1);
    } else {
      highest = std::max(highest, e.sequence);
    }
  }
  return std::max<std::int64_t>(0, std::min(highest, limit));
}

std::vector<CallEvent> resource_events(std::string_view call_sid, std::string_view status, std::string_view answered_by,
                                       int duration_seconds, TimePoint at) {
  std::vector<CallEvent> out;
  CallEvent e = base_event(call_sid, 0, at);
  e.sequence = kReconcileSequence;
  e.dedupe_key = std::string(call_sid) + ":reconcile:" + std::string(status);
  if (status == "queued") {
    e.kind = CallEventKind::kInitiated;
  } else if (status == "ringing") {
    e.kind = CallEventKind::kRinging;
  } else if (status == "in-progress") {
    // Undecided AMD: the AMD or terminal callback will say; only a known answer is derived here.
    const auto kind = answered_kind(answered_by);
    if (kind) out.push_back(answered_event(call_sid, *kind, 0, kReconcileSequence, at));
    return out;
  } else if (status == "completed") {
    out.push_back(answered_event(call_sid, answered_kind(answered_by).value_or(CallEventKind::kAnsweredHuman), 0,
                                 kReconcileSequence, at));
    e.kind = CallEventKind::kCompleted;
    e.duration_seconds = duration_seconds;
  } else if (status == "busy") {
    e.kind = CallEventKind::kBusy;
  } else if (status == "no-answer") {
    e.kind = CallEventKind::kNoAnswer;
  } else if (status == "canceled") {
    e.kind = CallEventKind::kCanceled;
  } else if (status == "failed") {
    e.kind = CallEventKind::kFailed;
  } else {
    return out;
  }
  out.push_back(std::move(e));
  return out;
}

}  // namespace outdial::telephony::twilio
