#include "outdial/accounts/number_health.hpp"

#include <gtest/gtest.h>

namespace outdial::accounts {
namespace {

const TimePoint kNow = from_epoch_ms(1'795'000'000'000);

std::vector<AnswerSample> samples(const std::string& e164, int attempts, int answered, TimePoint at) {
  std::vector<AnswerSample> out;
  for (int i = 0; i < attempts; ++i) out.push_back({e164, at, i < answered});
  return out;
}

TEST(NumberHealth, AnswerRatePerNumberInsideTheWindow) {
  HealthPolicy policy;
  policy.window = std::chrono::hours(24);
  policy.min_samples = 10;
  policy.min_answer_rate = 0.2;
  std::vector<AnswerSample> all;
  for (auto& s : samples("+14155550001", 20, 10, kNow - std::chrono::hours(1))) all.push_back(s);
  for (auto& s : samples("+14155550002", 20, 1, kNow - std::chrono::hours(2))) all.push_back(s);
  for (auto& s : samples("+14155550003", 5, 0, kNow - std::chrono::hours(3))) all.push_back(s);
  // Outside the window: exactly 24 h old (the window is (now - 24 h, now]) and in the future.
  for (auto& s : samples("+14155550001", 50, 0, kNow - std::chrono::hours(24))) all.push_back(s);
  for (auto& s : samples("+14155550001", 50, 0, kNow + Millis(1))) all.push_back(s);

  auto h = number_health(all, {"+14155550001", "+14155550004"}, kNow, policy);
  ASSERT_EQ(h.size(), 4U);
  EXPECT_EQ(h["+14155550001"].attempts, 20);
  EXPECT_EQ(h["+14155550001"].answered, 10);
  EXPECT_DOUBLE_EQ(h["+14155550001"].answer_rate, 0.5);
  EXPECT_FALSE(h["+14155550001"].should_flag);
  EXPECT_DOUBLE_EQ(h["+14155550002"].answer_rate, 0.05);
  EXPECT_TRUE(h["+14155550002"].should_flag);
  EXPECT_FALSE(h["+14155550003"].enough_samples);  // 0 % but only 5 attempts
  EXPECT_FALSE(h["+14155550003"].should_flag);
  EXPECT_EQ(h["+14155550004"].attempts, 0);  // listed, never used
  EXPECT_FALSE(h["+14155550004"].should_flag);
}

TEST(NumberHealth, ThresholdIsStrict) {
  HealthPolicy policy;
  policy.min_samples = 10;
  policy.min_answer_rate = 0.2;
  auto at_threshold = number_health(samples("+1", 10, 2, kNow), {}, kNow, policy);
  EXPECT_FALSE(at_threshold["+1"].should_flag);
  auto below = number_health(samples("+1", 10, 1, kNow), {}, kNow, policy);
  EXPECT_TRUE(below["+1"].should_flag);
}

TEST(NumberHealth, SeriesBucketsOverTime) {
  std::vector<AnswerSample> all;
  const auto day = std::chrono::hours(24);
  for (auto& s : samples("+1a", 4, 2, kNow)) all.push_back(s);
  for (auto& s : samples("+1a", 5, 0, kNow + day + Millis(5))) all.push_back(s);
  for (auto& s : samples("+1b", 9, 9, kNow)) all.push_back(s);
  for (auto& s : samples("+1a", 3, 3, kNow + day * 3)) all.push_back(s);  // == to: excluded
  auto series = answer_rate_series(all, "+1a", kNow, kNow + day * 3, day);
  ASSERT_EQ(series.size(), 3U);
  EXPECT_EQ(series[0].start, kNow);
  EXPECT_EQ(series[0].attempts, 4);
  EXPECT_DOUBLE_EQ(series[0].answer_rate, 0.5);
  EXPECT_EQ(series[1].attempts, 5);
  EXPECT_DOUBLE_EQ(series[1].answer_rate, 0.0);
  EXPECT_EQ(series[2].attempts, 0);
  EXPECT_TRUE(answer_rate_series(all, "+1a", kNow, kNow, day).empty());
}

}  // namespace
}  // namespace outdial::accounts
