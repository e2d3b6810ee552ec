// The real Telnyx driver and webhook routes, the real dialer on a real SQLite file, against the
// Telnyx emulator over loopback (telnyx_stack.hpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/telnyx/telnyx_stack.hpp"
#include "outdial/accounts/pacer.hpp"

namespace outdial {
namespace {

using nlohmann::json;
namespace tx = telephony::telnyx;

using namespace itest::telnyx;  // the stack's numbers and script()

class TelnyxCampaignTest : public ::testing::Test, protected TelnyxStack {
 protected:
  void SetUp() override { set_up(); }
  void TearDown() override { tear_down(); }
};

TEST_F(TelnyxCampaignTest, IvrOutcomesEndToEnd) {
  const CampaignId id = campaign("ivr", {kPress1, kPress2, kMachine, kBusy});
  ASSERT_NE(id, 0);
  ASSERT_TRUE(run(id, 4)) << emu_->calls_json();

  // Press 1: transferred to the agent presenting the campaign's caller ID.
  auto a1 = attempt_to(id, kPress1);
  ASSERT_TRUE(a1);
  EXPECT_EQ(a1->state, CallState::kCompleted);
  EXPECT_EQ(a1->digits, "1");
  EXPECT_FALSE(a1->answered_by_machine);
  auto c1 = emulator_call(a1->provider_call_id);
  ASSERT_FALSE(c1.is_null());
  EXPECT_EQ(c1["command_id"], a1->idempotency_key);  // dial command_id = idempotency key
  EXPECT_EQ(c1["transferred_to"], kAgent);
  EXPECT_EQ(c1["transfer_from"], kCallerId);
  const std::string greeting = c1["spoken"][0];
  EXPECT_EQ(greeting.rfind("Hi, this is Sunburst Dental. To stop calls from us, press 2", 0), 0u) << greeting;
  EXPECT_NE(greeting.find("next check-up"), std::string::npos);

  // Press 2: on the internal DNC list, confirmation, then hang-up.
  auto a2 = attempt_to(id, kPress2);
  ASSERT_TRUE(a2);
  EXPECT_EQ(a2->state, CallState::kCompleted);
  EXPECT_EQ(a2->digits, "2");
  auto dnc = db_->compliance().find_dnc(staff_.tenant_id, kPress2);
  ASSERT_TRUE(dnc && dnc->has_value());
  auto c2 = emulator_call(a2->provider_call_id);
  ASSERT_EQ(c2["commands"].size(), 3u) << c2.dump();
  EXPECT_EQ(c2["commands"][0]["action"], "gather_using_speak");
  EXPECT_EQ(c2["commands"][1]["action"], "speak");
  EXPECT_NE(c2["commands"][1]["payload"].get<std::string>().find("do not call list"), std::string::npos);
  EXPECT_EQ(c2["commands"][2]["action"], "hangup");
  EXPECT_EQ(c2["hangup_source"], "caller");

  // Machine: the voicemail after the beep, then hang-up.
  auto a3 = attempt_to(id, kMachine);
  ASSERT_TRUE(a3);
  EXPECT_EQ(a3->state, CallState::kCompleted);
  EXPECT_TRUE(a3->answered_by_machine);
  auto c3 = emulator_call(a3->provider_call_id);
  const auto beep = webhook_index(c3, "call.machine.greeting.ended");
  const auto vm_started = webhook_index(c3, "call.speak.started");
  ASSERT_NE(beep, static_cast<std::size_t>(-1)) << c3.dump();
  ASSERT_NE(vm_started, static_cast<std::size_t>(-1)) << c3.dump();
  EXPECT_LT(beep, vm_started);
  const std::string vm = c3["spoken"].back();
  EXPECT_NE(vm.find("Please call us back to book your check-up."), std::string::npos) << vm;
  EXPECT_EQ(c3["commands"].back()["action"], "hangup");
  EXPECT_EQ(c3["transferred_to"], "");

  // Busy.
  auto a4 = attempt_to(id, kBusy);
  ASSERT_TRUE(a4);
  EXPECT_EQ(a4->state, CallState::kBusy);
  EXPECT_EQ(a4->failure_reason, "user_busy sip:486");

  // A later campaign with the opted-out number never calls it again.
  const auto dials_before = emu_->stats().dials;
  const CampaignId again = campaign("again", {kPress2, kPress1});
  ASSERT_TRUE(run(again, 1));
  EXPECT_FALSE(attempt_to(again, kPress2));
  EXPECT_TRUE(attempt_to(again, kPress1));
  EXPECT_EQ(emu_->stats().dials, dials_before + 1);
  for (const auto& c : json::parse(emu_->calls_json())) {
    if (c["to"] == kPress2) {
      EXPECT_EQ(c["call_control_id"], a2->provider_call_id);  // the one call only
    }
  }
  EXPECT_EQ(stats_->rejected_signature, 0);
}

TEST_F(TelnyxCampaignTest, ForgedReplayedAndStaleWebhooksChangeNothing) {
  const CampaignId id = campaign("faults", {kPress2});
  ASSERT_TRUE(run(id, 1));
  auto a = attempt_to(id, kPress2);
  ASSERT_TRUE(a);
  const auto call = emulator_call(a->provider_call_id);
  const auto gather = webhook_index(call, "call.gather.ended");
  const auto answered = webhook_index(call, "call.answered");
  ASSERT_NE(gather, static_cast<std::size_t>(-1));
  const auto events = event_count(a->provider_call_id);
  const auto commands = call["commands"].size();
  const auto dnc_before = db_->compliance().list_dnc(staff_.tenant_id, 0, 100)->size();
  const auto state_before = db_->calls().get_attempt(a->id)->state;

  auto forged = emu_->redeliver(a->provider_call_id, gather, 0, /*forge=*/true);
  ASSERT_TRUE(forged);
  EXPECT_EQ(*forged, 403);
  auto stale = emu_->redeliver(a->provider_call_id, answered, -400, false);
  ASSERT_TRUE(stale);
  EXPECT_EQ(*stale, 403);
  auto replay = emu_->redeliver(a->provider_call_id, gather, 0, false);
  ASSERT_TRUE(replay);
  EXPECT_EQ(*replay, 200);
  auto replay_answer = emu_->redeliver(a->provider_call_id, answered, 0, false);
  ASSERT_TRUE(replay_answer);
  EXPECT_EQ(*replay_answer, 200);
  ASSERT_TRUE(emu_->wait_idle(2000));
  ingress_.drain(runner_->sink());

  EXPECT_EQ(event_count(a->provider_call_id), events);
  EXPECT_EQ(emulator_call(a->provider_call_id)["commands"].size(), commands);
  EXPECT_EQ(db_->compliance().list_dnc(staff_.tenant_id, 0, 100)->size(), dnc_before);
  EXPECT_EQ(db_->calls().get_attempt(a->id)->state, state_before);
  EXPECT_EQ(stats_->rejected_signature, 2);
}

TEST_F(TelnyxCampaignTest, ApiKeyNeverLogged) {
  const CampaignId id = campaign("logs", {kPress1, kBusy});
  ASSERT_TRUE(run(id, 2));
  // Provoke warnings: a forged webhook and a command refused by the API.
  auto a = attempt_to(id, kPress1);
  ASSERT_TRUE(a);
  (void)emu_->redeliver(a->provider_call_id, 0, 0, true);
  tx::TelnyxConfig bad;
  bad.api_key = kApiKey + "-wrong";
  bad.connection_id = kConnection;
  bad.api_base = emu_->base_url();
  tx::TelnyxProvider wrong(*api_http_, bad);
  telephony::DialRequest req;
  req.idempotency_key = "k";
  req.tenant_id = staff_.tenant_id;
  req.from = kCallerId;
  req.to = kBusy;
  auto r = wrong.place_call(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  spdlog::default_logger()->flush();
  const std::string logs = log_stream_->str();
  EXPECT_FALSE(logs.empty());
  EXPECT_EQ(logs.find(kApiKey), std::string::npos);
  EXPECT_EQ(r.error().message.find(kApiKey), std::string::npos);
  for (const auto& [k, v] : r.error().details) EXPECT_EQ(v.find(kApiKey), std::string::npos) << k;
  EXPECT_EQ(emu_->calls_json().find(kApiKey), std::string::npos);
  auto all = db_->calls().list_attempts(staff_.tenant_id, id, 0, 100);
  for (const auto& x : *all) EXPECT_EQ(x.failure_reason.find(kApiKey), std::string::npos);
}

TEST_F(TelnyxCampaignTest, ResentDialWithTheSameKeyIsTheSameCall) {
  telephony::DialRequest req;
  req.idempotency_key = "77:1:1";
  req.tenant_id = staff_.tenant_id;
  req.from = kCallerId;
  req.to = kPress1;
  auto first = provider_->place_call(req);
  ASSERT_TRUE(first) << first.error().message;
  auto found = provider_->find_call(telephony::CallLookup("77:1:1"));
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, first->provider_call_id);
  auto second = provider_->place_call(req);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->provider_call_id, first->provider_call_id);
  EXPECT_EQ(emu_->stats().dials, 1);
  EXPECT_EQ(emu_->stats().duplicate_dials, 1);
  auto none = provider_->find_call(telephony::CallLookup("77:9:9"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  EXPECT_TRUE(provider_->hangup(first->provider_call_id));
  ASSERT_TRUE(emu_->wait_idle(3000));
  auto sms = provider_->send_sms(telephony::SmsRequest{"s1", staff_.tenant_id, kCallerId, kPress1, "Reply STOP to opt out"});
  ASSERT_TRUE(sms) << sms.error().message;
  EXPECT_FALSE(sms->empty());
  EXPECT_EQ(emu_->stats().messages, 1);
}

// Inbound SMS over loopback: the emulator applies Telnyx's default keyword handling (a block rule
// on STOP, lifted by START) and sends the signed message.received to the same webhook URL.
TEST_F(TelnyxCampaignTest, InboundStopIsAppliedAndTelnyxBlocksOurRepliesUntilStart) {
  ASSERT_NE(campaign("sms", {kBusy}), 0);  // its caller ID is how a text finds the tenant
  const std::string contact = "+16465550999";
  auto on_dnc = [&] { return db_->compliance().find_dnc(staff_.tenant_id, contact).value().has_value(); };
  auto outbound = [&] {
    std::vector<std::string> texts;
    for (const auto& m : json::parse(emu_->messages_json()))
      if (m["direction"] == "outbound") texts.push_back(m["text"]);
    return texts;
  };
  // A forged STOP changes nothing.
  auto forged = emu_->inject_inbound_sms(webhook_url(), contact, kCallerId, "STOP", /*forge=*/true);
  ASSERT_TRUE(forged);
  EXPECT_EQ(*forged, 403);
  EXPECT_FALSE(on_dnc());
  // STOP: on the internal list at once; Telnyx confirms it, so we send nothing.
  ASSERT_EQ(*emu_->inject_inbound_sms(webhook_url(), contact, kCallerId, "STOP"), 200);
  EXPECT_TRUE(on_dnc());
  EXPECT_TRUE(outbound().empty());
  // HELP while blocked: Telnyx refuses our reply (403 / 40300); acknowledged, not retried.
  ASSERT_EQ(*emu_->inject_inbound_sms(webhook_url(), contact, kCallerId, "HELP"), 200);
  EXPECT_TRUE(outbound().empty());
  spdlog::default_logger()->flush();
  EXPECT_NE(log_stream_->str().find("40300"), std::string::npos);
  // START lifts both the SMS opt-out and Telnyx's block; HELP is answered.
  ASSERT_EQ(*emu_->inject_inbound_sms(webhook_url(), contact, kCallerId, "START"), 200);
  EXPECT_FALSE(on_dnc());
  ASSERT_EQ(*emu_->inject_inbound_sms(webhook_url(), contact, kCallerId, "help"), 200);
  ASSERT_EQ(outbound().size(), 1u);
  EXPECT_EQ(outbound()[0], "Sunburst Dental: reply STOP to stop messages and calls from us.");
  EXPECT_EQ(stats_->messages, 4);
  EXPECT_EQ(stats_->rejected_signature, 1);
}

class TelnyxRateLimitTest : public TelnyxCampaignTest {
 protected:
  void configure(tools::telnyx::EmulatorOptions& o) override { o.script.faults.rate_limit_first_dials = 1; }
};

TEST_F(TelnyxRateLimitTest, RateLimitedDialIsCertainlyNotPlaced) {
  telephony::DialRequest req;
  req.idempotency_key = "88:1:1";
  req.tenant_id = staff_.tenant_id;
  req.from = kCallerId;
  req.to = kBusy;
  auto limited = provider_->place_call(req);  // the script refuses the first dial with 429
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(limited.error().details.at("telnyx_code"), "10011");
  EXPECT_EQ(emu_->stats().dials, 0);
  auto found = provider_->find_call(telephony::CallLookup("88:1:1"));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
  auto again = provider_->place_call(req);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(emu_->stats().dials, 1);
  ASSERT_TRUE(emu_->wait_idle(3000));
}

class TelnyxFaultTest : public TelnyxCampaignTest {
 protected:
  void configure(tools::telnyx::EmulatorOptions& o) override {
    o.script.faults.duplicate_rate = 1.0;  // every webhook twice
    o.script.faults.out_of_order = true;   // and each call's webhooks pair-swapped
    o.script.faults.hold_ms = 100;
  }
};

TEST_F(TelnyxFaultTest, DuplicatedReorderedAndRetriedWebhooksReachTheSameOutcomes) {
  ingress_.fail_next = 3;  // the first three webhooks answer 503 and are redelivered
  const CampaignId id = campaign("faulty", {kPress1, kPress2, kMachine, kBusy});
  ASSERT_NE(id, 0);
  ASSERT_TRUE(run(id, 4)) << emu_->calls_json();
  auto a1 = attempt_to(id, kPress1);
  auto a2 = attempt_to(id, kPress2);
  auto a3 = attempt_to(id, kMachine);
  auto a4 = attempt_to(id, kBusy);
  ASSERT_TRUE(a1 && a2 && a3 && a4);
  EXPECT_EQ(a1->state, CallState::kCompleted);
  EXPECT_EQ(a1->digits, "1");
  EXPECT_EQ(emulator_call(a1->provider_call_id)["transferred_to"], kAgent);
  EXPECT_EQ(a2->state, CallState::kCompleted);
  EXPECT_EQ(a2->digits, "2");
  auto dnc = db_->compliance().find_dnc(staff_.tenant_id, kPress2);
  ASSERT_TRUE(dnc && dnc->has_value());
  auto c2 = emulator_call(a2->provider_call_id);
  ASSERT_EQ(c2["commands"].size(), 3u) << c2.dump();  // duplicates issued nothing twice
  EXPECT_EQ(a3->state, CallState::kCompleted);
  EXPECT_TRUE(a3->answered_by_machine);
  EXPECT_EQ(a4->state, CallState::kBusy);
  EXPECT_GT(stats_->duplicates, 0);
  EXPECT_GE(stats_->failed, 3);
  EXPECT_GE(emu_->stats().webhooks_failed, 3);
  // Every webhook was eventually acknowledged.
  for (const auto& c : json::parse(emu_->calls_json()))
    for (const auto& w : c["webhooks"]) EXPECT_EQ(w["statuses"].back(), 200) << c["to"] << " " << w["event_type"];
}

class TelnyxConcurrencyTest : public TelnyxCampaignTest {
 protected:
  void configure(tools::telnyx::EmulatorOptions& o) override {
    o.concurrency_limit = 1;
    for (auto* n : {&kPress1, &kPress2, &kMachine}) o.script.numbers[*n].hangup_after_ms = 5000;
  }
};

TEST_F(TelnyxConcurrencyTest, OverTheChannelLimitTheCarrierRejectsWithSip403) {
  const CampaignId id = campaign("limit", {kPress1, kBusy, kMachine}, 3);
  ASSERT_NE(id, 0);
  ASSERT_TRUE(run(id, 3)) << emu_->calls_json();
  EXPECT_GE(emu_->stats().concurrency_rejections, 1);
  int rejected = 0;
  auto all = db_->calls().list_attempts(staff_.tenant_id, id, 0, 100);
  for (const auto& a : *all) {
    if (a.failure_reason == "call_rejected sip:403") {
      ++rejected;
      EXPECT_EQ(a.state, CallState::kFailed);
    }
  }
  EXPECT_EQ(rejected, emu_->stats().concurrency_rejections);
}

// The dialer paced by the Telnyx account defaults (accounts::Pacer: 2 concurrent calls) never
// trips the emulator's channel limit, however many lines the campaign has.
class TelnyxPacedTest : public TelnyxConcurrencyTest {
 protected:
  void configure(tools::telnyx::EmulatorOptions& o) override {
    TelnyxConcurrencyTest::configure(o);
    o.concurrency_limit = 2;
  }
  dialer::RunnerConfig runner_config() override {
    dialer::RunnerConfig rc;
    rc.pacer = &pacer_;
    return rc;
  }
  accounts::Pacer pacer_{accounts::default_limits(ProviderKind::kTelnyx)};
};

TEST_F(TelnyxPacedTest, AccountPacingKeepsCallsWithinTheChannelLimit) {
  const CampaignId id = campaign("paced", {kPress1, kPress2, kMachine, kBusy}, 4);
  ASSERT_NE(id, 0);
  ASSERT_TRUE(run(id, 4)) << emu_->calls_json();
  EXPECT_EQ(emu_->stats().concurrency_rejections, 0);
  EXPECT_LE(emu_->stats().max_active, 2);
  EXPECT_EQ(emu_->stats().dials, 4);
  auto all = db_->calls().list_attempts(staff_.tenant_id, id, 0, 100);
  for (const auto& a : *all) EXPECT_NE(a.failure_reason, "call_rejected sip:403") << a.to_number;
}

}  // namespace
}  // namespace outdial
