#include "outdial/telephony/telnyx/script_lookup.hpp"

#include <gtest/gtest.h>

#include "testing/in_memory_database.hpp"

namespace outdial::telephony::telnyx {
namespace {

// After a restart the registry is empty: the script comes back from the stores named by the
// webhook's client_state.
TEST(StoreScriptLookup, RebuildsTheScriptFromAttemptCampaignAndTenant) {
  outdial::testing::InMemoryDatabase db;
  const TimePoint t0 = from_epoch_ms(1'790'000'000'000);
  auto tenant = db.tenants().create_tenant(Tenant{0, "Sunburst Dental", "US", true, "", t0});
  ASSERT_TRUE(tenant);
  Campaign c;
  c.tenant_id = tenant->id;
  c.name = "c";
  c.script = "We are calling about your check-up.";
  c.voicemail_text = "Please call us back.";
  c.agent_number = "+15559990000";
  c.caller_id = "+15550001111";
  c.record_calls = true;
  auto campaign = db.campaigns().create_campaign(c);
  ASSERT_TRUE(campaign);
  CallAttempt a;
  a.tenant_id = tenant->id;
  a.campaign_id = campaign->id;
  a.contact_id = 1;
  a.idempotency_key = std::to_string(campaign->id) + ":1:1";
  a.from_number = "+15550001111";
  a.to_number = "+16465551234";
  a.created_at = t0;
  auto attempt = db.calls().create_attempt(a);
  ASSERT_TRUE(attempt);

  auto lookup = store_script_lookup(db.calls(), db.campaigns(), db.tenants());
  ClientState cs;
  cs.idempotency_key = a.idempotency_key;
  cs.attempt_id = attempt->id;
  cs.tenant_id = tenant->id;
  cs.campaign_id = campaign->id;
  cs.machine_detection = true;
  auto s = lookup(cs);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->machine_detection);
  EXPECT_EQ(s->flow.agent_number, "+15559990000");
  EXPECT_EQ(s->flow.connect_caller_id, "+15550001111");
  ASSERT_FALSE(s->flow.greeting.empty());
  EXPECT_EQ(s->flow.greeting[0].value, "This call is recorded.");
  EXPECT_NE(s->flow.greeting[1].value.find("Sunburst Dental"), std::string::npos);

  ClientState wrong_key = cs;
  wrong_key.idempotency_key = "9:9:9";  // a client_state that does not match the attempt
  EXPECT_FALSE(lookup(wrong_key));
  ClientState unknown = cs;
  unknown.attempt_id = 999;
  EXPECT_FALSE(lookup(unknown));
}

}  // namespace
}  // namespace outdial::telephony::telnyx
