#include <gtest/gtest.h>

#include "emulator.hpp"

namespace outdial::tools::telnyx {
namespace {

TEST(EmulatorScript, ParsesNumbersAgentAndFaults) {
  auto s = parse_script(R"({
    "default": {"answer": "human", "ring_ms": 100},
    "numbers": {"+16465550001": {"digits": ["7", "2"]}, "+16465550002": {"answer": "machine", "greeting_ms": 50}},
    "agent": {"answers": false, "ring_ms": 20},
    "faults": {"duplicate_rate": 0.5, "out_of_order": true, "max_retries": 2, "rate_limit_first_dials": 1}
  })");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->default_callee.ring_ms, 100);
  const auto& a = s->numbers.at("+16465550001");
  EXPECT_EQ(a.ring_ms, 100);  // inherits the default
  ASSERT_EQ(a.digits.size(), 2u);
  EXPECT_EQ(a.digits[1], "2");
  EXPECT_EQ(s->numbers.at("+16465550002").answer, "machine");
  EXPECT_EQ(s->numbers.at("+16465550002").greeting_ms, 50);
  EXPECT_FALSE(s->agent.answers);
  EXPECT_DOUBLE_EQ(s->faults.duplicate_rate, 0.5);
  EXPECT_TRUE(s->faults.out_of_order);
  EXPECT_EQ(s->faults.max_retries, 2);
  EXPECT_EQ(s->faults.rate_limit_first_dials, 1);
}

TEST(EmulatorScript, BadInputNamesTheKey) {
  EXPECT_EQ(parse_script("[]").error().details.at("key"), "(root)");
  EXPECT_EQ(parse_script(R"({"numbers":{"+1":{"answer":"maybe"}}})").error().details.at("key"), "numbers.+1.answer");
  EXPECT_EQ(parse_script(R"({"default":{"ring_ms":-1}})").error().details.at("key"), "default.ring_ms");
  EXPECT_EQ(parse_script(R"({"faults":{"duplicate_rate":2}})").error().details.at("key"), "faults.duplicate_rate");
  EXPECT_EQ(parse_script(R"({"default":{"digits":5}})").error().details.at("key"), "default.digits");
}

}  // namespace
}  // namespace outdial::tools::telnyx
