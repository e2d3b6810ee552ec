#pragma once
// Field-by-field equality of two call attempts, for tests that round-trip one through a store or
// a file (header-only: any test target that can include core can use it).
#include <gtest/gtest.h>

#include "outdial/core/call.hpp"

namespace outdial::testing {

inline void expect_same_attempt(const CallAttempt& a, const CallAttempt& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.tenant_id, b.tenant_id);
  EXPECT_EQ(a.campaign_id, b.campaign_id);
  EXPECT_EQ(a.contact_id, b.contact_id);
  EXPECT_EQ(a.attempt_number, b.attempt_number);
  EXPECT_EQ(a.idempotency_key, b.idempotency_key);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.provider, b.provider);
  EXPECT_EQ(a.provider_call_id, b.provider_call_id);
  EXPECT_EQ(a.from_number, b.from_number);
  EXPECT_EQ(a.to_number, b.to_number);
  EXPECT_EQ(a.digits, b.digits);
  EXPECT_EQ(a.answered_by_machine, b.answered_by_machine);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.dialed_at, b.dialed_at);
  EXPECT_EQ(a.answered_at, b.answered_at);
  EXPECT_EQ(a.ended_at, b.ended_at);
  EXPECT_EQ(a.failure_reason, b.failure_reason);
}

}  // namespace outdial::testing
