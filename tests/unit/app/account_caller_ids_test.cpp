// app::AccountCallerIds, the dialer's CallerIdSource over the account store (issue #3 §3), on a
// real SQLite file: each strategy's pick and what it says when nothing is usable, the ownership
// of a campaign's own caller ID without a policy, and the re-check of a stored From.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "outdial/accounts/caller_id_selector.hpp"
#include "outdial/app/account_caller_ids.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"

namespace outdial::app {
namespace {

const TimePoint kT0 = from_epoch_ms(1'790'000'000'000);

class AccountCallerIdsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char buf[] = "/tmp/outdial_account_caller_ids_XXXXXX";
    close(mkstemp(buf));
    path_ = buf;
    db_ = std::move(storage::sqlite::SqliteDatabase::open(path_)).value();
    tenant_ = db_->tenants().create_tenant(Tenant{0, "acme", "US", true, "", kT0})->id;
    other_tenant_ = db_->tenants().create_tenant(Tenant{0, "globex", "US", true, "", kT0})->id;
    list_ = db_->contacts().create_list(ContactList{0, tenant_, "leads", kT0})->id;
    ProviderAccount a;
    a.tenant_id = tenant_;
    a.name = "main";
    a.created_at = kT0;
    account_ = db_->accounts().create_account(a)->id;
    a.tenant_id = other_tenant_;
    other_account_ = db_->accounts().create_account(a)->id;
    campaign_ = make_campaign("one");
    other_campaign_ = make_campaign("two");
    ids_ = std::make_unique<AccountCallerIds>(db_->accounts(),
                                              dialer::CallerIdDirectory{{{tenant_, {"+15550001111"}}}});
  }
  void TearDown() override {
    ids_.reset();
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }

  Campaign make_campaign(const std::string& name) {
    Campaign c;
    c.tenant_id = tenant_;
    c.name = name;
    c.list_id = list_;
    c.caller_id = "+15550001111";
    c.created_at = kT0;
    return *db_->campaigns().create_campaign(c);
  }
  PhoneNumber add(const std::string& e164, TenantId tenant = 0) {
    PhoneNumber n;
    n.tenant_id = tenant == 0 ? tenant_ : tenant;
    n.account_id = tenant == 0 ? account_ : other_account_;
    n.e164 = e164;
    auto where = accounts::locate_us_number(e164);
    n.area_code = where->area_code;
    n.state = where->state;
    n.created_at = kT0;
    auto added = db_->accounts().add_number(n);
    EXPECT_TRUE(added.ok()) << added.error().message;
    return *added;
  }
  void set_status(const PhoneNumber& n, NumberStatus s) {
    ASSERT_TRUE(db_->accounts().set_number_status(n.tenant_id, n.id, s, "test", kT0).ok());
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
  Contact contact(const std::string& e164, const std::string& state = "") {
    Contact k;
    k.tenant_id = tenant_;
    k.phone_e164 = e164;
    k.state = state;
    return k;
  }
  dialer::CallerIdPick choose(const Campaign& c, const Contact& k) {
    auto pick = ids_->choose(c, k, kT0);
    EXPECT_TRUE(pick.ok()) << pick.error().message;
    return pick.ok() ? *pick : dialer::CallerIdPick{};
  }

  std::string path_;
  std::unique_ptr<storage::Database> db_;
  TenantId tenant_ = 0, other_tenant_ = 0;
  ListId list_ = 0;
  ProviderAccountId account_ = 0, other_account_ = 0;
  Campaign campaign_, other_campaign_;
  std::unique_ptr<AccountCallerIds> ids_;
};

TEST_F(AccountCallerIdsTest, WithoutAPolicyTheCampaignCallerIdIsOwnedIfConfiguredOrAnActiveNumber) {
  add("+12125550100");
  auto pick = choose(campaign_, contact("+14155551234"));
  EXPECT_EQ(pick.number, "+15550001111");
  EXPECT_TRUE(pick.owned);  // the configured directory
  EXPECT_EQ(pick.how, "campaign");

  Campaign own = campaign_;
  own.caller_id = "+12125550100";  // one of the tenant's numbers
  EXPECT_TRUE(choose(own, contact("+14155551234")).owned);
  Campaign foreign = campaign_;
  foreign.caller_id = "+13055550100";
  add("+13055550100", other_tenant_);  // another tenant's number
  EXPECT_FALSE(choose(foreign, contact("+14155551234")).owned);
  Campaign flagged = campaign_;
  flagged.caller_id = "+17185550100";
  set_status(add("+17185550100"), NumberStatus::kFlagged);
  EXPECT_FALSE(choose(flagged, contact("+14155551234")).owned);
}

TEST_F(AccountCallerIdsTest, LocalPresenceByAreaCodeStateThenDefault) {
  const auto sf = add("+14155550100");
  add("+12135550100");
  add("+12125550100");
  policy(campaign_, CallerIdStrategy::kLocalPresence, "", "+12125550100");
  EXPECT_EQ(choose(campaign_, contact("+14155551234")).number, sf.e164);
  auto by_state = choose(campaign_, contact("+13105551234"));  // 310: CA, no 310 number
  EXPECT_EQ(by_state.how, "state");
  EXPECT_TRUE(by_state.number == "+14155550100" || by_state.number == "+12135550100") << by_state.number;
  auto by_default = choose(campaign_, contact("+15125551234"));  // TX: none
  EXPECT_EQ(by_default.number, "+12125550100");
  EXPECT_EQ(by_default.how, "default");
  EXPECT_TRUE(by_default.owned);
  // A toll-free contact number has no area code of a state: the stated state is used.
  EXPECT_EQ(choose(campaign_, contact("+18005551234", "CA")).how, "state");
  // The same contact always gets the same number.
  EXPECT_EQ(choose(campaign_, contact("+13105551234")).number, by_state.number);
}

TEST_F(AccountCallerIdsTest, LocalPresenceSkipsFlaggedRetiredAndOtherCampaignsDedicatedNumbers) {
  const auto sf = add("+14155550100");
  const auto la = add("+12135550100");
  const auto sd = add("+16195550100");
  policy(campaign_, CallerIdStrategy::kLocalPresence);
  set_status(sf, NumberStatus::kFlagged);
  set_status(la, NumberStatus::kRetired);
  ASSERT_TRUE(db_->accounts().dedicate_number(tenant_, sd.id, other_campaign_.id, "Reactivation_Nov2026_Acme").ok());
  auto none = choose(campaign_, contact("+14155551234"));
  EXPECT_FALSE(none.owned);
  EXPECT_TRUE(none.number.empty());
  EXPECT_EQ(none.how, "local_presence");
  EXPECT_EQ(none.problem, "no active number in area code 415 or state CA and no default number");
  // Its own campaign may use it.
  policy(other_campaign_, CallerIdStrategy::kLocalPresence);
  EXPECT_EQ(choose(other_campaign_, contact("+14155551234")).number, sd.e164);
}

TEST_F(AccountCallerIdsTest, DedicatedAndStaticSayWhyTheirNumberIsNotUsable) {
  const auto n = add("+14155550100");
  policy(campaign_, CallerIdStrategy::kDedicated);
  auto missing = choose(campaign_, contact("+14155551234"));
  EXPECT_FALSE(missing.owned);
  EXPECT_NE(missing.problem.find("has no dedicated number"), std::string::npos) << missing.problem;
  ASSERT_TRUE(db_->accounts().dedicate_number(tenant_, n.id, campaign_.id, "Reactivation_Nov2026_Acme").ok());
  auto dedicated = choose(campaign_, contact("+12125551234"));
  EXPECT_EQ(dedicated.number, n.e164);
  EXPECT_EQ(dedicated.how, "dedicated");
  set_status(n, NumberStatus::kFlagged);
  auto flagged = choose(campaign_, contact("+12125551234"));
  EXPECT_FALSE(flagged.owned);
  EXPECT_NE(flagged.problem.find("is flagged"), std::string::npos) << flagged.problem;

  const auto s = add("+12125550100");
  policy(other_campaign_, CallerIdStrategy::kStatic, s.e164);
  EXPECT_EQ(choose(other_campaign_, contact("+14155551234")).number, s.e164);
  set_status(s, NumberStatus::kRetired);
  auto retired = choose(other_campaign_, contact("+14155551234"));
  EXPECT_FALSE(retired.owned);
  EXPECT_EQ(retired.number, s.e164);
  EXPECT_NE(retired.problem.find("does not own static caller ID"), std::string::npos) << retired.problem;
}

TEST_F(AccountCallerIdsTest, RecheckKeepsTheStoredFromWhileItIsStillUsable) {
  const auto n = add("+14155550100");
  policy(campaign_, CallerIdStrategy::kLocalPresence);
  auto ok = ids_->recheck(campaign_, n.e164, kT0);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->owned);
  EXPECT_EQ(ok->number, n.e164);
  ASSERT_TRUE(db_->accounts().dedicate_number(tenant_, n.id, other_campaign_.id, "Reactivation_Nov2026_Acme").ok());
  auto taken = ids_->recheck(campaign_, n.e164, kT0);
  EXPECT_FALSE(taken->owned);
  EXPECT_NE(taken->problem.find("dedicated to campaign " + std::to_string(other_campaign_.id)), std::string::npos);
  set_status(n, NumberStatus::kFlagged);
  EXPECT_NE(ids_->recheck(campaign_, n.e164, kT0)->problem.find("is now flagged"), std::string::npos);
  set_status(n, NumberStatus::kRetired);
  EXPECT_NE(ids_->recheck(campaign_, n.e164, kT0)->problem.find("no longer a number of the tenant"),
            std::string::npos);
  // Without a policy the re-check is the campaign-caller-ID rule (directory or active number).
  EXPECT_TRUE(ids_->recheck(other_campaign_, "+15550001111", kT0)->owned);
  EXPECT_FALSE(ids_->recheck(other_campaign_, n.e164, kT0)->owned);
}

// A number whose provider account cannot place calls is not usable: a disabled account, an
// active Telnyx account without connection_id, or one the injected check refuses (the app passes
// ProviderSet::check_account: say, credentials without a public_key). The pick says why, so the
// gate blocks CID-VALID instead of the call being stored and waiting forever.
TEST_F(AccountCallerIdsTest, ANumberWhoseAccountCannotPlaceCallsIsNotUsable) {
  const auto n = add("+14155550100");
  policy(campaign_, CallerIdStrategy::kStatic, n.e164);
  EXPECT_TRUE(choose(campaign_, contact("+14155551234")).owned);
  // Disabled: no strategy, re-check or campaign caller ID may use its numbers.
  auto acct = db_->accounts().get_account(tenant_, account_);
  ASSERT_TRUE(acct.ok());
  acct->status = AccountStatus::kDisabled;
  ASSERT_TRUE(db_->accounts().update_account(*acct).ok());
  auto disabled = choose(campaign_, contact("+14155551234"));
  EXPECT_FALSE(disabled.owned);
  EXPECT_EQ(disabled.number, n.e164);
  EXPECT_NE(disabled.problem.find("static caller ID " + n.e164 + " cannot be used"), std::string::npos)
      << disabled.problem;
  EXPECT_NE(disabled.problem.find("is disabled"), std::string::npos) << disabled.problem;
  auto rechecked = ids_->recheck(campaign_, n.e164, kT0);
  ASSERT_TRUE(rechecked.ok());
  EXPECT_FALSE(rechecked->owned);
  EXPECT_NE(rechecked->problem.find("is disabled"), std::string::npos) << rechecked->problem;
  Campaign plain = other_campaign_;  // no policy: its own caller ID, a number of the account
  plain.caller_id = n.e164;
  auto own = ids_->choose(plain, contact("+14155551234"), kT0);
  ASSERT_TRUE(own.ok());
  EXPECT_FALSE(own->owned);
  EXPECT_NE(own->problem.find("is disabled"), std::string::npos) << own->problem;

  // An active Telnyx account without connection_id: local presence skips its number and says so.
  ProviderAccount tx;
  tx.tenant_id = tenant_;
  tx.provider = ProviderKind::kTelnyx;
  tx.name = "telnyx";
  tx.created_at = kT0;
  const auto telnyx = db_->accounts().create_account(tx);
  ASSERT_TRUE(telnyx.ok());
  PhoneNumber m;
  m.tenant_id = tenant_;
  m.account_id = telnyx->id;
  m.e164 = "+14155550199";
  m.area_code = "415";
  m.state = "CA";
  m.created_at = kT0;
  ASSERT_TRUE(db_->accounts().add_number(m).ok());
  policy(campaign_, CallerIdStrategy::kLocalPresence);
  auto lp = choose(campaign_, contact("+14155551234"));
  EXPECT_FALSE(lp.owned);
  EXPECT_NE(lp.problem.find("no connection_id"), std::string::npos) << lp.problem;

  // With its connection_id it can place calls, unless the app's check refuses it.
  ProviderAccount fixed = *telnyx;
  fixed.connection_id = "conn-1";
  ASSERT_TRUE(db_->accounts().update_account(fixed).ok());
  EXPECT_TRUE(choose(campaign_, contact("+14155551234")).owned);
  AccountCallerIds strict(db_->accounts(), dialer::CallerIdDirectory{}, [](const ProviderAccount& a) -> Status {
    if (a.provider == ProviderKind::kTelnyx) {
      return make_error(ErrorCode::kFailedPrecondition, "no usable public_key in its credentials");
    }
    return ok_status();
  });
  auto refused = strict.choose(campaign_, contact("+14155551234"), kT0);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->owned);
  EXPECT_NE(refused->problem.find("no usable public_key"), std::string::npos) << refused->problem;
}

}  // namespace
}  // namespace outdial::app
