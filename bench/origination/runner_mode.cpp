// Origination through the production path: CampaignRunner (with the account's accounts::Pacer in
// RunnerConfig) driven by the RealtimeDriver at speed 1, on a real SQLite file, the real RuleGate,
// the Twilio driver against the in-process Twilio emulator, and the emulator's signed status
// callbacks coming back over loopback into the driver's webhook routes on the project's HTTP
// server (which end the calls and free the lines).
//
// The runner's clock is a ManualClock the RealtimeDriver advances with the wall clock (speed 1)
// from Monday 2026-11-16 14:00 UTC, so the calling-hours rules allow the New York contacts
// whatever the real time of day; the emulator's scheduler starts at the same instant.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "../../tools/twilio_emulator/emulator.hpp"
#include "../../tools/twilio_emulator/scheduler.hpp"
#include "bench_util.hpp"
#include "outdial/accounts/pacer.hpp"
#include "outdial/compliance/rule_gate.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/dnc/set_registry.hpp"
#include "outdial/ingest/sqlite/webhook_ingest.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/net/router.hpp"
#include "outdial/net/server.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/twilio/twilio_provider.hpp"
#include "outdial/telephony/twilio/twilio_webhooks.hpp"

namespace outdial::bench::origination {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr const char* kCallerId = "+15550001111";
constexpr const char* kSid = "AC0123456789abcdef0123456789abcdef";
constexpr const char* kToken = "bench-auth-token";

[[noreturn]] void die(const std::string& what, const Error& e) {
  std::fprintf(stderr, "origination_bench --runner: %s: %s\n", what.c_str(), e.message.c_str());
  std::exit(1);
}

template <typename T>
T must(Result<T> r, const std::string& what) {
  if (!r) die(what, r.error());
  return std::move(r).value();
}

// The real driver, with each place_call's send instant and duration recorded, and the runner's
// clock at that moment: the instant the pacer admitted the start (the runner reads its clock,
// takes the slot and dials at once; only its own thread moves that clock).
class TimedProvider final : public telephony::Provider {
 public:
  TimedProvider(telephony::Provider& inner, const Clock& clock) : inner_(inner), clock_(clock) {}
  std::string name() const override { return inner_.name(); }
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest& req) override {
    const std::int64_t admitted = to_epoch_ms(clock_.now());
    const auto t0 = SteadyClock::now();
    auto r = inner_.place_call(req);
    const auto t1 = SteadyClock::now();
    std::lock_guard l(mu_);
    sent_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(t0.time_since_epoch()).count());
    admitted_ms.push_back(admitted);
    latency_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    if (!r) ++failures;
    return r;
  }
  Status hangup(const std::string& id) override { return inner_.hangup(id); }
  Result<std::string> send_sms(const telephony::SmsRequest& req) override { return inner_.send_sms(req); }
  Result<std::optional<std::string>> find_call(const telephony::CallLookup& l) override { return inner_.find_call(l); }
  Status reconcile(const std::string& id) override { return inner_.reconcile(id); }

  std::mutex mu_;
  std::vector<std::int64_t> sent_us;
  std::vector<std::int64_t> admitted_ms;
  std::vector<double> latency_ms;
  int failures = 0;

 private:
  telephony::Provider& inner_;
  const Clock& clock_;
};

// Applies each webhook's events inside a store transaction, so the webhook thread takes the
// database lock before the EventProcessor's. With a plain SinkIngress (or the DurableInbox's
// applier thread) the order is EventProcessor then database, the reverse of the runner's tick
// (flush_placements: transaction, then EventProcessor::replay): the two deadlocked in a 10k run.
class OrderedIngress final : public telephony::EventIngress {
 public:
  OrderedIngress(storage::Database& db, telephony::CallEventSink& sink) : db_(db), sink_(sink) {}
  Status ingest(const CallEvent& event) override {
    return db_.with_transaction([&]() -> Status {
      sink_.on_call_event(event);
      return ok_status();
    });
  }

 private:
  storage::Database& db_;
  telephony::CallEventSink& sink_;
};

}  // namespace

int run_runner_mode(const RunnerModeOptions& o) {
  namespace fs = std::filesystem;
  fs::create_directories(o.dir);
  const std::string db_path = o.dir + "/origination.db";
  for (const auto& p : {db_path, db_path + "-wal", db_path + "-shm"}) fs::remove(p);

  const TimePoint start = std::chrono::sys_days{std::chrono::year{2026} / 11 / 16} + std::chrono::hours(14);
  ManualClock vclock(start);
  SystemClock wall;
  const int per_campaign = (o.calls + o.campaigns - 1) / o.campaigns;
  std::printf("CampaignRunner path: %d calls in %d campaigns (100 lines, 6000/min each), pacer %d calls/s, "
              "emulator CPS %.0f, db %s\nload average before: %s\n",
              per_campaign * o.campaigns, o.campaigns, o.rate, o.emu_cps, db_path.c_str(), loadavg().c_str());
  std::fflush(stdout);

  // --- data: one tenant, one list per campaign of New York contacts with written AI consent
  auto db = must(storage::sqlite::SqliteDatabase::open(db_path), "open");
  auto tenant = must(db->tenants().create_tenant(Tenant{0, "bench-tenant", "US", true, "", start}), "tenant");
  const Actor staff{1, tenant.id, Role::kOperatorStaff, "user:1"};
  std::vector<ListId> lists;
  int serial = 0;
  for (int k = 0; k < o.campaigns; ++k) {
    auto list = must(db->contacts().create_list(ContactList{0, tenant.id, "list-" + std::to_string(k), start}), "list");
    lists.push_back(list.id);
    std::vector<Contact> cs;
    for (int i = 0; i < per_campaign; ++i, ++serial) {
      Contact c;
      c.tenant_id = tenant.id;
      c.list_id = list.id;
      char num[16];
      std::snprintf(num, sizeof num, "+1212%07d", 2'000'000 + serial);
      c.phone_e164 = num;
      c.timezone = "America/New_York";
      c.state = "NY";
      c.created_at = start - std::chrono::hours(24 * 30);
      cs.push_back(std::move(c));
    }
    must(db->contacts().insert_batch(cs), "insert_batch");
    Status st = db->with_transaction([&]() -> Status {
      for (const auto& c : cs) {
        ConsentRecord r;
        r.tenant_id = tenant.id;
        r.phone_e164 = c.phone_e164;
        r.type = ConsentType::kPriorExpressWritten;
        r.channel = Channel::kVoice;
        r.covers_artificial_voice = true;
        r.source = "web form";
        r.evidence = "form-" + c.phone_e164;
        r.granted_at = start - std::chrono::hours(24 * 30);
        if (auto a = db->compliance().add_consent(r); !a) return a.error();
      }
      return ok_status();
    });
    if (!st) die("consents", st.error());
  }

  // --- emulator (busy callees: status callbacks only), outdial's web side, driver, runner
  twilio_emulator::RealTimeScheduler sched(1.0, 2, start);
  auto webhook_http = net::make_curl_client();
  twilio_emulator::EmulatorOptions eo;
  eo.account_sid = kSid;
  eo.auth_token = kToken;
  eo.cps = o.emu_cps;
  twilio_emulator::Script script;
  script.default_behaviour.answer = twilio_emulator::Answer::kBusy;
  script.default_behaviour.ring_seconds = 0.5;
  twilio_emulator::TwilioEmulator emu(eo, sched, *webhook_http, script);
  if (auto s = emu.start(); !s) die("emulator", s.error());

  net::Router router;
  std::atomic<bool> ready{false};
  net::ServerOptions so;
  so.threads = 4;
  net::HttpServer server(so, [&](net::Request& r) {
    if (!ready.load(std::memory_order_acquire)) return net::Response::text(503, "starting");
    return router.dispatch(r);
  });
  if (auto s = server.start(); !s) die("server", s.error());

  telephony::twilio::TwilioConfig tc;
  tc.account_sid = kSid;
  tc.auth_token = kToken;
  tc.api_base = emu.base_url();
  tc.public_base_url = "http://127.0.0.1:" + std::to_string(server.port());
  auto driver_http = net::make_curl_client();
  telephony::twilio::TwilioProvider twilio(tc, *driver_http, vclock);
  TimedProvider provider(twilio, vclock);

  compliance::RuleGate gate;
  const dnc::SetRegistry registry({}, start - std::chrono::hours(72));
  dialer::FactsBuilder facts(db->compliance(), db->calls(), db->campaigns(), &registry,
                             dialer::CallerIdDirectory{{{tenant.id, {kCallerId}}}});
  ProviderLimits limits;
  limits.calls_per_second = o.rate;
  accounts::Pacer pacer(limits, o.bursty_pacer ? accounts::PacerOptions{} : accounts::PacerOptions{true, 0.03});
  dialer::RunnerConfig rc;
  rc.pacer = &pacer;
  if (o.pace_horizon_ms >= 0) rc.pace_horizon = Millis(o.pace_horizon_ms);
  std::printf("pace horizon: %lld ms\n", static_cast<long long>(rc.pace_horizon.count()));
  dialer::CampaignRunner runner(*db, provider, gate, facts, vclock, rc);
  // ordered (default): events applied inside a store transaction; sink: telephony::SinkIngress
  // on the webhook thread; inbox: the DurableInbox, as `outdial serve` wires it.
  OrderedIngress ordered(*db, runner.sink());
  telephony::SinkIngress plain(runner.sink());
  std::unique_ptr<ingest::DurableInbox> inbox;
  telephony::EventIngress* ingress_ptr = &ordered;
  if (o.ingress == "sink") ingress_ptr = &plain;
  if (o.ingress == "inbox") {
    ingest::WebhookIngestConfig ic;
    ic.inbox_path = ingest::default_inbox_path(db_path);
    for (int i = 0; i < 8; ++i) {
      const std::string f = i == 0 ? ic.inbox_path : ic.inbox_path + "." + std::to_string(i);
      for (const auto& x : {f, f + "-wal", f + "-shm"}) fs::remove(x);
    }
    inbox = must(ingest::open_webhook_ingest(ic, runner.sink()), "webhook inbox");
    ingress_ptr = inbox.get();
  }
  std::printf("ingress: %s\n", o.ingress.c_str());
  auto& ingress = *ingress_ptr;
  twilio.set_event_ingress(&ingress);
  std::atomic<int> warnings{0};
  telephony::twilio::TwilioWebhookDeps deps{tc,           ingress,           db->calls(), db->campaigns(),
                                            db->compliance(), db->tenants(), twilio,      vclock,
                                            [&](const std::string&) { warnings.fetch_add(1); }};
  telephony::twilio::register_twilio_routes(router, deps);
  ready.store(true, std::memory_order_release);

  dialer::CampaignServiceImpl service(db->campaigns(), db->contacts(), db->calls(), db->audit(), vclock);
  for (int k = 0; k < o.campaigns; ++k) {
    Campaign c;
    c.name = "Origination_Bench_" + std::to_string(k);
    c.script = "Hi, this is an automated assistant calling about your account.";
    c.voicemail_text = "Please call us back.";
    c.purpose = Purpose::kReactivation;
    c.voice = VoiceType::kAi;
    c.list_id = lists[static_cast<std::size_t>(k)];
    c.caller_id = kCallerId;
    c.lines = 100;
    c.max_concurrency = 100;
    c.calls_per_minute = 6000;
    c.max_attempts = 1;
    c.min_spacing_minutes = 0;
    c.retry = RetryPolicy{{3, 5}, {2, 30}, {2, 60}, {2, 10}};
    auto created = must(service.create(staff, c), "create campaign");
    must(service.activate(staff, created.id), "activate campaign");
  }

  // --- measured: driver start -> the emulator has every call
  const int total = per_campaign * o.campaigns;
  const double cpu0 = process_cpu_seconds();
  const auto wall0 = SteadyClock::now();
  dialer::RealtimeDriver driver(runner, nullptr, wall, &vclock, 1.0);
  driver.start();
  const double budget_s = 30.0 + 3.0 * total / std::max(o.rate, 1);
  std::size_t last_count = 0;
  auto last_progress = SteadyClock::now();
  while (emu.create_requests() < static_cast<std::size_t>(total) &&
         std::chrono::duration<double>(SteadyClock::now() - wall0).count() < budget_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto n = emu.create_requests();
    if (n != last_count) {
      last_count = n;
      last_progress = SteadyClock::now();
    } else if (SteadyClock::now() - last_progress > std::chrono::seconds(20)) {
      std::printf("STALLED: no new call for 20 s at %zu of %d calls (driver turns %lld); exiting without "
                  "clean-up\n", n, total, static_cast<long long>(driver.turns()));
      std::fflush(stdout);
      _exit(3);
    }
  }
  const double wall_s = std::chrono::duration<double>(SteadyClock::now() - wall0).count();
  const double cpu_s = process_cpu_seconds() - cpu0;
  driver.stop();
  // Let the emulator's CPS queue drain so every call has its "initiated" instant.
  for (int waited = 0; waited < 30'000; waited += 50) {
    std::size_t pending = 0;
    for (const auto& c : emu.calls()) pending += c.started_at ? 0 : 1;
    if (pending == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  // --- figures
  std::vector<std::int64_t> created, admitted;
  for (const auto& c : emu.calls()) created.push_back(to_epoch_ms(c.created_at));
  std::vector<std::int64_t> sent;
  std::vector<double> lat;
  int failures = 0;
  {
    std::lock_guard l(provider.mu_);
    sent = provider.sent_us;
    admitted = provider.admitted_ms;
    lat = provider.latency_ms;
    failures = provider.failures;
  }
  const auto placed = emu.create_requests();
  std::printf("wall %.2f s to %zu calls at the emulator (%d place_call, %d failed), %.1f calls/s; %lld driver turns\n",
              wall_s, placed, static_cast<int>(lat.size()), failures, static_cast<double>(placed) / wall_s,
              static_cast<long long>(driver.turns()));
  std::printf("place_call latency ms: p50 %.2f  p99 %.2f  max %.2f\n", percentile(lat, 50), percentile(lat, 99),
              percentile(lat, 100));
  std::printf("CPU: process %.2f s (%.0f%% of one core; runner, SQLite, gate, driver, webhook routes, emulator)\n",
              cpu_s, 100 * cpu_s / wall_s);
  if (created.size() >= 10) {
    // Steady rate: calls between the 10th and 90th percentile arrival over the time between them.
    std::vector<std::int64_t> sorted = created;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t a = sorted.size() / 10, b = sorted.size() * 9 / 10;
    const double span_s = static_cast<double>(sorted[b] - sorted[a]) / 1000.0;
    std::printf("sustained (10th-90th percentile arrivals at the emulator): %.1f calls/s\n",
                span_s > 0 ? static_cast<double>(b - a) / span_s : 0.0);
  }
  if (sent.size() >= 2) {
    // Where the time between sends goes: on the schedule (< 6 ms) or lost (a late wake-up, the
    // work between two rounds).
    std::vector<double> gaps;
    double lost_ms = 0;
    std::int64_t over6 = 0;
    std::vector<std::int64_t> s = sent;
    std::sort(s.begin(), s.end());
    for (std::size_t i = 1; i < s.size(); ++i) {
      const double g = static_cast<double>(s[i] - s[i - 1]) / 1000.0;
      gaps.push_back(g);
      if (g >= 6.0) {
        ++over6;
        lost_ms += g;
      }
    }
    std::printf("gaps between sends ms: p10 %.2f  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f; %lld gaps >= 6 ms "
                "hold %.0f ms of %.0f ms\n",
                percentile(gaps, 10), percentile(gaps, 50), percentile(gaps, 90), percentile(gaps, 99),
                percentile(gaps, 100), static_cast<long long>(over6), lost_ms,
                static_cast<double>(s.back() - s.front()) / 1000.0);
  }
  const int arrivals = max_in_window(created, 1000);
  std::printf("max starts in any 1 s window: ours (pacer admission, runner clock at place_call, ms) %d, ours (request "
              "sent, us) %d, emulator arrivals (ms) %d, emulator \"initiated\" (ms) %d\n",
              max_in_window(admitted, 1000), max_in_window(sent, 1'000'000), arrivals, emu.max_starts_per_second());
  std::printf("VERDICT 1 s: emulator arrivals max %d vs account limit %d: %s\n", arrivals, o.limit,
              arrivals <= o.limit ? "within" : ("OVER by " + std::to_string(arrivals - o.limit)).c_str());
  std::printf("webhook warnings (rejected/failed): %d; load average after: %s\n", warnings.load(), loadavg().c_str());
  std::fflush(stdout);

  server.stop();
  if (inbox) inbox->stop();
  emu.stop();
  sched.stop();
  return failures == 0 && placed >= static_cast<std::size_t>(total) ? 0 : 1;
}

}  // namespace outdial::bench::origination
