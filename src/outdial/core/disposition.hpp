#pragma once
// What a person (or the IVR) concluded about a call: the wrap-up code of a dialer. Append-only:
// a correction is a newer disposition of the same attempt; the newest one counts.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "outdial/core/clock.hpp"
#include "outdial/core/enum_table.hpp"
#include "outdial/core/ids.hpp"

namespace outdial {

enum class DispositionCode {
  kInterested,
  kNotInterested,
  kCallback,       // call again at callback_at (the target is rescheduled)
  kWrongNumber,    // the target is closed: never dialed again in this campaign
  kDoNotCall,      // the number goes on the tenant's internal do-not-call list at once
  kLeftVoicemail,
  kOther,
};
inline constexpr std::pair<DispositionCode, const char*> kDispositionCodeNames[] = {
    {DispositionCode::kInterested, "interested"},       {DispositionCode::kNotInterested, "not_interested"},
    {DispositionCode::kCallback, "callback"},           {DispositionCode::kWrongNumber, "wrong_number"},
    {DispositionCode::kDoNotCall, "do_not_call"},       {DispositionCode::kLeftVoicemail, "left_voicemail"},
    {DispositionCode::kOther, "other"},
};
inline const char* to_string(DispositionCode c) { return detail::name_of(kDispositionCodeNames, c); }
inline std::optional<DispositionCode> parse_disposition_code(const std::string& s) {
  return detail::parse_name(kDispositionCodeNames, s);
}

struct Disposition {
  std::int64_t id = 0;
  TenantId tenant_id = 0;
  AttemptId attempt_id = 0;
  DispositionCode code = DispositionCode::kOther;
  std::string note;
  std::optional<TimePoint> callback_at;  // kCallback only
  std::string created_by;                // actor label ("user:12")
  TimePoint created_at{};
};

}  // namespace outdial
