#pragma once
#include <gtest/gtest.h>

#include <memory>

#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/dialer/facts_builder.hpp"
#include "testing/fake_gate.hpp"
#include "testing/fake_provider.hpp"
#include "testing/in_memory_database.hpp"

namespace outdial::dialer {

inline const TimePoint kT0 = from_epoch_ms(1'790'000'000'000);  // a fixed instant

// Tenant + staff actor + a list of n contacts + a draft campaign, on in-memory stores.
struct DialerFixture : ::testing::Test {
  testing::InMemoryDatabase db;
  ManualClock clock{kT0};
  Actor staff;
  Actor viewer;
  ListId list = 0;
  std::unique_ptr<CampaignServiceImpl> service;

  void SetUp() override {
    auto t = db.tenants().create_tenant(Tenant{0, "acme", "US", true, "", kT0});
    staff = Actor{1, t->id, Role::kOperatorStaff, "user:1"};
    viewer = Actor{2, t->id, Role::kClientViewer, "user:2"};
    list = db.contacts().create_list(ContactList{0, t->id, "leads", kT0})->id;
    service = std::make_unique<CampaignServiceImpl>(db.campaigns(), db.contacts(), db.calls(), db.audit(), clock);
  }
  void add_contacts(int n) {
    std::vector<Contact> cs;
    for (int i = 0; i < n; ++i) {
      Contact c;
      c.tenant_id = staff.tenant_id;
      c.list_id = list;
      c.phone_e164 = "+1212555" + std::to_string(1000 + i);
      cs.push_back(c);
    }
    ASSERT_TRUE(db.contacts().insert_batch(cs));
  }
  Campaign draft() const {
    Campaign c;
    c.name = "Reactivation_Nov2026_Acme";
    c.script = "Hello from Acme";
    c.list_id = list;
    c.caller_id = "+15550001111";
    c.lines = 5;
    c.max_concurrency = 5;
    c.calls_per_minute = 30;
    c.min_spacing_minutes = 0;
    return c;
  }
  Campaign make_active(Campaign c) {
    auto created = service->create(staff, c);
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    auto active = service->activate(staff, created->id);
    EXPECT_TRUE(active);
    return *active;
  }
  CallerIdDirectory caller_ids() const { return CallerIdDirectory{{{staff.tenant_id, {"+15550001111"}}}}; }
};

}  // namespace outdial::dialer
