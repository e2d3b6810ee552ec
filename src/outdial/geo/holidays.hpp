#pragma once
// State legal-holiday calendars for the telemarketing HOLIDAY-BAN states (compliance-rules.md §2,
// §3): AL, LA, RI, UT, PA. Mississippi repealed its holiday ban in 2024, so it has no calendar
// here. Dates are computed per year (fixed dates, nth-weekday rules, Easter-relative days).
#include <string_view>

#include <date/date.h>

namespace outdial::geo {

// True when the state has a holiday calendar in this module (AL, LA, RI, UT, PA).
bool has_holiday_calendar(std::string_view state);

// True when `day` is a legal holiday in `state`, or the weekday on which a fixed-date holiday
// falling on a weekend is observed. POLICY: both the actual date and the observed date count
// (Saturday -> Friday before, Sunday -> Monday after), because states differ and the safe choice
// is to skip both days. False for states without a calendar.
bool is_state_holiday(std::string_view state, date::year_month_day day);

// Western (Gregorian) Easter Sunday; used for Good Friday (LA, PA) and Mardi Gras (LA).
date::year_month_day easter_sunday(date::year y);

}  // namespace outdial::geo
