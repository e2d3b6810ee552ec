#pragma once
// Pacing inside one provider account's limits (issue #3 §3, provider-contracts.md §7):
//   - calls per second (Twilio CPS): at most N call starts in ANY 1-second window;
//   - a rolling window (Telnyx: 5 s): at most M call starts in ANY W-second window;
//   - a concurrency limit: at most C calls in flight (release() when a call ends).
// "Any window" is meant literally: for every instant a, the starts in [a, a + W) never exceed
// the limit, at millisecond resolution. A start at t is admitted only when the starts in
// (t - W, t] number fewer than the limit, which (with non-decreasing t) is equivalent.
//
// One Pacer per provider account, shared by every campaign using that account. Thread-safe.
// Time comes from the caller (the dialer passes clock.now()), so tests drive it with a
// ManualClock and a whole campaign can run in virtual time.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/provider_account.hpp"
#include "outdial/core/result.hpp"

namespace outdial::accounts {

// The defaults for a new account of this provider (provider-contracts.md §7): Twilio 1 CPS and
// 2 concurrent calls (an account without an approved profile); Telnyx 2 concurrent calls and a
// 5-second window (its size is a setting: Telnyx does not publish one; default 5 starts per 5 s);
// Vapi 10 concurrent slots; sim unlimited.
ProviderLimits default_limits(ProviderKind provider);
// kInvalidArgument naming the field when a limit is negative, window_seconds and window_max are
// not both set or both 0, or a value is absurd (> 10,000).
Status validate_limits(const ProviderLimits& limits);

// Tightening beyond the account's own limits, for real carriers: the pacer's guarantee is about
// the instants it admits, but dispatch jitter (threads, curl, the network) moves the instants the
// provider sees. bench/origination measured up to +16 starts in a provider-side 1-s window at
// 250/s with bursts; even spacing plus ~3 % headroom stayed within (docs/perf.md, Origination).
struct PacerOptions {
  // Starts on an even schedule, W / N apart on average for the tightest window (N starts per W),
  // kept at microsecond precision and rounded up to the millisecond clock: consecutive starts
  // are never closer than floor(W / N) ms (at least 1), and no bursts. (Rounding the gap itself
  // up would cap the rate: 242/s needs 4.13 ms, and 5 ms gaps give only 200/s.) A start later
  // than its slot restarts the schedule from that start.
  bool even_spacing = false;
  // Admit at most floor(N * (1 - headroom)) (at least 1) per window. 0 .. 0.5.
  double headroom = 0.0;
};

class Pacer {
 public:
  explicit Pacer(ProviderLimits limits, PacerOptions options = {});
  Pacer(const Pacer&) = delete;
  Pacer& operator=(const Pacer&) = delete;

  // Admits one call start at `now` if every rate window and the concurrency limit allow it, and
  // records it (the caller then owns one concurrency slot until release()). False = not now:
  // ask next_slot(). `now` earlier than the last admitted start is treated as that start's time
  // (a clock stepping back never lets a burst through).
  bool try_acquire(TimePoint now);
  // A start that needs no new concurrency slot: the same call sent again under its key (after a
  // 429 or a time-out) still holds the slot its first try_acquire took. Rate windows only.
  bool try_start(TimePoint now);
  // The earliest instant >= now at which the rate windows admit a start; nullopt when the
  // concurrency limit is full (wait for a release()). try_acquire(next_slot(now)) succeeds if
  // nothing else acquired meanwhile.
  std::optional<TimePoint> next_slot(TimePoint now) const;
  // The earliest instant >= now at which try_start() succeeds (rate windows only).
  TimePoint next_start(TimePoint now) const;
  // How many starts try_acquire could admit at instants in [now, until] (each at the earliest
  // slot after the previous one), if nothing else acquired meanwhile and `reserved` starts that
  // are already promised (created, not yet sent) went first; at most `want`, and never more than
  // the concurrency limit leaves free. The dialer sizes a round of evenly spaced starts with it.
  int admissible(TimePoint now, TimePoint until, int reserved, int want) const;
  // A call admitted by try_acquire ended (or was never placed). Extra releases are ignored.
  void release();

  // After a restart: starts already made (any order) and calls still in flight, so the windows
  // hold right after the restart too. Adds to what the pacer already holds.
  void restore(std::span<const TimePoint> starts, int in_flight);
  // After a restart, for the starts restore() cannot name (calls that ended before the restart
  // leave no live attempt): any of them happened before `restarted_at`, so no start is admitted
  // before restarted_at + the longest window, when no window can reach back to them. Idempotent.
  void restore_unknown(TimePoint restarted_at);

  // The account's limits changed (the store's row was edited): the windows and the concurrency
  // limit follow at once, keeping the starts made and the calls in flight (a call admitted under
  // the old limits still holds its slot). The starts of the last max(longest window, 10 s) are
  // kept, so a longer window counts the starts before the change too (up to 10 s back); starts
  // older than that (pruned, or before a restore_unknown) are no longer named, so a window
  // longer than what was kept admits nothing until it cannot reach back to them (the last
  // forgotten start + the new longest window). Never exceeds the new limit in any window.
  void set_limits(ProviderLimits limits);

  int in_flight() const;
  ProviderLimits limits() const;
  // The minimum gap between consecutive starts (0 without even spacing).
  Millis spacing() const;
  // The schedule's average gap in microseconds (0 without even spacing).
  std::int64_t spacing_us() const;

 private:
  struct Window {
    Millis length;
    int max;
  };
  // The earliest start >= now the rate windows allow, given the recorded starts followed by
  // `extra` (ascending, hypothetical starts after them) and the even schedule's next instant.
  TimePoint rate_slot_locked(TimePoint now, const std::vector<TimePoint>& extra, std::int64_t even_next_us) const;
  TimePoint rate_slot_locked(TimePoint now) const { return rate_slot_locked(now, {}, even_next_us_); }
  // The even schedule after a start at t: the next start's ideal instant (µs since the epoch).
  std::int64_t even_after(std::int64_t even_next_us, TimePoint t) const;
  void prune_locked(TimePoint now);
  bool start_locked(TimePoint now);  // records a start at max(now, last start) if the windows allow
  void configure_locked(ProviderLimits limits);  // windows and spacing from the limits
  // Starts at or before `at` are no longer named: none is admitted before at + longest window.
  void forget_locked(TimePoint at);

  const PacerOptions options_;
  ProviderLimits limits_;
  Window windows_[2];
  int window_count_ = 0;
  Millis longest_{0};
  Millis keep_{0};  // starts are kept this long: max(longest_, 10 s), for set_limits
  TimePoint not_before_{};  // no start before this: forgotten_ + the longest window
  std::optional<TimePoint> forgotten_;  // the latest start no longer named (pruned or before a restart)
  Millis spacing_{0};
  std::int64_t spacing_us_ = 0;
  std::int64_t even_next_us_ = 0;  // the even schedule's next instant (0: none yet)
  bool has_start_ = false;
  mutable std::mutex mu_;
  std::deque<TimePoint> starts_;  // ascending; only the longest window's worth is kept
  TimePoint last_start_{};
  int in_flight_ = 0;
};

}  // namespace outdial::accounts
