#pragma once
// Time for the Twilio emulator. Every step of an emulated call (ringing, answer, the end of a
// <Say>, a delayed webhook) is a task scheduled at an instant of emulated time. Two schedulers:
//  - VirtualScheduler: time moves only when a test calls run_until()/advance(); tasks run on the
//    caller's thread in (time, insertion) order. It is also an outdial::Clock, so a test can hand
//    the same object to the dialer and to the emulator and step both together.
//  - RealTimeScheduler: emulated time = start + wall time elapsed x speed; a small pool of
//    threads runs tasks when they fall due (the `twilio-emulator` binary, `outdial serve`).
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "outdial/core/clock.hpp"

namespace outdial::twilio_emulator {

using Task = std::function<void()>;

class Scheduler : public Clock {
 public:
  // Runs `task` at (or soon after) emulated instant `when`; an instant in the past means "now".
  // Thread-safe; may be called from inside a task.
  virtual void at(TimePoint when, Task task) = 0;
  void after(Millis delay, Task task) { at(now() + delay, std::move(task)); }
  // Wall-clock duration of `emulated` at this scheduler's pace (zero for virtual time, where
  // nothing waits). Used for the one fault that must cost real time: a REST time-out.
  virtual Millis wall_duration(Millis emulated) const = 0;
};

class VirtualScheduler final : public Scheduler {
 public:
  explicit VirtualScheduler(TimePoint start) : now_(start) {}
  TimePoint now() const override;
  void at(TimePoint when, Task task) override;
  Millis wall_duration(Millis) const override { return Millis(0); }

  // Runs every task due at or before `until` (including tasks those tasks schedule), advancing
  // time to each task's instant, then sets time to `until`. Returns the number of tasks run.
  // Not re-entrant: call from one thread at a time, never from inside a task.
  std::size_t run_until(TimePoint until);
  std::size_t advance(Millis d) { return run_until(now() + d); }
  // Runs tasks until none is left or `limit` emulated time has passed; returns tasks run.
  std::size_t run_all(Millis limit = std::chrono::hours(24));
  // The instant of the next task, if any.
  bool next_due(TimePoint& out) const;
  std::size_t pending() const;

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  std::uint64_t seq_ = 0;
  std::multimap<std::pair<TimePoint, std::uint64_t>, Task> queue_;
};

class RealTimeScheduler final : public Scheduler {
 public:
  // speed: emulated seconds per wall second (> 0). threads: task runners (tasks may block on
  // HTTP, so more than one).
  RealTimeScheduler(double speed, int threads, TimePoint start);
  ~RealTimeScheduler() override;  // stop()
  RealTimeScheduler(const RealTimeScheduler&) = delete;
  RealTimeScheduler& operator=(const RealTimeScheduler&) = delete;

  TimePoint now() const override;
  void at(TimePoint when, Task task) override;
  Millis wall_duration(Millis emulated) const override;
  // Drops pending tasks and joins the threads (running tasks finish). Idempotent.
  void stop();

 private:
  void run();
  double speed_;
  TimePoint start_;
  std::chrono::steady_clock::time_point wall_start_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::uint64_t seq_ = 0;
  std::multimap<std::pair<TimePoint, std::uint64_t>, Task> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace outdial::twilio_emulator
