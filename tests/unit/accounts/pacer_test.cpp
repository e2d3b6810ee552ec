#include "outdial/accounts/pacer.hpp"
#include "testing/provider_limits.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace outdial::accounts {
namespace {

const TimePoint kT0 = from_epoch_ms(1'795'000'000'000);
TimePoint at(std::int64_t ms) { return kT0 + Millis(ms); }

using outdial::testing::limits;

// The largest number of starts in any half-open window [a, a + length). The worst window can
// always be slid to begin at a start, so checking windows that begin at each start suffices.
int max_in_any_window(std::vector<TimePoint> starts, Millis length) {
  std::sort(starts.begin(), starts.end());
  int best = 0;
  std::size_t j = 0;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    j = std::max(j, i);
    while (j < starts.size() && starts[j] < starts[i] + length) ++j;
    best = std::max(best, static_cast<int>(j - i));
  }
  return best;
}

TEST(Pacer, TwilioOneCallPerSecond) {
  Pacer p(limits(1, 0, 0, 0));
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_FALSE(p.try_acquire(at(0)));
  EXPECT_FALSE(p.try_acquire(at(999)));
  EXPECT_EQ(p.next_slot(at(1)), at(1000));
  EXPECT_TRUE(p.try_acquire(at(1000)));
  EXPECT_EQ(p.next_slot(at(1500)), at(2000));
  EXPECT_EQ(p.next_slot(at(2500)), at(2500));
}

TEST(Pacer, TelnyxFiveSecondWindow) {
  Pacer p(limits(0, 5, 3, 0));
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_TRUE(p.try_acquire(at(100)));
  EXPECT_TRUE(p.try_acquire(at(4000)));
  EXPECT_FALSE(p.try_acquire(at(4999)));
  EXPECT_EQ(p.next_slot(at(4500)), at(5000));  // the start at 0 leaves the window
  EXPECT_TRUE(p.try_acquire(at(5000)));
  EXPECT_EQ(p.next_slot(at(5000)), at(5100));
  EXPECT_FALSE(p.try_acquire(at(5099)));
  EXPECT_TRUE(p.try_acquire(at(5100)));
}

TEST(Pacer, ConcurrencyLimitWaitsForRelease) {
  Pacer p(limits(0, 0, 0, 2));
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_FALSE(p.try_acquire(at(10)));
  EXPECT_EQ(p.next_slot(at(10)), std::nullopt);
  EXPECT_EQ(p.in_flight(), 2);
  p.release();
  EXPECT_EQ(p.next_slot(at(10)), at(10));
  EXPECT_TRUE(p.try_acquire(at(10)));
  p.release();
  p.release();
  p.release();
  p.release();  // extra releases are ignored
  EXPECT_EQ(p.in_flight(), 0);
}

TEST(Pacer, BothWindowsAndConcurrencyTogether) {
  Pacer p(limits(2, 5, 4, 3));
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_TRUE(p.try_acquire(at(10)));
  EXPECT_FALSE(p.try_acquire(at(20)));  // 2 per second
  EXPECT_EQ(p.next_slot(at(20)), at(1000));
  EXPECT_TRUE(p.try_acquire(at(1000)));
  EXPECT_EQ(p.next_slot(at(1000)), std::nullopt);  // 3 in flight
  p.release();
  EXPECT_TRUE(p.try_acquire(at(1010)));  // 4th start in 5 s
  p.release();
  EXPECT_EQ(p.next_slot(at(1020)), at(5000));  // window of 5 s full until the start at 0 leaves
}

TEST(Pacer, RestoredStartsCountAfterARestart) {
  Pacer p(limits(0, 5, 2, 2));
  const std::vector<TimePoint> before = {at(3000), at(1000)};
  p.restore(before, 1);
  EXPECT_EQ(p.in_flight(), 1);
  EXPECT_FALSE(p.try_acquire(at(4000)));
  EXPECT_EQ(p.next_slot(at(4000)), at(6000));
  EXPECT_TRUE(p.try_acquire(at(6000)));
  EXPECT_EQ(p.next_slot(at(6000)), std::nullopt);  // 2 in flight
}

// Calls that ended before a restart leave no row to restore: no start until one longest window
// after the restart, when no window can reach back to them.
TEST(Pacer, UnknownStartsBeforeARestartHoldOneWindow) {
  Pacer p(limits(2, 5, 5, 0));
  p.restore_unknown(at(1000));
  EXPECT_FALSE(p.try_acquire(at(1000)));
  EXPECT_EQ(p.next_slot(at(1000)), at(6000));
  EXPECT_EQ(p.next_start(at(2000)), at(6000));
  EXPECT_EQ(p.admissible(at(1000), at(5999), 0, 5), 0);
  EXPECT_FALSE(p.try_start(at(5999)));
  EXPECT_TRUE(p.try_acquire(at(6000)));
  EXPECT_TRUE(p.try_acquire(at(6000)));  // then the windows as usual: 2 per second
  EXPECT_FALSE(p.try_acquire(at(6500)));
  p.restore_unknown(at(0));  // an earlier instant never loosens it
  EXPECT_EQ(p.next_slot(at(6500)), at(7000));
}

// A change of the account's stored limits: the same pacer, its starts and calls in flight kept.
TEST(Pacer, SetLimitsKeepsStartsAndCallsInFlight) {
  Pacer p(limits(3, 0, 0, 4));
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_TRUE(p.try_acquire(at(100)));
  EXPECT_TRUE(p.try_acquire(at(200)));
  // Tightened to 1 per second and 2 in flight: the three starts still count, and so do the three
  // calls in flight (two releases before the next start).
  p.set_limits(limits(1, 0, 0, 2));
  EXPECT_EQ(p.limits().calls_per_second, 1);
  EXPECT_EQ(p.in_flight(), 3);
  EXPECT_EQ(p.next_slot(at(1200)), std::nullopt);
  p.release();
  EXPECT_EQ(p.next_slot(at(1000)), std::nullopt);
  p.release();
  EXPECT_EQ(p.next_slot(at(1000)), at(1200));  // 1 per second: the start at 200 leaves at 1200
  EXPECT_TRUE(p.try_acquire(at(1200)));
  // A longer window added later counts the starts made before it (kept 10 s).
  p.set_limits(limits(1, 5, 3, 0));
  EXPECT_FALSE(p.try_acquire(at(2500)));     // 0, 100, 200, 1200: four in (-2500, 2500]
  EXPECT_EQ(p.next_slot(at(2500)), at(5100));  // the 3rd newest (100) leaves the 5-s window
  EXPECT_FALSE(p.try_acquire(at(5099)));
  EXPECT_TRUE(p.try_acquire(at(5100)));
  // Loosened: takes effect at once.
  p.set_limits(limits(10, 0, 0, 0));
  EXPECT_TRUE(p.try_acquire(at(5300)));
  EXPECT_TRUE(p.try_acquire(at(5300)));
  EXPECT_EQ(p.in_flight(), 5);
}

TEST(Pacer, SetLimitsRestartsTheEvenScheduleWithTheNewGap) {
  Pacer p(limits(10, 0, 0, 0), PacerOptions{true, 0.0});  // 100 ms apart
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_EQ(p.next_slot(at(0)), at(100));
  p.set_limits(limits(2, 0, 0, 0));  // 500 ms apart
  EXPECT_EQ(p.spacing(), Millis(500));
  EXPECT_EQ(p.next_slot(at(0)), at(500));
  p.set_limits(limits(100, 0, 0, 0));  // 10 ms apart
  EXPECT_EQ(p.next_slot(at(0)), at(10));
}

TEST(Pacer, ClockSteppingBackDoesNotOpenABurst) {
  Pacer p(limits(1, 0, 0, 0));
  EXPECT_TRUE(p.try_acquire(at(5000)));
  EXPECT_FALSE(p.try_acquire(at(1000)));  // earlier than the last start
  EXPECT_EQ(p.next_slot(at(1000)), at(6000));
}

TEST(Pacer, DefaultLimitsFollowTheProviderContracts) {
  EXPECT_EQ(default_limits(ProviderKind::kTwilio).calls_per_second, 1);
  EXPECT_EQ(default_limits(ProviderKind::kTelnyx).window_seconds, 5);
  EXPECT_EQ(default_limits(ProviderKind::kTelnyx).max_concurrency, 2);
  EXPECT_EQ(default_limits(ProviderKind::kVapi).max_concurrency, 10);
  EXPECT_EQ(default_limits(ProviderKind::kSim), ProviderLimits{});
  for (auto k : {ProviderKind::kTwilio, ProviderKind::kTelnyx, ProviderKind::kVapi, ProviderKind::kSim}) {
    EXPECT_TRUE(validate_limits(default_limits(k)).ok());
  }
  auto half = validate_limits(limits(0, 5, 0, 0));
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.error().details.at("field"), "limits.window_max");
  auto neg = validate_limits(limits(-1, 0, 0, 0));
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.error().details.at("field"), "limits.calls_per_second");
}

// Property: random limits, random arrival times on a manual clock, random call ends. Afterwards
// every sliding window of every configured length holds at most its maximum, concurrency never
// exceeded its limit, and the pacer was never stricter than needed: every refusal while a slot
// was free would have broken some window, and next_slot() was always admitted.
TEST(Pacer, RandomizedSequencesNeverExceedAnyWindow) {
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const int cps = uni(0, 4);
    const int window_s = uni(0, 1) == 0 ? 0 : uni(2, 6);
    const int window_max = window_s == 0 ? 0 : uni(1, 12);
    const int conc = uni(0, 5);
    Pacer p(limits(cps, window_s, window_max, conc));
    ManualClock clock(kT0);
    std::vector<TimePoint> starts;
    int live = 0;
    for (int step = 0; step < 600; ++step) {
      clock.advance(Millis(uni(0, 1) == 0 ? uni(0, 50) : uni(0, 900)));
      const TimePoint now = clock.now();
      if (live > 0 && uni(0, 3) == 0) {
        p.release();
        --live;
      }
      const bool slot_free = conc == 0 || live < conc;
      if (uni(0, 2) == 0) {
        // Follow next_slot: the instant it names must be admitted.
        auto next = p.next_slot(now);
        ASSERT_EQ(next.has_value(), slot_free) << "seed " << seed;
        if (!next) continue;
        ASSERT_GE(*next, now);
        clock.set(*next);
        ASSERT_TRUE(p.try_acquire(*next)) << "seed " << seed << " step " << step;
        starts.push_back(*next);
        ++live;
        continue;
      }
      if (p.try_acquire(now)) {
        ASSERT_TRUE(slot_free) << "seed " << seed;
        starts.push_back(now);
        ++live;
      } else if (slot_free) {
        // Refused with a free slot: adding `now` must break a window.
        std::vector<TimePoint> with = starts;
        with.push_back(now);
        const bool breaks = (cps > 0 && max_in_any_window(with, Millis(1000)) > cps) ||
                            (window_s > 0 && max_in_any_window(with, Millis(1000LL * window_s)) > window_max);
        ASSERT_TRUE(breaks) << "needless refusal, seed " << seed << " step " << step;
      }
      ASSERT_EQ(p.in_flight(), live);
    }
    if (cps > 0) {
      EXPECT_LE(max_in_any_window(starts, Millis(1000)), cps) << "seed " << seed;
    }
    if (window_s > 0) {
      EXPECT_LE(max_in_any_window(starts, Millis(1000LL * window_s)), window_max) << "seed " << seed;
    }
    EXPECT_GT(starts.size(), 0U);
  }
}

TEST(Pacer, EvenSpacingAndHeadroom) {
  Pacer p(limits(4, 0, 0, 0), PacerOptions{true, 0.0});
  EXPECT_EQ(p.spacing(), Millis(250));
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_FALSE(p.try_acquire(at(249)));
  EXPECT_EQ(p.next_slot(at(1)), at(250));
  EXPECT_TRUE(p.try_acquire(at(250)));

  // 250/s with 3 % headroom: 242 per second, 4.133 ms apart on average (never closer than 4 ms
  // = 1000 / 250), so the whole 242 fit in a second: gaps of 5 ms would allow only 200.
  Pacer h(limits(250, 0, 0, 0), PacerOptions{true, 0.03});
  EXPECT_EQ(h.spacing(), Millis(4));
  EXPECT_EQ(h.spacing_us(), 4133);
  std::vector<TimePoint> taken;
  for (TimePoint t = at(0); taken.size() < 2000;) {
    t = *h.next_slot(t);
    ASSERT_TRUE(h.try_acquire(t));
    taken.push_back(t);
  }
  EXPECT_LE(max_in_any_window(taken, Millis(1000)), 242);
  EXPECT_GE(std::count_if(taken.begin(), taken.end(), [](TimePoint x) { return x < at(1000); }), 242);
  for (std::size_t i = 1; i < taken.size(); ++i) {
    ASSERT_GE(taken[i] - taken[i - 1], Millis(4));
    ASSERT_LE(taken[i] - taken[i - 1], Millis(5));
  }
  // 2000 starts at 242/s: 8.26 s (5 ms gaps: 10 s).
  EXPECT_LE(taken.back() - taken.front(), Millis(8270));
  // Telnyx 5 s window of 5 evenly spaced: one per second.
  Pacer t(limits(0, 5, 5, 0), PacerOptions{true, 0.0});
  EXPECT_EQ(t.spacing(), Millis(1000));
  // Headroom never takes a limit to 0.
  Pacer one(limits(1, 0, 0, 0), PacerOptions{false, 0.5});
  EXPECT_TRUE(one.try_acquire(at(0)));
  EXPECT_EQ(one.next_slot(at(0)), at(1000));
}

// With options: every window holds at most the reduced maximum, consecutive starts are at least
// spacing() apart, and next_slot() is always admitted.
TEST(Pacer, RandomizedWithSpacingAndHeadroom) {
  for (unsigned seed = 1; seed <= 100; ++seed) {
    std::mt19937 rng(seed);
    auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const int cps = uni(1, 300);
    const int window_s = uni(0, 1) == 0 ? 0 : uni(2, 6);
    const int window_max = window_s == 0 ? 0 : uni(1, 1500);
    const double headroom = uni(0, 10) / 100.0;
    Pacer p(limits(cps, window_s, window_max, 0), PacerOptions{uni(0, 1) == 1, headroom});
    const int cps_eff = std::max(1, static_cast<int>(std::floor(cps * (1.0 - headroom))));
    const int win_eff = window_s == 0 ? 0 : std::max(1, static_cast<int>(std::floor(window_max * (1.0 - headroom))));
    ManualClock clock(kT0);
    std::vector<TimePoint> starts;
    for (int step = 0; step < 2000; ++step) {
      clock.advance(Millis(uni(0, 3) == 0 ? uni(0, 40) : uni(0, 3)));
      if (uni(0, 4) == 0) {
        auto next = p.next_slot(clock.now());
        ASSERT_TRUE(next.has_value());
        clock.set(*next);
        ASSERT_TRUE(p.try_acquire(*next)) << "seed " << seed;
        starts.push_back(*next);
      } else if (p.try_acquire(clock.now())) {
        starts.push_back(clock.now());
      }
    }
    ASSERT_LE(max_in_any_window(starts, Millis(1000)), cps_eff) << "seed " << seed;
    if (window_s > 0) {
      ASSERT_LE(max_in_any_window(starts, Millis(1000LL * window_s)), win_eff) << "seed " << seed;
    }
    for (std::size_t i = 1; i < starts.size(); ++i) {
      ASSERT_GE(starts[i] - starts[i - 1], p.spacing()) << "seed " << seed;
    }
  }
}

// admissible(): how many starts fit in [now, until]; the dialer leases that many targets.
TEST(Pacer, AdmissibleCountsTheSlotsWithinAHorizon) {
  // 10/s evenly spaced: 100 ms apart, so [0, 350] holds the starts at 0, 100, 200 and 300.
  Pacer p(limits(10, 0, 0, 0), PacerOptions{true, 0.0});
  EXPECT_EQ(p.admissible(at(0), at(350), 0, 100), 4);
  EXPECT_EQ(p.admissible(at(0), at(0), 0, 100), 1);  // no horizon: only now
  EXPECT_EQ(p.admissible(at(0), at(350), 0, 3), 3);  // never more than wanted
  EXPECT_EQ(p.admissible(at(0), at(350), 2, 100), 2);  // two promised starts go first
  EXPECT_EQ(p.admissible(at(0), at(350), 4, 100), 0);
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_EQ(p.admissible(at(0), at(350), 0, 100), 3);  // 100, 200, 300
  EXPECT_EQ(p.admissible(at(50), at(99), 0, 100), 0);
  // Bursty: the whole second's starts at once, then the window is full.
  Pacer b(limits(5, 0, 0, 0));
  EXPECT_EQ(b.admissible(at(0), at(0), 0, 100), 5);
  EXPECT_EQ(b.admissible(at(0), at(999), 0, 100), 5);
  EXPECT_EQ(b.admissible(at(0), at(1000), 0, 100), 10);
  // Concurrency: what is free, less the promised starts.
  Pacer c(limits(0, 0, 0, 3));
  EXPECT_TRUE(c.try_acquire(at(0)));
  EXPECT_EQ(c.admissible(at(0), at(0), 0, 100), 2);
  EXPECT_EQ(c.admissible(at(0), at(0), 1, 100), 1);
  EXPECT_EQ(c.admissible(at(0), at(0), 2, 100), 0);
  // Telnyx-like: 4/s and 6 per 5 s, evenly spaced by the tighter one: 5000 / 6 = 833.3 ms.
  Pacer t(limits(4, 5, 6, 0), PacerOptions{true, 0.0});
  EXPECT_EQ(t.spacing(), Millis(833));
  EXPECT_EQ(t.admissible(at(0), at(4165), 0, 100), 5);
  EXPECT_EQ(t.admissible(at(0), at(4166), 0, 100), 6);  // 0, 833, 1666, 2500, 3333, 4166
  EXPECT_EQ(t.admissible(at(0), at(4999), 0, 100), 6);
  EXPECT_EQ(t.admissible(at(0), at(5000), 0, 100), 7);
  // Without spacing the 5-s window alone: four in the first second, two more in the next, then
  // nothing until 5 s after the first.
  Pacer w(limits(4, 5, 6, 0));
  EXPECT_EQ(w.admissible(at(0), at(999), 0, 100), 4);
  EXPECT_EQ(w.admissible(at(0), at(4999), 0, 100), 6);
  EXPECT_EQ(w.admissible(at(0), at(5000), 0, 100), 10);  // the four at 0 leave the 5-s window
}

// Whatever admissible() promises, taking the slots one by one (next_slot, then try_acquire at
// that instant) delivers exactly that many within the horizon.
TEST(Pacer, AdmissibleMatchesTheSlotsTakenOneByOne) {
  for (unsigned seed = 1; seed <= 100; ++seed) {
    std::mt19937 rng(seed);
    auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const int cps = uni(1, 300);
    const int window_s = uni(0, 1) == 0 ? 0 : uni(2, 6);
    const int window_max = window_s == 0 ? 0 : uni(1, 1500);
    const int conc = uni(0, 1) == 0 ? 0 : uni(1, 400);
    Pacer p(limits(cps, window_s, window_max, conc), PacerOptions{uni(0, 1) == 1, uni(0, 5) / 100.0});
    TimePoint now = kT0;
    for (int round = 0; round < 200; ++round) {
      now += Millis(uni(0, 30));
      if (conc > 0 && uni(0, 2) == 0) p.release();
      const Millis horizon(uni(0, 40));
      const int want = uni(1, 50);
      const int promised = p.admissible(now, now + horizon, 0, want);
      int got = 0;
      TimePoint t = now;
      while (got < want) {
        auto slot = p.next_slot(t);
        if (!slot || *slot > now + horizon) break;
        t = *slot;
        ASSERT_TRUE(p.try_acquire(t)) << "seed " << seed;
        ++got;
      }
      ASSERT_EQ(got, promised) << "seed " << seed << " round " << round;
      now = t;
    }
  }
}

// try_start(): a re-dial of a call that still holds its concurrency slot uses the rate windows
// (and the spacing) but takes no second concurrency slot.
TEST(Pacer, TryStartCountsInTheWindowsButNotInFlight) {
  Pacer p(limits(2, 0, 0, 1), PacerOptions{true, 0.0});  // 500 ms apart, one call at a time
  EXPECT_TRUE(p.try_acquire(at(0)));
  EXPECT_EQ(p.in_flight(), 1);
  EXPECT_FALSE(p.next_slot(at(0)).has_value());  // concurrency full for a new call
  EXPECT_EQ(p.next_start(at(0)), at(500));        // but the same call may go again at 500
  EXPECT_FALSE(p.try_start(at(499)));
  EXPECT_TRUE(p.try_start(at(500)));
  EXPECT_EQ(p.in_flight(), 1);
  EXPECT_EQ(p.next_start(at(600)), at(1000));  // 2 per second: 0 and 500 fill (0, 1000)
  p.release();
  EXPECT_EQ(p.next_slot(at(600)), at(1000));
  EXPECT_FALSE(p.try_acquire(at(999)));
  EXPECT_TRUE(p.try_acquire(at(1000)));
}

// An edit to a window longer than the starts kept (max(old longest window, 10 s)): the starts
// before the kept ones are no longer named, so nothing is admitted until the new window cannot
// reach back to them. At 10/s for 60 s, then 300 per 60 s: no 60-s window may hold more than 300
// (it held 799 when only the kept 10 s were counted).
TEST(Pacer, LongerWindowAfterAnEditCountsStartsOlderThanTheKeptHistory) {
  Pacer p(limits(10, 0, 0, 0));
  std::vector<TimePoint> all;
  for (int i = 0; i < 600; ++i) {  // 10/s for 60 s: 0 .. 59.9 s
    ASSERT_TRUE(p.try_acquire(at(i * 100)));
    p.release();
    all.push_back(at(i * 100));
  }
  p.set_limits(limits(0, 60, 300, 0));  // 300 per 60 s
  // The 60-s window ending at 60 s already holds 599 starts (made under the old limits): it
  // admits none (it admitted 200, the 100 kept plus 200 < 300, when only 10 s were counted).
  int more = 0;
  for (int i = 0; i < 1000 && p.try_acquire(at(60000)); ++i, ++more) p.release();
  EXPECT_EQ(more, 0) << more << " admitted at 60 s after the edit";
  // The kept history runs back to 50 s (10 s before the last start); the starts before it are no
  // longer named, so the 60-s window waits until it cannot reach the last of them (49.9 s).
  const auto slot = p.next_slot(at(60000));
  ASSERT_TRUE(slot.has_value());
  EXPECT_GE(*slot, at(49900 + 60000));
  ASSERT_TRUE(p.try_acquire(*slot));
  int ending_there = 1;  // the 60-s window ending at the new start
  for (auto t : all) ending_there += t > *slot - Millis(60000) ? 1 : 0;
  EXPECT_LE(ending_there, 300);
}

// restore_unknown before a later edit that widens the window: the unknown starts before the
// restart hold the new, longer window too.
TEST(Pacer, RestoreUnknownHoldsAWindowWidenedLater) {
  Pacer p(limits(10, 0, 0, 0));
  p.restore_unknown(at(60000));
  EXPECT_EQ(p.next_slot(at(60000)), at(61000));
  p.set_limits(limits(0, 60, 300, 0));
  EXPECT_FALSE(p.try_acquire(at(61000)));
  EXPECT_EQ(p.next_slot(at(61000)), at(120000));
  EXPECT_FALSE(p.try_acquire(at(119999)));
  EXPECT_TRUE(p.try_acquire(at(120000)));
  // Narrowed again: a shorter window reaches back less far (the restart is 60 s back).
  p.set_limits(limits(10, 0, 0, 0));
  EXPECT_TRUE(p.try_acquire(at(120000)));
}

// Random edits between windows of 1 .. 90 s and starts at random instants: every admitted start
// leaves each window of the limits it was admitted under at most full, counting all the starts
// ever made (not only the ones kept).
TEST(Pacer, NoEditLetsAnyWindowExceedItsLimit) {
  std::mt19937 rng(7);
  Pacer p(limits(20, 0, 0, 0));
  std::vector<TimePoint> all;
  std::int64_t now = 0;
  ProviderLimits cur = p.limits();
  for (int step = 0; step < 20000; ++step) {
    if (step % 700 == 0) {
      std::uniform_int_distribution<int> secs(1, 90), cap(5, 400), cps(0, 20);
      cur = limits(cps(rng), 0, 0, 0);
      if (cur.calls_per_second == 0 || rng() % 2 == 0) {
        cur.window_seconds = secs(rng);
        cur.window_max = cap(rng);
      }
      p.set_limits(cur);
    }
    now += static_cast<std::int64_t>(rng() % 120);
    if (!p.try_acquire(at(now))) continue;
    p.release();
    const TimePoint t = at(now);
    all.push_back(t);
    auto count_in = [&](Millis w) {  // starts in (t - w, t]; `all` is ascending
      return static_cast<int>(all.end() - std::upper_bound(all.begin(), all.end(), t - w));
    };
    if (cur.calls_per_second > 0) {
      ASSERT_LE(count_in(Millis(1000)), cur.calls_per_second) << step;
    }
    if (cur.window_seconds > 0) {
      ASSERT_LE(count_in(Millis(1000LL * cur.window_seconds)), cur.window_max) << step;
    }
  }
  EXPECT_GT(all.size(), 1000u);  // it did admit starts
}

}  // namespace
}  // namespace outdial::accounts
