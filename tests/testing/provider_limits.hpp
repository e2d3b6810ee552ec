#pragma once
// Provider-account limits in one line for tests: calls per second, a rolling window of
// window_max starts in window_s seconds, and concurrent calls (0 = no limit of that kind).
#include "outdial/core/provider_account.hpp"

namespace outdial::testing {

inline ProviderLimits limits(int cps, int window_s, int window_max, int conc) {
  ProviderLimits l;
  l.calls_per_second = cps;
  l.window_seconds = window_s;
  l.window_max = window_max;
  l.max_concurrency = conc;
  return l;
}

}  // namespace outdial::testing
