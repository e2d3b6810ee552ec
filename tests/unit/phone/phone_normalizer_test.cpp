#include "outdial/phone/phone_normalizer.hpp"

#include <gtest/gtest.h>

namespace outdial::phone {
namespace {

class PhoneNormalizerTest : public ::testing::Test {
 protected:
  static const PhoneNormalizer& norm() {
    static const PhoneNormalizer n;  // construction parses metadata; share across cases
    return n;
  }
  static PhoneReject reason(std::string_view raw, bool us_only = true) {
    NormalizedPhone out;
    return norm().normalize_into(raw, "US", us_only, out);
  }
  static std::string e164(std::string_view raw, bool us_only = true) {
    auto r = norm().normalize(raw, "US", us_only);
    return r.ok() ? r->e164 : "error:" + r.error().details.at("reason");
  }
};

TEST_F(PhoneNormalizerTest, CommonUsShapesGiveE164) {
  EXPECT_TRUE(norm().fast_metadata());
  for (const char* raw : {"(212) 456-7890", "212.456.7890", "212-456-7890", "2124567890",
                          "12124567890", "1-212-456-7890", "+1 212 456 7890", "+12124567890",
                          "  (212)456-7890  ", "212/456-7890", "+1 (212) 456-7890"}) {
    EXPECT_EQ(e164(raw), "+12124567890") << raw;
  }
}

TEST_F(PhoneNormalizerTest, FastPathFillsNationalNumberAndRegion) {
  NormalizedPhone out;
  ASSERT_EQ(norm().normalize_into("(212) 456-7890", "US", true, out), PhoneReject::kNone);
  EXPECT_TRUE(out.fast_path);
  EXPECT_EQ(out.national_number, 2124567890u);
  EXPECT_EQ(out.country_code, 1);
  EXPECT_EQ(out.region, "US");
  EXPECT_EQ(out.number_type, NumberType::kFixedLineOrMobile);
  EXPECT_EQ(out.line_type, LineType::kUnknown);
}

TEST_F(PhoneNormalizerTest, LibraryShapesStillWork) {
  EXPECT_EQ(e164("212-456-7890 x123"), "+12124567890");
  EXPECT_EQ(e164("1-800-FLOWERS"), "+18003569377");
  EXPECT_EQ(e164("+44 20 7946 0958", false), "+442079460958");
  NormalizedPhone out;
  ASSERT_EQ(norm().normalize_into("+44 7400 123456", "US", false, out), PhoneReject::kNone);
  EXPECT_EQ(out.line_type, LineType::kWireless);
  EXPECT_EQ(out.region, "GB");
}

TEST_F(PhoneNormalizerTest, Unparseable) {
  EXPECT_EQ(reason(""), PhoneReject::kUnparseable);
  EXPECT_EQ(reason("n/a"), PhoneReject::kUnparseable);
  EXPECT_EQ(reason("call me"), PhoneReject::kUnparseable);
  EXPECT_EQ(e164("n/a"), "error:unparseable");
}

TEST_F(PhoneNormalizerTest, Invalid) {
  EXPECT_EQ(reason("212-456-789"), PhoneReject::kInvalid);     // 9 digits
  EXPECT_EQ(reason("212-456-78901"), PhoneReject::kInvalid);   // 11 digits, no leading 1
  EXPECT_EQ(reason("(212) 156-7890"), PhoneReject::kInvalid);  // exchange starts with 1
}

TEST_F(PhoneNormalizerTest, N11AreaCodes) {
  EXPECT_EQ(reason("411-234-5678"), PhoneReject::kN11);
  EXPECT_EQ(reason("+1 911 234 5678"), PhoneReject::kN11);
  EXPECT_EQ(reason("1 (611) 234-5678"), PhoneReject::kN11);
}

TEST_F(PhoneNormalizerTest, UnassignedAreaCodes) {
  EXPECT_EQ(reason("555-234-5678"), PhoneReject::kUnassignedAreaCode);
  EXPECT_EQ(reason("(370) 234-5678"), PhoneReject::kUnassignedAreaCode);
  EXPECT_EQ(reason("(965) 234-5678"), PhoneReject::kUnassignedAreaCode);
  EXPECT_EQ(reason("(296) 234-5678"), PhoneReject::kUnassignedAreaCode);
}

TEST_F(PhoneNormalizerTest, Fictional555) {
  EXPECT_EQ(reason("(212) 555-0100"), PhoneReject::kFictional555);
  EXPECT_EQ(reason("212.555.0199"), PhoneReject::kFictional555);
  EXPECT_EQ(e164("212-555-0200"), "+12125550200");  // outside the fictional block
}

TEST_F(PhoneNormalizerTest, NonUs) {
  EXPECT_EQ(reason("+44 20 7946 0958"), PhoneReject::kNonUs);
  EXPECT_EQ(reason("011 44 20 7946 0958"), PhoneReject::kNonUs);
  EXPECT_EQ(reason("+1 416 234 5678"), PhoneReject::kNonUs);  // Toronto
  EXPECT_EQ(reason("(876) 927-1234"), PhoneReject::kNonUs);   // Jamaica
  EXPECT_EQ(e164("+1 416 234 5678", false), "+14162345678");
  // US territories count as US.
  EXPECT_EQ(e164("(787) 234-5678"), "+17872345678");
  EXPECT_EQ(e164("(671) 300-1234"), "+16713001234");  // Guam
}

TEST_F(PhoneNormalizerTest, ErrorCarriesReasonAndRaw) {
  auto r = norm().normalize("411-234-5678", "US", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().details.at("reason"), "n11");
  EXPECT_EQ(r.error().details.at("raw"), "411-234-5678");
}

TEST_F(PhoneNormalizerTest, CodesAreStable) {
  EXPECT_STREQ(to_code(PhoneReject::kUnparseable), "unparseable");
  EXPECT_STREQ(to_code(PhoneReject::kInvalid), "invalid");
  EXPECT_STREQ(to_code(PhoneReject::kN11), "n11");
  EXPECT_STREQ(to_code(PhoneReject::kUnassignedAreaCode), "unassigned_area_code");
  EXPECT_STREQ(to_code(PhoneReject::kFictional555), "fictional_555");
  EXPECT_STREQ(to_code(PhoneReject::kNonUs), "non_us");
}

}  // namespace
}  // namespace outdial::phone
