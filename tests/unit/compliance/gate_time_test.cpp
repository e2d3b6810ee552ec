// FED-TIME, TZ-ALLZONES across DST days and multi-zone area codes.
#include <atomic>
#include <thread>
#include <vector>

#include "gate_test_util.hpp"

namespace outdial::compliance {
namespace {

using testing::base;
using testing::defer;
using testing::Expect;
using testing::T;

struct TimeCase {
  const char* label;
  const char* phone;
  const char* stated_zone;
  const char* at;
  Expect expect;
};

void run(const TimeCase& c) {
  AttemptFacts f = base(c.phone, c.at);
  f.stated_timezone = c.stated_zone;
  testing::expect_decision(testing::gate().evaluate(f), c.expect, c.label);
}

// 2026-03-08 (spring forward) and 2026-11-01 (fall back) are Sundays; the states below have no
// Sunday ban and no state window stricter than 08:00, so only FED-TIME applies.
TEST(GateTimeTest, DstDaysInEveryZone) {
  const TimeCase cases[] = {
      // America/New_York (NY 212)
      {"ET spring 08:30 EDT", "+12125550123", "", "2026-03-08T12:30:00Z", testing::allow()},
      {"ET spring 07:59 EDT", "+12125550123", "", "2026-03-08T11:59:00Z", defer("FED-TIME", "2026-03-08T12:00:00Z")},
      {"ET fall 08:30 EST", "+12125550123", "", "2026-11-01T13:30:00Z", testing::allow()},
      {"ET fall 07:59 EST", "+12125550123", "", "2026-11-01T12:59:00Z", defer("FED-TIME", "2026-11-01T13:00:00Z")},
      {"ET fall 07:30 EDT-clock", "+12125550123", "", "2026-11-01T12:30:00Z", defer("FED-TIME", "2026-11-01T13:00:00Z")},
      // America/Chicago (IL 312)
      {"CT spring 08:30 CDT", "+13125550123", "", "2026-03-08T13:30:00Z", testing::allow()},
      {"CT spring 07:59 CDT", "+13125550123", "", "2026-03-08T12:59:00Z", defer("FED-TIME", "2026-03-08T13:00:00Z")},
      {"CT fall 08:30 CST", "+13125550123", "", "2026-11-01T14:30:00Z", testing::allow()},
      {"CT fall 07:59 CST", "+13125550123", "", "2026-11-01T13:59:00Z", defer("FED-TIME", "2026-11-01T14:00:00Z")},
      // America/Denver (CO 303)
      {"MT spring 08:30 MDT", "+13035550123", "", "2026-03-08T14:30:00Z", testing::allow()},
      {"MT spring 07:59 MDT", "+13035550123", "", "2026-03-08T13:59:00Z", defer("FED-TIME", "2026-03-08T14:00:00Z")},
      {"MT fall 08:30 MST", "+13035550123", "", "2026-11-01T15:30:00Z", testing::allow()},
      {"MT fall 07:59 MST", "+13035550123", "", "2026-11-01T14:59:00Z", defer("FED-TIME", "2026-11-01T15:00:00Z")},
      // America/Los_Angeles (OR 503: no state window)
      {"PT spring 08:30 PDT", "+15035550123", "", "2026-03-08T15:30:00Z", testing::allow()},
      {"PT spring 07:59 PDT", "+15035550123", "", "2026-03-08T14:59:00Z", defer("FED-TIME", "2026-03-08T15:00:00Z")},
      {"PT fall 08:30 PST", "+15035550123", "", "2026-11-01T16:30:00Z", testing::allow()},
      {"PT fall 07:59 PST", "+15035550123", "", "2026-11-01T15:59:00Z", defer("FED-TIME", "2026-11-01T16:00:00Z")},
      // America/Phoenix (AZ 602): no DST, 08:00 MST = 15:00Z all year.
      {"AZ spring 07:59", "+16025550123", "", "2026-03-08T14:59:00Z", defer("FED-TIME", "2026-03-08T15:00:00Z")},
      {"AZ fall 08:00", "+16025550123", "", "2026-11-01T15:00:00Z", testing::allow()},
      // Pacific/Honolulu (808): UTC-10.
      {"HI 07:59", "+18085550123", "", "2026-11-01T17:59:00Z", defer("FED-TIME", "2026-11-01T18:00:00Z")},
      // Searches that cross the DST change overnight.
      {"ET Sat 21:30 EST -> Sun 08:00 EDT", "+12125550123", "", "2026-03-08T02:30:00Z",
       defer("FED-TIME", "2026-03-08T12:00:00Z")},
      {"ET Sat 22:00 EDT -> Sun 08:00 EST", "+12125550123", "", "2026-11-01T02:00:00Z",
       defer("FED-TIME", "2026-11-01T13:00:00Z")},
      // Window end is exclusive: 20:59:59 allowed, 21:00:00 deferred to 08:00 next day.
      {"ET 20:59:59", "+12125550123", "", "2026-06-11T00:59:59Z", testing::allow()},
      {"ET 21:00:00", "+12125550123", "", "2026-06-11T01:00:00Z", defer("FED-TIME", "2026-06-11T12:00:00Z")},
      {"ET 08:00:00", "+12125550123", "", "2026-06-10T12:00:00Z", testing::allow()},
  };
  for (const TimeCase& c : cases) run(c);
}

TEST(GateTimeTest, MultiZoneAndStatedZones) {
  // 2026-06-10 is a Wednesday (EDT = UTC-4, CDT = UTC-5, PDT = UTC-7).
  const TimeCase cases[] = {
      // 850 FL spans ET and CT: 08:30 EDT is 07:30 CDT -> wait until 08:00 CDT.
      {"850 ET ok CT early", "+18505550123", "", "2026-06-10T12:30:00Z", defer("TZ-ALLZONES", "2026-06-10T13:00:00Z")},
      {"850 both open", "+18505550123", "", "2026-06-10T13:00:00Z", testing::allow()},
      // 19:30 CDT = 20:30 EDT: FL's 20:00 end in ET -> next day 08:00 CDT.
      {"850 FL end in ET", "+18505550123", "", "2026-06-11T00:30:00Z", defer("TZ-ALLZONES", "2026-06-11T13:00:00Z")},
      // Stated zone fits the NPA: used alone.
      {"850 stated NY fits", "+18505550123", "America/New_York", "2026-06-10T12:30:00Z", testing::allow()},
      {"850 stated Chicago fits", "+18505550123", "America/Chicago", "2026-06-10T12:30:00Z",
       defer("FED-TIME", "2026-06-10T13:00:00Z")},
      // Stated zone does not fit: NPA zones + stated zone all apply.
      {"212 stated LA misfit", "+12125550123", "America/Los_Angeles", "2026-06-10T13:00:00Z",
       defer("TZ-ALLZONES", "2026-06-10T15:00:00Z")},
      {"212 stated Chicago misfit late", "+12125550123", "America/Chicago", "2026-06-11T00:30:00Z", testing::allow()},
      {"212 stated Denver misfit ET late", "+12125550123", "America/Denver", "2026-06-11T01:30:00Z",
       defer("TZ-ALLZONES", "2026-06-11T14:00:00Z")},
      // 208 ID (MT/PT): 08:30 MDT = 07:30 PDT.
      {"208 ID", "+12085550123", "", "2026-06-10T14:30:00Z", defer("TZ-ALLZONES", "2026-06-10T15:00:00Z")},
      // 928 AZ (Phoenix MST / Navajo MDT): 20:30 MST = 21:30 MDT.
      {"928 Navajo", "+19285550123", "", "2026-06-11T03:30:00Z", defer("TZ-ALLZONES", "2026-06-11T15:00:00Z")},
      // 907 AK (Anchorage AKDT -8 / Adak HDT -9): 08:30 AKDT = 07:30 HDT -> 08:00 HDT = 17:00Z.
      {"907 Adak", "+19075550123", "", "2026-06-10T16:30:00Z", defer("TZ-ALLZONES", "2026-06-10T17:00:00Z")},
      // Both zones closed: the plain rule id.
      {"850 both closed", "+18505550123", "", "2026-06-10T10:00:00Z", defer("FED-TIME", "2026-06-10T13:00:00Z")},
      // A stated zone outside the NPA table (resolved lazily) is still a candidate.
      {"212 stated London day", "+12125550123", "Europe/London", "2026-06-10T16:00:00Z", testing::allow()},
      {"212 stated London night", "+12125550123", "Europe/London", "2026-06-10T20:30:00Z",
       defer("TZ-ALLZONES", "2026-06-11T12:00:00Z")},
      // Territories.
      {"PR 07:59 AST", "+17875550123", "", "2026-06-10T11:59:00Z", defer("FED-TIME", "2026-06-10T12:00:00Z")},
      {"Guam 08:00 ChST", "+16715550123", "", "2026-06-09T22:00:00Z", testing::allow()},
  };
  for (const TimeCase& c : cases) run(c);
}

TEST(GateTimeTest, ReasonNamesZoneAndRule) {
  AttemptFacts f = base("+13125550123", "2026-06-11T02:05:00Z");  // 21:05 CDT
  const Decision d = testing::gate().evaluate(f);
  EXPECT_EQ(d.rule, "FED-TIME");
  EXPECT_NE(d.reason.find("21:05 in America/Chicago is after the federal 21:00 end (FED-TIME)"), std::string::npos)
      << d.reason;
  EXPECT_NE(d.reason.find("2026-06-11T13:00:00.000Z"), std::string::npos) << d.reason;
}

TEST(GateTimeTest, ConcurrentEvaluationWithLazyZones) {
  const char* zones[] = {"Asia/Tokyo", "Europe/Paris", "Australia/Sydney", "America/Sao_Paulo"};
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        AttemptFacts f = base("+12125550123", "2026-06-10T16:00:00Z");
        f.stated_timezone = zones[(t + i) % 4];
        const Decision d = testing::gate().evaluate(f);
        if (d.rule.empty()) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
  // 12:00 EDT is 01:00 in Tokyo: deferred until both allow (08:00 JST = 23:00Z = 19:00 EDT).
  AttemptFacts f = base("+12125550123", "2026-06-10T16:00:00Z");
  f.stated_timezone = "Asia/Tokyo";
  testing::expect_decision(testing::gate().evaluate(f), defer("TZ-ALLZONES", "2026-06-10T23:00:00Z"), "Tokyo");
}

TEST(GateTimeTest, AllowReasonIsConstant) {
  const Decision d = testing::gate().evaluate(base("+12125550123", "2026-06-10T15:00:00Z"));
  EXPECT_EQ(d.verdict, Verdict::kAllow);
  EXPECT_EQ(d.rule, "OK");
  EXPECT_EQ(d.reason, "allowed");
}

}  // namespace
}  // namespace outdial::compliance
