#include <gtest/gtest.h>

#include "outdial/core/call.hpp"

namespace outdial {
namespace {

TEST(CallStateMachine, HappyPathHuman) {
  CallState s = CallState::kQueued;
  for (CallState next : {CallState::kDialing, CallState::kRinging, CallState::kAnsweredHuman,
                         CallState::kCompleted}) {
    auto r = transition(s, next);
    ASSERT_TRUE(r.ok()) << to_string(s) << " -> " << to_string(next);
    s = r.value();
  }
  EXPECT_EQ(s, CallState::kCompleted);
}

TEST(CallStateMachine, TerminalStatesNeverChange) {
  for (CallState t : {CallState::kCompleted, CallState::kBusy, CallState::kNoAnswer, CallState::kFailed,
                      CallState::kCanceled, CallState::kDropped}) {
    EXPECT_TRUE(is_terminal(t));
    for (int i = 0; i <= static_cast<int>(CallState::kDropped); ++i) {
      EXPECT_FALSE(can_transition(t, static_cast<CallState>(i))) << to_string(t);
    }
  }
}

TEST(CallStateMachine, RefusesIllegalTransitionsWithReason) {
  auto r = transition(CallState::kQueued, CallState::kAnsweredHuman);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.error().details.at("from"), "queued");
  EXPECT_EQ(r.error().details.at("to"), "answered_human");
  EXPECT_FALSE(can_transition(CallState::kRinging, CallState::kCompleted));  // must answer first
  EXPECT_FALSE(can_transition(CallState::kAnsweredHuman, CallState::kBusy));
  EXPECT_FALSE(can_transition(CallState::kDialing, CallState::kQueued));
}

TEST(CallStateMachine, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(CallState::kDropped); ++i) {
    auto s = static_cast<CallState>(i);
    EXPECT_EQ(parse_call_state(to_string(s)), s);
  }
  EXPECT_FALSE(parse_call_state("answered").has_value());
  EXPECT_EQ(state_for(CallEventKind::kDigits), std::nullopt);
  EXPECT_EQ(state_for(CallEventKind::kBusy), CallState::kBusy);
}

}  // namespace
}  // namespace outdial
