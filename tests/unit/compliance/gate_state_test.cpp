// State windows, SUNDAY-BAN, HOLIDAY-BAN and the FL/OK/MD rolling 24 h caps.
#include "gate_test_util.hpp"

namespace outdial::compliance {
namespace {

using testing::allow;
using testing::base;
using testing::defer;
using testing::Expect;

struct StateCase {
  const char* label;
  const char* phone;
  const char* stated_state;
  const char* at;
  Expect expect;
};

void run(const StateCase& c, bool autodialed = false) {
  AttemptFacts f = base(c.phone, c.at);
  f.stated_state = c.stated_state;
  f.autodialed = autodialed;
  testing::expect_decision(testing::gate().evaluate(f), c.expect, c.label);
}

// 2026-06-10 Wed, 06-13 Sat, 06-14 Sun. EDT -4, CDT -5, MDT -6, PDT -7.
TEST(GateStateTest, EveryStateWindow) {
  const StateCase cases[] = {
      {"FL 19:59", "+13055550123", "", "2026-06-10T23:59:00Z", allow()},
      {"FL 20:00", "+13055550123", "", "2026-06-11T00:00:00Z", defer("FL-TIME", "2026-06-11T12:00:00Z")},
      {"OK 20:00 CDT", "+14055550123", "", "2026-06-11T01:00:00Z", defer("OK-TIME", "2026-06-11T13:00:00Z")},
      {"MD 20:00", "+14105550123", "", "2026-06-11T00:00:00Z", defer("MD-TIME", "2026-06-11T12:00:00Z")},
      {"WA 20:00 PDT", "+12065550123", "", "2026-06-11T03:00:00Z", defer("WA-TIME", "2026-06-11T15:00:00Z")},
      {"WA 08:00 PDT", "+12065550123", "", "2026-06-10T15:00:00Z", allow()},
      {"TX Wed 08:30", "+12145550123", "", "2026-06-10T13:30:00Z", defer("TX-TIME", "2026-06-10T14:00:00Z")},
      {"TX Wed 20:59", "+12145550123", "", "2026-06-11T01:59:00Z", allow()},
      {"TX Sun 11:00", "+12145550123", "", "2026-06-14T16:00:00Z", defer("TX-TIME", "2026-06-14T17:00:00Z")},
      {"TX Sun 12:00", "+12145550123", "", "2026-06-14T17:00:00Z", allow()},
      {"CT 08:30", "+12035550123", "", "2026-06-10T12:30:00Z", defer("CT-TIME", "2026-06-10T13:00:00Z")},
      {"CT 20:00", "+12035550123", "", "2026-06-11T00:00:00Z", defer("CT-TIME", "2026-06-11T13:00:00Z")},
      {"RI Wed 17:59", "+14015550123", "", "2026-06-10T21:59:00Z", allow()},
      {"RI Wed 18:00", "+14015550123", "", "2026-06-10T22:00:00Z", defer("RI-TIME", "2026-06-11T13:00:00Z")},
      {"RI Sat 09:30", "+14015550123", "", "2026-06-13T13:30:00Z", defer("RI-TIME", "2026-06-13T14:00:00Z")},
      // Saturday 17:00: Sunday is banned, so Monday 09:00.
      {"RI Sat 17:00", "+14015550123", "", "2026-06-13T21:00:00Z", defer("RI-TIME", "2026-06-15T13:00:00Z")},
      {"AL 20:00 CDT", "+12055550123", "", "2026-06-11T01:00:00Z", defer("STATE-TIME", "2026-06-11T13:00:00Z")},
      {"LA 20:00 CDT", "+15045550123", "", "2026-06-11T01:00:00Z", defer("STATE-TIME", "2026-06-11T13:00:00Z")},
      {"MS 20:00 CDT", "+16015550123", "", "2026-06-11T01:00:00Z", defer("STATE-TIME", "2026-06-11T13:00:00Z")},
      {"UT 20:30 MDT", "+18015550123", "", "2026-06-11T02:30:00Z", allow()},
      {"UT 21:00 MDT", "+18015550123", "", "2026-06-11T03:00:00Z", defer("FED-TIME", "2026-06-11T14:00:00Z")},
      {"PA 20:30", "+12155550123", "", "2026-06-11T00:30:00Z", allow()},
      {"KY 09:30", "+15025550123", "", "2026-06-10T13:30:00Z", defer("STATE-TIME", "2026-06-10T14:00:00Z")},
      {"MA 20:00", "+16175550123", "", "2026-06-11T00:00:00Z", defer("STATE-TIME", "2026-06-11T12:00:00Z")},
      {"MI 08:30", "+13135550123", "", "2026-06-10T12:30:00Z", defer("STATE-TIME", "2026-06-10T13:00:00Z")},
      {"MN 08:30 CDT", "+16125550123", "", "2026-06-10T13:30:00Z", defer("STATE-TIME", "2026-06-10T14:00:00Z")},
      {"NM 08:30 MDT", "+15055550123", "", "2026-06-10T14:30:00Z", defer("STATE-TIME", "2026-06-10T15:00:00Z")},
      {"NV 20:00 PDT", "+17025550123", "", "2026-06-11T03:00:00Z", defer("STATE-TIME", "2026-06-11T16:00:00Z")},
      {"CA 08:30 PDT", "+12135550123", "", "2026-06-10T15:30:00Z", defer("STATE-TIME", "2026-06-10T16:00:00Z")},
      {"NY none 20:30", "+12125550123", "", "2026-06-11T00:30:00Z", allow()},
      // The stated residence state's rules apply too: NY number, FL resident.
      {"NY number FL resident", "+12125550123", "FL", "2026-06-11T00:30:00Z", defer("FL-TIME", "2026-06-11T12:00:00Z")},
      {"NY number CT resident", "+12125550123", "CT", "2026-06-10T12:30:00Z", defer("CT-TIME", "2026-06-10T13:00:00Z")},
  };
  for (const StateCase& c : cases) run(c);
}

TEST(GateStateTest, SundayBan) {
  const StateCase cases[] = {
      // 2026-06-14 is a Sunday.
      {"LA Sunday", "+15045550123", "", "2026-06-14T15:00:00Z", defer("SUNDAY-BAN", "2026-06-15T13:00:00Z")},
      {"MS Sunday", "+16015550123", "", "2026-06-14T15:00:00Z", defer("SUNDAY-BAN", "2026-06-15T13:00:00Z")},
      {"RI Sunday", "+14015550123", "", "2026-06-14T15:00:00Z", defer("SUNDAY-BAN", "2026-06-15T13:00:00Z")},
      {"UT Sunday", "+18015550123", "", "2026-06-14T16:00:00Z", defer("SUNDAY-BAN", "2026-06-15T14:00:00Z")},
      {"AL Sunday human dial", "+12055550123", "", "2026-06-14T15:00:00Z", allow()},
      {"NY Sunday", "+12125550123", "", "2026-06-14T15:00:00Z", allow()},
      {"NY number LA resident", "+12125550123", "LA", "2026-06-14T15:00:00Z", defer("SUNDAY-BAN", "2026-06-15T12:00:00Z")},
  };
  for (const StateCase& c : cases) run(c);
  // AL bans automated calls only.
  run({"AL Sunday autodialed", "+12055550123", "", "2026-06-14T15:00:00Z",
       defer("SUNDAY-BAN", "2026-06-15T13:00:00Z")},
      true);
}

TEST(GateStateTest, UtahSundayAndHolidayWaivedByExpressConsent) {
  AttemptFacts f = base("+18015550123", "2026-06-14T16:00:00Z");
  ConsentRecord c;
  c.type = ConsentType::kPriorExpress;
  c.granted_at = testing::T("2026-01-01T00:00:00Z");
  f.consents.push_back(c);
  testing::expect_decision(testing::gate().evaluate(f), allow(), "UT Sunday with consent");
  f.at = testing::T("2026-07-24T16:00:00Z");  // Pioneer Day
  testing::expect_decision(testing::gate().evaluate(f), allow(), "UT Pioneer Day with consent");
}

TEST(GateStateTest, HolidayBan) {
  const StateCase cases[] = {
      // July 4 2026 is a Saturday: Friday 07-03 is observed; both days are skipped.
      {"PA Jul 3", "+12155550123", "", "2026-07-03T14:00:00Z", defer("HOLIDAY-BAN", "2026-07-05T12:00:00Z")},
      {"AL Jul 3", "+12055550123", "", "2026-07-03T15:00:00Z", defer("HOLIDAY-BAN", "2026-07-05T13:00:00Z")},
      {"UT Pioneer Day", "+18015550123", "", "2026-07-24T16:00:00Z", defer("HOLIDAY-BAN", "2026-07-25T14:00:00Z")},
      {"LA Mardi Gras", "+15045550123", "", "2026-02-17T16:00:00Z", defer("HOLIDAY-BAN", "2026-02-18T14:00:00Z")},
      // RI Victory Day Monday 2026-08-10 -> Tuesday 09:00 EDT.
      {"RI Victory Day", "+14015550123", "", "2026-08-10T14:00:00Z", defer("HOLIDAY-BAN", "2026-08-11T13:00:00Z")},
      {"PA Election Day", "+12155550123", "", "2026-11-03T15:00:00Z", defer("HOLIDAY-BAN", "2026-11-04T13:00:00Z")},
      {"MS Christmas (repealed)", "+16015550123", "", "2026-12-25T16:00:00Z", allow()},
      {"NY Christmas", "+12125550123", "", "2026-12-25T16:00:00Z", allow()},
      // LA Good Friday 2026-04-03 -> Saturday.
      {"LA Good Friday", "+15045550123", "", "2026-04-03T15:00:00Z", defer("HOLIDAY-BAN", "2026-04-04T13:00:00Z")},
  };
  for (const StateCase& c : cases) run(c);
}

AttemptFacts freq_facts(const char* phone, const char* at, std::initializer_list<const char*> priors,
                        Channel prior_channel = Channel::kVoice, const char* prior_subject = "promo") {
  AttemptFacts f = testing::marketing(phone, at);
  f.subject = "promo";
  for (const char* p : priors) f.prior_attempts.push_back(PriorAttempt{testing::T(p), prior_channel, prior_subject});
  return f;
}

TEST(GateStateTest, FloridaRolling24h) {
  // Three calls on the same subject: the 4th waits until the oldest ages out (13:00Z next day).
  testing::expect_decision(
      testing::gate().evaluate(freq_facts("+13055550123", "2026-06-10T18:00:00Z",
                                          {"2026-06-10T13:00:00Z", "2026-06-10T15:00:00Z", "2026-06-10T17:00:00Z"})),
      defer("FL-FREQ", "2026-06-11T13:00:00Z"), "FL 4th call");
  // Two calls: allowed.
  testing::expect_decision(
      testing::gate().evaluate(
          freq_facts("+13055550123", "2026-06-10T18:00:00Z", {"2026-06-10T15:00:00Z", "2026-06-10T17:00:00Z"})),
      allow(), "FL 3rd call");
  // Exactly 24 h after the oldest: it no longer counts.
  testing::expect_decision(
      testing::gate().evaluate(freq_facts("+13055550123", "2026-06-11T13:00:00Z",
                                          {"2026-06-10T13:00:00Z", "2026-06-10T15:00:00Z", "2026-06-10T17:00:00Z"})),
      allow(), "FL at expiry");
  // Oldest ages out at 19:30 EDT the next day, inside the window: exactly then.
  testing::expect_decision(
      testing::gate().evaluate(freq_facts("+13055550123", "2026-06-11T12:00:00Z",
                                          {"2026-06-10T23:30:00Z", "2026-06-10T23:40:00Z", "2026-06-10T23:50:00Z"})),
      defer("FL-FREQ", "2026-06-11T23:30:00Z"), "FL ages out in window");
  // Ages out after FL's 20:00 end: next morning 08:00.
  testing::expect_decision(
      testing::gate().evaluate(freq_facts("+13055550123", "2026-06-11T12:00:00Z",
                                          {"2026-06-11T00:10:00Z", "2026-06-11T00:20:00Z", "2026-06-11T00:30:00Z"})),
      defer("FL-FREQ", "2026-06-12T12:00:00Z"), "FL ages out after window");
  // Other subject, or texts (FL counts calls): not counted.
  testing::expect_decision(
      testing::gate().evaluate(freq_facts("+13055550123", "2026-06-10T18:00:00Z",
                                          {"2026-06-10T13:00:00Z", "2026-06-10T15:00:00Z", "2026-06-10T17:00:00Z"},
                                          Channel::kVoice, "other")),
      allow(), "FL other subject");
  testing::expect_decision(
      testing::gate().evaluate(freq_facts("+13055550123", "2026-06-10T18:00:00Z",
                                          {"2026-06-10T13:00:00Z", "2026-06-10T15:00:00Z", "2026-06-10T17:00:00Z"},
                                          Channel::kSms)),
      allow(), "FL texts not counted");
}

TEST(GateStateTest, OklahomaAndMarylandCaps) {
  testing::expect_decision(
      testing::gate().evaluate(freq_facts("+14055550123", "2026-06-10T18:00:00Z",
                                          {"2026-06-10T14:00:00Z", "2026-06-10T15:00:00Z", "2026-06-10T16:00:00Z"})),
      defer("OK-FREQ", "2026-06-11T14:00:00Z"), "OK 4th call");
  // MD counts texts too.
  testing::expect_decision(
      testing::gate().evaluate(freq_facts("+14105550123", "2026-06-10T18:00:00Z",
                                          {"2026-06-10T14:00:00Z", "2026-06-10T15:00:00Z", "2026-06-10T16:00:00Z"},
                                          Channel::kSms)),
      defer("MD-FREQ", "2026-06-11T14:00:00Z"), "MD texts count");
  // NY has no cap.
  testing::expect_decision(
      testing::gate().evaluate(freq_facts("+12125550123", "2026-06-10T18:00:00Z",
                                          {"2026-06-10T14:00:00Z", "2026-06-10T15:00:00Z", "2026-06-10T16:00:00Z"})),
      allow(), "NY no cap");
}

}  // namespace
}  // namespace outdial::compliance
