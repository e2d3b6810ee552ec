#pragma once
// Shared fixture and seed data for the store conformance suite.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "unit/storage/store_factories.hpp"

namespace outdial::storage::testing {

inline const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);  // 2027-01-15T08:00:00Z

inline TimePoint at_s(std::int64_t seconds) { return kT0 + std::chrono::seconds(seconds); }

template <typename Factory>
class StoreConformance : public ::testing::Test {
 protected:
  void SetUp() override { db_ = factory_.create(); }

  Database& db() { return *db_; }

  Tenant seed_tenant(const std::string& name) {
    Tenant t;
    t.name = name;
    t.default_region = "US";
    t.us_only = true;
    t.help_text = "Reply STOP to opt out";
    t.created_at = kT0;
    return must(db().tenants().create_tenant(t), "create_tenant");
  }

  ContactList seed_list(TenantId tenant, const std::string& name) {
    ContactList l;
    l.tenant_id = tenant;
    l.name = name;
    l.created_at = kT0;
    return must(db().contacts().create_list(l), "create_list");
  }

  static Contact make_contact(TenantId tenant, ListId list, int n) {
    Contact c;
    c.tenant_id = tenant;
    c.list_id = list;
    c.phone_e164 = "+1415555" + std::to_string(1'000'000 + n).substr(1);
    c.first_name = "First" + std::to_string(n);
    c.last_name = "Last";
    c.created_at = kT0;
    return c;
  }

  // Inserts n contacts; returns them with ids (in insertion order).
  std::vector<Contact> seed_contacts(TenantId tenant, ListId list, int n) {
    std::vector<Contact> batch;
    for (int i = 0; i < n; ++i) batch.push_back(make_contact(tenant, list, i));
    must(db().contacts().insert_batch(batch), "insert_batch");
    return must(db().contacts().list_contacts(tenant, list, 0, n + 1), "list_contacts").items;
  }

  Campaign seed_campaign(TenantId tenant, ListId list, CampaignStatus status = CampaignStatus::kActive) {
    Campaign c;
    c.tenant_id = tenant;
    c.name = "Spring reactivation";
    c.list_id = list;
    c.status = status;
    c.caller_id = "+14155550000";
    c.created_at = kT0;
    return must(db().campaigns().create_campaign(c), "create_campaign");
  }

  // A tenant, a list with n contacts, an active campaign targeting them (eligible at kT0).
  struct World {
    Tenant tenant;
    ContactList list;
    std::vector<Contact> contacts;
    Campaign campaign;
  };
  World seed_world(int n, const std::string& tenant_name = "acme") {
    World w;
    w.tenant = seed_tenant(tenant_name);
    w.list = seed_list(w.tenant.id, "main");
    w.contacts = seed_contacts(w.tenant.id, w.list.id, n);
    w.campaign = seed_campaign(w.tenant.id, w.list.id);
    must(db().campaigns().add_targets_from_list(w.campaign.id, w.list.id, kT0), "add_targets_from_list");
    return w;
  }

  Factory factory_;
  std::unique_ptr<Database> db_;
};

}  // namespace outdial::storage::testing
