#include "outdial/telephony/sim/sim_carrier.hpp"

#include <cstdio>
#include <memory>

namespace outdial::telephony::sim {
namespace {

bool has_space(const std::string& s) { return s.find_first_of(" \t\r\n") != std::string::npos; }

// "<campaign>:<contact>:<n>" -> n; 1 when the key has no numeric suffix.
int attempt_number_of(const std::string& key) {
  const auto pos = key.rfind(':');
  if (pos == std::string::npos || pos + 1 >= key.size()) return 1;
  int n = 0;
  for (std::size_t i = pos + 1; i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9') return 1;
    n = n * 10 + (key[i] - '0');
    if (n > 1000000) return 1;
  }
  return n > 0 ? n : 1;
}

std::string hex_id(const char* prefix, std::uint64_t h) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%016llx", prefix, static_cast<unsigned long long>(h));
  return buf;
}

constexpr std::int64_t kHangupSequence = 1000;

}  // namespace

Result<std::unique_ptr<SimCarrier>> SimCarrier::create(const Clock& clock, SimProfile profile, std::uint64_t seed,
                                                       const std::string& ledger_path, LedgerSync sync) {
  auto ledger = SimLedger::open(ledger_path, sync);
  if (!ledger) return ledger.error();
  return std::make_unique<SimCarrier>(clock, profile, seed, std::move(ledger).value());
}

SimCarrier::SimCarrier(const Clock& clock, SimProfile profile, std::uint64_t seed, SimLedger ledger)
    : clock_(clock), profile_(profile), seed_(seed), ledger_(std::move(ledger)) {}

void SimCarrier::set_sink(CallEventSink* sink) {
  std::lock_guard lock(mu_);
  sink_ = sink;
}

void SimCarrier::push_locked(TimePoint at, CallEvent ev) {
  queue_.push(Scheduled{at, order_++, std::move(ev)});
}

void SimCarrier::schedule_plan_locked(const LedgerCall& call) {
  const auto plan = plan_call(profile_, seed_, call.to, call.attempt_number, call.ring_timeout_seconds);
  bool answered = false;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const auto& p = plan[i];
    const TimePoint at = call.placed_at + Millis(p.offset_ms);
    if (call.hung_up_at && at > *call.hung_up_at) break;  // the hang-up ended the call first
    if (p.kind == CallEventKind::kAnsweredHuman || p.kind == CallEventKind::kAnsweredMachine) answered = true;
    CallEvent ev;
    ev.provider = "sim";
    ev.provider_call_id = call.call_id;
    ev.attempt_id = call.attempt_id;
    ev.kind = p.kind;
    ev.at = at;
    ev.sequence = static_cast<std::int64_t>(i) + 1;
    ev.dedupe_key = "sim:" + call.call_id + ":" + std::to_string(ev.sequence);
    ev.digits = p.digits;
    ev.duration_seconds = p.duration_seconds;
    ev.detail = p.detail;
    push_locked(at, std::move(ev));
  }
  if (call.hung_up_at) {
    const TimePoint end = call.placed_at + Millis(plan.back().offset_ms);
    if (end > *call.hung_up_at) {  // hung up before the call ended on its own
      CallEvent ev;
      ev.provider = "sim";
      ev.provider_call_id = call.call_id;
      ev.attempt_id = call.attempt_id;
      ev.kind = answered ? CallEventKind::kCompleted : CallEventKind::kCanceled;
      ev.at = *call.hung_up_at;
      ev.sequence = kHangupSequence;
      ev.dedupe_key = "sim:" + call.call_id + ":" + std::to_string(ev.sequence);
      ev.detail = "sim:hangup";
      push_locked(ev.at, std::move(ev));
    }
  }
}

Result<DialAccepted> SimCarrier::place_call(const DialRequest& req) {
  if (req.idempotency_key.empty() || has_space(req.idempotency_key)) {
    return make_error(ErrorCode::kInvalidArgument, "idempotency_key must be non-empty without spaces",
                      {{"field", "idempotency_key"}});
  }
  if (req.to.size() < 3 || req.to[0] != '+' || has_space(req.to)) {
    return make_error(ErrorCode::kInvalidArgument, "destination must be E.164", {{"field", "to"}});
  }
  std::lock_guard lock(mu_);
  if (const LedgerCall* existing = ledger_.find_by_key(req.idempotency_key)) {
    return DialAccepted{existing->call_id};  // idempotent: same key, same call, no second dial
  }
  LedgerCall call;
  call.idempotency_key = req.idempotency_key;
  call.call_id = hex_id("SIM", stable_hash(req.idempotency_key, seed_));
  call.to = req.to;
  call.attempt_id = req.attempt_id;
  call.attempt_number = attempt_number_of(req.idempotency_key);
  call.ring_timeout_seconds = req.ring_timeout_seconds;
  call.placed_at = clock_.now();
  if (auto st = ledger_.record_call(call); !st) return st.error();
  ++real_dials_;
  schedule_plan_locked(call);
  return DialAccepted{call.call_id};
}

Status SimCarrier::hangup(const std::string& provider_call_id) {
  std::lock_guard lock(mu_);
  const LedgerCall* call = ledger_.find_by_id(provider_call_id);
  if (call == nullptr) return make_error(ErrorCode::kNotFound, "unknown sim call", {{"call_id", provider_call_id}});
  if (call->hung_up_at) return ok_status();
  const TimePoint now = clock_.now();
  if (auto st = ledger_.record_hangup(provider_call_id, now); !st) return st;
  // Rebuild the queue without this call's future events, then schedule its truncated life.
  std::vector<Scheduled> keep;
  while (!queue_.empty()) {
    if (queue_.top().event.provider_call_id != provider_call_id) keep.push_back(queue_.top());
    queue_.pop();
  }
  for (auto& s : keep) queue_.push(std::move(s));
  LedgerCall copy = *ledger_.find_by_id(provider_call_id);
  // Events before the hang-up that were already delivered come again with the same dedupe keys.
  schedule_plan_locked(copy);
  return ok_status();
}

Result<std::string> SimCarrier::send_sms(const SmsRequest& req) {
  if (req.idempotency_key.empty() || has_space(req.idempotency_key) || has_space(req.to) || req.to.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "bad sms request", {{"field", "idempotency_key"}});
  }
  std::lock_guard lock(mu_);
  if (auto existing = ledger_.find_sms(req.idempotency_key)) return *existing;
  const std::string id = hex_id("SMS", stable_hash(req.idempotency_key, seed_));
  if (auto st = ledger_.record_sms(req.idempotency_key, id, req.to, clock_.now()); !st) return st.error();
  return id;
}

Result<std::optional<std::string>> SimCarrier::find_call(const CallLookup& lookup) {
  std::lock_guard lock(mu_);
  const LedgerCall* c = ledger_.find_by_key(lookup.idempotency_key);
  if (c == nullptr) return std::optional<std::string>();
  return std::optional<std::string>(c->call_id);
}

Status SimCarrier::reconcile(const std::string& provider_call_id) {
  std::lock_guard lock(mu_);
  const LedgerCall* c = ledger_.find_by_id(provider_call_id);
  if (c == nullptr) return make_error(ErrorCode::kNotFound, "unknown sim call", {{"call_id", provider_call_id}});
  LedgerCall copy = *c;
  schedule_plan_locked(copy);
  return ok_status();
}

std::optional<TimePoint> SimCarrier::next_event_at() const {
  std::lock_guard lock(mu_);
  if (queue_.empty()) return std::nullopt;
  return queue_.top().at;
}

int SimCarrier::deliver_due() {
  std::vector<CallEvent> due;
  CallEventSink* sink = nullptr;
  {
    std::lock_guard lock(mu_);
    sink = sink_;
    if (sink == nullptr) return 0;
    const TimePoint now = clock_.now();
    if (queue_.empty() || queue_.top().at > now) return 0;
    // Group commit: the calls placed since the last batch reach the disk before their events go out.
    if (!ledger_.sync()) return 0;  // retried at the next delivery
    while (!queue_.empty() && queue_.top().at <= now) {
      due.push_back(queue_.top().event);
      queue_.pop();
    }
  }
  for (const auto& ev : due) sink->on_call_event(ev);
  return static_cast<int>(due.size());
}

std::vector<LedgerCall> SimCarrier::ledger_calls() const {
  std::lock_guard lock(mu_);
  return ledger_.calls();
}

std::optional<TimePoint> SimCarrier::last_activity() const {
  std::lock_guard lock(mu_);
  return ledger_.last_activity();
}

std::int64_t SimCarrier::real_dials() const {
  std::lock_guard lock(mu_);
  return real_dials_;
}

}  // namespace outdial::telephony::sim
