#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "outdial/telephony/sim/call_plan.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"

namespace outdial::telephony::sim {
namespace {

struct Recorder : CallEventSink {
  std::vector<CallEvent> events;
  void on_call_event(const CallEvent& e) override { events.push_back(e); }
};

DialRequest req(const std::string& key, const std::string& to) {
  DialRequest r;
  r.idempotency_key = key;
  r.to = to;
  r.from = "+15550000000";
  r.attempt_id = 7;
  return r;
}

std::string temp_path() {
  char buf[] = "/tmp/sim_ledger_XXXXXX";
  int fd = mkstemp(buf);
  close(fd);
  std::remove(buf);
  return buf;
}

TEST(CallPlan, IsDeterministicPerSeedNumberAttempt) {
  SimProfile p;
  auto a = plan_call(p, 42, "+12125550100", 1, 30);
  auto b = plan_call(p, 42, "+12125550100", 1, 30);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].kind, b[i].kind);
    EXPECT_EQ(a[i].offset_ms, b[i].offset_ms);
  }
  EXPECT_EQ(a.front().kind, CallEventKind::kInitiated);
}

TEST(CallPlan, PopulationMatchesProfileRoughly) {
  SimProfile p;
  std::map<CallEventKind, int> finals;
  for (int i = 0; i < 5000; ++i) {
    auto plan = plan_call(p, 1, "+1212555" + std::to_string(1000 + i), 1, 30);
    ++finals[plan.back().kind];
  }
  EXPECT_NEAR(finals[CallEventKind::kBusy] / 5000.0, p.busy_rate, 0.02);
  EXPECT_NEAR(finals[CallEventKind::kFailed] / 5000.0, p.failed_rate, 0.01);
  EXPECT_GT(finals[CallEventKind::kCompleted], 1500);
}

TEST(SimCarrier, DeliversEventsAtTheirInstantWithUniqueDedupeKeys) {
  ManualClock clock(from_epoch_ms(1'000'000));
  auto sim = SimCarrier::create(clock, SimProfile{}, 3, "");
  ASSERT_TRUE(sim);
  Recorder rec;
  (*sim)->set_sink(&rec);
  auto id = (*sim)->place_call(req("1:2:1", "+12125550100"));
  ASSERT_TRUE(id);
  EXPECT_EQ((*sim)->deliver_due(), 1);  // initiated at t0
  while (auto next = (*sim)->next_event_at()) {
    clock.set(*next);
    (*sim)->deliver_due();
  }
  std::set<std::string> keys;
  std::int64_t seq = 0;
  for (auto& e : rec.events) {
    EXPECT_EQ(e.provider, "sim");
    EXPECT_EQ(e.provider_call_id, id->provider_call_id);
    EXPECT_EQ(e.attempt_id, 7);
    EXPECT_TRUE(keys.insert(e.dedupe_key).second);
    EXPECT_GT(e.sequence, seq);
    seq = e.sequence;
  }
  ASSERT_FALSE(rec.events.empty());
  EXPECT_TRUE(is_terminal(*state_for(rec.events.back().kind)));
}

TEST(SimCarrier, SameKeyNeverDialsTwiceAcrossRestart) {
  const std::string path = temp_path();
  ManualClock clock(from_epoch_ms(5'000));
  std::string first_id;
  {
    auto sim = SimCarrier::create(clock, SimProfile{}, 9, path);
    ASSERT_TRUE(sim);
    auto a = (*sim)->place_call(req("1:2:1", "+12125550100"));
    auto b = (*sim)->place_call(req("1:2:1", "+12125550100"));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->provider_call_id, b->provider_call_id);
    EXPECT_EQ((*sim)->real_dials(), 1);
    first_id = a->provider_call_id;
  }
  auto sim = SimCarrier::create(clock, SimProfile{}, 9, path);
  ASSERT_TRUE(sim);
  auto found = (*sim)->find_call("1:2:1");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ(**found, first_id);
  auto none = (*sim)->find_call("1:2:2");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto again = (*sim)->place_call(req("1:2:1", "+12125550100"));
  ASSERT_TRUE(again);
  EXPECT_EQ((*sim)->real_dials(), 0);
  EXPECT_EQ((*sim)->ledger_calls().size(), 1u);
  // reconcile re-delivers the whole life, final outcome included
  Recorder rec;
  (*sim)->set_sink(&rec);
  clock.set(from_epoch_ms(5'000 + 3'600'000));
  ASSERT_TRUE((*sim)->reconcile(first_id));
  (*sim)->deliver_due();
  ASSERT_FALSE(rec.events.empty());
  EXPECT_TRUE(is_terminal(*state_for(rec.events.back().kind)));
  std::remove(path.c_str());
}

TEST(SimCarrier, TornLedgerTailIsCutSoTheNextRecordSurvivesRestart) {
  const std::string path = temp_path();
  ManualClock clock(from_epoch_ms(5'000));
  std::string id1, id2, id3;
  {
    auto sim = SimCarrier::create(clock, SimProfile{}, 9, path);
    ASSERT_TRUE(sim);
    auto a = (*sim)->place_call(req("1:1:1", "+12125550101"));
    auto b = (*sim)->place_call(req("1:2:1", "+12125550102"));
    ASSERT_TRUE(a && b);
    id1 = a->provider_call_id;
    id2 = b->provider_call_id;
  }
  {
    // A crash in the middle of a record: bytes without the terminating newline.
    std::FILE* f = std::fopen(path.c_str(), "ab");
    ASSERT_NE(f, nullptr);
    std::fputs("call 1:9:1 torn-id +1212", f);
    std::fclose(f);
  }
  {
    auto sim = SimCarrier::create(clock, SimProfile{}, 9, path);
    ASSERT_TRUE(sim);
    EXPECT_EQ((*sim)->ledger_calls().size(), 2u);
    auto c = (*sim)->place_call(req("1:3:1", "+12125550103"));
    ASSERT_TRUE(c);
    id3 = c->provider_call_id;
  }
  auto sim = SimCarrier::create(clock, SimProfile{}, 9, path);
  ASSERT_TRUE(sim);
  const std::map<std::string, std::string> want{{"1:1:1", id1}, {"1:2:1", id2}, {"1:3:1", id3}};
  for (const auto& [key, id] : want) {
    auto found = (*sim)->find_call(key);
    ASSERT_TRUE(found && found->has_value()) << key;
    EXPECT_EQ(**found, id) << key;
  }
  auto torn = (*sim)->find_call("1:9:1");
  ASSERT_TRUE(torn);
  EXPECT_FALSE(torn->has_value());
  ASSERT_EQ((*sim)->ledger_calls().size(), 3u);
  EXPECT_EQ((*sim)->ledger_calls()[2].idempotency_key, "1:3:1");
  EXPECT_EQ((*sim)->real_dials(), 0);
  std::remove(path.c_str());
}

TEST(SimCarrier, HangupEndsTheCall) {
  ManualClock clock(from_epoch_ms(0));
  SimProfile p;
  p.failed_rate = 0;
  p.busy_rate = 0;
  p.answer_rate = 1;
  p.machine_share = 0;
  p.drop_rate = 0;
  p.ring = {DurationDist::Kind::kUniform, 5, 5, 0, 1};
  p.talk = {DurationDist::Kind::kUniform, 100, 100, 0, 1};
  auto sim = SimCarrier::create(clock, p, 1, "");
  ASSERT_TRUE(sim);
  Recorder rec;
  (*sim)->set_sink(&rec);
  auto id = (*sim)->place_call(req("1:1:1", "+12125550111"));
  ASSERT_TRUE(id);
  clock.set(from_epoch_ms(10'000));
  (*sim)->deliver_due();
  ASSERT_TRUE((*sim)->hangup(id->provider_call_id));
  (*sim)->deliver_due();
  EXPECT_EQ(rec.events.back().kind, CallEventKind::kCompleted);
  EXPECT_EQ(rec.events.back().detail, "sim:hangup");
  EXPECT_FALSE((*sim)->next_event_at().has_value());
}

TEST(SimCarrier, RejectsBadRequestsAndSendsSmsOnce) {
  ManualClock clock(from_epoch_ms(0));
  auto sim = SimCarrier::create(clock, SimProfile{}, 1, "");
  ASSERT_TRUE(sim);
  auto bad = (*sim)->place_call(req("", "+12125550100"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE((*sim)->place_call(req("k", "2125550100")));
  SmsRequest s{"sms-1", 1, "+15550000000", "+12125550100", "hi"};
  auto a = (*sim)->send_sms(s);
  auto b = (*sim)->send_sms(s);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace outdial::telephony::sim
