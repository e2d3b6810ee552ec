#include "outdial/dialer/throttle.hpp"

namespace outdial::dialer {
namespace {
constexpr Millis kWindow{60'000};
}

void Throttle::prune(TimePoint now) {
  // A start at s occupies windows containing s, i.e. until s + 60 s (exclusive).
  while (!starts_.empty() && starts_.front() + kWindow <= now) starts_.pop_front();
}

int Throttle::available(TimePoint now) {
  prune(now);
  const int used = static_cast<int>(starts_.size());
  return used >= per_minute_ ? 0 : per_minute_ - used;
}

void Throttle::record(TimePoint now) { starts_.push_back(now); }

std::optional<TimePoint> Throttle::next_slot(TimePoint now) {
  if (available(now) > 0) return std::nullopt;
  // The oldest start leaves the window first; with more than per_minute_ recorded (rate
  // lowered) the slot opens when enough have left.
  const auto excess = starts_.size() - static_cast<std::size_t>(per_minute_);
  return starts_[excess] + kWindow;
}

}  // namespace outdial::dialer
