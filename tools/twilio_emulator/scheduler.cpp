#include "scheduler.hpp"

#include <cmath>

namespace outdial::twilio_emulator {

TimePoint VirtualScheduler::now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void VirtualScheduler::at(TimePoint when, Task task) {
  std::lock_guard lock(mu_);
  if (when < now_) when = now_;
  queue_.emplace(std::make_pair(when, seq_++), std::move(task));
}

std::size_t VirtualScheduler::run_until(TimePoint until) {
  std::size_t ran = 0;
  for (;;) {
    Task task;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty() || queue_.begin()->first.first > until) {
        if (until > now_) now_ = until;
        return ran;
      }
      auto it = queue_.begin();
      if (it->first.first > now_) now_ = it->first.first;
      task = std::move(it->second);
      queue_.erase(it);
    }
    task();
    ++ran;
  }
}

std::size_t VirtualScheduler::run_all(Millis limit) {
  const TimePoint stop = now() + limit;
  std::size_t ran = 0;
  TimePoint next;
  while (next_due(next) && next <= stop) ran += run_until(next);
  return ran;
}

bool VirtualScheduler::next_due(TimePoint& out) const {
  std::lock_guard lock(mu_);
  if (queue_.empty()) return false;
  out = queue_.begin()->first.first;
  return true;
}

std::size_t VirtualScheduler::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

RealTimeScheduler::RealTimeScheduler(double speed, int threads, TimePoint start)
    : speed_(speed > 0 ? speed : 1.0), start_(start), wall_start_(std::chrono::steady_clock::now()) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

RealTimeScheduler::~RealTimeScheduler() { stop(); }

TimePoint RealTimeScheduler::now() const {
  const auto wall = std::chrono::steady_clock::now() - wall_start_;
  const double ms = std::chrono::duration<double, std::milli>(wall).count() * speed_;
  return start_ + Millis(static_cast<std::int64_t>(ms));
}

Millis RealTimeScheduler::wall_duration(Millis emulated) const {
  return Millis(static_cast<std::int64_t>(std::ceil(static_cast<double>(emulated.count()) / speed_)));
}

void RealTimeScheduler::at(TimePoint when, Task task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.emplace(std::make_pair(when, seq_++), std::move(task));
  }
  cv_.notify_one();
}

void RealTimeScheduler::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void RealTimeScheduler::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const TimePoint due = queue_.begin()->first.first;
    const TimePoint t = now();
    if (due > t) {
      cv_.wait_for(lock, wall_duration(due - t));
      continue;
    }
    Task task = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace outdial::twilio_emulator
