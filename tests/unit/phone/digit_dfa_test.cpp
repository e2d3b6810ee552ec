#include "outdial/phone/digit_dfa.hpp"

#include <gtest/gtest.h>

namespace outdial::phone {
namespace {

TEST(DigitDfaTest, LiteralsClassesAndRepeats) {
  auto d = DigitDfa::compile("8(?:00|33|44)[2-9]\\d{6}");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->full_match("8002345678"));
  EXPECT_TRUE(d->full_match("8339999999"));
  EXPECT_FALSE(d->full_match("8001345678"));  // [2-9]
  EXPECT_FALSE(d->full_match("800234567"));   // too short
  EXPECT_FALSE(d->full_match("80023456789"));  // too long
  EXPECT_FALSE(d->full_match("8552345678"));
}

TEST(DigitDfaTest, AlternationOptionalAndRanges) {
  auto d = DigitDfa::compile("(?:[58]\\d\\d|658|900)\\d{7}|3\\d{6}|1?2{2,3}");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->full_match("5001234567"));
  EXPECT_TRUE(d->full_match("9001234567"));
  EXPECT_FALSE(d->full_match("9011234567"));
  EXPECT_TRUE(d->full_match("3123456"));
  EXPECT_TRUE(d->full_match("22"));
  EXPECT_TRUE(d->full_match("1222"));
  EXPECT_FALSE(d->full_match("12222"));
  EXPECT_FALSE(d->full_match(""));
}

TEST(DigitDfaTest, PrefixMatchIsAnchoredConsume) {
  auto d = DigitDfa::compile("658|876");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->prefix_match("8765551234"));
  EXPECT_TRUE(d->prefix_match("658"));
  EXPECT_FALSE(d->prefix_match("2876"));
  EXPECT_FALSE(d->prefix_match("65"));
}

TEST(DigitDfaTest, UnboundedRepeats) {
  auto d = DigitDfa::compile("1\\d*2+");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->full_match("12"));
  EXPECT_TRUE(d->full_match("1999222"));
  EXPECT_FALSE(d->full_match("1"));
}

TEST(DigitDfaTest, EmptyPatternNeverMatches) {
  auto d = DigitDfa::compile("");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->never_matches());
  EXPECT_FALSE(d->full_match(""));
  EXPECT_FALSE(d->full_match("1"));
}

TEST(DigitDfaTest, UnsupportedSyntaxIsRefused) {
  EXPECT_FALSE(DigitDfa::compile("a\\d"));
  EXPECT_FALSE(DigitDfa::compile("(12"));
  EXPECT_FALSE(DigitDfa::compile("1{3"));
  EXPECT_FALSE(DigitDfa::compile("[^1]"));
  EXPECT_FALSE(DigitDfa::compile("1.2"));
}

}  // namespace
}  // namespace outdial::phone
