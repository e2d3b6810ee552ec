// The DFA-backed NANP classifier must agree with libphonenumber on every +1 number.
#include "outdial/phone/nanp_metadata.hpp"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <random>
#include <string>

namespace outdial::phone {
namespace {
namespace lpn = i18n::phonenumbers;

void expect_same(const NanpMetadata& meta, std::uint64_t national) {
  auto* util = lpn::PhoneNumberUtil::GetInstance();
  std::string digits = std::to_string(national);
  lpn::PhoneNumber pn;
  pn.set_country_code(1);
  pn.set_national_number(national);
  std::string region;
  util->GetRegionCodeForNumber(pn, &region);
  bool valid = util->IsValidNumber(pn);
  auto type = util->GetNumberType(pn);

  NanpClass c = meta.classify(digits);
  std::string ours = c.region < 0 ? "ZZ" : meta.region_codes()[static_cast<std::size_t>(c.region)];
  ASSERT_EQ(ours, region) << digits;
  ASSERT_EQ(c.valid(), valid) << digits;
  ASSERT_EQ(static_cast<int>(c.type), static_cast<int>(type)) << digits;
}

TEST(NanpMetadataTest, LoadsEveryPlusOneRegion) {
  NanpMetadata meta;
  ASSERT_TRUE(meta.usable());
  ASSERT_FALSE(meta.region_codes().empty());
  EXPECT_EQ(meta.region_codes().front(), "US");
  EXPECT_GE(meta.region_codes().size(), 20u);
}

TEST(NanpMetadataTest, AgreesWithLibphonenumberOnRandomNumbers) {
  NanpMetadata meta;
  ASSERT_TRUE(meta.usable());
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::uint64_t n = 2000000000ULL + rng() % 8000000000ULL;
    expect_same(meta, n);
  }
}

TEST(NanpMetadataTest, AgreesOnEveryAreaCodeAndSpecialRanges) {
  NanpMetadata meta;
  ASSERT_TRUE(meta.usable());
  std::mt19937_64 rng(7);
  for (std::uint64_t npa = 200; npa <= 999; ++npa) {
    for (int k = 0; k < 12; ++k) {
      std::uint64_t nxx = 200 + rng() % 800;
      std::uint64_t line = rng() % 10000;
      expect_same(meta, npa * 10000000ULL + nxx * 10000ULL + line);
    }
  }
  // Ranges decided past the exchange (JM 876-606-0XXX), toll free, personal numbers.
  for (std::uint64_t n : {8766060123ULL, 8766061123ULL, 8002345678ULL, 5002345678ULL,
                          5235521234ULL, 9002345678ULL, 6002345678ULL, 2125550123ULL}) {
    expect_same(meta, n);
  }
}

}  // namespace
}  // namespace outdial::phone
