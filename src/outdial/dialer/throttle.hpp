#pragma once
#include <deque>
#include <optional>

#include "outdial/core/clock.hpp"

namespace outdial::dialer {

// calls_per_minute pacing on the injected clock. A sliding-window log rather than a refilling
// token bucket: a bucket of capacity N refilled at N/min admits up to 2N-1 calls in some 60 s
// window, and the promise to carriers is "never more than N in any 60 s". Not thread-safe.
class Throttle {
 public:
  explicit Throttle(int per_minute) : per_minute_(per_minute < 1 ? 1 : per_minute) {}
  void set_rate(int per_minute) { per_minute_ = per_minute < 1 ? 1 : per_minute; }
  // How many calls may start at `now` without breaking the limit in any [t, t+60 s) window.
  int available(TimePoint now);
  // Records one call started at `now` (callers check available() first).
  void record(TimePoint now);
  // When the next slot opens if none is available now; nullopt when one is available.
  std::optional<TimePoint> next_slot(TimePoint now);

 private:
  void prune(TimePoint now);
  int per_minute_;
  std::deque<TimePoint> starts_;
};

}  // namespace outdial::dialer
