#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "outdial/core/clock.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/telephony/scheduled_events.hpp"

namespace outdial::dialer {

struct DriveResult {
  std::int64_t steps = 0;
  std::int64_t dials = 0;
  std::int64_t events = 0;
  bool all_complete = false;  // no active campaign and nothing in flight or scheduled
  TimePoint ended_at{};
};

// Virtual time: alternately dial what is allowed now and deliver the carrier events due now;
// when neither has anything left at this instant, jump the clock to the next instant anything
// is due (next carrier event, throttle slot, target eligibility, schedule start, expiry).
// Stops when everything is complete, nothing is due within `horizon`, or after max_steps.
// `events` may be null (a real provider: its webhooks arrive through runner.sink()).
DriveResult run_until_idle(CampaignRunner& runner, telephony::ScheduledEvents* events, ManualClock& clock,
                           Millis horizon = std::chrono::hours(24 * 30), std::int64_t max_steps = 50'000'000);

// Real and accelerated time for `outdial serve`: a thread that ticks the runner, delivers due
// carrier events and sleeps until the next due instant (at most max_sleep of wall time).
// speed == 1 and virtual_clock == null: the runner's clock is the wall clock.
// speed > 1: virtual_clock (the runner's clock) is advanced by wall elapsed × speed each turn.
// The runner gets a pace wait (CampaignRunner::set_pace_wait) that sleeps on the wall clock and,
// with a virtual clock, advances it the same way: evenly spaced starts within one tick.
class RealtimeDriver {
 public:
  RealtimeDriver(CampaignRunner& runner, telephony::ScheduledEvents* events, const Clock& wall,
                 ManualClock* virtual_clock, double speed, Millis max_sleep = Millis(1000));
  ~RealtimeDriver();
  RealtimeDriver(const RealtimeDriver&) = delete;
  RealtimeDriver& operator=(const RealtimeDriver&) = delete;

  // Runs recover() on the thread first, and again until it succeeds (each error is logged
  // with spdlog, then the thread waits the back-off, doubling from `first` up to `max`): no tick
  // before the restart is recovered. stop() ends the waiting too.
  void start();
  void set_recover_backoff(Millis first, Millis max);  // before start(); default 100 ms .. 30 s
  void stop();   // joins; idempotent
  std::int64_t turns() const { return turns_.load(); }

 private:
  void loop();
  bool recover_until_done();  // false: stopped first
  void catch_up();                // virtual clock += wall elapsed since the last turn × speed
  void pace_wait(TimePoint until);  // the runner's clock reaches `until` (sleeping on the wall)
  TimePoint runner_now() const;

  CampaignRunner& runner_;
  telephony::ScheduledEvents* events_;
  const Clock& wall_;
  ManualClock* virtual_clock_;
  double speed_;
  Millis max_sleep_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool idle_ = false;   // sleeping until a due instant: a call's end wakes it
  bool woken_ = false;  // a call ended since the last tick began
  std::atomic<std::int64_t> turns_{0};
  TimePoint last_wall_{};  // the driver thread's own
  Millis recover_first_{100};
  Millis recover_max_{30'000};
  std::thread thread_;
};

}  // namespace outdial::dialer
