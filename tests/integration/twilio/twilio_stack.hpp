#pragma once
// The Twilio side of outdial on loopback, shared by the Twilio driver test and the
// cross-provider conformance test: the real driver (TwilioProvider + register_twilio_routes),
// the real dialer with the real compliance gate on a real SQLite file, against the Twilio
// emulator over libcurl both ways. Time is the emulator's VirtualScheduler, which is also the
// dialer's and the routes' clock, so whole campaigns run in virtual time.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>

#include "integration/twilio/emulator_fixture.hpp"
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
#include "testing/fake_registry.hpp"

namespace outdial::itest::twilio {

namespace te = outdial::twilio_emulator;
namespace tt = outdial::twilio_emulator::testing;

inline const char* kCallerId = "+15550001111";
inline const char* kAgent = "+12125559999";
inline const char* kBusiness = "Acme Dental";

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

class TwilioStack {
 public:
  TwilioStack() : sched_(tt::t0()), registry_(tt::t0() - std::chrono::hours(24)) {}
  virtual ~TwilioStack() = default;

  // gtest ASSERTs inside: check HasFatalFailure() after.
  void set_up() {
    char buf[] = "/tmp/outdial_twilio_XXXXXX";
    close(mkstemp(buf));
    db_path_ = buf;
    auto db = storage::sqlite::SqliteDatabase::open(db_path_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(db).value();
    auto t = db_->tenants().create_tenant(Tenant{0, kBusiness, "US", true, "", tt::t0()});
    ASSERT_TRUE(t);
    tenant_ = t->id;
    staff_ = Actor{1, tenant_, Role::kOperatorAdmin, "user:1"};

    http_ = net::make_curl_client();
    emu_ = std::make_unique<te::TwilioEmulator>(tt::test_options(), sched_, *http_, te::Script{});
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
    config_.account_sid = tt::kSid;
    config_.auth_token = tt::kToken;
    config_.api_base = emu_->base_url();
    config_.public_base_url = "http://127.0.0.1:" + std::to_string(server_->port());
    config_.request_timeout = std::chrono::milliseconds(3000);
  }

  void tear_down() {
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
      auto list = db_->contacts().create_list(ContactList{0, tenant_, "twilio-list", tt::t0()});
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
        c.created_at = tt::t0();
        cs.push_back(c);
        ConsentRecord r;
        r.tenant_id = tenant_;
        r.phone_e164 = n;
        r.type = ConsentType::kPriorExpressWritten;
        r.covers_artificial_voice = true;
        r.source = "web form";
        r.evidence = "form-" + n;
        r.granted_at = tt::t0() - std::chrono::hours(24 * 30);
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
  Result<net::ClientResponse> post_to_outdial(const std::string& url, const te::Params& params, const std::string& signature) {
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

  te::VirtualScheduler sched_;
  testing::FakeRegistry registry_;
  std::string db_path_;
  std::unique_ptr<storage::Database> db_;
  TenantId tenant_ = 0;
  ListId list_ = 0;
  int campaigns_made_ = 0;
  Actor staff_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<te::TwilioEmulator> emu_;
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

}  // namespace outdial::itest::twilio
