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

// Which opt-outs Telnyx confirms itself (its default keyword list) and which are ours to confirm.
TEST(SmsKeywords, TelnyxConfirmsOnlyItsDefaultOptOutKeywords) {
  for (const char* k : {"STOP", "stopall", "Unsubscribe", "cancel", "END", "quit"})
    EXPECT_TRUE(telnyx_confirms_opt_out(classify_inbound_sms(k))) << k;
  for (const char* k : {"REVOKE", "OPTOUT", "opt out", "stop calling me", "STOP ALL", "START", "HELP", "hello"})
    EXPECT_FALSE(telnyx_confirms_opt_out(classify_inbound_sms(k))) << k;
}

}  // namespace
}  // namespace outdial::telephony::sms
