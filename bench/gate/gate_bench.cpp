// RuleGate throughput, single thread, warm caches. Facts are generated up front so only
// evaluate() is timed. Figures: bench/gate/RESULTS.md.
#include <benchmark/benchmark.h>

#include <map>
#include <string>

#include "fact_generator.hpp"
#include "outdial/compliance/rule_gate.hpp"

namespace outdial::bench {
namespace {

constexpr std::size_t kFactCount = 8192;

const compliance::RuleGate& shared_gate() {
  static const compliance::RuleGate kGate;
  return kGate;
}

void run(benchmark::State& state, FactMix mix) {
  const auto& gate = shared_gate();
  const auto facts = generate_facts(kFactCount, mix, 42);
  std::map<std::string, int> verdicts;
  for (const auto& f : facts) ++verdicts[compliance::to_string(gate.evaluate(f).verdict)];  // warm-up
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(gate.evaluate(facts[i]));
    i = (i + 1) % facts.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  for (const auto& [verdict, n] : verdicts) {
    state.counters[verdict + "_pct"] = 100.0 * n / static_cast<double>(facts.size());
  }
}

void BM_GateRealisticMix(benchmark::State& state) { run(state, FactMix::kRealistic); }
void BM_GateAllowPath(benchmark::State& state) { run(state, FactMix::kAllowOnly); }
void BM_GateDeferPath(benchmark::State& state) { run(state, FactMix::kDeferOnly); }

BENCHMARK(BM_GateRealisticMix);
BENCHMARK(BM_GateAllowPath);
BENCHMARK(BM_GateDeferPath);

}  // namespace
}  // namespace outdial::bench

BENCHMARK_MAIN();
