#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/telephony/provider.hpp"
#include "outdial/telephony/scheduled_events.hpp"
#include "outdial/telephony/sim/call_plan.hpp"
#include "outdial/telephony/sim/sim_ledger.hpp"
#include "outdial/telephony/sim/sim_profile.hpp"

namespace outdial::telephony::sim {

// A simulated carrier (provider name "sim"). Each placed call gets a deterministic life from
// plan_call(seed, number, attempt number); its events go on a schedule and are delivered to the
// sink by deliver_due() at the injected clock's now, as normalized CallEvents with
// dedupe_key "sim:<call>:<seq>" — the same path real webhooks use. Every dial, hang-up and SMS
// is appended to the ledger (written) before the call returns, so find_call() and reconcile()
// work across a kill -9. The ledger is fsync'd per LedgerSync: by default as a group commit,
// once before each delivered event batch (so a call is on disk before any of its events leave
// the carrier), instead of once per dial. Thread-safe; the sink is called without the internal
// lock held.
class SimCarrier final : public Provider, public ScheduledEvents {
 public:
  // ledger_path empty = in-memory ledger. Fails (kUnavailable) if the ledger cannot be opened.
  static Result<std::unique_ptr<SimCarrier>> create(const Clock& clock, SimProfile profile, std::uint64_t seed,
                                                    const std::string& ledger_path,
                                                    LedgerSync sync = LedgerSync::kGroup);
  SimCarrier(const Clock& clock, SimProfile profile, std::uint64_t seed, SimLedger ledger);

  // Where events go. Must be set before deliver_due(); the sink must outlive the carrier's use.
  void set_sink(CallEventSink* sink);

  std::string name() const override { return "sim"; }
  // Errors: kInvalidArgument for an empty/whitespace key or a number not starting with '+'.
  // A key already in the ledger returns the existing call and dials nothing.
  Result<DialAccepted> place_call(const DialRequest& req) override;
  Status hangup(const std::string& provider_call_id) override;
  Result<std::string> send_sms(const SmsRequest& req) override;
  Result<std::optional<std::string>> find_call(const CallLookup& lookup) override;
  // Re-schedules every event of the call (past ones become due at once); duplicates of events
  // already delivered carry the same dedupe_key. kNotFound for an unknown id.
  Status reconcile(const std::string& provider_call_id) override;

  std::optional<TimePoint> next_event_at() const override;
  int deliver_due() override;

  // Inspection for tests and the demo.
  std::vector<LedgerCall> ledger_calls() const;
  std::optional<TimePoint> last_activity() const;
  std::int64_t real_dials() const;  // place_call invocations that dialed (this process)

 private:
  struct Scheduled {
    TimePoint at{};
    std::int64_t order = 0;  // insertion order breaks ties deterministically
    CallEvent event;
    bool operator>(const Scheduled& o) const { return at != o.at ? at > o.at : order > o.order; }
  };
  void schedule_plan_locked(const LedgerCall& call);
  void push_locked(TimePoint at, CallEvent ev);

  const Clock& clock_;
  const SimProfile profile_;
  const std::uint64_t seed_;
  mutable std::mutex mu_;
  SimLedger ledger_;
  CallEventSink* sink_ = nullptr;
  std::priority_queue<Scheduled, std::vector<Scheduled>, std::greater<>> queue_;
  std::int64_t order_ = 0;
  std::int64_t real_dials_ = 0;
};

}  // namespace outdial::telephony::sim
