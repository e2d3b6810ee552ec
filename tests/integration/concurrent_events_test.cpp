// Carrier events applied on another thread (webhooks, the durable inbox's applier) while the
// runner ticks against a real SQLite file. Regression test for a lock-order deadlock: the tick
// held the database while replaying a call (processor lock), and an event held the processor
// lock while writing (database). The processor now always takes the database first.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "integration/campaign_setup.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "testing/fake_gate.hpp"

namespace outdial {
namespace {

// Accepts every call and hands its id to the event thread.
class QueueProvider final : public telephony::Provider {
 public:
  std::string name() const override { return "q"; }
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest& r) override {
    std::lock_guard l(mu_);
    const std::string id = "Q" + r.idempotency_key;
    queue_.push_back(id);
    ++placed_;
    return telephony::DialAccepted{id};
  }
  Status hangup(const std::string&) override { return ok_status(); }
  Result<std::string> send_sms(const telephony::SmsRequest& r) override { return "S" + r.idempotency_key; }
  Result<std::optional<std::string>> find_call(const telephony::CallLookup& l) override {
    return std::optional<std::string>("Q" + l.idempotency_key);
  }
  Status reconcile(const std::string&) override { return ok_status(); }
  std::optional<std::string> pop() {
    std::lock_guard l(mu_);
    if (queue_.empty()) return std::nullopt;
    auto id = queue_.front();
    queue_.pop_front();
    return id;
  }
  int placed() {
    std::lock_guard l(mu_);
    return placed_;
  }

 private:
  std::mutex mu_;
  std::deque<std::string> queue_;
  int placed_ = 0;
};

TEST(ConcurrentEvents, TicksAndEventThreadsNeverDeadlock) {
  char buf[] = "/tmp/outdial_concurrent_XXXXXX";
  const int fd = mkstemp(buf);
  close(fd);
  const std::string path = buf;
  auto db = storage::sqlite::SqliteDatabase::open(path);
  ASSERT_TRUE(db);
  ManualClock clock(itest::kStart);
  Actor staff;
  const int contacts = 3000;
  const CampaignId id = itest::setup_campaign(**db, clock, contacts, staff);
  ASSERT_NE(id, 0);
  Campaign c = *(*db)->campaigns().get_campaign_any(id);
  c.lines = 100;
  c.max_concurrency = 100;
  c.calls_per_minute = 6000;
  ASSERT_TRUE((*db)->campaigns().update_campaign(c));
  QueueProvider provider;
  testing::FakeGate gate;
  dialer::FactsBuilder facts((*db)->compliance(), (*db)->calls(), (*db)->campaigns(), nullptr,
                             dialer::CallerIdDirectory{{{staff.tenant_id, {itest::kCallerId}}}});
  dialer::RunnerConfig cfg;
  cfg.refill_divisor = 1;
  dialer::CampaignRunner runner(**db, provider, gate, facts, clock, cfg);
  ASSERT_TRUE(runner.recover());

  std::atomic<bool> ticking{true};
  auto ticker = std::async(std::launch::async, [&] {
    // Until 3000 calls went out (each needs its events applied by the other thread to free a
    // line), bounded in iterations.
    for (int i = 0; i < 200'000 && provider.placed() < 3000; ++i) {
      runner.tick();
      clock.advance(std::chrono::seconds(1));
    }
    ticking = false;
  });
  auto events = std::async(std::launch::async, [&] {
    std::int64_t seq = 0;
    for (;;) {
      auto call = provider.pop();
      if (!call) {
        if (!ticking.load()) break;
        std::this_thread::yield();
        continue;
      }
      for (CallEventKind k : {CallEventKind::kInitiated, CallEventKind::kRinging, CallEventKind::kBusy}) {
        CallEvent e;
        e.provider = "q";
        e.provider_call_id = *call;
        e.kind = k;
        e.sequence = ++seq;
        e.dedupe_key = *call + ":" + std::to_string(seq);
        e.at = clock.now();
        runner.sink().on_call_event(e);
      }
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  if (ticker.wait_until(deadline) != std::future_status::ready ||
      events.wait_until(deadline) != std::future_status::ready) {
    std::fprintf(stderr, "deadlock: the tick and event threads are still blocked after 120 s\n");
    std::fflush(stderr);
    std::_Exit(1);  // blocked threads cannot be joined
  }
  EXPECT_GE(provider.placed(), 3000);
  // Every placed call got its events: nothing is left live that the event thread ended.
  auto live = (*db)->calls().live_attempts(id);
  ASSERT_TRUE(live);
  EXPECT_LE(live->size(), 100u);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace outdial
