#include <gtest/gtest.h>

#include "outdial/geo/holidays.hpp"

namespace outdial::geo {
namespace {

using date::day;
using date::month;
using date::year;

date::year_month_day ymd(int y, unsigned m, unsigned d) { return year{y} / month{m} / day{d}; }

TEST(HolidaysTest, Easter) {
  EXPECT_EQ(easter_sunday(year{2024}), ymd(2024, 3, 31));
  EXPECT_EQ(easter_sunday(year{2025}), ymd(2025, 4, 20));
  EXPECT_EQ(easter_sunday(year{2026}), ymd(2026, 4, 5));
  EXPECT_EQ(easter_sunday(year{2027}), ymd(2027, 3, 28));
}

struct Case {
  const char* state;
  date::year_month_day day;
  bool holiday;
};

TEST(HolidaysTest, Calendars2026) {
  const Case cases[] = {
      {"AL", ymd(2026, 1, 19), true},   // MLK / Robert E. Lee
      {"AL", ymd(2026, 4, 27), true},   // Confederate Memorial Day (4th Monday of April)
      {"AL", ymd(2026, 6, 1), true},    // Jefferson Davis
      {"AL", ymd(2026, 7, 3), true},    // July 4 is a Saturday: observed Friday
      {"AL", ymd(2026, 7, 4), true},
      {"AL", ymd(2026, 7, 6), false},
      {"LA", ymd(2026, 2, 17), true},   // Mardi Gras
      {"LA", ymd(2026, 4, 3), true},    // Good Friday
      {"LA", ymd(2026, 4, 6), false},
      {"RI", ymd(2026, 8, 10), true},   // Victory Day
      {"RI", ymd(2026, 10, 12), true},  // Columbus Day
      {"RI", ymd(2026, 2, 16), false},  // no Presidents' Day in RI
      {"UT", ymd(2026, 7, 24), true},   // Pioneer Day
      {"UT", ymd(2026, 6, 19), true},   // Juneteenth
      {"UT", ymd(2026, 2, 16), true},   // Presidents' Day
      {"PA", ymd(2026, 6, 14), true},   // Flag Day (a Sunday)
      {"PA", ymd(2026, 6, 15), true},   // ... observed Monday
      {"PA", ymd(2026, 11, 3), true},   // Election Day
      {"PA", ymd(2026, 11, 26), true},  // Thanksgiving
      {"PA", ymd(2026, 12, 25), true},
      {"PA", ymd(2026, 11, 4), false},
      {"MS", ymd(2026, 12, 25), false},  // MS repealed its holiday ban in 2024
      {"NY", ymd(2026, 12, 25), false},
      {"UT", ymd(2027, 12, 31), true},   // Jan 1 2028 is a Saturday: observed Dec 31
      {"UT", ymd(2022, 12, 31), false},
      {"UT", ymd(2021, 12, 31), true},  // Jan 1 2022 is a Saturday: observed Dec 31
      {"UT", ymd(2023, 1, 2), true},    // Jan 1 2023 is a Sunday: observed Monday
  };
  for (const Case& c : cases) {
    EXPECT_EQ(is_state_holiday(c.state, c.day), c.holiday) << c.state << " " << static_cast<int>(c.day.year()) << "-" << static_cast<unsigned>(c.day.month()) << "-"
                                                       << static_cast<unsigned>(c.day.day());
  }
  EXPECT_TRUE(has_holiday_calendar("PA"));
  EXPECT_FALSE(has_holiday_calendar("MS"));
}

}  // namespace
}  // namespace outdial::geo
