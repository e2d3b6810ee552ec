#include "outdial/telephony/ivr.hpp"

#include <gtest/gtest.h>

namespace outdial::telephony::ivr {
namespace {

IvrInputs inputs() {
  IvrInputs in;
  in.business_name = "Sunburst Dental";
  in.script = "We have openings for check-ups this month.";
  in.voicemail = "Please call us to book your check-up.";
  in.agent_number = "+15550001111";
  in.caller_id = "+15550002222";
  return in;
}

TEST(Ivr, GreetingIdentifiesThenOffersOptOutThenScriptThenMenu) {
  const IvrFlow f = build_flow(inputs());
  ASSERT_EQ(f.greeting.size(), 3u);
  EXPECT_EQ(f.greeting[0].value, "Hi, this is Sunburst Dental. To stop calls from us, press 2 at any time.");
  EXPECT_EQ(f.greeting[1].value, "We have openings for check-ups this month.");
  EXPECT_EQ(f.greeting[2].value, "Press 1 to be connected with our team, or press 2 to stop calls from us.");
  EXPECT_TRUE(f.can_connect);
  EXPECT_EQ(f.agent_number, "+15550001111");
  EXPECT_EQ(f.connect_caller_id, "+15550002222");
}

TEST(Ivr, OptOutSentenceFollowsTheIdentificationWithinTheFirstWords) {
  const IvrFlow f = build_flow(inputs());
  const std::string& first = f.greeting[0].value;
  // Identification, then the opt-out directly after it: nothing else is said in between
  // (PRERECORD-SCRIPT: opt-out within 2 s of the identification).
  const auto id_end = first.find("Sunburst Dental.") + std::string("Sunburst Dental.").size();
  EXPECT_EQ(first.substr(id_end), " To stop calls from us, press 2 at any time.");
}

TEST(Ivr, RecordingDisclosureComesFirstWhenRecorded) {
  IvrInputs in = inputs();
  in.recorded = true;
  const IvrFlow f = build_flow(in);
  ASSERT_EQ(f.greeting.size(), 4u);
  EXPECT_EQ(f.greeting[0].value, "This call is recorded.");
  EXPECT_EQ(f.greeting[1].value.rfind("Hi, this is Sunburst Dental.", 0), 0u);
  EXPECT_EQ(build_flow(inputs()).greeting[0].value.find("recorded"), std::string::npos);
}

TEST(Ivr, NoAgentNumberMeansNoPressOneOffer) {
  IvrInputs in = inputs();
  in.agent_number.clear();
  const IvrFlow f = build_flow(in);
  EXPECT_FALSE(f.can_connect);
  EXPECT_EQ(f.greeting.back().value, "Press 2 to stop calls from us.");
  EXPECT_EQ(menu_action(f, "1"), MenuAction::kInvalid);
}

TEST(Ivr, MenuActions) {
  const IvrFlow f = build_flow(inputs());
  EXPECT_EQ(menu_action(f, "1"), MenuAction::kConnect);
  EXPECT_EQ(menu_action(f, "2"), MenuAction::kOptOut);
  EXPECT_EQ(menu_action(f, ""), MenuAction::kNoInput);
  EXPECT_EQ(menu_action(f, "9"), MenuAction::kInvalid);
  EXPECT_EQ(menu_action(f, "*"), MenuAction::kInvalid);
  EXPECT_EQ(menu_action(f, "12"), MenuAction::kOptOut);  // a 2 always wins over a connect
}

TEST(Ivr, VoicemailTextOrAssetAlwaysNamesBusinessCallbackAndOptOut) {
  IvrFlow f = build_flow(inputs());
  ASSERT_EQ(f.voicemail.size(), 1u);
  EXPECT_EQ(f.voicemail[0].kind, Prompt::Kind::kSay);
  EXPECT_NE(f.voicemail[0].value.find("Sunburst Dental"), std::string::npos);
  EXPECT_NE(f.voicemail[0].value.find("Please call us to book"), std::string::npos);
  EXPECT_NE(f.voicemail[0].value.find("5 5 5, 0 0 0, 2 2 2 2"), std::string::npos);
  EXPECT_NE(f.voicemail[0].value.find("text STOP"), std::string::npos);

  IvrInputs in = inputs();
  in.voicemail = "https://cdn.example/vm.mp3";
  f = build_flow(in);
  ASSERT_EQ(f.voicemail.size(), 2u);
  EXPECT_EQ(f.voicemail[0], (Prompt{Prompt::Kind::kPlay, "https://cdn.example/vm.mp3"}));
  EXPECT_NE(f.voicemail[1].value.find("Sunburst Dental"), std::string::npos);
}

TEST(Ivr, SpokenNumber) {
  EXPECT_EQ(spoken_number("+15550002222"), "5 5 5, 0 0 0, 2 2 2 2");
  EXPECT_EQ(spoken_number("+442071838750"), "4 4 2 0 7 1 8 3 8 7 5 0");
  EXPECT_EQ(spoken_number(""), "");
}

TEST(Ivr, OptOutConfirmationNamesTheBusiness) {
  const IvrFlow f = build_flow(inputs());
  EXPECT_NE(f.opt_out_confirmation[0].value.find("do not call list of Sunburst Dental"), std::string::npos);
}

}  // namespace
}  // namespace outdial::telephony::ivr
