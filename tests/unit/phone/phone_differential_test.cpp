// Differential test: the fast path against libphonenumber itself on ~20k generated numbers in
// mixed formats. Wherever both accept, the E.164 (and region and type) must be identical; our
// own refusals must be one of the NANP policy reasons, never a disagreement about validity.
#include <gtest/gtest.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <random>
#include <string>

#include "outdial/phone/phone_normalizer.hpp"

namespace outdial::phone {
namespace {
namespace lpn = i18n::phonenumbers;

std::string pad(std::uint64_t v, int width) {
  std::string s = std::to_string(v);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), '0');
  return s;
}

std::string generate(std::mt19937_64& rng) {
  auto pick = [&rng](std::uint64_t n) { return rng() % n; };
  std::uint64_t kind = pick(100);
  if (kind < 8) {  // international
    static const char* kCc[] = {"44", "33", "49", "52", "61", "81", "91", "86", "7", "353"};
    std::string s = "+" + std::string(kCc[pick(10)]) + " ";
    std::uint64_t len = 7 + pick(5);
    for (std::uint64_t i = 0; i < len; ++i) {
      s.push_back(static_cast<char>('0' + pick(10)));
      if (pick(4) == 0) s.push_back(' ');
    }
    return s;
  }
  if (kind < 12) {  // junk and near-misses
    static const char* kJunk[] = {"", "n/a", "unknown", "12345", "555-1234", "+", "()", "--",
                                  "1-800-FLOWERS", "212-456-7890 ext 12", "212 456 7890 x9",
                                  "tel:+12124567890", "0", "+1", "+1 212", "１２１２４５６７８９０",
                                  "011 44 20 7946 0958", "01144", "1234", "call me", "12",
                                  "011 1 212 456 7890", "0112", "+ 1 212 456 7890", "(0)"};
    return kJunk[pick(sizeof(kJunk) / sizeof(kJunk[0]))];
  }
  std::uint64_t npa = pick(10) == 0 ? pick(1000) : 200 + pick(800);
  std::uint64_t nxx = pick(10) == 0 ? pick(1000) : 200 + pick(800);
  if (pick(20) == 0) nxx = 555;
  std::uint64_t line = pick(10000);
  std::string a = pad(npa, 3), b = pad(nxx, 3), c = pad(line, 4);
  switch (pick(14)) {
    case 0: return "(" + a + ") " + b + "-" + c;
    case 1: return a + "." + b + "." + c;
    case 2: return a + "-" + b + "-" + c;
    case 3: return a + b + c;
    case 4: return "1" + a + b + c;
    case 5: return "1-" + a + "-" + b + "-" + c;
    case 6: return "+1 " + a + " " + b + " " + c;
    case 7: return "+1" + a + b + c;
    case 8: return " +1 (" + a + ") " + b + "-" + c + " ";
    case 9: return a + "/" + b + "-" + c;
    case 10: return "(" + a + ")" + b + "-" + c;
    case 11: return "1 " + a + " " + b + " " + c;
    case 12: return a + b + c.substr(0, 3);  // 9 digits
    default: return "+1 " + a + "-" + b + "-" + c + "0";  // 11 national digits
  }
}

void run(bool us_only, int count, std::uint64_t seed) {
  PhoneNormalizer norm;
  auto* util = lpn::PhoneNumberUtil::GetInstance();
  std::mt19937_64 rng(seed);
  int both = 0, fast = 0;
  NormalizedPhone out;
  for (int i = 0; i < count; ++i) {
    std::string raw = generate(rng);
    lpn::PhoneNumber pn;
    bool lib_ok = util->Parse(raw, "US", &pn) == lpn::PhoneNumberUtil::NO_PARSING_ERROR &&
                  util->IsValidNumber(pn);
    std::string lib_e164, lib_region;
    if (lib_ok) {
      util->Format(pn, lpn::PhoneNumberUtil::E164, &lib_e164);
      util->GetRegionCodeForNumber(pn, &lib_region);
    }
    PhoneReject r = norm.normalize_into(raw, "US", us_only, out);
    if (out.fast_path) ++fast;
    if (r == PhoneReject::kNone) {
      ASSERT_TRUE(lib_ok) << "we accept, library refuses: '" << raw << "' -> " << out.e164;
      ASSERT_EQ(out.e164, lib_e164) << raw;
      ASSERT_EQ(out.region, lib_region) << raw;
      ASSERT_EQ(static_cast<int>(out.number_type), static_cast<int>(util->GetNumberType(pn)))
          << raw;
      ++both;
    } else if (r == PhoneReject::kInvalid || r == PhoneReject::kUnparseable) {
      ASSERT_FALSE(lib_ok) << "we say " << to_code(r) << ", library accepts '" << raw << "' as "
                           << lib_e164;
    } else if (lib_ok) {
      // A policy refusal of a number the library accepts: must be for a reason we can name.
      if (r == PhoneReject::kNonUs) {
        ASSERT_TRUE(us_only) << raw;
        ASSERT_TRUE(lib_region != "US" && lib_region != "PR" && lib_region != "VI" &&
                    lib_region != "GU" && lib_region != "MP" && lib_region != "AS")
            << raw << " " << lib_region;
      } else {
        ASSERT_EQ(lib_e164.substr(0, 2), "+1") << raw;
      }
    }
  }
  EXPECT_GT(both, count / 3);
  EXPECT_GT(fast, count / 2);
}

TEST(PhoneDifferentialTest, FastPathMatchesLibphonenumberAnyCountry) { run(false, 20000, 1); }
TEST(PhoneDifferentialTest, FastPathMatchesLibphonenumberUsOnly) { run(true, 20000, 2); }

}  // namespace
}  // namespace outdial::phone
