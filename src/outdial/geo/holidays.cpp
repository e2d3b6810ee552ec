#include "outdial/geo/holidays.hpp"

#include <array>

namespace outdial::geo {
namespace {

using date::sys_days;

enum class Kind { kFixed, kNthWeekday, kLastWeekday, kEasterOffset, kElectionDay };

struct Holiday {
  Kind kind;
  unsigned month;    // kFixed, kNthWeekday, kLastWeekday
  unsigned day;      // kFixed: day of month; kNthWeekday: n (1..5); unused otherwise
  unsigned weekday;  // 0 = Sunday .. 6 = Saturday (kNthWeekday, kLastWeekday)
  int easter_offset; // kEasterOffset: days relative to Easter Sunday
};

constexpr Holiday fixed(unsigned m, unsigned d) { return {Kind::kFixed, m, d, 0, 0}; }
constexpr Holiday nth(unsigned n, unsigned wd, unsigned m) { return {Kind::kNthWeekday, m, n, wd, 0}; }
constexpr Holiday last(unsigned wd, unsigned m) { return {Kind::kLastWeekday, m, 0, wd, 0}; }
constexpr Holiday easter(int offset) { return {Kind::kEasterOffset, 0, 0, 0, offset}; }
constexpr Holiday election() { return {Kind::kElectionDay, 11, 0, 0, 0}; }

constexpr unsigned kMon = 1;
constexpr unsigned kThu = 4;

// Federal-style core shared by most calendars.
constexpr Holiday kNewYear = fixed(1, 1);
constexpr Holiday kMlk = nth(3, kMon, 1);
constexpr Holiday kPresidents = nth(3, kMon, 2);
constexpr Holiday kMemorial = last(kMon, 5);
constexpr Holiday kJuneteenth = fixed(6, 19);
constexpr Holiday kIndependence = fixed(7, 4);
constexpr Holiday kLabor = nth(1, kMon, 9);
constexpr Holiday kColumbus = nth(2, kMon, 10);
constexpr Holiday kVeterans = fixed(11, 11);
constexpr Holiday kThanksgiving = nth(4, kThu, 11);
constexpr Holiday kChristmas = fixed(12, 25);

// Alabama: Ala. Code §1-3-8 (state holidays). Mardi Gras is local (Mobile/Baldwin) and omitted.
constexpr std::array kAlabama = {kNewYear, kMlk /* + Robert E. Lee */, kPresidents,
                                 last(kMon, 4) /* Confederate Memorial Day */, kMemorial,
                                 nth(1, kMon, 6) /* Jefferson Davis */, kIndependence, kLabor,
                                 kColumbus, kVeterans, kThanksgiving, kChristmas};
// Louisiana: La. R.S. 1:55 (legal holidays), incl. Mardi Gras and Good Friday.
constexpr std::array kLouisiana = {kNewYear,    kMlk,         easter(-47) /* Mardi Gras */,
                                   easter(-2) /* Good Friday */, kMemorial, kIndependence,
                                   kLabor,      kVeterans,    kThanksgiving, kChristmas};
// Rhode Island: R.I. Gen. Laws §25-1-1, incl. Victory Day (2nd Monday of August).
constexpr std::array kRhodeIsland = {kNewYear, kMlk,     kMemorial,  kIndependence, nth(2, kMon, 8),
                                     kLabor,   kColumbus, kVeterans, kThanksgiving, kChristmas};
// Utah: Utah Code §63G-1-301, incl. Juneteenth (2022) and Pioneer Day (July 24).
constexpr std::array kUtah = {kNewYear,  kMlk,          kPresidents,    kMemorial,
                              kJuneteenth, kIndependence, fixed(7, 24),  kLabor,
                              kColumbus, kVeterans,     kThanksgiving, kChristmas};
// Pennsylvania: 73 P.S. §2245 refers to the legal holidays of 44 P.S. §11 (14 days), incl. Good
// Friday, Flag Day (June 14), Juneteenth and Election Day.
constexpr std::array kPennsylvania = {kNewYear,  kMlk,        kPresidents,  easter(-2),
                                      kMemorial, fixed(6, 14), kJuneteenth, kIndependence,
                                      kLabor,    kColumbus,   election(),   kVeterans,
                                      kThanksgiving, kChristmas};

date::year_month_day nth_weekday(date::year y, unsigned month, unsigned n, unsigned wd) {
  return date::year_month_day{
      sys_days{date::year_month_weekday{y / date::month{month} / date::weekday{wd}[n]}}};
}

date::year_month_day last_weekday(date::year y, unsigned month, unsigned wd) {
  return date::year_month_day{
      sys_days{date::year_month_weekday_last{y, date::month{month}, date::weekday_last{date::weekday{wd}}}}};
}

bool matches(const Holiday& h, date::year_month_day day) {
  const date::year y = day.year();
  switch (h.kind) {
    case Kind::kFixed: {
      const date::year_month_day actual = y / date::month{h.month} / date::day{h.day};
      if (actual == day) return true;
      // Observed weekday (POLICY: both): Saturday -> Friday, Sunday -> Monday. New Year's Day on a
      // Saturday is observed on Dec 31 of the previous year, so also check next year's Jan 1.
      const auto observed = [](date::year_month_day d) {
        const date::weekday wd{sys_days{d}};
        if (wd == date::Saturday) return date::year_month_day{sys_days{d} - date::days{1}};
        if (wd == date::Sunday) return date::year_month_day{sys_days{d} + date::days{1}};
        return d;
      };
      if (observed(actual) == day) return true;
      if (h.month == 1 && h.day == 1) {
        return observed((y + date::years{1}) / date::January / date::day{1}) == day;
      }
      return false;
    }
    case Kind::kNthWeekday:
      return nth_weekday(y, h.month, h.day, h.weekday) == day;
    case Kind::kLastWeekday:
      return last_weekday(y, h.month, h.weekday) == day;
    case Kind::kEasterOffset:
      return date::year_month_day{sys_days{easter_sunday(y)} + date::days{h.easter_offset}} == day;
    case Kind::kElectionDay: {
      // The Tuesday after the first Monday in November.
      const auto first_monday = nth_weekday(y, 11, 1, kMon);
      return date::year_month_day{sys_days{first_monday} + date::days{1}} == day;
    }
  }
  return false;
}

template <std::size_t N>
bool any_match(const std::array<Holiday, N>& list, date::year_month_day day) {
  for (const Holiday& h : list) {
    if (matches(h, day)) return true;
  }
  return false;
}

}  // namespace

bool has_holiday_calendar(std::string_view state) {
  return state == "AL" || state == "LA" || state == "RI" || state == "UT" || state == "PA";
}

bool is_state_holiday(std::string_view state, date::year_month_day day) {
  if (!day.ok()) return false;
  if (state == "AL") return any_match(kAlabama, day);
  if (state == "LA") return any_match(kLouisiana, day);
  if (state == "RI") return any_match(kRhodeIsland, day);
  if (state == "UT") return any_match(kUtah, day);
  if (state == "PA") return any_match(kPennsylvania, day);
  return false;
}

date::year_month_day easter_sunday(date::year y) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int a = static_cast<int>(y) % 19;
  const int b = static_cast<int>(y) / 100;
  const int c = static_cast<int>(y) % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = ((h + l - 7 * m + 114) % 31) + 1;
  return y / date::month{static_cast<unsigned>(month)} / date::day{static_cast<unsigned>(day)};
}

}  // namespace outdial::geo
