#pragma once
// Injected time (engineering.md §8): dialer, compliance and the simulated carrier never read the
// system clock directly; they take a Clock&. Tests use ManualClock to step through calling
// windows, DST days and back-off; campaigns run in virtual time on it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace outdial {

using Millis = std::chrono::milliseconds;
// All instants are UTC, millisecond resolution.
using TimePoint = std::chrono::sys_time<Millis>;

inline std::int64_t to_epoch_ms(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint from_epoch_ms(std::int64_t ms) { return TimePoint(Millis(ms)); }

// ISO-8601 UTC with milliseconds, e.g. "2026-11-22T14:03:00.000Z".
std::string format_iso8601(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM"; without
// `require_zone` also a time with no zone designator, read as UTC. False on bad input.
// API input passes require_zone = true: a bare "2026-06-10T20:00" is ambiguous (whose 20:00?).
bool parse_iso8601(const std::string& text, TimePoint& out, bool require_zone = false);

class Clock {
 public:
  virtual ~Clock() = default;
  // Thread-safe. Monotonic per ManualClock; SystemClock follows the wall clock.
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : ms_(to_epoch_ms(start)) {}
  TimePoint now() const override { return from_epoch_ms(ms_.load()); }
  void set(TimePoint t) { ms_.store(to_epoch_ms(t)); }
  void advance(Millis d) { ms_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> ms_;
};

}  // namespace outdial
