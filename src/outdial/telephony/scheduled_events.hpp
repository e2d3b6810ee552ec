#pragma once
#include <optional>

#include "outdial/core/clock.hpp"

namespace outdial::telephony {

// A provider whose events are produced on a schedule inside this process (the simulated
// carrier). Virtual-time and accelerated-time drivers ask it when the next event is due, move
// the clock there and let it deliver. Real carriers deliver through webhooks instead and do not
// implement this. Thread-safe.
class ScheduledEvents {
 public:
  virtual ~ScheduledEvents() = default;
  // The instant of the earliest undelivered event, nullopt when nothing is scheduled.
  virtual std::optional<TimePoint> next_event_at() const = 0;
  // Delivers every event due at the injected clock's now to the sink, in time then sequence
  // order. Returns how many were delivered. Must not be called with a store lock held: the
  // sink is called synchronously.
  virtual int deliver_due() = 0;
};

}  // namespace outdial::telephony
