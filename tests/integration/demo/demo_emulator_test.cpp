// `outdial demo --provider twilio|telnyx` end to end: app::run_carrier_demo (Services::build with
// the real driver, the HTTP server taking the signed webhooks, the durable inbox, RealtimeDriver)
// against the Twilio and the Telnyx emulator running in this process on loopback. A small contact
// list with one scripted callee per outcome; the final report, the press-2 opt-out on the
// internal DNC list, one carrier call per attempt and the domain clock are checked.
#include <gtest/gtest.h>
#include <unistd.h>

#include <date/date.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "outdial/app/commands.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "telnyx_emulator/emulator.hpp"
#include "twilio_emulator/emulator.hpp"

namespace outdial::app {
namespace {

namespace fs = std::filesystem;
namespace te = twilio_emulator;
namespace tx = tools::telnyx;

// Rows of examples/sample_contacts.csv (real-looking numbers; the importer rejects 555-01XX).
const std::string kPress1 = "+19194190614";
const std::string kPress2 = "+16142822725";
const std::string kMachine = "+16177405926";
const std::string kBusy = "+19199672281";
const std::string kNoAnswer = "+12083464146";
const std::string kHangsUp = "+13036568193";   // a human who hangs up without pressing anything
const std::string kFailed = "+18016028301";
const std::string kAgent = "+13055550101";     // the demo campaign's agent number (press 1)

const char* kContactsCsv =
    "First Name,Last Name,Phone Number,Email,State,Time Zone,Tags,Consent,Consent Date,Customer Since,AI Consent\n"
    "Nia,Garcia,(919) 419-0614,nia@example.com,NC,America/New_York,past-client,prior_express_written,2026-09-16,2018,yes\n"
    "Marco,Cohen,+1 614 282 2725,marco@example.com,OH,America/New_York,past-client,prior_express_written,2026-07-18,2022,yes\n"
    "Rosa,Lopez,617-740-5926,rosa@example.com,MA,America/New_York,past-client,prior_express_written,2026-02-14,2023,yes\n"
    "Gus,Okafor,+1 919 967 2281,gus@example.com,NC,America/New_York,past-client,prior_express_written,2026-05-18,2021,yes\n"
    "Omar,Okafor,208-346-4146,omar@example.com,ID,,past-client,prior_express_written,2026-07-17,2020,yes\n"
    "Fatima,Kim,3036568193,fatima@example.com,CO,America/Denver,past-client,prior_express_written,2026-05-10,2018,yes\n"
    "Gus,Okafor,801.602.8301,gus2@example.com,UT,America/Denver,lapsed,prior_express_written,2026-03-16,2023,yes\n"
    // On the national registry (examples/dnc-registry) with no consent: DNC-NATL.
    "Dev,Smith,404.535.3101,dev@example.com,GA,America/New_York,past-client,none,2026-04-16,2020,\n"
    // Consent without the AI clause: AI-VOICE.
    "Omar,Baker,+1 206 439 2177,omarb@example.com,WA,America/Los_Angeles,past-client,prior_express,2026-09-11,2022,\n"
    "Bad,Row,call me maybe,bad@example.com,NY,,past-client,none,,2020,\n";

class DemoEmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char buf[] = "/tmp/outdial_demo_emu_XXXXXX";
    ASSERT_NE(mkdtemp(buf), nullptr);
    dir_ = buf;
    std::ofstream(dir_ / "contacts.csv") << kContactsCsv;
    options_.contacts_csv = (dir_ / "contacts.csv").string();
    options_.registry_dir = std::string(OUTDIAL_REPO_ROOT) + "/examples/dnc-registry";
    options_.progress_ms = 1000;
    options_.timeout_seconds = 60;
    Config& cfg = options_.cfg;
    cfg.db_path = (dir_ / "demo.db").string();
    cfg.port = 0;  // a free port, named in the webhook URL before the server starts
    cfg.pace_cps = 10;
    cfg.pace_window_seconds = 5;
    cfg.pace_window_max = 50;
    cfg.pace_max_concurrency = 10;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs the demo; the wait never asks to stop early.
  Result<DemoOutcome> run() {
    return run_carrier_demo(options_, out_, [](Millis d) {
      std::this_thread::sleep_for(d);
      return false;
    });
  }

  // The report every provider must produce for the list above.
  void expect_report(const DemoOutcome& r) {
    SCOPED_TRACE(out_.str());
    const dialer::Progress& p = r.progress;
    EXPECT_EQ(p.status, "completed");
    EXPECT_EQ(p.contacts, 9);  // 10 rows, the bad one rejected at import
    EXPECT_EQ(p.attempts, 7);
    EXPECT_EQ(p.connects, 3);  // press 1, press 2, hang-up
    EXPECT_EQ(p.voicemails, 1);
    EXPECT_EQ(p.busy, 1);
    EXPECT_EQ(p.no_answer, 1);
    EXPECT_EQ(p.failed, 1);
    EXPECT_EQ(p.in_flight, 0);
    EXPECT_EQ(p.blocked, 2);
    EXPECT_EQ(p.blocked_by_rule, (std::map<std::string, std::int64_t>{{"AI-VOICE", 1}, {"DNC-NATL", 1}}));
    EXPECT_EQ(r.opted_out, std::vector<std::string>{kPress2});
    EXPECT_NE(out_.str().find("Final report: Reactivation_"), std::string::npos);
    EXPECT_NE(out_.str().find("client viewer tries to start it: role client_viewer may not activate"),
              std::string::npos);
  }

  // The database after the run: press 2 put the number on the internal list, and every attempt
  // carries a carrier call id and was created on the domain clock (20:00 UTC, Tuesday-Thursday).
  void expect_database(const DemoOutcome& r, const std::string& provider) {
    auto db = storage::sqlite::SqliteDatabase::open(options_.cfg.db_path);
    ASSERT_TRUE(db.ok());
    auto dnc = db.value()->compliance().find_dnc(r.tenant_id, kPress2);
    ASSERT_TRUE(dnc.ok());
    ASSERT_TRUE(dnc->has_value());
    EXPECT_EQ((*dnc)->reason, "press 2");
    auto attempts = db.value()->calls().list_attempts(r.tenant_id, r.campaign_id, 0, 100);
    ASSERT_TRUE(attempts.ok());
    ASSERT_EQ(attempts->size(), 7u);
    std::set<std::string> numbers;
    for (const auto& a : *attempts) {
      numbers.insert(a.to_number);
      EXPECT_EQ(a.provider, provider);
      EXPECT_FALSE(a.provider_call_id.empty()) << a.to_number;
      const auto day = std::chrono::floor<std::chrono::days>(a.created_at);
      const date::weekday wd{day};
      EXPECT_TRUE(wd == date::Tuesday || wd == date::Wednesday || wd == date::Thursday) << a.to_number;
      EXPECT_EQ(std::chrono::floor<std::chrono::hours>(a.created_at - day).count(), 20) << a.to_number;
    }
    EXPECT_EQ(numbers, (std::set<std::string>{kPress1, kPress2, kMachine, kBusy, kNoAnswer, kHangsUp, kFailed}));
  }

  fs::path dir_;
  DemoOptions options_;
  std::ostringstream out_;
};

TEST_F(DemoEmulatorTest, TwilioDemoThroughTheRealDriver) {
  te::Script script;
  te::CalleeBehaviour human;
  human.ring_seconds = 1;
  human.hangup_after_seconds = 30;
  human.press_after_seconds = 1;
  auto with = [&](auto&& change) {
    te::CalleeBehaviour b = human;
    change(b);
    return std::vector<te::CalleeBehaviour>{b};
  };
  script.default_behaviour = human;
  script.numbers[kPress1] = with([](auto& b) { b.digits = {"1"}; });
  script.numbers[kPress2] = with([](auto& b) { b.digits = {"2"}; });
  script.numbers[kMachine] = with([](auto& b) {
    b.answer = te::Answer::kMachine;
    b.greeting_seconds = 2;
  });
  script.numbers[kBusy] = with([](auto& b) { b.answer = te::Answer::kBusy; });
  script.numbers[kNoAnswer] = with([](auto& b) { b.answer = te::Answer::kNoAnswer; });
  script.numbers[kHangsUp] = with([](auto& b) { b.hangup_after_seconds = 3; });
  script.numbers[kFailed] = with([](auto& b) { b.answer = te::Answer::kFailed; });
  script.numbers[kAgent] = with([](auto& b) { b.bridge_seconds = 2; });

  te::EmulatorOptions eo;
  eo.auth_token = "demo-test-token-never-printed";
  eo.cps = 10;
  eo.max_concurrency = 10;
  eo.seed = 7;
  auto http = net::make_curl_client();
  te::RealTimeScheduler scheduler(20, 4, SystemClock().now());
  te::TwilioEmulator emu(eo, scheduler, *http, script);
  ASSERT_TRUE(emu.start().ok());

  options_.provider = "twilio";
  options_.cfg.twilio_account_sid = eo.account_sid;
  options_.cfg.twilio_auth_token = eo.auth_token;
  options_.cfg.twilio_api_base = emu.base_url();
  auto r = run();
  emu.stop();
  scheduler.stop();
  ASSERT_TRUE(r.ok()) << r.error().message << "\n" << out_.str();
  expect_report(r.value());
  expect_database(r.value(), "twilio");

  // One carrier call per attempt (never twice), and every signed webhook accepted.
  std::set<std::string> dialed;
  for (const auto& c : emu.calls()) {
    if (c.to != kAgent) {
      EXPECT_TRUE(dialed.insert(c.to).second) << "dialed twice: " << c.to;
    }
  }
  EXPECT_EQ(dialed.size(), 7u);
  std::size_t webhooks = 0;
  for (const auto& w : emu.webhooks()) {
    ++webhooks;
    EXPECT_TRUE(w.http_status >= 200 && w.http_status < 300) << w.kind << " " << w.url << " " << w.http_status;
  }
  EXPECT_GT(webhooks, 7u * 2);
  // Press 1 was bridged to the agent, showing the campaign's caller ID.
  auto press1 = emu.calls_to(kPress1);
  ASSERT_EQ(press1.size(), 1u);
  ASSERT_FALSE(press1[0].bridges.empty());
  EXPECT_EQ(press1[0].bridges[0].number, kAgent);
  EXPECT_EQ(out_.str().find(eo.auth_token), std::string::npos);
}

TEST_F(DemoEmulatorTest, TelnyxDemoThroughTheRealDriver) {
  tx::EmulatorScript s;
  s.default_callee.ring_ms = 300;
  s.default_callee.amd_ms = 300;
  s.default_callee.greeting_ms = 400;
  s.default_callee.digits_after_ms = 100;
  auto callee = [&](auto&& change) {
    tx::CalleeBehaviour b = s.default_callee;
    change(b);
    return b;
  };
  s.numbers[kPress1] = callee([](auto& b) { b.digits = {"1"}; });
  s.numbers[kPress2] = callee([](auto& b) { b.digits = {"2"}; });
  s.numbers[kMachine] = callee([](auto& b) { b.answer = "machine"; });
  s.numbers[kBusy] = callee([](auto& b) { b.answer = "busy"; });
  s.numbers[kNoAnswer] = callee([](auto& b) { b.answer = "no_answer"; });
  s.numbers[kHangsUp] = callee([](auto& b) { b.hangup_after_ms = 500; });
  s.numbers[kFailed] = callee([](auto& b) { b.answer = "failed"; });
  s.agent.ring_ms = 200;
  s.agent.hangup_after_ms = 300;

  tx::EmulatorOptions eo;
  eo.api_key = "KEY01demo-test-telnyx-key-never-printed";
  eo.connection_id = "demo-conn";
  eo.speed = 10;
  eo.speak_ms = 300;
  eo.concurrency_limit = 10;
  eo.script = s;
  auto http = net::make_curl_client();
  tx::TelnyxEmulator emu(eo, *http);
  ASSERT_TRUE(emu.start().ok());

  options_.provider = "telnyx";
  options_.cfg.telnyx_api_key = eo.api_key;
  options_.cfg.telnyx_connection_id = eo.connection_id;
  options_.cfg.telnyx_public_key = emu.public_key_base64();
  options_.cfg.telnyx_api_base = emu.base_url();
  auto r = run();
  const auto stats = emu.stats();
  emu.stop();
  ASSERT_TRUE(r.ok()) << r.error().message << "\n" << out_.str();
  expect_report(r.value());
  expect_database(r.value(), "telnyx");
  // One dial per attempt (the agent leg of press 1 is a transfer, not a dial), no webhook
  // refused: signature timestamps were checked on the real clock, not the shifted domain clock.
  EXPECT_EQ(stats.dials, 7);
  EXPECT_EQ(stats.duplicate_dials, 0);
  EXPECT_EQ(stats.webhooks_failed, 0);
  EXPECT_EQ(stats.unauthorized, 0);
  EXPECT_EQ(out_.str().find(eo.api_key), std::string::npos);
}

TEST_F(DemoEmulatorTest, UnknownProviderAndMissingSettingsAreNamed) {
  options_.provider = "carrier-pigeon";
  auto r = run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("--provider"), std::string::npos);

  options_.provider = "twilio";  // no account sid / token configured
  r = run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("OUTDIAL_TWILIO_ACCOUNT_SID"), std::string::npos);
}

}  // namespace
}  // namespace outdial::app
