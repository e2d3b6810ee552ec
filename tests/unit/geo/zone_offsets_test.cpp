#include <date/date.h>
#include <gtest/gtest.h>

#include "outdial/geo/zone_offsets.hpp"

namespace outdial::geo {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

SysSeconds utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}} + hours{h} + minutes{min};
}
LocalSeconds local(int y, unsigned m, unsigned d, int h, int min = 0) {
  return LocalSeconds{(utc(y, m, d, h, min)).time_since_epoch()};
}

TEST(ZoneOffsetsTest, DstStart2026) {
  const ZoneOffsets ny("America/New_York");
  EXPECT_EQ(ny.offset_at(utc(2026, 3, 8, 6, 59)), hours{-5});
  EXPECT_EQ(ny.offset_at(utc(2026, 3, 8, 7, 0)), hours{-4});  // 02:00 EST -> 03:00 EDT
  EXPECT_EQ(ny.to_utc(local(2026, 3, 8, 8)), utc(2026, 3, 8, 12));
  EXPECT_EQ(ny.to_utc(local(2026, 3, 8, 1, 59)), utc(2026, 3, 8, 6, 59));
  // 02:30 does not exist: shifted forward by the gap (03:30 EDT).
  EXPECT_EQ(ny.to_utc(local(2026, 3, 8, 2, 30)), utc(2026, 3, 8, 7, 30));
}

TEST(ZoneOffsetsTest, DstEnd2026) {
  const ZoneOffsets chi("America/Chicago");
  EXPECT_EQ(chi.offset_at(utc(2026, 11, 1, 6, 59)), hours{-5});
  EXPECT_EQ(chi.offset_at(utc(2026, 11, 1, 7, 0)), hours{-6});
  // 01:30 happens twice: the earlier (CDT) instant.
  EXPECT_EQ(chi.to_utc(local(2026, 11, 1, 1, 30)), utc(2026, 11, 1, 6, 30));
  EXPECT_EQ(chi.to_utc(local(2026, 11, 1, 8)), utc(2026, 11, 1, 14));
  EXPECT_EQ(chi.to_local(utc(2026, 11, 1, 14)), local(2026, 11, 1, 8));
}

TEST(ZoneOffsetsTest, NoDstZones) {
  const ZoneOffsets phx("America/Phoenix");
  EXPECT_EQ(phx.offset_at(utc(2026, 1, 1, 0)), hours{-7});
  EXPECT_EQ(phx.offset_at(utc(2026, 7, 1, 0)), hours{-7});
  const ZoneOffsets pr("America/Puerto_Rico");
  EXPECT_EQ(pr.offset_at(utc(2026, 7, 1, 0)), hours{-4});
  const ZoneOffsets guam("Pacific/Guam");
  EXPECT_EQ(guam.offset_at(utc(2026, 7, 1, 0)), hours{10});
}

TEST(ZoneOffsetsTest, CatalogResolvesAndRejects) {
  const ZoneCatalog catalog;
  const ZoneOffsets* ny = catalog.find("America/New_York");
  ASSERT_NE(ny, nullptr);
  EXPECT_EQ(ny, catalog.find("America/New_York"));
  const ZoneOffsets* berlin = catalog.find("Europe/Berlin");
  ASSERT_NE(berlin, nullptr);
  EXPECT_EQ(berlin, catalog.find("Europe/Berlin"));
  EXPECT_EQ(catalog.find("Mars/Olympus_Mons"), nullptr);
  EXPECT_EQ(catalog.find(""), nullptr);
}

TEST(ZoneOffsetsTest, MatchesTzLibraryOutsideTable) {
  const ZoneOffsets ny("America/New_York");
  EXPECT_EQ(ny.offset_at(utc(1990, 7, 1, 0)), hours{-4});
  EXPECT_EQ(ny.offset_at(utc(2150, 1, 1, 0)), hours{-5});
}

}  // namespace
}  // namespace outdial::geo
