#include <set>
#include <string>

#include <gtest/gtest.h>

#include "outdial/geo/npa.hpp"
#include "outdial/geo/zone_offsets.hpp"

namespace outdial::geo {
namespace {

TEST(NpaTest, SingleZoneLookup) {
  const auto ny = lookup_npa(212);
  ASSERT_TRUE(ny.has_value());
  EXPECT_EQ(ny->state, "NY");
  EXPECT_EQ(ny->zone_count, 1);
  EXPECT_EQ(ny->zones[0], "America/New_York");
  EXPECT_EQ(lookup_npa(915)->zones[0], "America/Denver");  // El Paso is Mountain
  EXPECT_EQ(lookup_npa(219)->zones[0], "America/Chicago"); // NW Indiana is Central
  EXPECT_EQ(lookup_npa(602)->zones[0], "America/Phoenix");
  EXPECT_EQ(lookup_npa(808)->zones[0], "Pacific/Honolulu");
}

TEST(NpaTest, Territories) {
  struct Row { int npa; const char* state; const char* zone; };
  for (const Row& r : {Row{787, "PR", "America/Puerto_Rico"}, Row{939, "PR", "America/Puerto_Rico"},
                       Row{340, "VI", "America/St_Thomas"}, Row{671, "GU", "Pacific/Guam"},
                       Row{670, "MP", "Pacific/Saipan"}, Row{684, "AS", "Pacific/Pago_Pago"}}) {
    const auto info = lookup_npa(r.npa);
    ASSERT_TRUE(info.has_value()) << r.npa;
    EXPECT_EQ(info->state, r.state) << r.npa;
    EXPECT_EQ(info->zones[0], r.zone) << r.npa;
    EXPECT_FALSE(is_non_us_nanp(r.npa)) << r.npa;
  }
}

TEST(NpaTest, MultiZoneNpas) {
  struct Row { int npa; const char* state; const char* a; const char* b; };
  const Row rows[] = {
      {850, "FL", "America/New_York", "America/Chicago"},  {208, "ID", "America/Boise", "America/Los_Angeles"},
      {986, "ID", "America/Boise", "America/Los_Angeles"}, {541, "OR", "America/Los_Angeles", "America/Boise"},
      {458, "OR", "America/Los_Angeles", "America/Boise"}, {906, "MI", "America/Detroit", "America/Menominee"},
      {605, "SD", "America/Chicago", "America/Denver"},    {701, "ND", "America/Chicago", "America/Denver"},
      {308, "NE", "America/Chicago", "America/Denver"},    {785, "KS", "America/Chicago", "America/Denver"},
      {620, "KS", "America/Chicago", "America/Denver"},    {432, "TX", "America/Chicago", "America/Denver"},
      {812, "IN", "America/Indiana/Indianapolis", "America/Chicago"},
      {930, "IN", "America/Indiana/Indianapolis", "America/Chicago"},
      {574, "IN", "America/Indiana/Indianapolis", "America/Indiana/Knox"},
      {270, "KY", "America/Chicago", "America/New_York"},  {364, "KY", "America/Chicago", "America/New_York"},
      {931, "TN", "America/Chicago", "America/New_York"},  {423, "TN", "America/New_York", "America/Chicago"},
      {775, "NV", "America/Los_Angeles", "America/Denver"}, {928, "AZ", "America/Phoenix", "America/Denver"},
      {907, "AK", "America/Anchorage", "America/Adak"},
  };
  for (const Row& r : rows) {
    const auto info = lookup_npa(r.npa);
    ASSERT_TRUE(info.has_value()) << r.npa;
    EXPECT_EQ(info->state, r.state) << r.npa;
    ASSERT_EQ(info->zone_count, 2) << r.npa;
    EXPECT_EQ(info->zones[0], r.a) << r.npa;
    EXPECT_EQ(info->zones[1], r.b) << r.npa;
    EXPECT_TRUE(zone_fits_npa(r.npa, r.a));
    EXPECT_TRUE(zone_fits_npa(r.npa, r.b));
  }
  EXPECT_FALSE(zone_fits_npa(850, "America/Denver"));
  EXPECT_FALSE(zone_fits_npa(212, "America/Chicago"));
  EXPECT_FALSE(zone_fits_npa(555, "America/New_York"));
}

TEST(NpaTest, NonUsNanp) {
  for (int npa : {416, 604, 204, 514, 403, 902, 867, 242, 246, 876, 809, 829, 849, 868, 441, 345}) {
    EXPECT_TRUE(is_non_us_nanp(npa)) << npa;
    EXPECT_FALSE(lookup_npa(npa).has_value()) << npa;
  }
  EXPECT_FALSE(is_non_us_nanp(212));
}

TEST(NpaTest, NotAreas) {
  for (int npa : {211, 311, 411, 511, 611, 711, 811, 911, 555, 500, 600, 700, 800, 833, 844, 855, 866, 877, 888,
                  900, 950, 976, 0, 99, 1000, -1}) {
    EXPECT_FALSE(lookup_npa(npa).has_value()) << npa;
    EXPECT_FALSE(is_non_us_nanp(npa)) << npa;
  }
}

TEST(NpaTest, TableIsSortedDisjointAndComplete) {
  int prev = 0;
  std::set<std::string> states;
  for (const NpaRow& row : npa_rows()) {
    EXPECT_GT(row.npa, prev);
    prev = row.npa;
    EXPECT_FALSE(is_non_us_nanp(row.npa)) << row.npa;
    states.insert(std::string(row.state, 2));
    // NANP geographic codes: first digit 2-9, not N11.
    EXPECT_GE(row.npa, 200);
    EXPECT_NE(row.npa % 100, 11) << row.npa;
  }
  EXPECT_GE(npa_rows().size(), 340u);
  EXPECT_EQ(states.size(), 56u);  // 50 states + DC + PR, VI, GU, MP, AS
}

TEST(NpaTest, EveryZoneNameIsInTheTzDatabase) {
  for (std::string_view name : npa_zone_names()) {
    EXPECT_NO_THROW(ZoneOffsets z(name)) << name;
  }
}

}  // namespace
}  // namespace outdial::geo
