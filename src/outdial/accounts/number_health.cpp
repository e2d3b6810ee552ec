#include "outdial/accounts/number_health.hpp"

namespace outdial::accounts {

std::map<std::string, NumberHealthStats> number_health(const std::vector<AnswerSample>& samples,
                                                       const std::vector<std::string>& numbers, TimePoint now,
                                                       const HealthPolicy& policy) {
  std::map<std::string, NumberHealthStats> out;
  for (const auto& n : numbers) out[n].e164 = n;
  const TimePoint from = now - policy.window;
  for (const auto& s : samples) {
    if (s.at <= from || s.at > now) continue;
    auto& st = out[s.from_e164];
    st.e164 = s.from_e164;
    ++st.attempts;
    if (s.answered) ++st.answered;
  }
  for (auto& [e164, st] : out) {
    st.answer_rate = st.attempts == 0 ? 0.0 : static_cast<double>(st.answered) / st.attempts;
    st.enough_samples = st.attempts >= policy.min_samples;
    st.should_flag = st.enough_samples && st.answer_rate < policy.min_answer_rate;
  }
  return out;
}

std::vector<HealthBucket> answer_rate_series(const std::vector<AnswerSample>& samples, const std::string& e164,
                                             TimePoint from, TimePoint to, Millis bucket) {
  std::vector<HealthBucket> out;
  if (bucket.count() <= 0 || to <= from) return out;
  const auto count = static_cast<std::size_t>((to - from + bucket - Millis(1)) / bucket);
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i) out[i].start = from + bucket * static_cast<std::int64_t>(i);
  for (const auto& s : samples) {
    if (s.from_e164 != e164 || s.at < from || s.at >= to) continue;
    auto& b = out[static_cast<std::size_t>((s.at - from) / bucket)];
    ++b.attempts;
    if (s.answered) ++b.answered;
  }
  for (auto& b : out) b.answer_rate = b.attempts == 0 ? 0.0 : static_cast<double>(b.answered) / b.attempts;
  return out;
}

}  // namespace outdial::accounts
