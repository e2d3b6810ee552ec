#include <gtest/gtest.h>

#include "outdial/core/clock.hpp"

namespace outdial {
namespace {

TEST(Iso8601, RoundTripsUtc) {
  TimePoint t;
  ASSERT_TRUE(parse_iso8601("2026-03-08T06:59:59Z", t));
  EXPECT_EQ(format_iso8601(t), "2026-03-08T06:59:59.000Z");
  TimePoint back;
  ASSERT_TRUE(parse_iso8601(format_iso8601(t), back));
  EXPECT_EQ(back, t);
}

TEST(Iso8601, AppliesOffsets) {
  TimePoint a, b;
  ASSERT_TRUE(parse_iso8601("2026-11-01T01:30:00-05:00", a));
  ASSERT_TRUE(parse_iso8601("2026-11-01T06:30:00Z", b));
  EXPECT_EQ(a, b);
}

TEST(Iso8601, RejectsGarbage) {
  TimePoint t;
  EXPECT_FALSE(parse_iso8601("yesterday", t));
  EXPECT_FALSE(parse_iso8601("2026-13-01T00:00:00Z", t));
  EXPECT_FALSE(parse_iso8601("2026-11-01T00:00:00Zjunk", t));
}

TEST(Iso8601, ZonelessTimesAreUtcUnlessAZoneIsRequired) {
  TimePoint t, utc;
  ASSERT_TRUE(parse_iso8601("2026-06-10T20:00", t));
  ASSERT_TRUE(parse_iso8601("2026-06-10T20:00:00Z", utc));
  EXPECT_EQ(t, utc);
  EXPECT_FALSE(parse_iso8601("2026-06-10T20:00", t, /*require_zone=*/true));
  EXPECT_FALSE(parse_iso8601("2026-06-10T20:00:00", t, /*require_zone=*/true));
  ASSERT_TRUE(parse_iso8601("2026-06-10T16:00:00-04:00", t, /*require_zone=*/true));
  EXPECT_EQ(t, utc);
}

TEST(ManualClock, MovesOnlyWhenTold) {
  TimePoint start;
  ASSERT_TRUE(parse_iso8601("2026-11-22T00:00:00Z", start));
  ManualClock c(start);
  EXPECT_EQ(c.now(), start);
  c.advance(Millis(1500));
  EXPECT_EQ(c.now(), start + Millis(1500));
}

}  // namespace
}  // namespace outdial
