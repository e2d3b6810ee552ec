#include "outdial/app/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <initializer_list>
#include <utility>
#include <vector>

namespace outdial::app {
namespace {

// Environment variables are process-wide: each test sets what it reads and clears it after.
struct EnvGuard {
  explicit EnvGuard(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [k, v] : vars) {
      names.push_back(k);
      ::setenv(k, v, 1);
    }
  }
  ~EnvGuard() {
    for (const char* k : names) ::unsetenv(k);
  }
  std::vector<const char*> names;
};

TEST(ConfigEnvironment, PacingLimitsAndThreadsForAWebhookCarrier) {
  EnvGuard env{{"OUTDIAL_PROVIDER", "twilio"}, {"OUTDIAL_PACE_CPS", "25"}, {"OUTDIAL_PACE_MAX_CONCURRENCY", "40"}};
  Config c;
  ASSERT_TRUE(apply_environment(c).ok());
  EXPECT_EQ(c.provider, "twilio");
  EXPECT_EQ(c.pace_cps, 25);
  EXPECT_EQ(c.pace_max_concurrency, 40);
  EXPECT_EQ(c.pace_window_seconds, -1);  // unset: the provider's default
  EXPECT_EQ(c.http_threads, 64);         // webhooks need threads to share a commit
}

TEST(ConfigEnvironment, SimKeepsFewThreadsUnlessTold) {
  {
    Config c;
    ASSERT_TRUE(apply_environment(c).ok());
    EXPECT_EQ(c.http_threads, 2);
  }
  EnvGuard env{{"OUTDIAL_HTTP_THREADS", "8"}};
  Config c;
  ASSERT_TRUE(apply_environment(c).ok());
  EXPECT_EQ(c.http_threads, 8);
}

TEST(ConfigEnvironment, AMalformedNumberNamesTheVariableInsteadOfDisablingPacing) {
  for (const char* bad : {"25x", " ", "-5", "1e3", "9999999"}) {
    EnvGuard env{{"OUTDIAL_PACE_CPS", bad}};
    Config c;
    auto st = apply_environment(c);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(st.error().details.at("variable"), "OUTDIAL_PACE_CPS");
    EXPECT_NE(st.error().message.find(bad), std::string::npos);
  }
  EnvGuard env{{"OUTDIAL_HTTP_THREADS", "0"}};
  Config c;
  EXPECT_FALSE(apply_environment(c).ok());  // at least one thread
}

TEST(ConfigEnvironment, HeapHugePagesOnUnlessTurnedOffAndAnythingElseIsRefused) {
  {
    Config c;
    ASSERT_TRUE(apply_environment(c).ok());
    EXPECT_TRUE(c.heap_huge_pages);
  }
  for (const char* off : {"0", "off", "false"}) {
    EnvGuard env{{"OUTDIAL_HEAP_HUGE_PAGES", off}};
    Config c;
    ASSERT_TRUE(apply_environment(c).ok()) << off;
    EXPECT_FALSE(c.heap_huge_pages) << off;
  }
  for (const char* on : {"1", "on", "true"}) {
    EnvGuard env{{"OUTDIAL_HEAP_HUGE_PAGES", on}};
    Config c;
    c.heap_huge_pages = false;
    ASSERT_TRUE(apply_environment(c).ok()) << on;
    EXPECT_TRUE(c.heap_huge_pages) << on;
  }
  EnvGuard env{{"OUTDIAL_HEAP_HUGE_PAGES", "no thanks"}};
  Config c;
  auto st = apply_environment(c);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().details.at("variable"), "OUTDIAL_HEAP_HUGE_PAGES");
  EXPECT_NE(st.error().message.find("no thanks"), std::string::npos);
}

}  // namespace
}  // namespace outdial::app
