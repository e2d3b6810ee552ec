// app::AccountPacers, the dialer's PacerDirectory over the account store (issue #3 §3), on a real
// SQLite file: which account's pacer governs a call from a From number, each pacer built from the
// account's stored limits and kept (a change of the limits reaches the same pacer), and the
// pacers a campaign's calls may use for each caller-ID strategy.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>

#include "outdial/accounts/caller_id_selector.hpp"
#include "outdial/app/account_pacers.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "testing/provider_limits.hpp"

namespace outdial::app {
namespace {

const TimePoint kT0 = from_epoch_ms(1'790'000'000'000);

using outdial::testing::limits;

class AccountPacersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char buf[] = "/tmp/outdial_account_pacers_XXXXXX";
    close(mkstemp(buf));
    path_ = buf;
    db_ = std::move(storage::sqlite::SqliteDatabase::open(path_)).value();
    tenant_ = db_->tenants().create_tenant(Tenant{0, "acme", "US", true, "", kT0})->id;
    other_tenant_ = db_->tenants().create_tenant(Tenant{0, "globex", "US", true, "", kT0})->id;
    list_ = db_->contacts().create_list(ContactList{0, tenant_, "leads", kT0})->id;
    twilio_ = account(tenant_, "twilio", ProviderKind::kTwilio, limits(1, 0, 0, 2));
    telnyx_ = account(tenant_, "telnyx", ProviderKind::kTelnyx, limits(0, 5, 5, 3));
    sim_ = account(tenant_, "sim", ProviderKind::kSim, {});
    other_ = account(other_tenant_, "twilio", ProviderKind::kTwilio, limits(4, 0, 0, 4));
    // Accounts of a real carrier that are active place their own calls here.
    pacers_ = std::make_unique<AccountPacers>(
        db_->accounts(), clock_,
        [](const ProviderAccount& a) { return a.provider != ProviderKind::kSim && a.status == AccountStatus::kActive; },
        accounts::PacerOptions{}, std::chrono::seconds(5));
  }
  void TearDown() override {
    pacers_.reset();
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }

  ProviderAccountId account(TenantId tenant, const std::string& name, ProviderKind kind, ProviderLimits l) {
    ProviderAccount a;
    a.tenant_id = tenant;
    a.provider = kind;
    a.name = name;
    a.account_sid = "AC" + name;
    a.limits = l;
    a.created_at = kT0;
    auto created = db_->accounts().create_account(a);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created->id;
  }
  PhoneNumber add(const std::string& e164, ProviderAccountId account, TenantId tenant = 0) {
    PhoneNumber n;
    n.tenant_id = tenant == 0 ? tenant_ : tenant;
    n.account_id = account;
    n.e164 = e164;
    auto where = accounts::locate_us_number(e164);
    n.area_code = where->area_code;
    n.state = where->state;
    n.created_at = kT0;
    auto added = db_->accounts().add_number(n);
    EXPECT_TRUE(added.ok()) << added.error().message;
    return *added;
  }
  Campaign campaign(const std::string& name, const std::string& caller_id) {
    Campaign c;
    c.tenant_id = tenant_;
    c.name = name;
    c.list_id = list_;
    c.caller_id = caller_id;
    c.created_at = kT0;
    return *db_->campaigns().create_campaign(c);
  }
  void policy(const Campaign& c, CallerIdStrategy s, const std::string& static_number = "",
              const std::string& default_number = "") {
    CallerIdPolicy p;
    p.tenant_id = c.tenant_id;
    p.campaign_id = c.id;
    p.strategy = s;
    p.static_number = static_number;
    p.default_number = default_number;
    p.updated_at = kT0;
    ASSERT_TRUE(db_->accounts().set_caller_id_policy(p).ok());
  }
  accounts::Pacer* for_call(const std::string& from, TenantId tenant = 0) {
    auto p = pacers_->pacer_for_call(tenant == 0 ? tenant_ : tenant, from);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return p.ok() ? *p : nullptr;
  }
  std::vector<accounts::Pacer*> for_campaign(const Campaign& c) {
    auto p = pacers_->pacers_for_campaign(c);
    EXPECT_TRUE(p.ok()) << p.error().message;
    auto out = p.ok() ? *p : std::vector<accounts::Pacer*>{};
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<accounts::Pacer*> sorted(std::vector<accounts::Pacer*> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
  void set_limits(TenantId tenant, ProviderAccountId id, ProviderLimits l) {
    auto a = db_->accounts().get_account(tenant, id);
    ASSERT_TRUE(a.ok());
    a->limits = l;
    ASSERT_TRUE(db_->accounts().update_account(*a).ok());
  }

  ManualClock clock_{kT0};
  std::string path_;
  std::unique_ptr<storage::Database> db_;
  TenantId tenant_ = 0, other_tenant_ = 0;
  ListId list_ = 0;
  ProviderAccountId twilio_ = 0, telnyx_ = 0, sim_ = 0, other_ = 0;
  std::unique_ptr<AccountPacers> pacers_;
};

TEST_F(AccountPacersTest, ACallFromAnAccountsNumberIsPacedByThatAccountsLimits) {
  add("+12125550100", twilio_);
  add("+12125550101", twilio_);
  add("+14155550100", telnyx_);
  add("+13055550100", sim_);
  add("+17185550100", other_, other_tenant_);
  accounts::Pacer* tw = for_call("+12125550100");
  ASSERT_NE(tw, nullptr);
  EXPECT_EQ(tw->limits(), limits(1, 0, 0, 2));
  EXPECT_EQ(for_call("+12125550101"), tw);  // one pacer per account, shared by its numbers
  EXPECT_EQ(pacers_->pacer_of(twilio_), tw);
  accounts::Pacer* tx = for_call("+14155550100");
  ASSERT_NE(tx, nullptr);
  EXPECT_NE(tx, tw);
  EXPECT_EQ(tx->limits(), limits(0, 5, 5, 3));
  // The install's account (nullptr): an account that does not place its own calls, a number that
  // is not the tenant's (another tenant's, or a configured caller ID), no tenant or no From.
  EXPECT_EQ(for_call("+13055550100"), nullptr);
  EXPECT_EQ(for_call("+17185550100"), nullptr);
  EXPECT_EQ(for_call("+15550001111"), nullptr);
  EXPECT_EQ(for_call(""), nullptr);
  accounts::Pacer* theirs = for_call("+17185550100", other_tenant_);  // its own tenant's call
  EXPECT_NE(theirs, nullptr);
  EXPECT_EQ(theirs, pacers_->pacer_of(other_));
  EXPECT_EQ(pacers_->pacer_of(sim_), nullptr);
}

TEST_F(AccountPacersTest, ChangedLimitsReachTheSamePacerKeepingItsCallsInFlight) {
  add("+12125550100", twilio_);
  accounts::Pacer* tw = for_call("+12125550100");
  ASSERT_NE(tw, nullptr);
  ASSERT_TRUE(tw->try_acquire(kT0));
  set_limits(tenant_, twilio_, limits(5, 0, 0, 10));
  EXPECT_EQ(for_call("+12125550100"), tw);  // the same pacer: a call's slot goes back to it
  EXPECT_EQ(tw->limits(), limits(5, 0, 0, 10));
  EXPECT_EQ(tw->in_flight(), 1);
  EXPECT_TRUE(tw->try_acquire(kT0));  // 5 per second now
  // Disabled: its calls go out through the install's account (its pacer is kept for the calls
  // still holding its slots).
  auto a = db_->accounts().get_account(tenant_, twilio_);
  a->status = AccountStatus::kDisabled;
  ASSERT_TRUE(db_->accounts().update_account(*a).ok());
  EXPECT_EQ(for_call("+12125550100"), nullptr);
  tw->release();
  EXPECT_EQ(tw->in_flight(), 1);
}

TEST_F(AccountPacersTest, TheCampaignsPacersFollowItsCallerIdStrategy) {
  add("+12125550100", twilio_);
  const auto telnyx_ny = add("+17185550100", telnyx_);
  add("+13055550100", sim_);
  accounts::Pacer* tw = for_call("+12125550100");
  accounts::Pacer* tx = for_call("+17185550100");
  // No policy: the campaign's caller ID.
  EXPECT_EQ(for_campaign(campaign("plain", "+12125550100")), std::vector<accounts::Pacer*>{tw});
  EXPECT_EQ(for_campaign(campaign("configured", "+15550001111")), std::vector<accounts::Pacer*>{nullptr});
  // Static and dedicated: that number's account.
  const Campaign fixed = campaign("static", "+15550001111");
  policy(fixed, CallerIdStrategy::kStatic, "+17185550100");
  EXPECT_EQ(for_campaign(fixed), std::vector<accounts::Pacer*>{tx});
  const Campaign own = campaign("dedicated", "+15550001111");
  policy(own, CallerIdStrategy::kDedicated);
  EXPECT_TRUE(for_campaign(own).empty());  // no dedicated number yet: no call can be placed
  ASSERT_TRUE(db_->accounts().dedicate_number(tenant_, telnyx_ny.id, own.id, "Reactivation_Nov2026_Acme").ok());
  clock_.advance(std::chrono::seconds(5));  // past the cached answer
  EXPECT_EQ(for_campaign(own), std::vector<accounts::Pacer*>{tx});
  // Local presence: every account holding an active number (the sim account's calls go out
  // through the install's), and the default number's.
  const Campaign local = campaign("local", "+15550001111");
  policy(local, CallerIdStrategy::kLocalPresence, "", "+12125550100");
  EXPECT_EQ(for_campaign(local), sorted({tw, tx, nullptr}));
}

TEST_F(AccountPacersTest, ACampaignsPacersAreCachedForTheRefreshInterval) {
  add("+12125550100", twilio_);
  const Campaign local = campaign("local", "+15550001111");
  policy(local, CallerIdStrategy::kLocalPresence);
  accounts::Pacer* tw = for_call("+12125550100");
  EXPECT_EQ(for_campaign(local), std::vector<accounts::Pacer*>{tw});
  add("+14155550100", telnyx_);
  clock_.advance(std::chrono::seconds(4));
  EXPECT_EQ(for_campaign(local), std::vector<accounts::Pacer*>{tw});  // cached
  clock_.advance(std::chrono::seconds(1));
  const auto refreshed = for_campaign(local);
  EXPECT_NE(pacers_->pacer_of(telnyx_), nullptr);
  EXPECT_EQ(refreshed, sorted({tw, pacers_->pacer_of(telnyx_)}));
  // A refresh also brings each listed pacer's limits up to date.
  set_limits(tenant_, twilio_, limits(7, 0, 0, 7));
  clock_.advance(std::chrono::seconds(5));
  (void)for_campaign(local);
  EXPECT_EQ(tw->limits(), limits(7, 0, 0, 7));
}

}  // namespace
}  // namespace outdial::app
