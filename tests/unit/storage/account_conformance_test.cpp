// Conformance: AccountStore (provider accounts, numbers, dedicated numbers, caller-ID policies,
// answer samples). Every lookup is tenant-scoped; credentials are stored as given (sealed).
#include "unit/storage/conformance_fixture.hpp"

namespace outdial::storage::testing {
namespace {

template <typename F>
class AccountStoreConformance : public StoreConformance<F> {
 protected:
  ProviderAccount seed_account(TenantId tenant, const std::string& name,
                               ProviderKind provider = ProviderKind::kTwilio) {
    ProviderAccount a;
    a.tenant_id = tenant;
    a.provider = provider;
    a.name = name;
    a.account_sid = "AC0123";
    a.api_base = "https://api.twilio.com";
    a.credential_blob = "v1.c2VhbGVk";
    a.limits.calls_per_second = 1;
    a.limits.max_concurrency = 2;
    a.created_at = kT0;
    return must(this->db().accounts().create_account(a), "create_account");
  }
  PhoneNumber seed_number(TenantId tenant, ProviderAccountId account, const std::string& e164,
                          const std::string& state = "CA") {
    PhoneNumber n;
    n.tenant_id = tenant;
    n.account_id = account;
    n.e164 = e164;
    n.area_code = e164.substr(2, 3);
    n.state = state;
    n.created_at = kT0;
    return must(this->db().accounts().add_number(n), "add_number");
  }
};
TYPED_TEST_SUITE(AccountStoreConformance, ConformanceFactories, FactoryNames);

TYPED_TEST(AccountStoreConformance, AccountsWithSidSpanTenantsAndMatchProviderAndSid) {
  const Tenant a = this->seed_tenant("acme");
  const Tenant b = this->seed_tenant("globex");
  auto first = this->seed_account(a.id, "main");
  auto second = this->seed_account(b.id, "shared sid");
  auto third = this->seed_account(b.id, "other");
  ProviderAccount other = third;
  other.account_sid = "AC9999";
  ASSERT_TRUE(this->db().accounts().update_account(other).ok());
  this->seed_account(a.id, "telnyx", ProviderKind::kTelnyx);  // same sid, another provider

  auto found = this->db().accounts().accounts_with_sid(ProviderKind::kTwilio, "AC0123");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->size(), 2U);
  EXPECT_EQ((*found)[0].id, first.id);
  EXPECT_EQ((*found)[0].tenant_id, a.id);
  EXPECT_EQ((*found)[1].id, second.id);
  EXPECT_EQ((*found)[1].tenant_id, b.id);
  EXPECT_EQ((*found)[0].credential_blob, "v1.c2VhbGVk");
  auto nine = this->db().accounts().accounts_with_sid(ProviderKind::kTwilio, "AC9999");
  ASSERT_TRUE(nine.ok());
  ASSERT_EQ(nine->size(), 1U);
  EXPECT_EQ((*nine)[0].id, third.id);
  auto none = this->db().accounts().accounts_with_sid(ProviderKind::kTwilio, "AC0000");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(AccountStoreConformance, AccountsRoundTripPerTenant) {
  const Tenant a = this->seed_tenant("acme");
  const Tenant b = this->seed_tenant("globex");
  auto acc = this->seed_account(a.id, "main");
  EXPECT_GT(acc.id, 0);
  auto got = this->db().accounts().get_account(a.id, acc.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->provider, ProviderKind::kTwilio);
  EXPECT_EQ(got->name, "main");
  EXPECT_EQ(got->account_sid, "AC0123");
  EXPECT_EQ(got->credential_blob, "v1.c2VhbGVk");
  EXPECT_EQ(got->limits, acc.limits);
  EXPECT_EQ(got->status, AccountStatus::kActive);
  EXPECT_EQ(got->created_at, kT0);

  auto foreign = this->db().accounts().get_account(b.id, acc.id);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(this->db().accounts().list_accounts(b.id)->empty());
  EXPECT_EQ(this->db().accounts().list_accounts(a.id)->size(), 1U);

  ProviderAccount dup = acc;
  dup.id = 0;
  EXPECT_EQ(this->db().accounts().create_account(dup).error().code, ErrorCode::kAlreadyExists);
  dup.tenant_id = b.id;  // same name in another tenant is fine
  EXPECT_TRUE(this->db().accounts().create_account(dup).ok());

  acc.limits.calls_per_second = 5;
  acc.status = AccountStatus::kDisabled;
  acc.credential_blob = "v1.bmV3";
  auto updated = this->db().accounts().update_account(acc);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->limits.calls_per_second, 5);
  EXPECT_EQ(updated->status, AccountStatus::kDisabled);
  EXPECT_EQ(updated->credential_blob, "v1.bmV3");
  ProviderAccount stolen = acc;
  stolen.tenant_id = b.id;
  EXPECT_EQ(this->db().accounts().update_account(stolen).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(AccountStoreConformance, NumbersAreTenantScopedAndUniqueWhileLive) {
  const Tenant a = this->seed_tenant("acme");
  const Tenant b = this->seed_tenant("globex");
  auto acc_a = this->seed_account(a.id, "main");
  auto acc_b = this->seed_account(b.id, "main");
  auto n1 = this->seed_number(a.id, acc_a.id, "+14155550001");
  auto n2 = this->seed_number(a.id, acc_a.id, "+13055550002", "FL");
  EXPECT_GT(n2.id, n1.id);

  // Another tenant cannot add the same live number, nor a number on our account.
  PhoneNumber clash = n1;
  clash.id = 0;
  clash.tenant_id = b.id;
  clash.account_id = acc_b.id;
  EXPECT_EQ(this->db().accounts().add_number(clash).error().code, ErrorCode::kAlreadyExists);
  PhoneNumber cross;
  cross.tenant_id = b.id;
  cross.account_id = acc_a.id;
  cross.e164 = "+12125550003";
  cross.created_at = kT0;
  EXPECT_EQ(this->db().accounts().add_number(cross).error().code, ErrorCode::kNotFound);

  EXPECT_EQ(this->db().accounts().get_number(b.id, n1.id).error().code, ErrorCode::kNotFound);
  auto found = this->db().accounts().find_number(a.id, "+14155550001");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, n1.id);
  EXPECT_FALSE(this->db().accounts().find_number(b.id, "+14155550001")->has_value());

  NumberFilter all;
  EXPECT_EQ(this->db().accounts().list_numbers(a.id, all)->size(), 2U);
  EXPECT_TRUE(this->db().accounts().list_numbers(b.id, all)->empty());

  // Flag, unflag, retire; retired is terminal and frees the E.164 value.
  auto flagged = this->db().accounts().set_number_status(a.id, n1.id, NumberStatus::kFlagged, "low answer rate", at_s(5));
  ASSERT_TRUE(flagged.ok());
  EXPECT_EQ(flagged->status, NumberStatus::kFlagged);
  EXPECT_EQ(flagged->status_reason, "low answer rate");
  EXPECT_EQ(flagged->status_changed_at, at_s(5));
  NumberFilter only_flagged;
  only_flagged.status = NumberStatus::kFlagged;
  EXPECT_EQ(this->db().accounts().list_numbers(a.id, only_flagged)->size(), 1U);
  NumberFilter other_account;
  other_account.account_id = acc_b.id;
  EXPECT_TRUE(this->db().accounts().list_numbers(a.id, other_account)->empty());
  EXPECT_EQ(this->db().accounts().set_number_status(b.id, n1.id, NumberStatus::kRetired, "", at_s(6)).error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(this->db().accounts().set_number_status(a.id, n1.id, NumberStatus::kRetired, "ported", at_s(6)).ok());
  auto again = this->db().accounts().set_number_status(a.id, n1.id, NumberStatus::kActive, "", at_s(7));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_FALSE(this->db().accounts().find_number(a.id, "+14155550001")->has_value());
  EXPECT_TRUE(this->db().accounts().add_number(clash).ok());  // now b may own it
}

TYPED_TEST(AccountStoreConformance, ActiveNumbersInAStateAreTheLocalPresenceCandidates) {
  const Tenant a = this->seed_tenant("acme");
  const Tenant b = this->seed_tenant("globex");
  auto acc_a = this->seed_account(a.id, "main");
  auto acc_b = this->seed_account(b.id, "main");
  auto sf = this->seed_number(a.id, acc_a.id, "+14155550001", "CA");
  auto la = this->seed_number(a.id, acc_a.id, "+12135550002", "CA");
  auto flagged = this->seed_number(a.id, acc_a.id, "+13105550003", "CA");
  auto retired = this->seed_number(a.id, acc_a.id, "+16195550004", "CA");
  this->seed_number(a.id, acc_a.id, "+13055550005", "FL");
  this->seed_number(b.id, acc_b.id, "+14085550006", "CA");  // another tenant's
  ASSERT_TRUE(this->db().accounts().set_number_status(a.id, flagged.id, NumberStatus::kFlagged, "", at_s(1)).ok());
  ASSERT_TRUE(this->db().accounts().set_number_status(a.id, retired.id, NumberStatus::kRetired, "", at_s(1)).ok());
  auto ca = this->db().accounts().active_numbers_in_state(a.id, "CA");
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  ASSERT_EQ(ca->size(), 2U);
  EXPECT_EQ((*ca)[0].id, sf.id);  // ordered by id
  EXPECT_EQ((*ca)[1].id, la.id);
  EXPECT_EQ((*ca)[1].area_code, "213");
  EXPECT_TRUE(this->db().accounts().active_numbers_in_state(a.id, "TX")->empty());
  EXPECT_EQ(this->db().accounts().active_numbers_in_state(b.id, "CA")->size(), 1U);
  // Unflagged, it is a candidate again.
  ASSERT_TRUE(this->db().accounts().set_number_status(a.id, flagged.id, NumberStatus::kActive, "", at_s(2)).ok());
  EXPECT_EQ(this->db().accounts().active_numbers_in_state(a.id, "CA")->size(), 3U);
}

TYPED_TEST(AccountStoreConformance, DedicatedNumberPerCampaign) {
  auto w = this->seed_world(1);
  const Tenant b = this->seed_tenant("globex");
  auto other_list = this->seed_list(b.id, "b");
  auto other_campaign = this->seed_campaign(b.id, other_list.id);
  auto acc = this->seed_account(w.tenant.id, "main");
  auto n1 = this->seed_number(w.tenant.id, acc.id, "+14155550001");
  auto n2 = this->seed_number(w.tenant.id, acc.id, "+14155550002");
  auto& store = this->db().accounts();

  EXPECT_FALSE(store.dedicated_number(w.tenant.id, w.campaign.id)->has_value());
  auto d = store.dedicate_number(w.tenant.id, n1.id, w.campaign.id, "Reactivation_Jan2027_Acme");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->dedicated_campaign_id, w.campaign.id);
  EXPECT_EQ(d->label, "Reactivation_Jan2027_Acme");
  EXPECT_TRUE(store.dedicate_number(w.tenant.id, n1.id, w.campaign.id, "Reactivation_Jan2027_Acme").ok());
  auto shown = store.dedicated_number(w.tenant.id, w.campaign.id);
  ASSERT_TRUE(shown.ok() && shown->has_value());
  EXPECT_EQ((*shown)->id, n1.id);

  // A second live dedicated number for the campaign, another tenant's campaign, a flagged number.
  EXPECT_EQ(store.dedicate_number(w.tenant.id, n2.id, w.campaign.id, "x").error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store.dedicate_number(w.tenant.id, n2.id, other_campaign.id, "x").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store.set_number_status(w.tenant.id, n2.id, NumberStatus::kFlagged, "", at_s(1)).ok());
  EXPECT_EQ(store.dedicate_number(w.tenant.id, n2.id, w.campaign.id, "x").error().code,
            ErrorCode::kFailedPrecondition);

  // Retiring the dedicated number lets the campaign get a new one.
  ASSERT_TRUE(store.set_number_status(w.tenant.id, n1.id, NumberStatus::kRetired, "", at_s(2)).ok());
  EXPECT_FALSE(store.dedicated_number(w.tenant.id, w.campaign.id)->has_value());
  ASSERT_TRUE(store.set_number_status(w.tenant.id, n2.id, NumberStatus::kActive, "", at_s(3)).ok());
  EXPECT_TRUE(store.dedicate_number(w.tenant.id, n2.id, w.campaign.id, "y").ok());
}

TYPED_TEST(AccountStoreConformance, CallerIdPolicyPerCampaign) {
  auto w = this->seed_world(1);
  const Tenant b = this->seed_tenant("globex");
  auto& store = this->db().accounts();
  EXPECT_FALSE(store.get_caller_id_policy(w.tenant.id, w.campaign.id)->has_value());
  CallerIdPolicy p;
  p.tenant_id = w.tenant.id;
  p.campaign_id = w.campaign.id;
  p.strategy = CallerIdStrategy::kLocalPresence;
  p.default_number = "+14155550001";
  p.updated_at = at_s(1);
  ASSERT_TRUE(store.set_caller_id_policy(p).ok());
  p.strategy = CallerIdStrategy::kStatic;
  p.static_number = "+14155550002";
  p.updated_at = at_s(2);
  ASSERT_TRUE(store.set_caller_id_policy(p).ok());
  auto got = store.get_caller_id_policy(w.tenant.id, w.campaign.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->strategy, CallerIdStrategy::kStatic);
  EXPECT_EQ((*got)->static_number, "+14155550002");
  EXPECT_EQ((*got)->default_number, "+14155550001");
  EXPECT_EQ((*got)->updated_at, at_s(2));
  EXPECT_FALSE(store.get_caller_id_policy(b.id, w.campaign.id)->has_value());
  CallerIdPolicy foreign = p;
  foreign.tenant_id = b.id;
  EXPECT_EQ(store.set_caller_id_policy(foreign).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(AccountStoreConformance, AnswerSamplesFromFinishedAttempts) {
  auto w = this->seed_world(1);
  struct Row {
    CallState state;
    bool answered;
    bool machine;
    std::int64_t second;
  };
  const std::vector<Row> rows = {
      {CallState::kCompleted, true, false, 10},  {CallState::kNoAnswer, false, false, 20},
      {CallState::kCompleted, true, true, 30},   {CallState::kBusy, false, false, 40},
      {CallState::kRinging, false, false, 50},   {CallState::kCanceled, false, false, 60},
      {CallState::kCompleted, true, false, 500},  // outside [0, 100)
  };
  int n = 0;
  for (const Row& r : rows) {
    CallAttempt a;
    a.tenant_id = w.tenant.id;
    a.campaign_id = w.campaign.id;
    a.contact_id = w.contacts[0].id;
    a.attempt_number = ++n;
    a.idempotency_key = "k" + std::to_string(n);
    a.provider = "sim";
    a.from_number = n % 2 == 0 ? "+14155550002" : "+14155550001";
    a.to_number = "+13055550100";
    a.state = r.state;
    a.answered_by_machine = r.machine;
    if (r.answered) a.answered_at = at_s(r.second + 1);
    a.created_at = at_s(r.second);
    must(this->db().calls().create_attempt(a), "create_attempt");
  }
  auto samples = this->db().accounts().answer_samples(w.tenant.id, at_s(0), at_s(100));
  ASSERT_TRUE(samples.ok());
  ASSERT_EQ(samples->size(), 4U);
  EXPECT_EQ((*samples)[0].from_e164, "+14155550001");
  EXPECT_TRUE((*samples)[0].answered);
  EXPECT_FALSE((*samples)[1].answered);
  EXPECT_FALSE((*samples)[2].answered);  // a machine answered
  EXPECT_FALSE((*samples)[3].answered);
  EXPECT_EQ((*samples)[3].at, at_s(40));
  const Tenant b = this->seed_tenant("globex");
  EXPECT_TRUE(this->db().accounts().answer_samples(b.id, at_s(0), at_s(1000))->empty());
}

}  // namespace
}  // namespace outdial::storage::testing
