// The real Telnyx driver and webhook routes, the real dialer on a real SQLite file, against the
// Telnyx emulator over loopback (HTTP both ways, Ed25519-signed webhooks, curl client).
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "emulator.hpp"
#include "outdial/accounts/pacer.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/net/server.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "outdial/telephony/telnyx/webhook_routes.hpp"
#include "testing/fake_gate.hpp"

namespace outdial {
namespace {

using nlohmann::json;
namespace tx = telephony::telnyx;

const std::string kApiKey = "KEY01SECRETtelnyx-api-key-do-not-log";
const std::string kConnection = "conn-it";
const std::string kCallerId = "+15550001111";
const std::string kAgent = "+15559990000";
const std::string kPress1 = "+16465550001";
const std::string kPress2 = "+16465550002";
const std::string kMachine = "+16465550003";
const std::string kBusy = "+16465550004";
const TimePoint kStart = from_epoch_ms(1'790'000'000'000);

// Forwards to the provider once it exists (the routes must be added before the server starts,
// the provider needs the server's port for its webhook_url).
class LateIssuer final : public tx::CommandIssuer {
 public:
  Status issue(const std::string& id, const tx::FlowCommand& c, const tx::ClientState& s) override {
    return target->issue(id, c, s);
  }
  tx::CommandIssuer* target = nullptr;
};

tools::telnyx::EmulatorScript script() {
  tools::telnyx::EmulatorScript s;
  s.default_callee.ring_ms = 200;
  s.default_callee.amd_ms = 300;
  s.default_callee.greeting_ms = 400;
  s.default_callee.digits_after_ms = 100;
  auto human = [&](std::vector<std::string> digits) {
    tools::telnyx::CalleeBehaviour b = s.default_callee;
    b.digits = std::move(digits);
    return b;
  };
  s.numbers[kPress1] = human({"1"});
  s.numbers[kPress2] = human({"2"});
  s.numbers[kMachine] = s.default_callee;
  s.numbers[kMachine].answer = "machine";
  s.numbers[kBusy] = s.default_callee;
  s.numbers[kBusy].answer = "busy";
  s.agent.ring_ms = 200;
  s.agent.hangup_after_ms = 300;
  s.faults.retry_backoff_ms = 50;
  return s;
}

class TelnyxCampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_stream_ = std::make_shared<std::ostringstream>();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_stream_);
    auto logger = std::make_shared<spdlog::logger>("outdial", sink);
    logger->set_level(spdlog::level::trace);
    previous_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(logger);

    char buf[] = "/tmp/outdial_telnyx_XXXXXX";
    close(mkstemp(buf));
    path_ = buf;
    auto db = storage::sqlite::SqliteDatabase::open(path_);
    ASSERT_TRUE(db);
    db_ = std::move(*db);

    emu_http_ = net::make_curl_client();
    api_http_ = net::make_curl_client();
    tools::telnyx::EmulatorOptions eo;
    eo.api_key = kApiKey;
    eo.connection_id = kConnection;
    eo.speed = 10;
    eo.speak_ms = 300;
    eo.concurrency_limit = 10;
    eo.script = script();
    configure(eo);
    emu_ = std::make_unique<tools::telnyx::TelnyxEmulator>(eo, *emu_http_);
    ASSERT_TRUE(emu_->start());

    auto tenant = db_->tenants().create_tenant(Tenant{0, "Sunburst Dental", "US", true, "", kStart});
    ASSERT_TRUE(tenant);
    staff_ = Actor{1, tenant->id, Role::kOperatorAdmin, "user:1"};

    gate_ = std::make_unique<testing::FakeGate>([](const compliance::AttemptFacts& f) {
      if (f.on_internal_dnc)
        return compliance::Decision{compliance::Verdict::kBlock, "DNC-INTERNAL", "on the internal list", std::nullopt};
      return compliance::Decision{compliance::Verdict::kAllow, "OK", "allowed", std::nullopt};
    });
    facts_ = std::make_unique<dialer::FactsBuilder>(db_->compliance(), db_->calls(), db_->campaigns(), nullptr,
                                                    dialer::CallerIdDirectory{{{staff_.tenant_id, {kCallerId}}}});

    tx::TelnyxWebhookDeps deps{tx::WebhookVerifier::create(emu_->public_key_base64(), wall_).value(),
                               ingress_,
                               db_->compliance(),
                               issuer_,
                               registry_,
                               wall_,
                               nullptr};
    stats_ = tx::register_telnyx_routes(router_, std::move(deps));
    server_ = std::make_unique<net::HttpServer>(net::ServerOptions{}, router_.as_handler());
    ASSERT_TRUE(server_->start());

    tx::TelnyxConfig cfg;
    cfg.api_key = kApiKey;
    cfg.connection_id = kConnection;
    cfg.api_base = emu_->base_url();
    cfg.webhook_url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/webhooks/telnyx";
    cfg.business_name = [this](TenantId t) {
      auto tt = db_->tenants().get_tenant(t);
      return tt ? tt->name : std::string();
    };
    provider_ = std::make_unique<tx::TelnyxProvider>(*api_http_, cfg, &registry_);
    issuer_.target = provider_.get();
    runner_ = std::make_unique<dialer::CampaignRunner>(*db_, *provider_, *gate_, *facts_, clock_, runner_config());
    ASSERT_TRUE(runner_->recover());
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (emu_) emu_->stop();
    spdlog::set_default_logger(previous_logger_);
    std::remove(path_.c_str());
  }

  virtual void configure(tools::telnyx::EmulatorOptions&) {}
  virtual dialer::RunnerConfig runner_config() { return {}; }

  CampaignId campaign(const std::string& name, const std::vector<std::string>& numbers, int concurrency = 4) {
    auto list = db_->contacts().create_list(ContactList{0, staff_.tenant_id, name, kStart});
    EXPECT_TRUE(list);
    std::vector<Contact> cs;
    for (const auto& n : numbers) {
      Contact c;
      c.tenant_id = staff_.tenant_id;
      c.list_id = list->id;
      c.phone_e164 = n;
      c.created_at = kStart;
      cs.push_back(c);
    }
    EXPECT_TRUE(db_->contacts().insert_batch(cs));
    Campaign c;
    c.name = name;
    c.script = "We are calling about your next check-up.";
    c.voicemail_text = "Please call us back to book your check-up.";
    c.list_id = list->id;
    c.caller_id = kCallerId;
    c.agent_number = kAgent;
    c.lines = concurrency;
    c.max_concurrency = concurrency;
    c.calls_per_minute = 60;
    c.max_attempts = 1;
    c.min_spacing_minutes = 0;
    dialer::CampaignServiceImpl service(db_->campaigns(), db_->contacts(), db_->calls(), db_->audit(), clock_);
    auto created = service.create(staff_, c);
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    auto active = service.activate(staff_, created->id);
    EXPECT_TRUE(active) << (active ? "" : active.error().message);
    return active ? active->id : 0;
  }

  // Ticks the dialer until every attempt of the campaign is terminal and the emulator is idle.
  bool run(CampaignId id, int expected_attempts) {
    for (int i = 0; i < 600; ++i) {
      ingress_.drain(runner_->sink());
      (void)runner_->tick();
      clock_.advance(std::chrono::seconds(1));
      auto all = db_->calls().list_attempts(staff_.tenant_id, id, 0, 100);
      bool done = all && static_cast<int>(all->size()) >= expected_attempts;
      if (done)
        for (const auto& a : *all) done = done && is_terminal(a.state);
      if (done && emu_->wait_idle(2000)) {
        ingress_.drain(runner_->sink());
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  std::optional<CallAttempt> attempt_to(CampaignId id, const std::string& number) {
    auto all = db_->calls().list_attempts(staff_.tenant_id, id, 0, 100);
    if (!all) return std::nullopt;
    for (const auto& a : *all)
      if (a.to_number == number) return a;
    return std::nullopt;
  }

  json emulator_call(const std::string& ccid) {
    for (const auto& c : json::parse(emu_->calls_json()))
      if (c["call_control_id"] == ccid) return c;
    return json();
  }

  std::size_t webhook_index(const json& call, const std::string& type) {
    const auto& hooks = call["webhooks"];
    for (std::size_t i = 0; i < hooks.size(); ++i)
      if (hooks[i]["event_type"] == type) return i;
    return static_cast<std::size_t>(-1);
  }

  std::size_t event_count(const std::string& ccid) {
    auto e = db_->calls().events_for_call("telnyx", ccid);
    return e ? e->size() : 0;
  }

  // Queues webhook events for the dialer thread (as the durable inbox's applier does, minus the
  // file). Applying them on the HTTP threads while tick() runs deadlocks the dialer: tick holds
  // the SQLite transaction and waits for the EventProcessor mutex, on_call_event holds that
  // mutex and waits for the connection (reported; dialer-owned code).
  struct QueueIngress final : telephony::EventIngress {
    Status ingest(const CallEvent& e) override {
      std::lock_guard l(mu);
      if (fail_next > 0) {
        --fail_next;
        return make_error(ErrorCode::kUnavailable, "inbox busy");
      }
      queued.push_back(e);
      return ok_status();
    }
    void drain(telephony::CallEventSink& sink) {
      std::vector<CallEvent> now;
      {
        std::lock_guard l(mu);
        now.swap(queued);
      }
      for (const auto& e : now) sink.on_call_event(e);
    }
    bool empty() {
      std::lock_guard l(mu);
      return queued.empty();
    }
    std::mutex mu;
    std::vector<CallEvent> queued;
    int fail_next = 0;  // the next n ingests fail: the route answers 503, Telnyx redelivers
  };

  std::shared_ptr<std::ostringstream> log_stream_;
  std::shared_ptr<spdlog::logger> previous_logger_;
  std::string path_;
  std::unique_ptr<storage::sqlite::SqliteDatabase> db_;
  ManualClock clock_{kStart};
  SystemClock wall_;  // the emulator signs with the wall clock
  std::unique_ptr<net::HttpClient> emu_http_, api_http_;
  std::unique_ptr<tools::telnyx::TelnyxEmulator> emu_;
  Actor staff_;
  std::unique_ptr<testing::FakeGate> gate_;
  std::unique_ptr<dialer::FactsBuilder> facts_;
  net::Router router_;
  LateIssuer issuer_;
  QueueIngress ingress_;
  tx::CallRegistry registry_;
  std::shared_ptr<const tx::TelnyxWebhookStats> stats_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<tx::TelnyxProvider> provider_;
  std::unique_ptr<dialer::CampaignRunner> runner_;
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
