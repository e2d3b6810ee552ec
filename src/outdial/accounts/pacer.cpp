#include "outdial/accounts/pacer.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace outdial::accounts {

ProviderLimits default_limits(ProviderKind provider) {
  ProviderLimits l;
  switch (provider) {
    case ProviderKind::kTwilio:
      l.calls_per_second = 1;  // "1 CPS per account by default"
      l.max_concurrency = 2;   // no approved Business Profile (2026 accounts)
      break;
    case ProviderKind::kTelnyx:
      l.window_seconds = 5;
      l.window_max = 5;
      l.max_concurrency = 2;  // "Default 2; 10 after Level 2 verification"
      break;
    case ProviderKind::kVapi:
      l.max_concurrency = 10;  // "10 concurrent call slots by default"
      break;
    case ProviderKind::kSim:
      break;
  }
  return l;
}

Status validate_limits(const ProviderLimits& l) {
  auto bad = [](const char* field, const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, std::string("limits.") + field + " " + why,
                      {{"field", std::string("limits.") + field}});
  };
  constexpr int kMax = 10'000;
  if (l.calls_per_second < 0 || l.calls_per_second > kMax) return bad("calls_per_second", "must be 0..10000");
  if (l.window_seconds < 0 || l.window_seconds > 3600) return bad("window_seconds", "must be 0..3600");
  if (l.window_max < 0 || l.window_max > kMax) return bad("window_max", "must be 0..10000");
  if (l.max_concurrency < 0 || l.max_concurrency > kMax) return bad("max_concurrency", "must be 0..10000");
  if ((l.window_seconds == 0) != (l.window_max == 0)) {
    return bad(l.window_seconds == 0 ? "window_seconds" : "window_max",
               "must be set together with the other (a window of window_seconds holding window_max calls)");
  }
  return ok_status();
}

Pacer::Pacer(ProviderLimits limits, PacerOptions options)
    : options_(options), windows_{{Millis(0), 0}, {Millis(0), 0}} {
  configure_locked(limits);  // no other thread sees the object yet
}

void Pacer::configure_locked(ProviderLimits limits) {
  limits_ = limits;
  window_count_ = 0;
  longest_ = Millis(0);
  spacing_us_ = 0;
  spacing_ = Millis(0);
  const double headroom = std::clamp(options_.headroom, 0.0, 0.5);
  auto effective = [headroom](int max) {
    return std::max(1, static_cast<int>(std::floor(static_cast<double>(max) * (1.0 - headroom))));
  };
  if (limits.calls_per_second > 0) {
    windows_[window_count_++] = {Millis(1000), effective(limits.calls_per_second)};
  }
  if (limits.window_seconds > 0 && limits.window_max > 0) {
    windows_[window_count_++] = {Millis(1000LL * limits.window_seconds), effective(limits.window_max)};
  }
  for (int i = 0; i < window_count_; ++i) {
    longest_ = std::max(longest_, windows_[i].length);
    if (options_.even_spacing) {
      // W / N in µs, rounded up: N starts this far apart never share a window of length W.
      const std::int64_t gap_us = (windows_[i].length.count() * 1000 + windows_[i].max - 1) / windows_[i].max;
      spacing_us_ = std::max(spacing_us_, gap_us);
    }
  }
  if (spacing_us_ > 0) spacing_ = Millis(std::max<std::int64_t>(1, spacing_us_ / 1000));
  keep_ = std::max(longest_, Millis(10'000));
  // Starts this pacer no longer names (pruned, or made before a restart) all happened at or
  // before forgotten_: a window of the (possibly new, longer) longest length reaches none of
  // them from forgotten_ + longest_ on. Before that, the window could hold up to its limit of
  // them already, so no start is admitted. (A shorter window reaches back less far.)
  not_before_ = forgotten_ ? *forgotten_ + longest_ : TimePoint{};
}

void Pacer::set_limits(ProviderLimits limits) {
  std::lock_guard lock(mu_);
  if (limits == limits_) return;
  configure_locked(limits);
  // The even schedule restarts from the last start with the new gap (as after a restart).
  even_next_us_ = has_start_ && spacing_us_ > 0 ? to_epoch_ms(last_start_) * 1000 + spacing_us_ : 0;
}

ProviderLimits Pacer::limits() const {
  std::lock_guard lock(mu_);
  return limits_;
}

Millis Pacer::spacing() const {
  std::lock_guard lock(mu_);
  return spacing_;
}

std::int64_t Pacer::spacing_us() const {
  std::lock_guard lock(mu_);
  return spacing_us_;
}

void Pacer::restore_unknown(TimePoint restarted_at) {
  std::lock_guard lock(mu_);
  forget_locked(restarted_at);
}

void Pacer::forget_locked(TimePoint at) {
  forgotten_ = forgotten_ ? std::max(*forgotten_, at) : at;
  not_before_ = std::max(not_before_, *forgotten_ + longest_);
}

std::int64_t Pacer::even_after(std::int64_t even_next_us, TimePoint t) const {
  if (spacing_us_ == 0) return 0;
  // On time (within the millisecond the slot was rounded up to): keep the schedule's phase, so
  // the fractions add up. Late: restart from the start (never closer than floor(W / N) ms).
  return std::max(even_next_us, to_epoch_ms(t) * 1000 - 999) + spacing_us_;
}

void Pacer::prune_locked(TimePoint now) {
  // A start at s still matters while some window (now - W, now] can contain it: s > now - W.
  // Kept a little longer (keep_ >= longest_): a later set_limits with a longer window sees them.
  // A pruned start is forgotten: a later, longer window must not admit starts that it would
  // have counted (set_limits: not before the last pruned start + the new longest window).
  while (!starts_.empty() && starts_.front() <= now - keep_) {
    forget_locked(starts_.front());
    starts_.pop_front();
  }
}

TimePoint Pacer::rate_slot_locked(TimePoint now, const std::vector<TimePoint>& extra,
                                  std::int64_t even_next_us) const {
  const bool has = has_start_ || !extra.empty();
  const TimePoint last = extra.empty() ? last_start_ : std::max(last_start_, extra.back());
  TimePoint slot = std::max({now, last, not_before_});
  if (has) {
    slot = std::max(slot, last + spacing_);
    if (spacing_us_ > 0) slot = std::max(slot, from_epoch_ms((even_next_us + 999) / 1000));
  }
  const auto recorded = static_cast<int>(starts_.size());
  const int n = recorded + static_cast<int>(extra.size());
  for (int i = 0; i < window_count_; ++i) {
    const Window& w = windows_[i];
    if (n < w.max) continue;
    // A start at t is admitted when (t - W, t] holds < max starts, i.e. when the max-th most
    // recent start s satisfies s <= t - W: t >= s + W.
    const int k = n - w.max;
    const TimePoint s = k < recorded ? starts_[static_cast<std::size_t>(k)]
                                     : extra[static_cast<std::size_t>(k - recorded)];
    slot = std::max(slot, s + w.length);
  }
  return slot;
}

bool Pacer::try_acquire(TimePoint now) {
  std::lock_guard lock(mu_);
  if (limits_.max_concurrency > 0 && in_flight_ >= limits_.max_concurrency) return false;
  if (!start_locked(now)) return false;
  ++in_flight_;
  return true;
}

bool Pacer::try_start(TimePoint now) {
  std::lock_guard lock(mu_);
  return start_locked(now);
}

bool Pacer::start_locked(TimePoint now) {
  const TimePoint t = std::max(now, last_start_);
  prune_locked(t);
  if (rate_slot_locked(t) > t) return false;
  starts_.push_back(t);
  last_start_ = t;
  has_start_ = true;
  even_next_us_ = even_after(even_next_us_, t);
  return true;
}

std::optional<TimePoint> Pacer::next_slot(TimePoint now) const {
  std::lock_guard lock(mu_);
  if (limits_.max_concurrency > 0 && in_flight_ >= limits_.max_concurrency) return std::nullopt;
  // No pruning here (const): old starts cannot move the slot earlier than `now` anyway.
  return std::max(now, rate_slot_locked(now));
}

TimePoint Pacer::next_start(TimePoint now) const {
  std::lock_guard lock(mu_);
  return std::max(now, rate_slot_locked(now));
}

int Pacer::admissible(TimePoint now, TimePoint until, int reserved, int want) const {
  std::lock_guard lock(mu_);
  reserved = std::max(0, reserved);
  if (limits_.max_concurrency > 0) want = std::min(want, limits_.max_concurrency - in_flight_ - reserved);
  if (want <= 0 || until < now) return 0;
  // Greedy: each hypothetical start at the earliest slot after the previous one. The promised
  // starts go first (they are sent first); what fits in [now, until] after them is the answer.
  std::vector<TimePoint> extra;
  extra.reserve(static_cast<std::size_t>(reserved + want));
  std::int64_t even_next = even_next_us_;
  int count = 0;
  while (count < want) {
    const TimePoint slot = rate_slot_locked(now, extra, even_next);
    if (slot > until) break;
    extra.push_back(slot);
    even_next = even_after(even_next, slot);
    if (static_cast<int>(extra.size()) > reserved) ++count;
  }
  return count;
}

void Pacer::release() {
  std::lock_guard lock(mu_);
  if (in_flight_ > 0) --in_flight_;
}

void Pacer::restore(std::span<const TimePoint> starts, int in_flight) {
  std::lock_guard lock(mu_);
  std::vector<TimePoint> all(starts_.begin(), starts_.end());
  all.insert(all.end(), starts.begin(), starts.end());
  std::sort(all.begin(), all.end());
  starts_.assign(all.begin(), all.end());
  if (!starts_.empty()) {
    last_start_ = has_start_ ? std::max(last_start_, starts_.back()) : starts_.back();
    has_start_ = true;
    // The schedule's phase before the restart is unknown: a full gap after the last start.
    if (spacing_us_ > 0) even_next_us_ = std::max(even_next_us_, to_epoch_ms(last_start_) * 1000 + spacing_us_);
  }
  in_flight_ += std::max(0, in_flight);
}

int Pacer::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

}  // namespace outdial::accounts
