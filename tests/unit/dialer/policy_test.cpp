#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "outdial/dialer/retry_policy.hpp"
#include "outdial/dialer/throttle.hpp"

namespace outdial::dialer {
namespace {

const TimePoint kNow = from_epoch_ms(1'000'000'000);

CallAttempt finished(CallState s, int n, bool machine = false, std::string digits = "") {
  CallAttempt a;
  a.id = n;
  a.attempt_number = n;
  a.state = s;
  a.answered_by_machine = machine;
  a.digits = std::move(digits);
  return a;
}

struct Row {
  CallState state;
  bool machine;
  int prior_same;  // earlier attempts with the same outcome
  TargetStatus expect;
  int backoff_minutes;  // expected when pending
};

TEST(RetryPolicy, Table) {
  Campaign c;
  c.max_attempts = 10;
  c.min_spacing_minutes = 0;
  c.retry = RetryPolicy{{3, 10}, {3, 120}, {2, 1440}, {2, 60}};
  const Row rows[] = {
      {CallState::kCompleted, false, 0, TargetStatus::kDone, 0},
      {CallState::kDropped, false, 0, TargetStatus::kDone, 0},
      {CallState::kBusy, false, 0, TargetStatus::kPending, 10},
      {CallState::kBusy, false, 1, TargetStatus::kPending, 10},
      {CallState::kBusy, false, 2, TargetStatus::kExhausted, 0},
      {CallState::kNoAnswer, false, 0, TargetStatus::kPending, 120},
      {CallState::kNoAnswer, false, 2, TargetStatus::kExhausted, 0},
      {CallState::kCompleted, true, 0, TargetStatus::kPending, 1440},
      {CallState::kCompleted, true, 1, TargetStatus::kExhausted, 0},
      {CallState::kFailed, false, 0, TargetStatus::kPending, 60},
      {CallState::kFailed, false, 1, TargetStatus::kExhausted, 0},
  };
  for (const auto& r : rows) {
    std::vector<CallAttempt> history;
    for (int i = 0; i < r.prior_same; ++i) history.push_back(finished(r.state, i + 1, r.machine));
    CallAttempt last = finished(r.state, r.prior_same + 1, r.machine);
    history.push_back(last);
    auto u = next_target_state(c, last, history, kNow);
    EXPECT_EQ(u.status, r.expect) << to_string(r.state) << " prior " << r.prior_same;
    EXPECT_EQ(u.attempts, r.prior_same + 1);
    if (r.expect == TargetStatus::kPending) {
      EXPECT_EQ(u.next_eligible_at, kNow + std::chrono::minutes(r.backoff_minutes));
    }
  }
}

TEST(RetryPolicy, CampaignCapAndSpacingAndOptOut) {
  Campaign c;
  c.max_attempts = 2;
  c.min_spacing_minutes = 240;
  auto busy1 = finished(CallState::kBusy, 1);
  auto u = next_target_state(c, busy1, {busy1}, kNow);
  EXPECT_EQ(u.status, TargetStatus::kPending);
  EXPECT_EQ(u.next_eligible_at, kNow + std::chrono::minutes(240));  // spacing beats 10 min backoff
  auto na2 = finished(CallState::kNoAnswer, 2);
  EXPECT_EQ(next_target_state(c, na2, {busy1, na2}, kNow).status, TargetStatus::kExhausted);
  auto opt = finished(CallState::kCompleted, 1, false, "2");
  auto o = next_target_state(c, opt, {opt}, kNow);
  EXPECT_EQ(o.status, TargetStatus::kDone);
  EXPECT_EQ(o.last_outcome, "opted_out");
  EXPECT_EQ(next_target_state(c, busy1, {busy1}, kNow, true).status, TargetStatus::kExhausted);
}

// An attempt canceled before anything was sent (the gate refused its re-send, the campaign was
// paused) is no attempt made: it counts toward neither max_attempts nor its outcome's rule, and
// the target goes back to pending for the gate to decide again. Its number stays taken (the
// next attempt is numbered after it). One the carrier canceled (it has a call id) counts.
TEST(RetryPolicy, AnAttemptCanceledBeforeItsDialDoesNotCount) {
  Campaign c;
  c.max_attempts = 2;
  c.min_spacing_minutes = 0;
  c.retry = RetryPolicy{{3, 10}, {3, 120}, {2, 1440}, {2, 60}};
  const auto canceled1 = finished(CallState::kCanceled, 1);
  auto u = next_target_state(c, canceled1, {canceled1}, kNow);
  EXPECT_EQ(u.status, TargetStatus::kPending);
  EXPECT_EQ(u.next_eligible_at, kNow);  // the gate decides when it is due
  EXPECT_EQ(u.attempts, 1);             // the highest number used: never reused
  const auto canceled2 = finished(CallState::kCanceled, 2);
  EXPECT_EQ(next_target_state(c, canceled2, {canceled1, canceled2}, kNow).status, TargetStatus::kPending);
  const auto na3 = finished(CallState::kNoAnswer, 3);
  u = next_target_state(c, na3, {canceled1, canceled2, na3}, kNow);
  EXPECT_EQ(u.status, TargetStatus::kPending) << "one real call of two";
  EXPECT_EQ(u.attempts, 3);
  const auto na4 = finished(CallState::kNoAnswer, 4);
  EXPECT_EQ(next_target_state(c, na4, {canceled1, canceled2, na3, na4}, kNow).status, TargetStatus::kExhausted);
  // Nor toward the failed rule (2): a real failure after a canceled one is the first failure.
  c.max_attempts = 10;
  const auto failed2 = finished(CallState::kFailed, 2);
  EXPECT_EQ(next_target_state(c, failed2, {canceled1, failed2}, kNow).status, TargetStatus::kPending);
  // Canceled at the carrier (a call id, or dialed): an attempt made.
  c.max_attempts = 2;
  auto carrier_canceled = finished(CallState::kCanceled, 1);
  carrier_canceled.provider_call_id = "CA1";
  EXPECT_TRUE(counts_as_attempt(carrier_canceled));
  auto dialed_canceled = finished(CallState::kCanceled, 1);
  dialed_canceled.dialed_at = kNow;
  EXPECT_TRUE(counts_as_attempt(dialed_canceled));
  EXPECT_FALSE(counts_as_attempt(canceled1));
  EXPECT_TRUE(counts_as_attempt(finished(CallState::kQueued, 1)));  // may be sent any moment
  const auto na2 = finished(CallState::kNoAnswer, 2);
  EXPECT_EQ(next_target_state(c, na2, {carrier_canceled, na2}, kNow).status, TargetStatus::kExhausted);
}

TEST(Throttle, NeverExceedsRateInAny60sWindow) {
  std::mt19937 rng(7);
  for (int rate : {1, 5, 30, 120}) {
    Throttle th(rate);
    std::vector<TimePoint> starts;
    TimePoint now = kNow;
    for (int step = 0; step < 5000; ++step) {
      now += Millis(std::uniform_int_distribution<int>(0, 4000)(rng));
      int want = std::uniform_int_distribution<int>(0, 5)(rng);
      for (int i = 0; i < want && th.available(now) > 0; ++i) {
        th.record(now);
        starts.push_back(now);
      }
    }
    // Every window [s, s+60s) starting at a call start holds at most `rate` starts.
    std::size_t j = 0;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      while (j < starts.size() && starts[j] < starts[i] + Millis(60'000)) ++j;
      ASSERT_LE(static_cast<int>(j - i), rate) << "rate " << rate;
    }
    EXPECT_GT(starts.size(), 10u);
  }
}

TEST(Throttle, NextSlotIsWhenOldestLeavesTheWindow) {
  Throttle th(2);
  th.record(kNow);
  th.record(kNow + Millis(10));
  EXPECT_EQ(th.available(kNow + Millis(20)), 0);
  EXPECT_EQ(th.next_slot(kNow + Millis(20)), kNow + Millis(60'000));
  EXPECT_EQ(th.available(kNow + Millis(60'000)), 1);
}

}  // namespace
}  // namespace outdial::dialer
