// The emulator on its own: REST contract, call driving, TwiML interpretation, AMD, CPS pacing,
// signatures (checked with the driver's validator) and injected faults. Virtual time; the web
// app is a fake HttpClient.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "emulator_fixture.hpp"

namespace outdial::twilio_emulator {
namespace {

using namespace outdial::twilio_emulator::testing;
using nlohmann::json;

class EmulatorTest : public ::testing::Test {
 protected:
  EmulatorTest() : sched_(t0()) {}
  void SetUp() override { emu_ = std::make_unique<TwilioEmulator>(opts_, sched_, app_, Script{}); }

  // Creates a call with the usual outdial parameters; returns its sid.
  std::string dial(const std::string& to, std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::vector<std::pair<std::string, std::string>> form = {{"To", to},
                                                             {"From", "+15017122661"},
                                                             {"Url", "http://app.test/twiml"},
                                                             {"StatusCallback", "http://app.test/status"},
                                                             {"StatusCallbackEvent", "initiated"},
                                                             {"StatusCallbackEvent", "ringing"},
                                                             {"StatusCallbackEvent", "answered"},
                                                             {"StatusCallbackEvent", "completed"},
                                                             {"Timeout", "30"}};
    for (auto& kv : extra) form.push_back(kv);
    auto r = rest(*emu_, "POST", calls_path(), form);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body).value("sid", "");
  }
  std::vector<std::string> statuses(const std::string& sid) {
    std::vector<std::string> out;
    for (const auto& s : app_.seen_at("/status")) {
      if (s.param("CallSid") == sid) out.push_back(s.param("CallStatus"));
    }
    return out;
  }

  EmulatorOptions opts_ = test_options();
  VirtualScheduler sched_;
  FakeApp app_;
  std::unique_ptr<TwilioEmulator> emu_;
};

// ------------------------------------------------------------------ REST contract

TEST_F(EmulatorTest, WrongCredentialsAre401With20003AndNoCall) {
  auto r = rest(*emu_, "POST", calls_path(), {{"To", "+15558675310"}, {"From", "+15017122661"}, {"Url", "http://a.test/"}},
                kSid, "wrong-token");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["code"], 20003);
  EXPECT_EQ(r.headers["WWW-Authenticate"], "Basic realm=\"Twilio API\"");
  EXPECT_EQ(r.body.find(kToken), std::string::npos);
  EXPECT_TRUE(emu_->calls().empty());
  // Another account's path with valid credentials for ours: not found.
  net::Request other;
  auto r2 = rest(*emu_, "GET", "/2010-04-01/Accounts/AC99999999999999999999999999999999/Calls.json");
  EXPECT_EQ(r2.status, 404);
}

TEST_F(EmulatorTest, CreateValidatesLikeTwilio) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> form;
    int code;
  };
  const std::string url = "http://app.test/twiml";
  for (const Case& c : {Case{{{"From", "+15017122661"}, {"Url", url}}, 21201},
                        Case{{{"To", "+15558675310"}, {"Url", url}}, 21213},
                        Case{{{"To", "5551234"}, {"From", "+15017122661"}, {"Url", url}}, 21211},
                        Case{{{"To", "+15017122661"}, {"From", "+15017122661"}, {"Url", url}}, 21211},
                        Case{{{"To", "+15558675310"}, {"From", "abc"}, {"Url", url}}, 21212},
                        Case{{{"To", "+15558675310"}, {"From", "+15017122661"}, {"Url", url}, {"Timeout", "x"}}, 21208},
                        Case{{{"To", "+15558675310"}, {"From", "+15017122661"}}, 21205},
                        Case{{{"To", "+15558675310"}, {"From", "+15017122661"}, {"Url", "ftp://x"}}, 21205}}) {
    auto r = rest(*emu_, "POST", calls_path(), c.form);
    EXPECT_EQ(r.status, 400) << r.body;
    auto j = json::parse(r.body);
    EXPECT_EQ(j["code"], c.code) << r.body;
    EXPECT_EQ(j["status"], 400);
    EXPECT_EQ(j["more_info"], "https://www.twilio.com/docs/errors/" + std::to_string(c.code));
  }
  EXPECT_TRUE(emu_->calls().empty());
}

TEST_F(EmulatorTest, CreateAnswers201WithTheCallResource) {
  auto r = rest(*emu_, "POST", calls_path(),
                {{"To", "+15558675310"}, {"From", "+15017122661"}, {"Url", "http://app.test/twiml"}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  const std::string sid = j["sid"];
  EXPECT_EQ(sid.size(), 34u);
  EXPECT_EQ(sid.substr(0, 2), "CA");
  EXPECT_EQ(j["status"], "queued");
  EXPECT_EQ(j["direction"], "outbound-api");
  EXPECT_EQ(j["account_sid"], kSid);
  EXPECT_EQ(j["to"], "+15558675310");
  EXPECT_TRUE(j["start_time"].is_null());
  EXPECT_EQ(j["uri"], call_path(sid));
  auto g = rest(*emu_, "GET", call_path(sid));
  ASSERT_EQ(g.status, 200);
  EXPECT_EQ(json::parse(g.body)["sid"], sid);
  EXPECT_EQ(rest(*emu_, "GET", call_path("CA00000000000000000000000000000000")).status, 404);
}

TEST_F(EmulatorTest, ListFiltersByToFromAndStartTime) {
  app_.twiml("/twiml", "<Response><Hangup/></Response>");
  const std::string a = dial("+15558670001");
  const std::string b = dial("+15558670002");
  auto list = [&](const std::string& q) {
    auto r = rest(*emu_, "GET", calls_path() + q);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> sids;
    const json body = json::parse(r.body);
    for (const auto& c : body["calls"]) sids.push_back(c["sid"]);
    return sids;
  };
  EXPECT_EQ(list(""), (std::vector<std::string>{b, a}));  // newest first
  EXPECT_EQ(list("?To=%2B15558670001"), std::vector<std::string>{a});
  EXPECT_EQ(list("?To=%2B15558670001&From=%2B15017122661"), std::vector<std::string>{a});
  EXPECT_TRUE(list("?To=%2B15558670001&From=%2B15550000000").empty());
  // Still queued (no start_time yet): found by its creation time.
  EXPECT_EQ(list("?To=%2B15558670002&StartTime%3E=" + format_iso8601(t0() - Millis(1000))), std::vector<std::string>{b});
  EXPECT_TRUE(list("?To=%2B15558670002&StartTime%3E=" + format_iso8601(t0() + std::chrono::hours(1))).empty());
  EXPECT_EQ(list("?StartTime=2026-09-21").size(), 2u);
  EXPECT_TRUE(list("?StartTime=2026-09-22").empty());
  EXPECT_EQ(rest(*emu_, "GET", calls_path() + "?StartTime=yesterday").status, 400);
}

// ------------------------------------------------------------------ call driving

TEST_F(EmulatorTest, HumanPressesOneAndIsBridgedToTheAgentWithTheCallerId) {
  emu_->set_behaviour("+15558675310", {CalleeBehaviour{.digits = {"1"}, .press_after_seconds = 3}});
  app_.twiml("/twiml",
             R"(<Response><Gather numDigits="1" timeout="5" action="/menu">)"
             R"(<Say>Hello, this is Acme. Press 2 to stop these calls.</Say><Say>Press 1 to talk to us.</Say>)"
             R"(</Gather><Say>Goodbye.</Say></Response>)");
  app_.on("/menu", [](const SeenRequest& s) {
    const std::string xml = s.param("Digits") == "1"
                                ? R"(<Response><Dial callerId="+15017122661"><Number>+15550009999</Number></Dial></Response>)"
                                : "<Response><Hangup/></Response>";
    return net::ClientResponse{200, {}, xml};
  });
  const std::string sid = dial("+15558675310");
  sched_.run_all();

  auto c = emu_->call(sid);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, "completed");
  EXPECT_EQ(statuses(sid), (std::vector<std::string>{"initiated", "ringing", "in-progress", "completed"}));
  // Sequence numbers from 0, Timestamp RFC 2822, terminal fields.
  auto st = app_.seen_at("/status");
  for (std::size_t i = 0; i < st.size(); ++i) {
    EXPECT_EQ(st[i].param("SequenceNumber"), std::to_string(i));
    EXPECT_EQ(st[i].param("CallbackSource"), "call-progress-events");
    EXPECT_NE(st[i].param("Timestamp").find("+0000"), std::string::npos);
  }
  EXPECT_EQ(st.back().param("CallDuration"), std::to_string((c->ended_at.value() - c->answered_at.value()).count() / 1000 +
                                                            ((c->ended_at.value() - c->answered_at.value()).count() % 1000 ? 1 : 0)));
  EXPECT_EQ(st.back().param("SipResponseCode"), "200");
  EXPECT_FALSE(st.back().has("AnsweredBy"));  // AMD was not requested

  // The TwiML fetch: standard voice params.
  auto fetch = app_.seen_at("/twiml");
  ASSERT_EQ(fetch.size(), 1u);
  EXPECT_EQ(fetch[0].req.method, "POST");
  EXPECT_EQ(fetch[0].param("CallSid"), sid);
  EXPECT_EQ(fetch[0].param("CallStatus"), "in-progress");
  EXPECT_EQ(fetch[0].param("Direction"), "outbound-api");
  EXPECT_FALSE(fetch[0].has("AnsweredBy"));

  // The key press interrupted the second prompt (barge-in at +3 s, the first prompt takes 4 s).
  ASSERT_GE(c->spoken.size(), 1u);
  EXPECT_EQ(c->spoken[0].text, "Hello, this is Acme. Press 2 to stop these calls.");
  EXPECT_EQ(c->spoken[0].offset, Millis(0));
  EXPECT_TRUE(c->spoken[0].cut);
  EXPECT_EQ(c->spoken.size(), 1u);
  EXPECT_EQ(c->spoken_at("Hello"), Millis(0));
  EXPECT_EQ(c->spoken_at("Press 2"), Millis(1600));  // four words in
  EXPECT_EQ(c->spoken_at("Press 1 to talk"), std::nullopt);  // cut off by the key press
  ASSERT_EQ(c->gathers.size(), 1u);
  EXPECT_EQ(c->gathers[0].digits, "1");
  EXPECT_EQ(c->gathers[0].action, "http://app.test/menu");  // resolved against the document URL
  auto menu = app_.seen_at("/menu");
  ASSERT_EQ(menu.size(), 1u);
  EXPECT_EQ(menu[0].param("Digits"), "1");

  ASSERT_EQ(c->bridges.size(), 1u);
  EXPECT_EQ(c->bridges[0].number, "+15550009999");
  EXPECT_EQ(c->bridges[0].caller_id, "+15017122661");
  EXPECT_TRUE(c->bridges[0].caller_id_attr);
  EXPECT_EQ(c->bridges[0].dial_status, "completed");
  EXPECT_EQ(c->bridges[0].talk_seconds, 30);
  EXPECT_EQ(c->end_reason, "twiml-ended");
}

TEST_F(EmulatorTest, NoInputFallsThroughToTheNextVerb) {
  app_.twiml("/twiml", R"(<Response><Gather numDigits="1" timeout="3" action="/menu"><Say>Press 1.</Say></Gather>)"
                       R"(<Say>We did not get your answer.</Say></Response>)");
  const std::string sid = dial("+15558675310");
  sched_.run_all();
  auto c = emu_->call(sid);
  EXPECT_TRUE(app_.seen_at("/menu").empty());
  ASSERT_EQ(c->spoken.size(), 2u);
  EXPECT_EQ(c->spoken[1].text, "We did not get your answer.");
  // Prompt 0.5 s ("Press 1." is two words -> 0.8 s), then the 3 s timeout.
  EXPECT_EQ(c->spoken[1].offset, Millis(800 + 3000));
  EXPECT_EQ(c->end_reason, "twiml-ended");
}

TEST_F(EmulatorTest, SecondGatherUsesTheSecondScriptedInput) {
  emu_->set_behaviour("+15558675310", {CalleeBehaviour{.digits = {"", "42#"}}});
  app_.twiml("/twiml", R"(<Response><Gather action="/first" timeout="2"><Say>One.</Say></Gather>)"
                       R"(<Gather action="/second" timeout="2"><Say>Two.</Say></Gather></Response>)");
  app_.twiml("/second", "<Response><Say>Thanks.</Say></Response>");
  const std::string sid = dial("+15558675310");
  sched_.run_all();
  auto c = emu_->call(sid);
  EXPECT_TRUE(app_.seen_at("/first").empty());
  auto second = app_.seen_at("/second");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].param("Digits"), "42");
  EXPECT_EQ(second[0].param("FinishedOnKey"), "#");
  EXPECT_EQ(c->spoken.back().text, "Thanks.");
}

TEST_F(EmulatorTest, SyncAmdOnAMachineWaitsForTheBeepThenTheVoicemailIsLeft) {
  emu_->set_behaviour("+15558675310", {CalleeBehaviour{.answer = Answer::kMachine, .greeting_seconds = 6}});
  app_.on("/twiml", [](const SeenRequest& s) {
    return net::ClientResponse{200, {},
                               s.param("AnsweredBy").rfind("machine", 0) == 0
                                   ? "<Response><Say>Hi, this is Acme calling about your order. Call us back.</Say></Response>"
                                   : "<Response><Say>Hello human.</Say></Response>"};
  });
  const std::string sid = dial("+15558675310", {{"MachineDetection", "DetectMessageEnd"}});
  sched_.run_all();
  auto c = emu_->call(sid);
  EXPECT_EQ(c->answered_by, "machine_end_beep");
  auto fetch = app_.seen_at("/twiml");
  ASSERT_EQ(fetch.size(), 1u);
  EXPECT_EQ(fetch[0].param("AnsweredBy"), "machine_end_beep");
  ASSERT_EQ(c->spoken.size(), 1u);
  EXPECT_EQ(c->spoken[0].offset, Millis(6000));  // right at the beep
  EXPECT_TRUE(c->spoken[0].after_beep);
  EXPECT_EQ(c->voicemail(), "Hi, this is Acme calling about your order. Call us back.");
  EXPECT_EQ(app_.seen_at("/status").back().param("AnsweredBy"), "machine_end_beep");
}

TEST_F(EmulatorTest, WithoutAmdWhatIsSaidOverTheGreetingIsLost) {
  emu_->set_behaviour("+15558675310", {CalleeBehaviour{.answer = Answer::kMachine, .greeting_seconds = 5}});
  app_.twiml("/twiml", "<Response><Say>Early words.</Say><Pause length=\"5\"/><Say>Late words.</Say></Response>");
  const std::string sid = dial("+15558675310");
  sched_.run_all();
  auto c = emu_->call(sid);
  ASSERT_EQ(c->spoken.size(), 2u);
  EXPECT_FALSE(c->spoken[0].after_beep);
  EXPECT_TRUE(c->spoken[1].after_beep);
  EXPECT_EQ(c->voicemail(), "Late words.");
}

TEST_F(EmulatorTest, AsyncAmdRunsTheTwimlAtOnceAndPostsTheResult) {
  emu_->set_behaviour("+15558675310", {CalleeBehaviour{.answer = Answer::kHuman, .amd_human_seconds = 2.5}});
  app_.twiml("/twiml", "<Response><Say>Hello.</Say><Pause length=\"10\"/></Response>");
  app_.on("/amd", [](const SeenRequest&) { return net::ClientResponse{204, {}, ""}; });
  const std::string sid = dial("+15558675310", {{"MachineDetection", "DetectMessageEnd"},
                                                {"AsyncAmd", "true"},
                                                {"AsyncAmdStatusCallback", "http://app.test/amd"}});
  sched_.run_all();
  auto c = emu_->call(sid);
  EXPECT_EQ(c->spoken[0].offset, Millis(0));  // no wait for AMD
  EXPECT_FALSE(app_.seen_at("/twiml")[0].has("AnsweredBy"));
  auto amd = app_.seen_at("/amd");
  ASSERT_EQ(amd.size(), 1u);
  EXPECT_EQ(amd[0].param("AnsweredBy"), "human");
  EXPECT_EQ(amd[0].param("MachineDetectionDuration"), "2500");
  EXPECT_EQ(amd[0].param("CallSid"), sid);
  EXPECT_EQ(amd[0].param("AccountSid"), kSid);
}

TEST_F(EmulatorTest, BusyNoAnswerAndFailedEndWithTheirSipCodes) {
  emu_->set_behaviour("+15558670001", {CalleeBehaviour{.answer = Answer::kBusy, .ring_seconds = 2}});
  emu_->set_behaviour("+15558670002", {CalleeBehaviour{.answer = Answer::kNoAnswer}});
  emu_->set_behaviour("+15558670003", {CalleeBehaviour{.answer = Answer::kFailed}});
  emu_->set_behaviour("+15558670004", {CalleeBehaviour{.ring_seconds = 45}});  // rings past Timeout=30
  std::vector<std::string> sids;
  for (const char* to : {"+15558670001", "+15558670002", "+15558670003", "+15558670004"}) sids.push_back(dial(to));
  sched_.run_all();
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"busy", "486"}, {"no-answer", "487"}, {"failed", "404"}, {"no-answer", "487"}};
  for (std::size_t i = 0; i < sids.size(); ++i) {
    auto c = emu_->call(sids[i]);
    EXPECT_EQ(c->status, expected[i].first) << i;
    auto st = statuses(sids[i]);
    EXPECT_EQ(st.back(), expected[i].first);
    auto last = app_.seen_at("/status");
    for (auto& s : last) {
      if (s.param("CallSid") == sids[i] && s.param("CallStatus") == expected[i].first) {
        EXPECT_EQ(s.param("SipResponseCode"), expected[i].second);
        EXPECT_EQ(s.param("CallDuration"), "0");
      }
    }
    EXPECT_TRUE(app_.seen_at("/twiml").empty());
  }
  // No-answer gives up after Timeout seconds of ringing.
  auto na = emu_->call(sids[1]);
  EXPECT_EQ(na->ended_at.value() - na->started_at.value(), Millis(30'000));
}

TEST_F(EmulatorTest, OnlyCompletedIsSentWithoutStatusCallbackEvent) {
  app_.twiml("/twiml", "<Response><Say>Hi.</Say></Response>");
  auto r = rest(*emu_, "POST", calls_path(),
                {{"To", "+15558675310"}, {"From", "+15017122661"}, {"Url", "http://app.test/twiml"},
                 {"StatusCallback", "http://app.test/status"}});
  ASSERT_EQ(r.status, 201);
  sched_.run_all();
  auto st = app_.seen_at("/status");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].param("CallStatus"), "completed");
  EXPECT_EQ(st[0].param("SequenceNumber"), "0");
}

TEST_F(EmulatorTest, RecordTruePostsTheRecordingWhenTheCallEnds) {
  app_.twiml("/twiml", "<Response><Pause length=\"7\"/></Response>");
  const std::string sid = dial("+15558675310", {{"Record", "true"},
                                                {"RecordingStatusCallback", "http://app.test/rec"},
                                                {"RecordingStatusCallbackEvent", "completed"}});
  sched_.run_all();
  auto rec = app_.seen_at("/rec");
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].param("CallSid"), sid);
  EXPECT_EQ(rec[0].param("RecordingStatus"), "completed");
  EXPECT_EQ(rec[0].param("RecordingDuration"), "7");
  EXPECT_EQ(rec[0].param("RecordingSid"), emu_->call(sid)->recording_sid);
  EXPECT_EQ(rec[0].param("RecordingSid").substr(0, 2), "RE");
}

TEST_F(EmulatorTest, CalleeHangsUpMidSentence) {
  emu_->set_behaviour("+15558675310", {CalleeBehaviour{.hangup_after_seconds = 1}});
  app_.twiml("/twiml", "<Response><Say>one two three four five six seven eight</Say></Response>");
  const std::string sid = dial("+15558675310");
  sched_.run_all();
  auto c = emu_->call(sid);
  EXPECT_EQ(c->end_reason, "callee-hung-up");
  ASSERT_EQ(c->spoken.size(), 1u);
  EXPECT_TRUE(c->spoken[0].cut);
  EXPECT_EQ(c->spoken[0].length, Millis(1000));
}

TEST_F(EmulatorTest, TwimlFetchFailureUsesTheFallbackThenGivesUp) {
  app_.on("/twiml", [](const SeenRequest&) { return net::ClientResponse{500, {}, "oops"}; });
  app_.twiml("/fallback", "<Response><Say>Fallback.</Say></Response>");
  const std::string a = dial("+15558670001", {{"FallbackUrl", "http://app.test/fallback"}});
  const std::string b = dial("+15558670002");
  app_.on("/bad", [](const SeenRequest&) { return net::ClientResponse{200, {}, "<Response><Say>x</Response>"}; });
  sched_.run_all();
  auto ca = emu_->call(a);
  EXPECT_EQ(ca->spoken.at(0).text, "Fallback.");
  ASSERT_EQ(ca->errors.size(), 1u);
  EXPECT_EQ(ca->errors[0].substr(0, 5), "11200");
  auto cb = emu_->call(b);
  EXPECT_EQ(cb->end_reason, "application-error");
  EXPECT_EQ(cb->status, "completed");
}

TEST_F(EmulatorTest, RestRedirectAndHangupOfALiveCall) {
  app_.twiml("/twiml", "<Response><Say>Long message number one two three</Say><Pause length=\"30\"/></Response>");
  app_.twiml("/other", "<Response><Say>Redirected.</Say><Pause length=\"30\"/></Response>");
  const std::string sid = dial("+15558675310");
  sched_.run_until(t0() + Millis(4000));  // answered at +3 s, speaking
  auto r = rest(*emu_, "POST", call_path(sid), {{"Url", "http://app.test/other"}});
  ASSERT_EQ(r.status, 200) << r.body;
  sched_.run_until(t0() + Millis(6000));
  auto c = emu_->call(sid);
  ASSERT_EQ(c->spoken.size(), 2u);
  EXPECT_TRUE(c->spoken[0].cut);
  EXPECT_EQ(c->spoken[1].text, "Redirected.");
  r = rest(*emu_, "POST", call_path(sid), {{"Status", "completed"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "completed");
  // An ended call cannot be updated.
  r = rest(*emu_, "POST", call_path(sid), {{"Status", "completed"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["code"], 21220);
  sched_.run_all();
  EXPECT_EQ(emu_->call(sid)->end_reason, "api-completed");
}

TEST_F(EmulatorTest, CancelingAQueuedCallNeverStartsIt) {
  app_.twiml("/twiml", "<Response><Say>Hi.</Say></Response>");
  const std::string a = dial("+15558670001");
  const std::string b = dial("+15558670002");  // waits one second for its CPS slot
  auto r = rest(*emu_, "POST", call_path(b), {{"Status", "canceled"}});
  ASSERT_EQ(r.status, 200);
  sched_.run_all();
  auto cb = emu_->call(b);
  EXPECT_EQ(cb->status, "canceled");
  EXPECT_FALSE(cb->started_at.has_value());
  EXPECT_EQ(statuses(b), std::vector<std::string>{"canceled"});
  EXPECT_EQ(emu_->call(a)->status, "completed");
}

TEST_F(EmulatorTest, CallsOverTheCpsAreQueuedNotRefused) {
  opts_.cps = 3;
  opts_.max_concurrency = 4;
  emu_ = std::make_unique<TwilioEmulator>(opts_, sched_, app_, Script{});
  app_.twiml("/twiml", "<Response><Pause length=\"20\"/></Response>");
  std::vector<std::string> sids;
  for (int i = 0; i < 20; ++i) sids.push_back(dial("+1555867" + std::to_string(1000 + i)));
  sched_.run_all();
  EXPECT_EQ(emu_->max_starts_per_second(), 3);
  int max_live = 0;
  auto calls = emu_->calls();
  for (const auto& c : calls) {
    ASSERT_TRUE(c.started_at) << c.sid;
    EXPECT_EQ(c.status, "completed");
    int live = 0;  // calls in progress at this call's start
    for (const auto& o : calls) live += (*o.started_at <= *c.started_at && *o.ended_at > *c.started_at) ? 1 : 0;
    max_live = std::max(max_live, live);
  }
  EXPECT_LE(max_live, 4);
  EXPECT_GE(max_live, 3);
}

// ------------------------------------------------------------------ signatures and faults

TEST_F(EmulatorTest, EveryWebhookIsSignedOverTheExactUrlWithTheAuthToken) {
  emu_->set_behaviour("+15558675310", {CalleeBehaviour{.digits = {"1"}}});
  app_.twiml("/twiml", R"(<Response><Gather numDigits="1" action="/menu?step=2"><Say>Press 1.</Say></Gather></Response>)");
  app_.twiml("/menu", "<Response><Hangup/></Response>");
  dial("+15558675310", {{"StatusCallbackMethod", "GET"}, {"StatusCallback", "http://app.test/status?tenant=7"}});
  sched_.run_all();
  auto seen = app_.seen();
  ASSERT_GE(seen.size(), 6u);
  for (const auto& s : seen) {
    const std::string sig = s.header("X-Twilio-Signature");
    ASSERT_FALSE(sig.empty()) << s.req.url;
    if (s.req.method == "GET") {
      EXPECT_TRUE(telephony::twilio::validate_signature(kToken, s.req.url, {}, sig)) << s.req.url;
    } else {
      EXPECT_TRUE(telephony::twilio::validate_signature(kToken, s.req.url, s.params, sig)) << s.req.url;
      EXPECT_FALSE(telephony::twilio::validate_signature("another-token", s.req.url, s.params, sig));
    }
    EXPECT_EQ(s.req.body.find(kToken), std::string::npos);
  }
  // GET status callbacks carry their parameters in the query, after the URL's own.
  auto st = app_.seen_at("/status");
  ASSERT_FALSE(st.empty());
  EXPECT_EQ(st[0].req.method, "GET");
  EXPECT_EQ(st[0].req.url.rfind("http://app.test/status?tenant=7&", 0), 0u);
  EXPECT_EQ(app_.seen_at("/menu").at(0).req.url, "http://app.test/menu?step=2");
}

TEST_F(EmulatorTest, DuplicateFaultDeliversTheSameSignedCallbackTwice) {
  emu_->set_webhook_faults(WebhookFaults{.duplicate = 1});
  app_.twiml("/twiml", "<Response><Hangup/></Response>");
  const std::string sid = dial("+15558675310");
  sched_.run_all();
  auto st = app_.seen_at("/status");
  ASSERT_EQ(st.size(), 8u);
  for (std::size_t i = 0; i < st.size(); i += 2) {
    EXPECT_EQ(st[i].req.body, st[i + 1].req.body);
    EXPECT_EQ(st[i].header("X-Twilio-Signature"), st[i + 1].header("X-Twilio-Signature"));
    EXPECT_EQ(st[i].header("I-Twilio-Idempotency-Token"), st[i + 1].header("I-Twilio-Idempotency-Token"));
    EXPECT_EQ(st[i].param("SequenceNumber"), std::to_string(i / 2));
  }
}

TEST_F(EmulatorTest, ReorderFaultSwapsTwoStatusCallbacks) {
  emu_->set_webhook_faults(WebhookFaults{.reorder = 1});
  app_.twiml("/twiml", "<Response><Hangup/></Response>");
  const std::string sid = dial("+15558675310");
  sched_.run_all();
  std::vector<std::string> seqs;
  for (auto& s : app_.seen_at("/status")) seqs.push_back(s.param("SequenceNumber"));
  // initiated (0) is held until ringing (1) went out; answered (2) until completed (3).
  EXPECT_EQ(seqs, (std::vector<std::string>{"1", "0", "3", "2"}));
}

TEST_F(EmulatorTest, DelayFaultHoldsCallbacksBack) {
  emu_->set_webhook_faults(WebhookFaults{.delay = 1, .delay_seconds = 60});
  app_.twiml("/twiml", "<Response><Hangup/></Response>");
  dial("+15558675310");
  sched_.run_until(t0() + Millis(30'000));
  EXPECT_TRUE(app_.seen_at("/status").empty());  // the call is long over
  sched_.run_all();
  EXPECT_EQ(app_.seen_at("/status").size(), 4u);
}

TEST_F(EmulatorTest, CallbacksAreRedeliveredWhenTheAppAnswers5xx) {
  emu_->set_webhook_faults(WebhookFaults{.retries_on_5xx = 2, .retry_seconds = 5});
  int failures_left = 2;
  app_.on("/status", [&](const SeenRequest& s) {
    if (s.param("CallStatus") == "completed" && failures_left-- > 0) return net::ClientResponse{503, {}, ""};
    return net::ClientResponse{204, {}, ""};
  });
  app_.twiml("/twiml", "<Response><Hangup/></Response>");
  dial("+15558675310");
  sched_.run_all();
  int completed = 0;
  for (auto& s : app_.seen_at("/status")) completed += s.param("CallStatus") == "completed" ? 1 : 0;
  EXPECT_EQ(completed, 3);
  auto hooks = emu_->webhooks();
  EXPECT_EQ(hooks.back().attempt, 3);
  EXPECT_EQ(hooks.back().http_status, 204);
}

TEST_F(EmulatorTest, RestFaults429And500CreateNothingTimeoutCreatesTheCall) {
  emu_->add_rest_fault(RestFault{.kind = RestFaultKind::k429, .times = 2});
  emu_->add_rest_fault(RestFault{.kind = RestFaultKind::k500});
  emu_->add_rest_fault(RestFault{.kind = RestFaultKind::kTimeout, .stall_seconds = 0.05});
  const std::vector<std::pair<std::string, std::string>> form = {
      {"To", "+15558675310"}, {"From", "+15017122661"}, {"Url", "http://app.test/twiml"}};
  auto r = rest(*emu_, "POST", calls_path(), form);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(json::parse(r.body)["code"], 20429);
  EXPECT_EQ(rest(*emu_, "POST", calls_path(), form).status, 429);
  EXPECT_EQ(rest(*emu_, "POST", calls_path(), form).status, 500);
  EXPECT_TRUE(emu_->calls().empty());
  r = rest(*emu_, "POST", calls_path(), form);  // answered late, but created
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(emu_->calls().size(), 1u);
  EXPECT_EQ(rest(*emu_, "POST", calls_path(), form).status, 201);  // faults used up
  EXPECT_EQ(emu_->create_requests(), 5u);
}

TEST_F(EmulatorTest, InboundStopBlocksLaterTextsUntilStart) {
  emu_->set_sms_url("http://app.test/sms");
  app_.on("/sms", [](const SeenRequest&) { return net::ClientResponse{200, {}, "<Response/>"}; });
  const std::string ours = "+15017122661", theirs = "+15558675310";
  auto send = [&] {
    return rest(*emu_, "POST", std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json",
                {{"To", theirs}, {"From", ours}, {"Body", "Your appointment is tomorrow."}});
  };
  EXPECT_EQ(send().status, 201);
  auto st = emu_->inject_inbound_sms(theirs, ours, " stop ");
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st.value(), 200);
  auto hook = app_.seen_at("/sms").at(0);
  EXPECT_EQ(hook.param("Body"), " stop ");
  EXPECT_EQ(hook.param("OptOutType"), "STOP");
  EXPECT_EQ(hook.param("From"), theirs);
  EXPECT_TRUE(telephony::twilio::validate_signature(kToken, hook.req.url, hook.params, hook.header("X-Twilio-Signature")));
  auto r = send();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["code"], 21610);
  ASSERT_TRUE(emu_->inject_inbound_sms(theirs, ours, "START").ok());
  EXPECT_EQ(send().status, 201);
  EXPECT_EQ(rest(*emu_, "POST", std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json",
                 {{"To", "12"}, {"From", ours}, {"Body", "x"}})
                .status,
            400);
}

TEST_F(EmulatorTest, InspectionApiShowsCallsAndNeverTheToken) {
  emu_->set_behaviour("+15558675310", {CalleeBehaviour{.digits = {"1"}}});
  app_.twiml("/twiml", R"(<Response><Gather numDigits="1" action="/menu"><Say>Press 1.</Say></Gather></Response>)");
  app_.twiml("/menu", R"(<Response><Dial callerId="+15017122661">+15550009999</Dial></Response>)");
  const std::string sid = dial("+15558675310");
  sched_.run_all();
  for (const char* path : {"/_emulator/calls", "/_emulator/log", "/_emulator/webhooks", "/_emulator/stats",
                           "/_emulator/messages"}) {
    net::Request r;
    r.method = "GET";
    r.path = path;
    auto res = emu_->handle(r);
    ASSERT_EQ(res.status, 200) << path;
    EXPECT_EQ(res.body.find(kToken), std::string::npos) << path;
    if (std::string(path) == "/_emulator/calls") {
      auto j = json::parse(res.body)["calls"][0];
      EXPECT_EQ(j["sid"], sid);
      EXPECT_EQ(j["bridges"][0]["number"], "+15550009999");
      EXPECT_EQ(j["bridges"][0]["caller_id"], "+15017122661");
      EXPECT_EQ(j["gathers"][0]["digits"], "1");
      EXPECT_EQ(j["spoken"][0]["text"], "Press 1.");
    }
  }
  for (const auto& e : emu_->log()) EXPECT_EQ(e.text.find(kToken), std::string::npos);
}

TEST_F(EmulatorTest, ScriptAndFaultsCanBeSetOverHttp) {
  net::Request r;
  r.method = "PUT";
  r.path = "/_emulator/script";
  r.body = R"({"numbers": {"+15558675310": {"answer": "busy"}}})";
  EXPECT_EQ(emu_->handle(r).status, 200);
  r.body = R"({"numbers": {"+15558675310": {"answer": "sometimes"}}})";
  auto bad = emu_->handle(r);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("numbers.+15558675310.answer"), std::string::npos);
  r.method = "POST";
  r.path = "/_emulator/faults";
  r.body = R"({"rest": [{"kind": "429"}]})";
  EXPECT_EQ(emu_->handle(r).status, 200);
  const std::vector<std::pair<std::string, std::string>> form = {
      {"To", "+15558675310"}, {"From", "+15017122661"}, {"Url", "http://app.test/twiml"}};
  EXPECT_EQ(rest(*emu_, "POST", calls_path(), form).status, 429);
  const std::string sid = dial("+15558675310");
  sched_.run_all();
  EXPECT_EQ(emu_->call(sid)->status, "busy");
}

}  // namespace
}  // namespace outdial::twilio_emulator
