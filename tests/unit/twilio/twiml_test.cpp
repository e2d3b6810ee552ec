#include "outdial/telephony/twilio/twilio_twiml.hpp"

#include <gtest/gtest.h>

namespace outdial::telephony::twilio {
namespace {

ivr::IvrFlow flow(bool recorded = false, std::string voicemail = "Call us back.") {
  ivr::IvrInputs in;
  in.business_name = "Ben & Jerry's <Shop>";
  in.script = "Your \"annual\" check-up is due.";
  in.voicemail = std::move(voicemail);
  in.agent_number = "+15550001111";
  in.caller_id = "+15550002222";
  in.recorded = recorded;
  return ivr::build_flow(in);
}

const std::string kProlog = R"(<?xml version="1.0" encoding="UTF-8"?>)";

TEST(Twiml, XmlEscape) {
  EXPECT_EQ(xml_escape(R"(a&b<c>d"e'f)"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  EXPECT_EQ(xml_escape(std::string("x\x01y\tz\n", 6)), "x y\tz\n");
  EXPECT_EQ(xml_escape("ünïcode"), "ünïcode");
}

TEST(Twiml, GreetingIsOneDigitGatherWithEscapedTextThenGoodbye) {
  const std::string doc = render_greeting(flow(), "https://d.example/twilio/gather/7/1?a=1&b=2", TwimlStyle{});
  const std::string say = R"(<Say voice="Polly.Joanna" language="en-US">)";
  EXPECT_EQ(doc, kProlog +
                     R"(<Response><Gather input="dtmf" numDigits="1" timeout="6" )"
                     R"(action="https://d.example/twilio/gather/7/1?a=1&amp;b=2" method="POST">)" +
                     say + "Hi, this is Ben &amp; Jerry&apos;s &lt;Shop&gt;. To stop calls from us, press 2 at any time.</Say>" +
                     say + "Your &quot;annual&quot; check-up is due.</Say>" + say +
                     "Press 1 to be connected with our team, or press 2 to stop calls from us.</Say></Gather>" + say +
                     "We did not receive a choice. Thank you, goodbye.</Say><Hangup/></Response>");
}

TEST(Twiml, RecordedCallStartsWithTheDisclosureInsideTheGather) {
  const std::string doc = render_greeting(flow(true), "https://d.example/g", TwimlStyle{""});
  EXPECT_NE(doc.find(R"(method="POST"><Say language="en-US">This call is recorded.</Say><Say language="en-US">Hi, this is)"),
            std::string::npos)
      << doc;
}

TEST(Twiml, ConnectDialsTheAgentWithTheCampaignCallerId) {
  const std::string doc = render_connect(flow(), "https://d.example/twilio/dial/7", TwimlStyle{""});
  EXPECT_EQ(doc, kProlog +
                     R"(<Response><Say language="en-US">Connecting you now. Please hold.</Say>)"
                     R"(<Dial callerId="+15550002222" timeout="30" action="https://d.example/twilio/dial/7" method="POST">)"
                     R"(<Number>+15550001111</Number></Dial></Response>)");
}

TEST(Twiml, OptOutConfirmsAndHangsUp) {
  const std::string doc = render_opt_out(flow(), TwimlStyle{""});
  EXPECT_NE(doc.find("You have been added to the do not call list"), std::string::npos);
  EXPECT_TRUE(doc.ends_with("</Say><Hangup/></Response>"));
}

TEST(Twiml, VoicemailPlaysTheAssetOrSaysTheText) {
  std::string doc = render_voicemail(flow(false, "https://cdn.example/vm.mp3?x=1&y=2"), TwimlStyle{""});
  EXPECT_NE(doc.find("<Response><Play>https://cdn.example/vm.mp3?x=1&amp;y=2</Play><Say"), std::string::npos) << doc;
  EXPECT_TRUE(doc.ends_with("<Hangup/></Response>"));
  doc = render_voicemail(flow(), TwimlStyle{""});
  EXPECT_EQ(doc.find("<Play>"), std::string::npos);
  EXPECT_NE(doc.find("Call us back."), std::string::npos);
}

TEST(Twiml, DialResultAndMenuRepeatAndSmallDocuments) {
  EXPECT_EQ(render_dial_result(flow(), "completed", TwimlStyle{}), kProlog + "<Response><Hangup/></Response>");
  EXPECT_NE(render_dial_result(flow(), "no-answer", TwimlStyle{}).find("nobody is available"), std::string::npos);
  const std::string repeat = render_menu_repeat(flow(), "https://d.example/twilio/gather/7/2", TwimlStyle{""});
  EXPECT_NE(repeat.find(R"(action="https://d.example/twilio/gather/7/2")"), std::string::npos);
  EXPECT_NE(repeat.find("Sorry, that is not an option."), std::string::npos);
  EXPECT_EQ(render_hangup(), kProlog + "<Response><Hangup/></Response>");
  EXPECT_EQ(render_empty(), kProlog + "<Response/>");
  EXPECT_EQ(render_message(""), kProlog + "<Response/>");
  EXPECT_EQ(render_message("A&B: reply STOP"), kProlog + "<Response><Message>A&amp;B: reply STOP</Message></Response>");
}

}  // namespace
}  // namespace outdial::telephony::twilio
