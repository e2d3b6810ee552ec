#pragma once
#include <atomic>
#include <functional>
#include <mutex>

#include "outdial/compliance/gate.hpp"

namespace outdial::testing {

// A scripted compliance gate: allow-all by default, or a function of the facts. Counts calls
// (tests assert "no polling": a deferred target is evaluated again only at allowed_at).
class FakeGate final : public compliance::Gate {
 public:
  using Script = std::function<compliance::Decision(const compliance::AttemptFacts&)>;
  FakeGate() = default;
  explicit FakeGate(Script s) : script_(std::move(s)) {}
  compliance::Decision evaluate(const compliance::AttemptFacts& f) const override {
    ++calls_;
    if (script_) return script_(f);
    return compliance::Decision{compliance::Verdict::kAllow, "OK", "allowed", std::nullopt};
  }
  int calls() const { return calls_.load(); }

 private:
  Script script_;
  mutable std::atomic<int> calls_{0};
};

}  // namespace outdial::testing
