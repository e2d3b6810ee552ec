// The real Twilio driver (TwilioProvider + register_twilio_routes) and the real dialer with the
// real compliance gate on a real SQLite file, against the Twilio emulator over loopback HTTP
// (libcurl both ways). Time is the emulator's VirtualScheduler, which is also the dialer's and
// the webhook routes' clock, so whole campaigns run in virtual time; nothing here waits on the
// wall clock except the one REST time-out case.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include <nlohmann/json.hpp>

#include "emulator_fixture.hpp"
#include "outdial/compliance/rule_gate.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/net/router.hpp"
#include "outdial/net/server.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/twilio/twilio_provider.hpp"
#include "outdial/telephony/twilio/twilio_webhooks.hpp"
#include "twiml.hpp"

namespace outdial {
namespace {

using namespace outdial::twilio_emulator;
using namespace outdial::twilio_emulator::testing;
using nlohmann::json;

const char* kCallerId = "+15550001111";
const char* kAgent = "+12125559999";
const char* kBusiness = "Acme Dental";

class EmptyRegistry final : public dnc::NationalRegistry {
 public:
  explicit EmptyRegistry(TimePoint loaded) : loaded_(loaded) {}
  bool contains(std::uint64_t) const override { return false; }
  std::optional<TimePoint> loaded_at() const override { return loaded_; }
  std::uint64_t size() const override { return 0; }

 private:
  TimePoint loaded_;
};

// The routes' ingress: the current dialer's sink, or none while outdial is "down" (then events
// are not stored and the routes answer 5xx, as when the store is unavailable).
class SwitchIngress final : public telephony::EventIngress {
 public:
  void set(telephony::CallEventSink* sink) { sink_.store(sink); }
  Status ingest(const CallEvent& event) override {
    auto* sink = sink_.load();
    if (sink == nullptr) return make_error(ErrorCode::kUnavailable, "outdial is down");
    sink->on_call_event(event);
    return ok_status();
  }

 private:
  std::atomic<telephony::CallEventSink*> sink_{nullptr};
};

class TwilioDriverTest : public ::testing::Test {
 protected:
  TwilioDriverTest() : sched_(t0()), registry_(t0() - std::chrono::hours(24)) {}

  void SetUp() override {
    char buf[] = "/tmp/outdial_twilio_XXXXXX";
    close(mkstemp(buf));
    db_path_ = buf;
    auto db = storage::sqlite::SqliteDatabase::open(db_path_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(db).value();
    auto t = db_->tenants().create_tenant(Tenant{0, kBusiness, "US", true, "", t0()});
    ASSERT_TRUE(t);
    tenant_ = t->id;
    staff_ = Actor{1, tenant_, Role::kOperatorAdmin, "user:1"};

    http_ = net::make_curl_client();
    emu_ = std::make_unique<TwilioEmulator>(test_options(), sched_, *http_, Script{});
    ASSERT_TRUE(emu_->start().ok());

    // outdial's web side: the routes are added right after the port is known and before any
    // request can arrive (nothing calls outdial before the first dial).
    net::ServerOptions so;
    so.threads = 4;
    server_ = std::make_unique<net::HttpServer>(so, [this](net::Request& r) {
      if (!ready_.load(std::memory_order_acquire)) return net::Response::text(503, "starting");
      return router_.dispatch(r);
    });
    ASSERT_TRUE(server_->start().ok());
    config_.account_sid = kSid;
    config_.auth_token = kToken;
    config_.api_base = emu_->base_url();
    config_.public_base_url = "http://127.0.0.1:" + std::to_string(server_->port());
    config_.request_timeout = std::chrono::milliseconds(3000);
  }

  void TearDown() override {
    server_->stop();
    emu_->stop();
    runner_.reset();
    provider_.reset();
    db_.reset();
    std::remove(db_path_.c_str());
    std::remove((db_path_ + "-wal").c_str());
    std::remove((db_path_ + "-shm").c_str());
  }

  // Contacts (with written AI consent, so the real gate allows them) and one active campaign.
  CampaignId make_campaign(const std::vector<std::string>& numbers, const std::function<void(Campaign&)>& tweak = {}) {
    if (list_ == 0) {
      auto list = db_->contacts().create_list(ContactList{0, tenant_, "twilio-list", t0()});
      EXPECT_TRUE(list);
      list_ = list->id;
      std::vector<Contact> cs;
      for (const auto& n : numbers) {
        Contact c;
        c.tenant_id = tenant_;
        c.list_id = list_;
        c.phone_e164 = n;
        c.timezone = "America/New_York";
        c.state = "NY";
        c.created_at = t0();
        cs.push_back(c);
        ConsentRecord r;
        r.tenant_id = tenant_;
        r.phone_e164 = n;
        r.type = ConsentType::kPriorExpressWritten;
        r.covers_artificial_voice = true;
        r.source = "web form";
        r.evidence = "form-" + n;
        r.granted_at = t0() - std::chrono::hours(24 * 30);
        EXPECT_TRUE(db_->compliance().add_consent(r));
      }
      EXPECT_TRUE(db_->contacts().insert_batch(cs));
    }
    dialer::CampaignServiceImpl service(db_->campaigns(), db_->contacts(), db_->calls(), db_->audit(), sched_);
    Campaign d;
    d.name = "Reactivation_Twilio_" + std::to_string(++campaigns_made_);
    d.script = "We have openings for a cleaning next week.";
    d.voicemail_text = "We have openings next week; call us back to book.";
    d.list_id = list_;
    d.caller_id = kCallerId;
    d.agent_number = kAgent;
    d.purpose = Purpose::kReactivation;
    d.voice = VoiceType::kAi;
    d.lines = 2;
    d.max_concurrency = 2;
    d.calls_per_minute = 30;
    d.max_attempts = 3;
    d.min_spacing_minutes = 0;
    d.retry = RetryPolicy{{3, 10}, {2, 60}, {2, 240}, {2, 30}};
    if (tweak) tweak(d);
    auto created = service.create(staff_, d);
    EXPECT_TRUE(created) << created.error().message;
    auto active = service.activate(staff_, created->id);
    EXPECT_TRUE(active) << active.error().message;
    return created->id;
  }

  // The driver, the routes and the dialer (once per test, after the campaign exists).
  void wire() {
    provider_ = std::make_unique<telephony::twilio::TwilioProvider>(config_, *http_, sched_);
    facts_ = std::make_unique<dialer::FactsBuilder>(db_->compliance(), db_->calls(), db_->campaigns(), &registry_,
                                                     dialer::CallerIdDirectory{{{tenant_, {kCallerId}}}});
    runner_ = std::make_unique<dialer::CampaignRunner>(*db_, *provider_, gate_, *facts_, sched_);
    ingress_.set(&runner_->sink());
    provider_->set_event_ingress(&ingress_);
    telephony::twilio::TwilioWebhookDeps deps{config_,          ingress_,     db_->calls(), db_->campaigns(),
                                              db_->compliance(), db_->tenants(), *provider_,  sched_,
                                              [this](const std::string& line) {
                                                std::lock_guard lock(warn_mu_);
                                                warnings_.push_back(line);
                                              }};
    telephony::twilio::register_twilio_routes(router_, deps);
    ready_.store(true, std::memory_order_release);
    ASSERT_TRUE(runner_->recover());
  }

  // Virtual time: tick the dialer, run the emulator's tasks (its webhooks reach outdial over
  // HTTP), jump to the next instant either has work, until every campaign is done and every
  // emulated call has ended.
  void drive(Millis limit = std::chrono::hours(8)) {
    const TimePoint stop = sched_.now() + limit;
    for (int step = 0; step < 200'000; ++step) {
      const auto tr = runner_->tick();
      bool calls_live = false;
      for (const auto& c : emu_->calls()) calls_live = calls_live || !c.ended();
      if (tr.active_campaigns == 0 && tr.in_flight == 0 && !calls_live) break;
      // At most 5 s per jump: tick()'s next_due does not include a dial deferred during that
      // same tick (a 429 or a time-out schedules its resolution after next_due was computed).
      TimePoint next = std::min(stop, sched_.now() + std::chrono::seconds(5));
      if (tr.next_due) next = std::min(next, *tr.next_due);
      TimePoint due;
      if (sched_.next_due(due)) next = std::min(next, due);
      if (next >= stop) break;
      if (tr.active_campaigns == 0 && !calls_live && !sched_.next_due(due)) break;
      sched_.run_until(std::max(next, sched_.now()));
    }
    // Deliver what is still in flight (final callbacks, retries), then let the dialer see it.
    sched_.advance(std::chrono::minutes(1));
    (void)runner_->tick();
  }

  std::vector<CallAttempt> attempts(CampaignId c) {
    auto a = db_->calls().list_attempts(tenant_, c, 0, 1000);
    EXPECT_TRUE(a);
    auto out = a ? *a : std::vector<CallAttempt>{};
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
    return out;
  }
  std::size_t events_of(const std::string& call_sid) {
    auto e = db_->calls().events_for_call("twilio", call_sid);
    EXPECT_TRUE(e);
    return e ? e->size() : 0;
  }
  // POSTs a form to outdial's webhook URL, signed (or not) like the emulator signs.
  Result<net::ClientResponse> post_to_outdial(const std::string& url, const Params& params, const std::string& signature) {
    net::ClientRequest req;
    req.method = "POST";
    req.url = url;
    req.body = net::form_encode(params);
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Twilio-Signature", signature}};
    return http_->send(req);
  }
  std::vector<std::string> warnings() {
    std::lock_guard lock(warn_mu_);
    return warnings_;
  }

  VirtualScheduler sched_;
  EmptyRegistry registry_;
  std::string db_path_;
  std::unique_ptr<storage::Database> db_;
  TenantId tenant_ = 0;
  ListId list_ = 0;
  int campaigns_made_ = 0;
  Actor staff_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<TwilioEmulator> emu_;
  net::Router router_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<net::HttpServer> server_;
  telephony::twilio::TwilioConfig config_;
  std::unique_ptr<telephony::twilio::TwilioProvider> provider_;
  compliance::RuleGate gate_;
  std::unique_ptr<dialer::FactsBuilder> facts_;
  std::unique_ptr<dialer::CampaignRunner> runner_;
  SwitchIngress ingress_;
  std::mutex warn_mu_;
  std::vector<std::string> warnings_;
};

TEST_F(TwilioDriverTest, PressOneIsBridgedToTheAgentWithTheCampaignCallerId) {
  const std::string n = "+12125550101";
  emu_->set_behaviour(n, {CalleeBehaviour{.digits = {"1"}, .press_after_seconds = 9}});
  const CampaignId c = make_campaign({n});
  wire();
  drive();

  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 1u);
  const EmulatedCall& call = calls[0];
  EXPECT_EQ(call.from, kCallerId);
  // Identification first, and the opt-out offer starts within 2 s of its end; the key itself
  // ("press 2") is named before the campaign script.
  const std::string ident = "Hi, this is Acme Dental.";
  const auto hi = call.spoken_at(ident);
  const auto offer = call.spoken_at("To stop calls from us");
  const auto key = call.spoken_at("press 2");
  const auto script = call.spoken_at("We have openings");
  ASSERT_TRUE(hi && offer && key && script) << (call.spoken.empty() ? "nothing said" : call.spoken[0].text);
  EXPECT_LE(*hi, Millis(1000));
  const Millis ident_end = *hi + Millis(static_cast<std::int64_t>(speech_seconds(ident) * 1000));
  EXPECT_LE(*offer - ident_end, Millis(2000));
  EXPECT_LT(*key, *script);
  ASSERT_EQ(call.gathers.size(), 1u);
  EXPECT_EQ(call.gathers[0].digits, "1");
  ASSERT_EQ(call.bridges.size(), 1u);
  EXPECT_EQ(call.bridges[0].number, kAgent);
  EXPECT_EQ(call.bridges[0].caller_id, kCallerId);
  EXPECT_EQ(call.bridges[0].dial_status, "completed");
  EXPECT_EQ(call.status, "completed");

  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].provider_call_id, call.sid);
  EXPECT_EQ(a[0].state, CallState::kCompleted);
  EXPECT_EQ(a[0].digits, "1");
  EXPECT_FALSE(a[0].answered_by_machine);
  for (const auto& w : emu_->webhooks()) EXPECT_LT(w.http_status, 300) << w.kind << " " << w.url << " " << w.error;
}

TEST_F(TwilioDriverTest, PressTwoGoesOnTheInternalListBeforeTheHangUpAndIsNeverCalledAgain) {
  const std::string n = "+12125550102";
  emu_->set_behaviour(n, {CalleeBehaviour{.digits = {"2"}, .press_after_seconds = 4}});
  const CampaignId c = make_campaign({n});
  wire();
  drive();
  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 1u);
  const EmulatedCall& call = calls[0];
  auto dnc = db_->compliance().find_dnc(tenant_, n);
  ASSERT_TRUE(dnc);
  ASSERT_TRUE(dnc->has_value()) << "press 2 did not put the number on the internal list";
  // Stored before the confirmation was spoken, and so before the hang-up.
  const auto confirmed = call.spoken_at("do not call list");
  ASSERT_TRUE(confirmed);
  EXPECT_LE((*dnc)->created_at, *call.answered_at + *confirmed);
  EXPECT_LE((*dnc)->created_at, *call.ended_at);
  EXPECT_TRUE(call.bridges.empty());
  EXPECT_EQ(attempts(c).at(0).digits, "2");

  // A later campaign over the same list never calls the number.
  const CampaignId again = make_campaign({n});
  drive();
  EXPECT_EQ(emu_->calls_to(n).size(), 1u);
  EXPECT_TRUE(attempts(again).empty());
}

TEST_F(TwilioDriverTest, VoicemailIsLeftAfterTheBeep) {
  const std::string n = "+12125550103";
  emu_->set_behaviour(n, {CalleeBehaviour{.answer = Answer::kMachine, .greeting_seconds = 7}});
  const CampaignId c = make_campaign({n}, [](Campaign& d) { d.retry.machine = RetryRule{1, 240}; });
  wire();
  drive();
  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 1u);
  const EmulatedCall& call = calls[0];
  EXPECT_EQ(call.answered_by, "machine_end_beep");
  const std::string vm = call.voicemail();
  EXPECT_NE(vm.find("Hi, this is Acme Dental."), std::string::npos) << vm;
  EXPECT_NE(vm.find("We have openings next week"), std::string::npos) << vm;
  EXPECT_NE(vm.find("text STOP"), std::string::npos) << vm;
  // What was said over the greeting is not on the tape; the voicemail began at the beep.
  for (const auto& u : call.spoken) {
    if (u.text.find("We have openings next week") != std::string::npos) {
      EXPECT_TRUE(u.after_beep);
      EXPECT_GE(*call.answered_at + u.offset, *call.beep_at);
    }
  }
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(a[0].answered_by_machine);
  EXPECT_TRUE(is_terminal(a[0].state));
}

TEST_F(TwilioDriverTest, BusyIsRetriedPerThePolicy) {
  const std::string n = "+12125550104";
  emu_->set_behaviour(n, {CalleeBehaviour{.answer = Answer::kBusy}, CalleeBehaviour{.answer = Answer::kBusy},
                          CalleeBehaviour{.answer = Answer::kHuman}});
  const CampaignId c = make_campaign({n});  // busy: 3 attempts, 10 minutes apart
  wire();
  drive();
  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].status, "busy");
  EXPECT_EQ(calls[1].status, "busy");
  EXPECT_EQ(calls[2].status, "completed");
  for (std::size_t i = 1; i < calls.size(); ++i) {
    EXPECT_GE(*calls[i].started_at - *calls[i - 1].ended_at, std::chrono::minutes(10));
  }
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].state, CallState::kBusy);
  EXPECT_EQ(a[1].state, CallState::kBusy);
  EXPECT_EQ(a[2].state, CallState::kCompleted);
  EXPECT_NE(a[0].idempotency_key, a[1].idempotency_key);
}

TEST_F(TwilioDriverTest, ForgedAndReplayedWebhooksChangeNothing) {
  const std::string n = "+12125550105";
  emu_->set_behaviour(n, {CalleeBehaviour{.answer = Answer::kBusy}});
  const CampaignId c = make_campaign({n}, [](Campaign& d) { d.max_attempts = 1; });
  wire();
  drive();
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(a[0].state, CallState::kBusy);
  const std::string sid = a[0].provider_call_id;
  const std::size_t events = events_of(sid);
  ASSERT_GT(events, 0u);

  // A forged "completed, 60 s" for the same call: signed with another token.
  WebhookRecord last;
  for (const auto& w : emu_->webhooks()) {
    if (w.kind == "status" && w.call_sid == sid) last = w;
  }
  ASSERT_FALSE(last.url.empty());
  Params forged = last.params;
  for (auto& [k, v] : forged) {
    if (k == "CallStatus") v = "completed";
    if (k == "CallDuration") v = "60";
    if (k == "SequenceNumber") v = "9";
  }
  const std::string bad_sig = telephony::twilio::compute_signature("not-the-token", last.url, forged);
  auto r = post_to_outdial(last.url, forged, bad_sig);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 403);
  // The emulator's real signature over the original parameters does not cover the changed ones.
  r = post_to_outdial(last.url, forged, last.signature);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 403);
  r = post_to_outdial(last.url, forged, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 403);

  // A replay of every genuine callback, byte for byte.
  for (const auto& w : emu_->webhooks()) {
    if (w.call_sid != sid || w.kind != "status") continue;
    auto rr = post_to_outdial(w.url, w.params, w.signature);
    ASSERT_TRUE(rr.ok());
    EXPECT_LT(rr.value().status, 300) << w.url;
  }
  (void)runner_->tick();
  auto after = attempts(c);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].state, CallState::kBusy);
  EXPECT_EQ(after[0].ended_at, a[0].ended_at);
  EXPECT_EQ(events_of(sid), events);
  EXPECT_EQ(emu_->calls_to(n).size(), 1u);
}

TEST_F(TwilioDriverTest, DuplicateAndReorderedCallbacksGiveTheSameOutcome) {
  const std::string n = "+12125550106";
  emu_->set_behaviour(n, {CalleeBehaviour{.digits = {"1"}}});
  emu_->set_webhook_faults(WebhookFaults{.duplicate = 1, .reorder = 1});
  const CampaignId c = make_campaign({n});
  wire();
  drive();
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].state, CallState::kCompleted);
  EXPECT_EQ(a[0].digits, "1");
  EXPECT_EQ(emu_->calls_to(n).size(), 1u);
  EXPECT_EQ(emu_->calls_to(n)[0].bridges.size(), 1u);
}

TEST_F(TwilioDriverTest, CallbacksArrivingLongAfterTheCallEndedGiveTheSameOutcome) {
  const std::string busy = "+12125550111", human = "+12125550112";
  emu_->set_behaviour(busy, {CalleeBehaviour{.answer = Answer::kBusy}});
  emu_->set_behaviour(human, {CalleeBehaviour{.digits = {"1"}}});
  emu_->set_webhook_faults(WebhookFaults{.delay = 1, .delay_seconds = 90});
  const CampaignId c = make_campaign({busy, human}, [](Campaign& d) { d.max_attempts = 1; });
  wire();
  drive();
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 2u);
  for (const auto& at : a) {
    EXPECT_EQ(at.state, at.to_number == busy ? CallState::kBusy : CallState::kCompleted) << at.to_number;
  }
  EXPECT_EQ(emu_->calls().size(), 2u);
}

TEST_F(TwilioDriverTest, RateLimitedCreateBacksOffAndDialsOnce) {
  const std::string n = "+12125550107";
  emu_->add_rest_fault(RestFault{.kind = RestFaultKind::k429, .times = 2});
  const CampaignId c = make_campaign({n});
  wire();
  drive();
  EXPECT_EQ(emu_->create_requests(), 3u);
  ASSERT_EQ(emu_->calls_to(n).size(), 1u);
  // The refusals and the dial that went through are spread out in time, not a tight loop.
  std::vector<TimePoint> refused;
  for (const auto& e : emu_->log()) {
    if (e.text.find("answered 429") != std::string::npos) refused.push_back(e.at);
  }
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_GT(refused[1], refused[0]);
  EXPECT_GT(emu_->calls_to(n)[0].created_at, refused[1]);
  auto a = attempts(c);
  EXPECT_EQ(a.back().provider_call_id, emu_->calls_to(n)[0].sid);
  EXPECT_TRUE(is_terminal(a.back().state));
}

TEST_F(TwilioDriverTest, TimeOutAfterTheRequestWasSentDoesNotDialTwice) {
  const std::string n = "+12125550108";
  config_.request_timeout = std::chrono::milliseconds(300);
  emu_->add_rest_fault(RestFault{.kind = RestFaultKind::kTimeout, .to = n, .stall_seconds = 1.5});
  const CampaignId c = make_campaign({n});
  wire();
  drive();
  EXPECT_EQ(emu_->create_requests(), 1u);
  auto calls = emu_->calls_to(n);
  ASSERT_EQ(calls.size(), 1u);
  auto a = attempts(c);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].provider_call_id, calls[0].sid);  // find_call attached it
  EXPECT_TRUE(is_terminal(a[0].state));
}

TEST_F(TwilioDriverTest, ABurstOverTheAccountCpsIsQueuedAndStartedAtTheCps) {
  std::vector<std::string> numbers;
  for (int i = 0; i < 8; ++i) numbers.push_back("+1212555" + std::to_string(1200 + i));
  const CampaignId c = make_campaign(numbers, [](Campaign& d) {
    d.lines = 8;
    d.max_concurrency = 8;
    d.calls_per_minute = 120;
  });
  wire();
  drive();
  auto calls = emu_->calls();
  ASSERT_EQ(calls.size(), 8u);
  EXPECT_EQ(emu_->max_starts_per_second(), 1);  // the emulator's account CPS is 1
  TimePoint first = *calls[0].started_at, last = first;
  for (const auto& call : calls) {
    first = std::min(first, *call.started_at);
    last = std::max(last, *call.started_at);
  }
  EXPECT_GE(last - first, Millis(7000));
  for (const auto& a : attempts(c)) EXPECT_EQ(a.state, CallState::kCompleted) << a.to_number;
}

TEST_F(TwilioDriverTest, AnOutcomeReachedWhileOutdialWasDownIsRecoveredFromTheCallResource) {
  const std::string n = "+12125550110";
  emu_->set_behaviour(n, {CalleeBehaviour{.ring_seconds = 3, .hangup_after_seconds = 5}});
  const CampaignId c = make_campaign({n}, [](Campaign& d) { d.max_attempts = 1; });
  wire();
  (void)runner_->tick();
  sched_.advance(std::chrono::seconds(4));  // answered at +3 s
  ASSERT_EQ(emu_->calls_to(n).at(0).status, "in-progress");
  // outdial goes down: its webhooks answer 503 (the emulator redelivers, then gives up) and the
  // dialer is gone; the callee hangs up meanwhile.
  ingress_.set(nullptr);
  runner_.reset();
  sched_.advance(std::chrono::minutes(2));
  const EmulatedCall call = emu_->calls_to(n).at(0);
  ASSERT_EQ(call.status, "completed");
  int refused = 0;
  for (const auto& w : emu_->webhooks()) refused += (w.kind == "status" && w.http_status == 503) ? 1 : 0;
  EXPECT_GE(refused, 3);  // the final callback and its redeliveries
  auto before = attempts(c);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_FALSE(is_terminal(before[0].state));
  // Restart: recover() reconciles the live attempt from GET Calls/{sid}.json.
  runner_ = std::make_unique<dialer::CampaignRunner>(*db_, *provider_, gate_, *facts_, sched_);
  ingress_.set(&runner_->sink());
  ASSERT_TRUE(runner_->recover());
  drive();
  auto after = attempts(c);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].state, CallState::kCompleted);
  EXPECT_EQ(after[0].provider_call_id, call.sid);
  EXPECT_EQ(emu_->calls_to(n).size(), 1u);  // recovered, not re-dialed
}

TEST_F(TwilioDriverTest, CredentialsNeverAppearInLogsOrResponses) {
  const std::string n = "+12125550109";
  emu_->set_behaviour(n, {CalleeBehaviour{.digits = {"1"}}});
  make_campaign({n});
  wire();
  drive();
  // A driver with a wrong token: the error names neither token.
  telephony::twilio::TwilioConfig wrong = config_;
  wrong.auth_token = "wrong-secret-token-1234";
  telephony::twilio::TwilioProvider bad(wrong, *http_, sched_);
  telephony::DialRequest req;
  req.attempt_id = 999;
  req.idempotency_key = "x:y:1";
  req.from = kCallerId;
  req.to = n;
  auto r = bad.place_call(req);
  ASSERT_FALSE(r.ok());
  std::string everything = r.error().message;
  for (const auto& [k, v] : r.error().details) everything += " " + k + "=" + v;
  auto found = bad.find_call(telephony::CallLookup{});
  if (!found.ok()) everything += " " + found.error().message;
  for (const auto& w : warnings()) everything += "\n" + w;
  for (const auto& e : emu_->log()) everything += "\n" + e.text;
  for (const char* path : {"/_emulator/calls", "/_emulator/log", "/_emulator/webhooks", "/_emulator/stats"}) {
    net::Request q;
    q.method = "GET";
    q.path = path;
    everything += "\n" + emu_->handle(q).body;
  }
  // What outdial answered to every webhook (TwiML, empty bodies, 403s).
  for (const auto& w : emu_->webhooks()) {
    auto rr = post_to_outdial(w.url, w.params, w.signature);
    if (rr.ok()) everything += "\n" + rr.value().body;
  }
  EXPECT_EQ(everything.find(kToken), std::string::npos);
  EXPECT_EQ(everything.find("wrong-secret-token-1234"), std::string::npos);
  EXPECT_EQ(everything.find(base64(std::string(kSid) + ":" + kToken)), std::string::npos);
}

}  // namespace
}  // namespace outdial
