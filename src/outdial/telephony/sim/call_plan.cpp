#include "outdial/telephony/sim/call_plan.hpp"

#include <algorithm>
#include <cmath>

namespace outdial::telephony::sim {
namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A tiny self-contained generator: std:: distributions are implementation-defined, and the
// outcome of a number must not change with the standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t state) : state_(state) {}
  double uniform01() {
    state_ = splitmix(state_);
    return static_cast<double>(state_ >> 11) * 0x1.0p-53;
  }
  double normal() {
    // Box-Muller; 1 - u keeps the log argument in (0, 1].
    const double u1 = 1.0 - uniform01();
    const double u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double draw(const DurationDist& d) {
    double v = 0;
    if (d.kind == DurationDist::Kind::kUniform) {
      v = d.min_seconds + (d.max_seconds - d.min_seconds) * uniform01();
    } else {
      v = std::exp(d.mu + d.sigma * normal());
    }
    return std::clamp(v, d.min_seconds, d.max_seconds);
  }

 private:
  std::uint64_t state_;
};

std::int64_t ms(double seconds) { return static_cast<std::int64_t>(seconds * 1000.0); }

}  // namespace

std::uint64_t stable_hash(const std::string& text, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ULL ^ splitmix(seed);
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return splitmix(h);
}

std::vector<PlannedEvent> plan_call(const SimProfile& p, std::uint64_t seed, const std::string& number,
                                    int attempt_number, int ring_timeout_seconds) {
  Rng rng(stable_hash(number + "#" + std::to_string(attempt_number), seed));
  std::vector<PlannedEvent> out;
  out.push_back({0, CallEventKind::kInitiated, "", 0, ""});
  const double fate = rng.uniform01();
  const double ring_s = rng.draw(p.ring);
  if (fate < p.failed_rate) {
    out.push_back({ms(std::min(ring_s, 2.0)), CallEventKind::kFailed, "", 0, "sim:unreachable"});
    return out;
  }
  out.push_back({500, CallEventKind::kRinging, "", 0, ""});
  if (fate < p.failed_rate + p.busy_rate) {
    out.push_back({ms(std::min(ring_s, 3.0)) + 500, CallEventKind::kBusy, "", 0, "sim:busy"});
    return out;
  }
  const int timeout = std::clamp(ring_timeout_seconds, 1, p.ring_timeout_cap_seconds);
  if (fate >= p.failed_rate + p.busy_rate + p.answer_rate || ring_s >= timeout) {
    out.push_back({ms(timeout) + 500, CallEventKind::kNoAnswer, "", 0, "sim:no_answer"});
    return out;
  }
  const std::int64_t answered_at = ms(ring_s) + 500;
  const bool machine = rng.uniform01() < p.machine_share;
  out.push_back({answered_at, machine ? CallEventKind::kAnsweredMachine : CallEventKind::kAnsweredHuman,
                 "", 0, ""});
  const double talk_s = rng.draw(p.talk);
  if (!machine) {
    const double d = rng.uniform01();
    const char* digit = d < p.press1_rate ? "1" : (d < p.press1_rate + p.press2_rate ? "2" : "");
    if (*digit != '\0') {
      out.push_back({answered_at + ms(std::min(talk_s / 2, 20.0)), CallEventKind::kDigits, digit, 0, ""});
    }
  }
  const bool dropped = rng.uniform01() < p.drop_rate;
  out.push_back({answered_at + ms(talk_s), dropped ? CallEventKind::kDropped : CallEventKind::kCompleted, "",
                 static_cast<int>(talk_s), dropped ? "sim:dropped" : ""});
  return out;
}

}  // namespace outdial::telephony::sim
