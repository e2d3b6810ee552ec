#pragma once
// What the caller-ID and account-pacing integration tests share: a real SQLite file, an
// injected clock at a Tuesday noon in New York, the real compliance gate and a fresh national
// registry copy, and helpers that seed tenants, provider accounts, their numbers, contacts with
// written AI consent, and active reactivation campaigns.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "outdial/accounts/caller_id_selector.hpp"
#include "outdial/compliance/rule_gate.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "testing/fake_registry.hpp"

namespace outdial::itest {

struct AccountFixture : ::testing::Test {
  std::string path;
  std::unique_ptr<storage::Database> db;
  TimePoint start;
  std::unique_ptr<ManualClock> clock;
  compliance::RuleGate gate;
  std::unique_ptr<testing::FakeRegistry> registry;

  void SetUp() override {
    char buf[] = "/tmp/outdial_accounts_itest_XXXXXX";
    close(mkstemp(buf));
    path = buf;
    open();
    ASSERT_TRUE(parse_iso8601("2026-11-24T17:00:00Z", start));  // Tuesday, 12:00 in New York
    clock = std::make_unique<ManualClock>(start);
    registry = std::make_unique<testing::FakeRegistry>(start - std::chrono::hours(24));
  }
  // (Re)opens the SQLite file: a restart.
  void open() {
    auto opened = storage::sqlite::SqliteDatabase::open(path);
    ASSERT_TRUE(opened);
    db = std::move(opened).value();
  }
  void TearDown() override {
    db.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }

  Actor tenant(const std::string& name) {
    auto t = db->tenants().create_tenant(Tenant{0, name, "US", true, "", start});
    EXPECT_TRUE(t);
    return Actor{1, t->id, Role::kOperatorAdmin, "user:1"};
  }
  ProviderAccountId account(TenantId t, ProviderKind kind = ProviderKind::kSim, ProviderLimits l = {}) {
    ProviderAccount a;
    a.tenant_id = t;
    a.provider = kind;
    a.name = std::string(to_string(kind)) + "-main";
    if (kind != ProviderKind::kSim) a.account_sid = "AC" + std::to_string(t);
    if (kind == ProviderKind::kTelnyx) a.connection_id = "conn-" + std::to_string(t);  // it can place calls
    a.limits = l;
    a.created_at = start;
    auto created = db->accounts().create_account(a);
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return created ? created->id : 0;
  }
  PhoneNumber number(TenantId t, ProviderAccountId acct, const std::string& e164,
                     NumberStatus status = NumberStatus::kActive) {
    PhoneNumber n;
    n.tenant_id = t;
    n.account_id = acct;
    n.e164 = e164;
    auto where = accounts::locate_us_number(e164);
    EXPECT_TRUE(where) << e164;
    n.area_code = where->area_code;
    n.state = where->state;
    n.created_at = start;
    auto added = db->accounts().add_number(n);
    EXPECT_TRUE(added) << (added ? "" : added.error().message);
    if (!added) return n;
    if (status != NumberStatus::kActive) {
      auto changed = db->accounts().set_number_status(t, added->id, status, "test", start);
      EXPECT_TRUE(changed);
      return *changed;
    }
    return *added;
  }
  // per_code contacts per area code, "+1<npa>555<tail + i>", each with written consent to AI calls.
  ListId contacts(const Actor& a, const std::vector<std::string>& area_codes, int per_code, int tail = 3000) {
    auto list = db->contacts().create_list(ContactList{0, a.tenant_id, "leads-" + std::to_string(tail), start});
    EXPECT_TRUE(list) << (list ? "" : list.error().message);
    std::vector<Contact> cs;
    for (const auto& npa : area_codes) {
      for (int i = 0; i < per_code; ++i) {
        Contact c;
        c.tenant_id = a.tenant_id;
        c.list_id = list->id;
        c.phone_e164 = "+1" + npa + "555" + std::to_string(tail + i);
        c.created_at = start;
        cs.push_back(c);
        ConsentRecord r;
        r.tenant_id = a.tenant_id;
        r.phone_e164 = c.phone_e164;
        r.type = ConsentType::kPriorExpressWritten;
        r.covers_artificial_voice = true;
        r.source = "web form";
        r.evidence = "form-" + c.phone_e164;
        r.granted_at = start - std::chrono::hours(24 * 30);
        EXPECT_TRUE(db->compliance().add_consent(r));
      }
    }
    EXPECT_TRUE(db->contacts().insert_batch(cs));
    return list->id;
  }
  // An AI reactivation campaign over `list`, created and activated by the tenant's admin;
  // `tweak` sets lines, pacing and retries before it is created.
  Campaign active_campaign(const Actor& a, ListId list, const std::string& caller_id,
                           const std::function<void(Campaign&)>& tweak) {
    dialer::CampaignServiceImpl service(db->campaigns(), db->contacts(), db->calls(), db->audit(), *clock);
    Campaign d;
    d.name = "Reactivation_Nov2026_" + std::to_string(a.tenant_id) + "_" + std::to_string(list);
    d.script = "Hi, this is Acme. Press 2 to opt out.";
    d.list_id = list;
    d.caller_id = caller_id;
    d.purpose = Purpose::kReactivation;
    d.voice = VoiceType::kAi;
    d.min_spacing_minutes = 0;
    tweak(d);
    auto created = service.create(a, d);
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    auto active = service.activate(a, created->id);
    EXPECT_TRUE(active);
    return active ? *active : d;
  }
  // The campaign picks a number of the contact's area code, else state, else `default_number`.
  void local_presence(const Campaign& c, const std::string& default_number) {
    CallerIdPolicy p;
    p.tenant_id = c.tenant_id;
    p.campaign_id = c.id;
    p.strategy = CallerIdStrategy::kLocalPresence;
    p.default_number = default_number;
    p.updated_at = start;
    ASSERT_TRUE(db->accounts().set_caller_id_policy(p));
  }
};

}  // namespace outdial::itest
