#include "outdial/dialer/time_drivers.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace outdial::dialer {

namespace {
// Event instants delivered in one store transaction while the runner has nothing to do. Bounds
// how long the write lock is held and how stale the runner's view of the campaigns may get.
constexpr int kMaxGroupInstants = 256;
}  // namespace

DriveResult run_until_idle(CampaignRunner& runner, telephony::ScheduledEvents* events, ManualClock& clock,
                           Millis horizon, std::int64_t max_steps) {
  DriveResult r;
  const TimePoint limit = clock.now() + horizon;
  // Phase-3 call ids ride in the next event batch's transaction (or the next tick's).
  struct DeferGuard {
    CampaignRunner& runner;
    explicit DeferGuard(CampaignRunner& rr) : runner(rr) { runner.defer_placements(true); }
    ~DeferGuard() { runner.defer_placements(false); }
    DeferGuard(const DeferGuard&) = delete;
    DeferGuard& operator=(const DeferGuard&) = delete;
  } defer(runner);
  auto due_now = [&] {
    auto e = events->next_event_at();
    return e && *e <= clock.now();
  };
  // One turn; false: the run is over (complete, or nothing due within the horizon).
  auto turn = [&]() -> bool {
    ++r.steps;
    TickResult t;
    int delivered = 0;
    bool moved = false;
    // One batch per turn: the call ids of the last dials, this instant's tick (gate decisions,
    // attempt rows) and carrier events, and while the runner would do nothing at the next
    // instant (no free line with a due target, no expiry, ...) the clock moves there and that
    // instant's events join the same batch. The tick's dials go out after it (send_pending),
    // each attempt durable first: the batch committed (no journal), or, inside a group, the
    // attempt appended to the dial journal.
    bool ran = false;
    runner.batch([&] {
      ran = true;
      // A tick at an instant where the runner has nothing to do (all lines busy, no due target)
      // is skipped when carrier events are due: they are delivered straight away.
      const bool skip_tick = events != nullptr && due_now() && !runner.quiet_until(clock.now()).act;
      if (!skip_tick) t = runner.tick();
      if (events == nullptr) return;
      // The runner's own work, ticked inside this transaction: its dials go out after the commit.
      auto tick_here = [&] {
        const TickResult more = runner.tick();
        t.dialed += more.dialed;
        t.decided += more.decided;
        t.active_campaigns = more.active_campaigns;
        t.in_flight = more.in_flight;
        t.next_due = more.next_due;
      };
      for (int k = 0;; ++k) {
        if (due_now()) delivered += events->deliver_due();
        if (runner.has_pending_sends()) break;  // dials at this instant: commit, then dial
        if (delivered == 0 || k + 1 >= kMaxGroupInstants || r.steps >= max_steps) break;
        const CampaignRunner::Quiet q = runner.quiet_until(clock.now());
        if (q.act) {
          tick_here();  // a tick at this instant has work: same commit
          break;
        }
        auto next = events->next_event_at();
        if (!next || *next > limit) break;
        if (q.until && *q.until <= *next) {
          if (*q.until > limit) break;
          // The runner has work before the next carrier event: move there and do it now.
          clock.set(std::max(*q.until, clock.now() + Millis(1)));
          ++r.steps;
          moved = true;
          tick_here();
          break;
        }
        clock.set(std::max(*next, clock.now() + Millis(1)));
        ++r.steps;
        moved = true;
      }
    });
    // The store could not open the turn's transaction: stop here (not complete); the caller
    // runs the driver again later (after a restart, recover() first).
    if (!ran) return false;
    runner.send_pending();
    r.dials += t.dialed;
    r.events += delivered;
    if (t.dialed > 0 || delivered > 0 || t.decided > 0 || moved) return true;  // more may be possible now
    std::optional<TimePoint> next = t.next_due;
    if (events != nullptr) {
      if (auto e = events->next_event_at(); e && (!next || *e < *next)) next = *e;
    }
    if (t.active_campaigns == 0 && !next) {
      r.all_complete = true;
      return false;
    }
    if (!next || *next > limit) return false;
    clock.set(std::max(*next, clock.now() + Millis(1)));
    return true;
  };
  // With a dial journal the runner keeps one store transaction over many turns (group()); its
  // dials are journaled before they go out. Without one, every turn's batch commits on its own.
  bool more = true;
  while (more && r.steps < max_steps) {
    bool entered = false;
    runner.group([&] {
      entered = true;
      do {
        more = turn();
      } while (more && r.steps < max_steps && runner.group_open());
    });
    if (!entered) break;  // the group's transaction could not begin: stop (not complete)
  }
  r.ended_at = clock.now();
  return r;
}

RealtimeDriver::RealtimeDriver(CampaignRunner& runner, telephony::ScheduledEvents* events, const Clock& wall,
                               ManualClock* virtual_clock, double speed, Millis max_sleep)
    : runner_(runner),
      events_(events),
      wall_(wall),
      virtual_clock_(virtual_clock),
      speed_(speed <= 0 ? 1.0 : speed),
      max_sleep_(max_sleep) {}

RealtimeDriver::~RealtimeDriver() { stop(); }

void RealtimeDriver::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void RealtimeDriver::set_recover_backoff(Millis first, Millis max) {
  std::lock_guard lock(mu_);
  recover_first_ = std::max(Millis(1), first);
  recover_max_ = std::max(recover_first_, max);
}

bool RealtimeDriver::recover_until_done() {
  Millis wait = recover_first_;
  for (int attempt = 1;; ++attempt) {
    const Status st = runner_.recover();
    if (st.ok()) return true;
    // A tick before the restart is recovered would start calls the accounts' pacers do not
    // count and leave queued attempts unresolved: try again, later.
    spdlog::error("dialer: restart recovery failed (try {}): {} ({}); retrying in {} ms", attempt,
                  st.error().message, to_string(st.error().code), wait.count());
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, wait, [this] { return stopping_; })) return false;
    wait = std::min(recover_max_, wait * 2);
  }
}

void RealtimeDriver::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RealtimeDriver::catch_up() {
  if (virtual_clock_ == nullptr) return;
  const TimePoint w = wall_.now();
  const auto elapsed = static_cast<double>((w - last_wall_).count()) * speed_;
  last_wall_ = w;
  virtual_clock_->advance(Millis(static_cast<std::int64_t>(elapsed)));
}

TimePoint RealtimeDriver::runner_now() const {
  return virtual_clock_ != nullptr ? virtual_clock_->now() : wall_.now();
}

void RealtimeDriver::pace_wait(TimePoint until) {
  catch_up();
  // The runner asks for at most its pace horizon (a few ms); the bound only guards a wall clock
  // that stopped.
  // The clocks read whole milliseconds: sleep through all but the last one, then in short naps,
  // so the wake-up lands early in `until`'s millisecond rather than up to 1 ms (a whole slot's
  // phase) after it.
  for (int i = 0; i < 1000; ++i) {
    const TimePoint now = runner_now();
    if (now >= until) return;
    const auto wall_us = static_cast<double>((until - now).count()) * 1000.0 / speed_;
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::max<std::int64_t>(150, static_cast<std::int64_t>(wall_us) - 1000)));
    catch_up();
  }
}

void RealtimeDriver::loop() {
  last_wall_ = wall_.now();
  runner_.set_pace_wait([this](TimePoint until) { pace_wait(until); });
  // Carrier events arrive on other threads (webhooks): a call's end frees a line, so a driver
  // asleep for want of one comes back at once instead of at the next due instant or max_sleep.
  // One that ends during a tick makes the next sleep return at once (that tick may have seen
  // every line busy).
  runner_.set_on_call_ended([this] {
    bool notify = false;
    {
      std::lock_guard lock(mu_);
      woken_ = true;
      notify = idle_;
    }
    if (notify) cv_.notify_all();
  });
  if (!recover_until_done()) {
    runner_.set_on_call_ended(nullptr);
    runner_.set_pace_wait(nullptr);
    return;
  }
  for (;;) {
    {
      std::lock_guard lock(mu_);
      woken_ = false;  // ends from here on are seen by this tick or wake the sleep after it
    }
    catch_up();
    const TickResult t = runner_.tick();
    const int delivered = events_ != nullptr ? events_->deliver_due() : 0;
    ++turns_;
    Millis sleep = max_sleep_;
    if (t.dialed == 0 && delivered == 0) {
      std::optional<TimePoint> next = t.next_due;
      if (events_ != nullptr) {
        if (auto e = events_->next_event_at(); e && (!next || *e < *next)) next = *e;
      }
      const TimePoint now = virtual_clock_ != nullptr ? virtual_clock_->now() : wall_.now();
      if (next) {
        const auto until = static_cast<double>((*next - now).count()) / speed_;
        sleep = std::clamp(Millis(static_cast<std::int64_t>(until)), Millis(1), max_sleep_);
      }
    } else {
      sleep = Millis(0);
    }
    std::unique_lock lock(mu_);
    idle_ = sleep > Millis(0);
    const bool stop = cv_.wait_for(lock, sleep, [this] { return stopping_ || woken_; }) && stopping_;
    idle_ = false;
    if (stop) break;
  }
  runner_.set_on_call_ended(nullptr);
  runner_.set_pace_wait(nullptr);  // the runner may outlive this driver (a virtual-time run next)
}

}  // namespace outdial::dialer
