#pragma once
#include <cstdint>

namespace outdial::telephony::sim {

// A duration distribution in seconds. kUniform draws in [min, max]; kLognormal draws
// exp(N(mu, sigma)) clamped to [min, max].
struct DurationDist {
  enum class Kind { kUniform, kLognormal };
  Kind kind = Kind::kUniform;
  double min_seconds = 1;
  double max_seconds = 10;
  double mu = 0;     // lognormal only: mean of ln(seconds)
  double sigma = 1;  // lognormal only
};

// The simulated population. Rates are probabilities in [0,1]; the first draw picks the call's
// fate in the order failed, busy, answered (answer_rate), otherwise no-answer. no_answer_rate is
// informational: everything not failed/busy/answered rings out.
struct SimProfile {
  double failed_rate = 0.02;
  double busy_rate = 0.08;
  double answer_rate = 0.55;
  double machine_share = 0.35;   // of answered calls, share answered by a machine
  double drop_rate = 0.03;       // of answered calls, share that drop mid-call
  double press1_rate = 0.15;     // of human answers: pressed 1 (bridge to agent)
  double press2_rate = 0.05;     // of human answers: pressed 2 (opt out)
  DurationDist ring{DurationDist::Kind::kUniform, 3, 25, 0, 1};
  DurationDist talk{DurationDist::Kind::kLognormal, 5, 600, 3.5, 0.8};
  int ring_timeout_cap_seconds = 60;  // no-answer fires at the request's ring timeout
};

}  // namespace outdial::telephony::sim
