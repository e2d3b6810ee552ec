// The provider-neutral inbound SMS keyword classifier (telephony/sms), used by the Twilio and the
// Telnyx routes.
#include "outdial/telephony/sms/keywords.hpp"

#include <gtest/gtest.h>

namespace outdial::telephony::sms {
namespace {

struct SmsCase {
  const char* body;
  SmsIntent intent;
  bool carrier;
};

TEST(SmsKeywords, InboundSmsKeywords) {
  const SmsCase cases[] = {
      {"STOP", SmsIntent::kOptOut, true},          {"stop", SmsIntent::kOptOut, true},
      {"  Stop. ", SmsIntent::kOptOut, true},      {"STOPALL", SmsIntent::kOptOut, true},
      {"unsubscribe", SmsIntent::kOptOut, true},   {"Cancel", SmsIntent::kOptOut, true},
      {"END", SmsIntent::kOptOut, true},           {"quit", SmsIntent::kOptOut, true},
      {"REVOKE", SmsIntent::kOptOut, true},        {"optout", SmsIntent::kOptOut, true},
      {"opt out", SmsIntent::kOptOut, false},      {"stop calling me", SmsIntent::kOptOut, false},
      {"Please remove me from your list", SmsIntent::kOptOut, false},
      {"Don't call me again", SmsIntent::kOptOut, false},
      {"don\xE2\x80\x99t text me", SmsIntent::kOptOut, false},
      {"take me off your list!!", SmsIntent::kOptOut, false},
      {"STOP!!! who is this", SmsIntent::kOptOut, false},
      {"wrong number", SmsIntent::kOptOut, false}, {"Do not contact", SmsIntent::kOptOut, false},
      {"START", SmsIntent::kOptIn, true},          {"unstop", SmsIntent::kOptIn, true},
      {"HELP", SmsIntent::kHelp, true},            {"info", SmsIntent::kHelp, true},
      {"yes", SmsIntent::kNone, false},            {"What time is my appointment?", SmsIntent::kNone, false},
      {"I can't make it, see you at the end of the week", SmsIntent::kNone, false},
      {"", SmsIntent::kNone, false},               {"Stopping by later", SmsIntent::kNone, false},
  };
  for (const auto& c : cases) {
    const auto r = classify_inbound_sms(c.body);
    EXPECT_EQ(r.intent, c.intent) << c.body;
    EXPECT_EQ(r.carrier_keyword, c.carrier) << c.body;
  }
}

// What each carrier answers on its own (provider-contracts §2.5 for Twilio, Telnyx's default
// messaging-profile handling): a text it answers gets no reply from us, any other keyword does.
TEST(SmsKeywords, EachCarrierAnswersOnlyItsOwnKeywords) {
  const std::string long_code = "+15017122661";
  auto twilio = [&](const char* body, const std::string& to) {
    return carrier_answers(twilio_keywords(), classify_inbound_sms(body), to);
  };
  auto telnyx = [&](const char* body, const std::string& to) {
    return carrier_answers(telnyx_keywords(), classify_inbound_sms(body), to);
  };
  for (const char* k : {"STOP", "stop", " Stop. ", "STOPALL", "Unsubscribe", "cancel", "END", "quit", "REVOKE", "optout",
                        "HELP", "info", " Help ", "START", "unstop"})
    EXPECT_TRUE(twilio(k, long_code)) << k;
  // Two words are not Twilio's single-word keywords; plain language, non-keywords and a help
  // request with punctuation (not an exact match: HELP must get one reply, ours) are ours.
  for (const char* k : {"STOP ALL", "opt out", "stop calling me", "STOP please", "HELP?", "hello", ""})
    EXPECT_FALSE(twilio(k, long_code)) << k;
  // Standalone short codes: no default handling at Twilio.
  for (const char* k : {"STOP", "HELP"}) EXPECT_FALSE(twilio(k, "55555")) << k;

  for (const char* k : {"STOP", "stopall", "STOP ALL", "stop  all", "Stop All!", "Unsubscribe", "cancel", "END", "quit",
                        "START", "unstop"})
    EXPECT_TRUE(telnyx(k, long_code)) << k;
  // Telnyx's default list has no REVOKE/OPTOUT and no help keyword: those are ours.
  for (const char* k : {"REVOKE", "OPTOUT", "opt out", "stop calling me", "HELP", "INFO", "hello"})
    EXPECT_FALSE(telnyx(k, long_code)) << k;
  EXPECT_TRUE(telnyx("STOP", "55555"));
}

TEST(SmsKeywords, TheWholeMessageKeepsPunctuationAndCollapsesWhitespace) {
  EXPECT_EQ(classify_inbound_sms("  stop   all ").whole, "STOP ALL");
  EXPECT_EQ(classify_inbound_sms("Help?").whole, "HELP?");
  EXPECT_EQ(classify_inbound_sms("Help?").intent, SmsIntent::kHelp);
}

}  // namespace
}  // namespace outdial::telephony::sms
