// Conformance: ComplianceStore (consents, internal DNC, stored gate decisions).
#include "unit/storage/conformance_fixture.hpp"

namespace outdial::storage::testing {
namespace {

template <typename F>
class ComplianceStoreConformance : public StoreConformance<F> {};
TYPED_TEST_SUITE(ComplianceStoreConformance, ConformanceFactories, FactoryNames);

ConsentRecord make_consent(TenantId tenant, const std::string& phone, std::optional<Channel> channel,
                           TimePoint granted) {
  ConsentRecord c;
  c.tenant_id = tenant;
  c.phone_e164 = phone;
  c.type = ConsentType::kPriorExpressWritten;
  c.channel = channel;
  c.source = "web form";
  c.evidence = "https://forms.test/123";
  c.granted_at = granted;
  return c;
}

TYPED_TEST(ComplianceStoreConformance, ConsentsComeBackOldestGrantFirstWhateverTheInsertOrder) {
  auto& store = this->db().compliance();
  auto tenant = this->seed_tenant("acme");
  const std::string phone = "+14155550111";
  const auto late = must(store.add_consent(make_consent(tenant.id, phone, Channel::kVoice, at_s(30))));
  const auto early = must(store.add_consent(make_consent(tenant.id, phone, Channel::kSms, at_s(10))));
  const auto tie_a = must(store.add_consent(make_consent(tenant.id, phone, std::nullopt, at_s(20))));
  const auto tie_b = must(store.add_consent(make_consent(tenant.id, phone, Channel::kVoice, at_s(20))));
  std::vector<ConsentId> ids;
  for (const auto& c : must(store.consents_for(tenant.id, phone))) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<ConsentId>{early.id, tie_a.id, tie_b.id, late.id}));  // granted_at, then id
}

TYPED_TEST(ComplianceStoreConformance, ConsentRoundTripsEveryField) {
  auto& store = this->db().compliance();
  auto tenant = this->seed_tenant("acme");
  ConsentRecord c = make_consent(tenant.id, "+14155550100", Channel::kSms, at_s(1));
  c.type = ConsentType::kEstablishedBusinessRelationship;
  c.ebr_kind = EbrKind::kInquiry;
  c.ebr_start = at_s(-86400);
  c.covers_artificial_voice = true;
  c.revoked_at = at_s(5);
  auto created = must(store.add_consent(c));
  EXPECT_GT(created.id, 0);
  // A second one with every optional empty.
  must(store.add_consent(make_consent(tenant.id, "+14155550100", std::nullopt, at_s(2))));

  auto got = must(store.consents_for(tenant.id, "+14155550100"));
  ASSERT_EQ(got.size(), 2u);
  const ConsentRecord& g = got[0];
  EXPECT_EQ(g.id, created.id);
  EXPECT_EQ(g.tenant_id, tenant.id);
  EXPECT_EQ(g.phone_e164, c.phone_e164);
  EXPECT_EQ(g.type, ConsentType::kEstablishedBusinessRelationship);
  EXPECT_EQ(g.ebr_kind, EbrKind::kInquiry);
  EXPECT_EQ(g.ebr_start, c.ebr_start);
  EXPECT_EQ(g.channel, std::optional<Channel>(Channel::kSms));
  EXPECT_TRUE(g.covers_artificial_voice);
  EXPECT_EQ(g.source, c.source);
  EXPECT_EQ(g.evidence, c.evidence);
  EXPECT_EQ(g.granted_at, c.granted_at);
  EXPECT_EQ(g.revoked_at, c.revoked_at);
  EXPECT_EQ(got[1].channel, std::nullopt);
  EXPECT_EQ(got[1].ebr_start, std::nullopt);
  EXPECT_EQ(got[1].revoked_at, std::nullopt);
  EXPECT_EQ(got[1].type, ConsentType::kPriorExpressWritten);

  auto other = this->seed_tenant("other");
  EXPECT_TRUE(must(store.consents_for(other.id, "+14155550100")).empty());
  auto listed = must(store.list_consents(tenant.id, 0, 1));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_NE(listed[0].id, created.id);  // newest first
  auto second_page = must(store.list_consents(tenant.id, 1, 1));
  ASSERT_EQ(second_page.size(), 1u);
  EXPECT_EQ(second_page[0].id, created.id);  // the offset pages on
  EXPECT_TRUE(must(store.list_consents(tenant.id, 2, 1)).empty());
}

TYPED_TEST(ComplianceStoreConformance, RevokeConsentsByChannelAndAll) {
  auto& store = this->db().compliance();
  auto tenant = this->seed_tenant("acme");
  const std::string phone = "+14155550101";
  must(store.add_consent(make_consent(tenant.id, phone, Channel::kVoice, at_s(1))));
  must(store.add_consent(make_consent(tenant.id, phone, Channel::kSms, at_s(2))));
  must(store.add_consent(make_consent(tenant.id, "+14155550999", Channel::kSms, at_s(3))));

  // SMS STOP revokes SMS consent only (plus any all-channel consent).
  EXPECT_EQ(must(store.revoke_consents(tenant.id, phone, Channel::kSms, at_s(10))), 1);
  auto got = must(store.consents_for(tenant.id, phone));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0].revoked_at.has_value());
  EXPECT_EQ(got[1].revoked_at, std::optional<TimePoint>(at_s(10)));

  must(store.add_consent(make_consent(tenant.id, phone, std::nullopt, at_s(4))));
  EXPECT_EQ(must(store.revoke_consents(tenant.id, phone, std::nullopt, at_s(20))), 2);
  for (const auto& c : must(store.consents_for(tenant.id, phone))) EXPECT_TRUE(c.revoked_at.has_value());
  // Already revoked: nothing left; the earlier revocation time is kept.
  EXPECT_EQ(must(store.revoke_consents(tenant.id, phone, std::nullopt, at_s(30))), 0);
  EXPECT_EQ(must(store.consents_for(tenant.id, phone))[1].revoked_at, std::optional<TimePoint>(at_s(10)));
  // Other numbers untouched.
  EXPECT_FALSE(must(store.consents_for(tenant.id, "+14155550999"))[0].revoked_at.has_value());
}

TYPED_TEST(ComplianceStoreConformance, RejectedNumbersArePerTenantAndChannelAndKeepTheFirstRefusal) {
  auto& store = this->db().compliance();
  auto tenant = this->seed_tenant("acme");
  auto other = this->seed_tenant("other");
  RejectedNumber r;
  r.tenant_id = tenant.id;
  r.phone_e164 = "+14155550102";
  r.channel = Channel::kVoice;
  r.reason = "twilio place_call: HTTP 400 code 21211";
  r.provider = "twilio";
  r.provider_code = "21211";
  r.rejected_at = at_s(5);
  auto first = must(store.add_rejected(r));
  EXPECT_EQ(first.provider_code, "21211");
  RejectedNumber again = r;
  again.provider_code = "21217";
  again.rejected_at = at_s(50);
  auto second = must(store.add_rejected(again));  // the first refusal is kept
  EXPECT_EQ(second.provider_code, "21211");
  EXPECT_EQ(second.rejected_at, at_s(5));
  auto found = must(store.find_rejected(tenant.id, r.phone_e164, Channel::kVoice));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->reason, r.reason);
  EXPECT_EQ(found->provider, "twilio");
  EXPECT_FALSE(must(store.find_rejected(tenant.id, r.phone_e164, Channel::kSms)).has_value());
  EXPECT_FALSE(must(store.find_rejected(other.id, r.phone_e164, Channel::kVoice)).has_value());

  RejectedNumber sms = r;
  sms.channel = Channel::kSms;
  sms.provider_code = "21614";
  sms.rejected_at = at_s(7);
  must(store.add_rejected(sms));
  RejectedNumber later = r;
  later.phone_e164 = "+14155550103";
  later.rejected_at = at_s(9);
  must(store.add_rejected(later));
  auto all = must(store.list_rejected(tenant.id, 0, 100));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].rejected_at, at_s(5));
  EXPECT_EQ(all[1].channel, Channel::kSms);
  EXPECT_EQ(all[2].phone_e164, "+14155550103");
  EXPECT_EQ(must(store.list_rejected(tenant.id, 2, 100)).size(), 1u);
  EXPECT_TRUE(must(store.list_rejected(other.id, 0, 100)).empty());

  EXPECT_FALSE(must(store.remove_rejected(other.id, r.phone_e164)));
  EXPECT_TRUE(must(store.remove_rejected(tenant.id, r.phone_e164)));  // every channel
  EXPECT_FALSE(must(store.find_rejected(tenant.id, r.phone_e164, Channel::kVoice)).has_value());
  EXPECT_FALSE(must(store.find_rejected(tenant.id, r.phone_e164, Channel::kSms)).has_value());
  EXPECT_FALSE(must(store.remove_rejected(tenant.id, r.phone_e164)));
  EXPECT_EQ(must(store.list_rejected(tenant.id, 0, 100)).size(), 1u);
}

TYPED_TEST(ComplianceStoreConformance, DncAddIsIdempotentAndTenantScoped) {
  auto& store = this->db().compliance();
  auto tenant = this->seed_tenant("acme");
  auto other = this->seed_tenant("other");
  DncEntry e;
  e.tenant_id = tenant.id;
  e.phone_e164 = "+14155550102";
  e.reason = "press 2";
  e.source = "call:17";
  e.created_at = at_s(5);
  auto first = must(store.add_dnc(e));
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(first.reason, "press 2");
  EXPECT_EQ(first.source, "call:17");
  EXPECT_EQ(first.created_at, at_s(5));

  DncEntry again = e;
  again.reason = "STOP";
  again.created_at = at_s(50);
  auto second = must(store.add_dnc(again));  // not an error: the existing entry comes back
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.reason, "press 2");
  EXPECT_EQ(second.created_at, at_s(5));

  EXPECT_TRUE(must(store.find_dnc(tenant.id, e.phone_e164)).has_value());
  EXPECT_FALSE(must(store.find_dnc(other.id, e.phone_e164)).has_value());
  for (int i = 0; i < 4; ++i) {
    DncEntry x = e;
    x.phone_e164 = "+1415555020" + std::to_string(i);
    must(store.add_dnc(x));
  }
  EXPECT_EQ(must(store.list_dnc(tenant.id, 0, 100)).size(), 5u);
  auto page = must(store.list_dnc(tenant.id, 3, 10));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_TRUE(must(store.list_dnc(other.id, 0, 100)).empty());

  EXPECT_FALSE(must(store.remove_dnc(other.id, e.phone_e164)));
  EXPECT_TRUE(must(store.remove_dnc(tenant.id, e.phone_e164)));
  EXPECT_FALSE(must(store.remove_dnc(tenant.id, e.phone_e164)));
  EXPECT_FALSE(must(store.find_dnc(tenant.id, e.phone_e164)).has_value());
}

TYPED_TEST(ComplianceStoreConformance, DecisionsRoundTripNewestFirst) {
  auto& store = this->db().compliance();
  auto tenant = this->seed_tenant("acme");
  DecisionRecord d;
  d.tenant_id = tenant.id;
  d.campaign_id = 7;
  d.contact_id = 9;
  d.phone_e164 = "+14155550103";
  d.channel = "voice";
  d.verdict = "defer";
  d.rule = "TIME-WINDOW";
  d.reason = "outside 8am-9pm local";
  d.allowed_at = at_s(3600);
  d.decided_at = at_s(1);
  const auto id1 = must(store.record_decision(d));
  DecisionRecord allow = d;
  allow.verdict = "allow";
  allow.rule = "OK";
  allow.allowed_at.reset();
  allow.decided_at = at_s(2);
  const auto id2 = must(store.record_decision(allow));
  DecisionRecord adhoc = allow;
  adhoc.campaign_id = 0;
  must(store.record_decision(adhoc));
  EXPECT_GT(id2, id1);

  auto got = must(store.list_decisions(tenant.id, 7, 10));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, id2);
  const DecisionRecord& g = got[1];
  EXPECT_EQ(g.id, id1);
  EXPECT_EQ(g.tenant_id, tenant.id);
  EXPECT_EQ(g.campaign_id, 7);
  EXPECT_EQ(g.contact_id, 9);
  EXPECT_EQ(g.phone_e164, d.phone_e164);
  EXPECT_EQ(g.channel, "voice");
  EXPECT_EQ(g.verdict, "defer");
  EXPECT_EQ(g.rule, "TIME-WINDOW");
  EXPECT_EQ(g.reason, d.reason);
  EXPECT_EQ(g.allowed_at, d.allowed_at);
  EXPECT_EQ(g.decided_at, d.decided_at);
  EXPECT_EQ(got[0].allowed_at, std::nullopt);
  EXPECT_EQ(must(store.list_decisions(tenant.id, 0, 10)).size(), 3u);  // 0 = every campaign
  EXPECT_EQ(must(store.list_decisions(tenant.id, 7, 1)).size(), 1u);
  auto other = this->seed_tenant("other");
  EXPECT_TRUE(must(store.list_decisions(other.id, 0, 10)).empty());
}

}  // namespace
}  // namespace outdial::storage::testing
