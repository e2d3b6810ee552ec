#pragma once
// Number health (issue #3 §3): the answer rate of each caller-ID number over a time window,
// from the call attempts placed from it. A number whose answer rate falls below a threshold
// with enough samples is a candidate for flagging (carriers' spam labels show up as a falling
// answer rate). Pure: the samples come from the store (AccountStore::answer_samples).
#include <map>
#include <string>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/provider_account.hpp"

namespace outdial::accounts {

struct HealthPolicy {
  Millis window = std::chrono::hours(24 * 7);  // the samples counted: (now - window, now]
  int min_samples = 30;                        // fewer attempts say nothing yet
  double min_answer_rate = 0.05;               // below this (with enough samples): flag
};

struct NumberHealthStats {
  std::string e164;
  int attempts = 0;
  int answered = 0;
  double answer_rate = 0.0;  // answered / attempts; 0 when no attempts
  bool enough_samples = false;
  bool should_flag = false;  // enough samples and answer_rate < min_answer_rate
};

// Stats per number over (now - policy.window, now], for every number in `numbers` (zero
// attempts included) plus any other number that appears in the samples. Keyed by E.164.
std::map<std::string, NumberHealthStats> number_health(const std::vector<AnswerSample>& samples,
                                                       const std::vector<std::string>& numbers, TimePoint now,
                                                       const HealthPolicy& policy);

// The answer rate of one number over time: consecutive buckets of `bucket` length covering
// [from, to), oldest first.
struct HealthBucket {
  TimePoint start{};
  int attempts = 0;
  int answered = 0;
  double answer_rate = 0.0;
};
std::vector<HealthBucket> answer_rate_series(const std::vector<AnswerSample>& samples, const std::string& e164,
                                             TimePoint from, TimePoint to, Millis bucket);

}  // namespace outdial::accounts
