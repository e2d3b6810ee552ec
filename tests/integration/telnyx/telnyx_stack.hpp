#pragma once
// The Telnyx side of outdial on loopback, shared by the Telnyx campaign test and the
// cross-provider conformance test: the real Telnyx driver and webhook routes, the real dialer on
// a real SQLite file, against the Telnyx emulator (HTTP both ways, Ed25519-signed webhooks,
// curl client). The emulator runs in real time (speed factor); the dialer's clock is a
// ManualClock stepped by run().
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "telnyx_emulator/emulator.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/net/server.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "outdial/telephony/telnyx/webhook_routes.hpp"
#include "testing/fake_gate.hpp"

namespace outdial::itest::telnyx {

namespace tx = telephony::telnyx;

inline const std::string kApiKey = "KEY01SECRETtelnyx-api-key-do-not-log";
inline const std::string kConnection = "conn-it";
inline const std::string kCallerId = "+15550001111";
inline const std::string kAgent = "+15559990000";
inline const std::string kPress1 = "+16465550001";
inline const std::string kPress2 = "+16465550002";
inline const std::string kMachine = "+16465550003";
inline const std::string kBusy = "+16465550004";
inline const TimePoint kStart = from_epoch_ms(1'790'000'000'000);

// Forwards to the provider once it exists (the routes must be added before the server starts,
// the provider needs the server's port for its webhook_url).
class LateIssuer final : public tx::CommandIssuer {
 public:
  Status issue(const std::string& id, const tx::FlowCommand& c, const tx::ClientState& s) override {
    return target->issue(id, c, s);
  }
  tx::CommandIssuer* target = nullptr;
};

inline tools::telnyx::EmulatorScript script() {
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

class TelnyxStack {
 public:
  virtual ~TelnyxStack() = default;

  // gtest ASSERTs inside: check HasFatalFailure() after.
  void set_up() {
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

    // The real gate's list rules (the rules themselves are tested in tests/unit/compliance).
    gate_ = std::make_unique<testing::FakeGate>([](const compliance::AttemptFacts& f) {
      if (f.carrier_rejected)
        return compliance::Decision{compliance::Verdict::kBlock, "CARRIER-REJECTED", "refused before", std::nullopt};
      if (f.on_internal_dnc)
        return compliance::Decision{compliance::Verdict::kBlock, "DNC-INTERNAL", "on the internal list", std::nullopt};
      return compliance::Decision{compliance::Verdict::kAllow, "OK", "allowed", std::nullopt};
    });
    facts_ = std::make_unique<dialer::FactsBuilder>(db_->compliance(), db_->calls(), db_->campaigns(), nullptr,
                                                    caller_ids());

    tx::TelnyxWebhookDeps deps{tx::WebhookVerifier::create(emu_->public_key_base64(), wall_).value(),
                               ingress_,
                               db_->compliance(),
                               issuer_,
                               registry_,
                               wall_,
                               nullptr};
    // As app/ wires it: the same URL takes inbound SMS and recordings.
    deps.tenants = &db_->tenants();
    deps.campaigns = &db_->campaigns();
    deps.calls = &db_->calls();
    deps.send_sms = [this](const telephony::SmsRequest& r) -> Status {
      auto sent = provider_->send_sms(r);  // the provider exists before any webhook can arrive
      return sent ? ok_status() : Status(sent.error());
    };
    // As app/ wires it with a secret key: every client_state the drivers mint is authenticated.
    deps.client_state_key = state_key_;
    adjust_routes(deps);
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
    cfg.client_state_key = state_key_;
    provider_ = std::make_unique<tx::TelnyxProvider>(*api_http_, cfg, &registry_, &clock_);
    provider_->set_event_ingress(&ingress_);  // reconcile() ends calls whose call.hangup was missed
    issuer_.target = provider_.get();
    runner_ = std::make_unique<dialer::CampaignRunner>(*db_, dialing_provider(), *gate_, *facts_, clock_, runner_config());
    ASSERT_TRUE(runner_->recover());
  }

  void tear_down() {
    if (server_) server_->stop();
    if (emu_) emu_->stop();
    spdlog::set_default_logger(previous_logger_);
    std::remove(path_.c_str());
  }

  // The install's client_state key (app/ derives it from OUTDIAL_SECRET_KEY).
  const std::shared_ptr<const tx::ClientStateKey> state_key_ =
      tx::ClientStateKey::from_raw(std::string(32, 's')).value();

  virtual void configure(tools::telnyx::EmulatorOptions&) {}
  virtual dialer::RunnerConfig runner_config() { return {}; }
  // The caller IDs each tenant owns (set_up's tenant: kCallerId).
  virtual dialer::CallerIdDirectory caller_ids() { return dialer::CallerIdDirectory{{{staff_.tenant_id, {kCallerId}}}}; }
  // Before the webhook routes are added (e.g. an account directory).
  virtual void adjust_routes(tx::TelnyxWebhookDeps&) {}
  // What the dialer places calls through, once provider_ exists (may re-point issuer_).
  virtual telephony::Provider& dialing_provider() { return *provider_; }

  CampaignId campaign(const std::string& name, const std::vector<std::string>& numbers, int concurrency = 4,
                      const std::function<void(Campaign&)>& tweak = {}) {
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
    if (tweak) tweak(c);
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

  nlohmann::json emulator_call(const std::string& ccid) {
    for (const auto& c : nlohmann::json::parse(emu_->calls_json()))
      if (c["call_control_id"] == ccid) return c;
    return nlohmann::json();
  }

  std::size_t webhook_index(const nlohmann::json& call, const std::string& type) {
    const auto& hooks = call["webhooks"];
    for (std::size_t i = 0; i < hooks.size(); ++i)
      if (hooks[i]["event_type"] == type) return i;
    return static_cast<std::size_t>(-1);
  }

  std::string webhook_url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/webhooks/telnyx"; }

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
      if (refuse && refuse(e)) return make_error(ErrorCode::kUnavailable, "outdial is down");
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
    // The events it matches fail every time (outdial not receiving them: Telnyx's retries run out).
    std::function<bool(const CallEvent&)> refuse;
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

}  // namespace outdial::itest::telnyx
