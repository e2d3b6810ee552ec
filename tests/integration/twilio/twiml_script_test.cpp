// The emulator's TwiML parser, script parser and scheduler.
#include <gtest/gtest.h>

#include "scheduler.hpp"
#include "script.hpp"
#include "twiml.hpp"

namespace outdial::twilio_emulator {
namespace {

TEST(Twiml, ParsesVerbsNounsAttributesAndText) {
  auto doc = parse_twiml(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather input="dtmf" numDigits="1" timeout="5" action="/menu">
    <Say voice="Polly.Joanna" language="en-US">Press 1 to confirm.</Say>
  </Gather>
  <Say>No input.</Say>
  <Dial callerId="+15017122661"><Number>+15550001111</Number></Dial>
  <Hangup/>
</Response>)");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  ASSERT_EQ(doc->children.size(), 4u);
  const TwimlNode& g = doc->children[0];
  EXPECT_EQ(g.name, "Gather");
  EXPECT_EQ(g.attr("numDigits"), "1");
  EXPECT_EQ(g.attr("action"), "/menu");
  EXPECT_EQ(g.attr("finishOnKey", "#"), "#");
  ASSERT_EQ(g.children.size(), 1u);
  EXPECT_EQ(g.children[0].text, "Press 1 to confirm.");
  EXPECT_EQ(g.children[0].attr("voice"), "Polly.Joanna");
  EXPECT_EQ(doc->children[2].children[0].name, "Number");
  EXPECT_EQ(doc->children[2].children[0].text, "+15550001111");
  EXPECT_EQ(doc->children[3].name, "Hangup");
}

TEST(Twiml, EmptyResponseIsValid) {
  ASSERT_TRUE(parse_twiml("<Response/>").ok());
  ASSERT_TRUE(parse_twiml("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response />").ok());
}

TEST(Twiml, SsmlInsideSayIsSpokenText) {
  auto doc = parse_twiml("<Response><Say>Hello <break time=\"1s\"/>there <emphasis>now</emphasis></Say></Response>");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->children[0].text, "Hello there now");
}

TEST(Twiml, RejectsWhatTwilioRejectsWithCode12100AndLine) {
  struct Case {
    const char* xml;
    const char* needle;
  };
  for (const Case& c : {Case{"<Response><Say>unclosed</Response>", "mismatched"},
                        Case{"<Reply><Say>x</Say></Reply>", "root element is <Reply>"},
                        Case{"<Response><Speak>x</Speak></Response>", "<Speak> is not a TwiML verb"},
                        Case{"<Response><Gather><Dial>+1555</Dial></Gather></Response>",
                             "<Dial> is not allowed inside <Gather>"},
                        Case{"<Response>\n<Number>+15550001111</Number></Response>", "<Number> is not a TwiML verb"},
                        Case{"", "no element"}}) {
    auto doc = parse_twiml(c.xml);
    ASSERT_FALSE(doc.ok()) << c.xml;
    EXPECT_NE(doc.error().message.find(c.needle), std::string::npos) << doc.error().message;
    EXPECT_EQ(doc.error().details.at("twilio_code"), "12100");
  }
  auto doc = parse_twiml("<Response>\n<Say>x</Say>\n<Bogus/></Response>");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().details.at("line"), "3");
}

TEST(Twiml, SpeechTakesAboutFortyHundredthsOfASecondPerWord) {
  EXPECT_DOUBLE_EQ(speech_seconds("one two three four five"), 2.0);
  EXPECT_DOUBLE_EQ(speech_seconds(""), 0.5);
}

TEST(Script, ParsesDefaultNumbersSequencesAndFaults) {
  auto s = parse_script(R"({
    "default": {"answer": "human", "ring_seconds": 2},
    "numbers": {
      "+15551230001": {"digits": "1", "press_after_seconds": 1.5},
      "+15551230002": [{"answer": "busy"}, {"answer": "machine", "greeting_seconds": 6}]
    },
    "sms_url": "http://127.0.0.1:1/sms",
    "faults": {"rest": [{"kind": "429", "times": 2}, {"kind": "timeout", "to": "+15551230001", "stall_seconds": 3}],
               "webhooks": {"duplicate": 1, "retries_on_5xx": 4}}
  })");
  ASSERT_TRUE(s.ok()) << s.error().message;
  const Script& sc = s.value();
  EXPECT_EQ(sc.behaviour("+15550000000", 0).answer, Answer::kHuman);
  EXPECT_DOUBLE_EQ(sc.behaviour("+15551230001", 0).ring_seconds, 2);  // inherits the default
  EXPECT_EQ(sc.behaviour("+15551230001", 0).digits, std::vector<std::string>{"1"});
  EXPECT_EQ(sc.behaviour("+15551230002", 0).answer, Answer::kBusy);
  EXPECT_EQ(sc.behaviour("+15551230002", 1).answer, Answer::kMachine);
  EXPECT_EQ(sc.behaviour("+15551230002", 7).answer, Answer::kMachine);  // the last one repeats
  EXPECT_DOUBLE_EQ(sc.behaviour("+15551230002", 1).greeting_seconds, 6);
  ASSERT_EQ(sc.rest_faults.size(), 2u);
  EXPECT_EQ(sc.rest_faults[0].kind, RestFaultKind::k429);
  EXPECT_EQ(sc.rest_faults[0].times, 2);
  EXPECT_EQ(sc.rest_faults[1].kind, RestFaultKind::kTimeout);
  EXPECT_EQ(sc.rest_faults[1].to, "+15551230001");
  EXPECT_DOUBLE_EQ(sc.webhook_faults.duplicate, 1);
  EXPECT_EQ(sc.webhook_faults.retries_on_5xx, 4);
  EXPECT_EQ(sc.sms_url, "http://127.0.0.1:1/sms");
}

TEST(Script, WeightedDefaultMixIsReproduciblePerSeedNumberAndCall) {
  auto s = parse_script(R"({"default": [{"weight": 3, "answer": "human", "digits": ["1"]},
                                        {"weight": 1, "answer": "busy"}],
                            "numbers": {"+15551230001": {"answer": "failed"}}})");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->behaviour("+15551230001", 0, 7).answer, Answer::kFailed);  // listed numbers win
  int human = 0, busy = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string n = "+1555000" + std::to_string(1000 + i % 1000);
    const Answer a = s->behaviour(n, static_cast<std::size_t>(i / 1000), 7).answer;
    EXPECT_EQ(a, s->behaviour(n, static_cast<std::size_t>(i / 1000), 7).answer);  // same inputs, same pick
    (a == Answer::kHuman ? human : busy)++;
  }
  EXPECT_NEAR(human / 4000.0, 0.75, 0.05);
  EXPECT_NEAR(busy / 4000.0, 0.25, 0.05);
  int differs = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string n = "+1555000" + std::to_string(1000 + i);
    differs += s->behaviour(n, 0, 7).answer != s->behaviour(n, 0, 8).answer ? 1 : 0;
  }
  EXPECT_GT(differs, 0);  // another seed, other picks
  EXPECT_FALSE(parse_script(R"({"default": [{"weight": 0}]})").ok());
  EXPECT_FALSE(parse_script(R"({"default": []})").ok());
}

TEST(Script, ErrorsNameTheJsonPath) {
  struct Case {
    const char* json;
    const char* field;
  };
  for (const Case& c : {Case{R"({"numbers": {"+1555": [{"answer": "maybe"}]}})", "numbers.+1555[0].answer"},
                        Case{R"({"default": {"ring_seconds": "3"}})", "default.ring_seconds"},
                        Case{R"({"default": {"digits": ["1x"]}})", "default.digits[0]"},
                        Case{R"({"default": {"colour": "red"}})", "default.colour"},
                        Case{R"({"faults": {"rest": [{"kind": "418"}]}})", "faults.rest[0].kind"},
                        Case{R"({"faults": {"webhooks": {"duplicate": 2}}})", "faults.webhooks.duplicate"}}) {
    auto s = parse_script(c.json);
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.error().details.at("field"), c.field) << s.error().message;
    EXPECT_NE(s.error().message.find(c.field), std::string::npos);
  }
  auto bad = parse_script("{not json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not valid JSON"), std::string::npos);
}

TEST(VirtualScheduler, RunsTasksInTimeThenInsertionOrderAndMovesTime) {
  const TimePoint start = from_epoch_ms(1'000'000);
  VirtualScheduler s(start);
  std::vector<std::string> order;
  s.at(start + Millis(200), [&] { order.push_back("b@200"); });
  s.at(start + Millis(100), [&] {
    order.push_back("a@100");
    EXPECT_EQ(s.now(), start + Millis(100));
    s.after(Millis(50), [&] { order.push_back("c@150"); });
  });
  s.at(start + Millis(200), [&] { order.push_back("d@200"); });
  s.at(start + Millis(500), [&] { order.push_back("e@500"); });
  EXPECT_EQ(s.run_until(start + Millis(300)), 4u);
  EXPECT_EQ(order, (std::vector<std::string>{"a@100", "c@150", "b@200", "d@200"}));
  EXPECT_EQ(s.now(), start + Millis(300));
  EXPECT_EQ(s.pending(), 1u);
  s.at(start, [&] { order.push_back("late"); });  // the past means now
  EXPECT_EQ(s.run_all(), 2u);
  EXPECT_EQ(order.back(), "e@500");
  EXPECT_EQ(order[4], "late");
}

TEST(RealTimeScheduler, SpeedScalesWallTime) {
  RealTimeScheduler s(100.0, 2, from_epoch_ms(0));
  EXPECT_EQ(s.wall_duration(Millis(10'000)), Millis(100));
  std::mutex mu;
  std::condition_variable cv;
  bool ran = false;
  s.after(Millis(1000), [&] {
    std::lock_guard l(mu);
    ran = true;
    cv.notify_all();
  });
  std::unique_lock l(mu);
  // 1 emulated second at 100x: ~10 ms of wall time; the bound only guards against a hang.
  EXPECT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return ran; }));
  EXPECT_GE(s.now(), from_epoch_ms(1000));
}

}  // namespace
}  // namespace outdial::twilio_emulator
