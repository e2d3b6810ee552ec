#include "outdial/accounts/caller_id_selector.hpp"

#include <gtest/gtest.h>

#include <set>

namespace outdial::accounts {
namespace {

constexpr TenantId kTenant = 7;
constexpr TenantId kOther = 8;
constexpr CampaignId kCampaign = 42;

PhoneNumber num(PhoneNumberId id, const std::string& e164, const std::string& area, const std::string& state,
                NumberStatus status = NumberStatus::kActive, CampaignId dedicated = 0, TenantId tenant = kTenant) {
  PhoneNumber n;
  n.id = id;
  n.tenant_id = tenant;
  n.account_id = 1;
  n.e164 = e164;
  n.area_code = area;
  n.state = state;
  n.status = status;
  n.dedicated_campaign_id = dedicated;
  return n;
}

CallerIdPolicy policy(CallerIdStrategy s, std::string static_number = "", std::string default_number = "") {
  CallerIdPolicy p;
  p.tenant_id = kTenant;
  p.campaign_id = kCampaign;
  p.strategy = s;
  p.static_number = std::move(static_number);
  p.default_number = std::move(default_number);
  return p;
}

const ContactLocation kSf{"+14155550100", "415", "CA"};

std::vector<PhoneNumber> pool() {
  return {
      num(1, "+14155550001", "415", "CA"),
      num(2, "+14155550002", "415", "CA"),
      num(3, "+12135550003", "213", "CA"),
      num(4, "+13055550004", "305", "FL"),
      num(5, "+16175550005", "617", "MA", NumberStatus::kFlagged),
      num(6, "+12125550006", "212", "NY", NumberStatus::kRetired),
      num(7, "+15125550007", "512", "TX", NumberStatus::kActive, 99),        // another campaign's
      num(8, "+12065550008", "206", "WA", NumberStatus::kActive, 0, kOther),  // another tenant's
  };
}

TEST(CallerIdSelector, LocalPresencePrefersAreaCodeThenStateThenDefault) {
  const auto numbers = pool();
  auto p = policy(CallerIdStrategy::kLocalPresence, "", "+13055550004");
  auto area = CallerIdSelector::select(kTenant, numbers, p, kSf);
  ASSERT_TRUE(area.ok()) << area.error().message;
  EXPECT_EQ(area->reason, "area_code");
  EXPECT_EQ(area->number.area_code, "415");

  auto state = CallerIdSelector::select(kTenant, numbers, p, {"+15105550100", "510", "CA"});
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->reason, "state");
  EXPECT_EQ(state->number.state, "CA");

  auto fallback = CallerIdSelector::select(kTenant, numbers, p, {"+17205550100", "720", "CO"});
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->reason, "default");
  EXPECT_EQ(fallback->number.e164, "+13055550004");
}

TEST(CallerIdSelector, LocalPresenceSkipsUnusableNumbers) {
  const auto numbers = pool();
  auto p = policy(CallerIdStrategy::kLocalPresence);
  // MA only has a flagged number, NY a retired one, TX one dedicated to campaign 99, WA another
  // tenant's: none is usable and there is no default.
  for (const ContactLocation& c : {ContactLocation{"+16175551111", "617", "MA"},
                                   ContactLocation{"+12125551111", "212", "NY"},
                                   ContactLocation{"+15125551111", "512", "TX"},
                                   ContactLocation{"+12065551111", "206", "WA"}}) {
    auto r = CallerIdSelector::select(kTenant, numbers, p, c);
    ASSERT_FALSE(r.ok()) << c.state;
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << c.state;
    EXPECT_EQ(r.error().details.at("area_code"), c.area_code);
  }
  // The campaign's own dedicated number is usable for its local presence.
  auto own = policy(CallerIdStrategy::kLocalPresence);
  own.campaign_id = 99;
  auto r = CallerIdSelector::select(kTenant, numbers, own, {"+15125551111", "512", "TX"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->number.id, 7);
}

TEST(CallerIdSelector, LocalPresenceChoiceIsStablePerContactAndSpreads) {
  const auto numbers = pool();
  auto p = policy(CallerIdStrategy::kLocalPresence);
  std::set<PhoneNumberId> used;
  for (int i = 0; i < 50; ++i) {
    const ContactLocation c{"+1415555" + std::to_string(1000 + i), "415", "CA"};
    auto a = CallerIdSelector::select(kTenant, numbers, p, c);
    auto b = CallerIdSelector::select(kTenant, numbers, p, c);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->number.id, b->number.id);
    used.insert(a->number.id);
  }
  EXPECT_EQ(used, (std::set<PhoneNumberId>{1, 2}));
}

TEST(CallerIdSelector, RefusesNumbersTheTenantDoesNotOwn) {
  const auto numbers = pool();
  for (const std::string n : {"+19995550000", "+12065550008", "+16175550005", "+12125550006", "+15125550007"}) {
    auto s = CallerIdSelector::select(kTenant, numbers, policy(CallerIdStrategy::kStatic, n), kSf);
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.error().code, ErrorCode::kPermissionDenied) << n;
    EXPECT_NE(s.error().message.find("does not own"), std::string::npos);
    EXPECT_EQ(s.error().details.at("number"), n);
    auto d = CallerIdSelector::select(kTenant, numbers, policy(CallerIdStrategy::kLocalPresence, "", n),
                                      {"+17205550100", "720", "CO"});
    ASSERT_FALSE(d.ok()) << n;
    EXPECT_EQ(d.error().code, ErrorCode::kPermissionDenied) << n;
  }
  EXPECT_FALSE(CallerIdSelector::owns(kTenant, numbers, "+12065550008"));
  EXPECT_TRUE(CallerIdSelector::owns(kOther, numbers, "+12065550008"));
  EXPECT_FALSE(CallerIdSelector::owns(kTenant, numbers, "+16175550005"));
}

TEST(CallerIdSelector, StaticNumber) {
  const auto numbers = pool();
  auto r = CallerIdSelector::select(kTenant, numbers, policy(CallerIdStrategy::kStatic, "+13055550004"), kSf);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reason, "static");
  EXPECT_EQ(r->number.id, 4);
  auto missing = CallerIdSelector::select(kTenant, numbers, policy(CallerIdStrategy::kStatic), kSf);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().details.at("field"), "static_number");
}

TEST(CallerIdSelector, DedicatedNumber) {
  auto numbers = pool();
  auto none = CallerIdSelector::select(kTenant, numbers, policy(CallerIdStrategy::kDedicated), kSf);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(none.error().details.at("campaign_id"), "42");

  numbers.push_back(num(9, "+14155550009", "415", "CA", NumberStatus::kRetired, kCampaign));
  auto retired = CallerIdSelector::select(kTenant, numbers, policy(CallerIdStrategy::kDedicated), kSf);
  ASSERT_FALSE(retired.ok());
  EXPECT_NE(retired.error().message.find("retired"), std::string::npos);

  numbers.push_back(num(10, "+13055550010", "305", "FL", NumberStatus::kActive, kCampaign));
  auto ok = CallerIdSelector::select(kTenant, numbers, policy(CallerIdStrategy::kDedicated), kSf);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->number.id, 10);  // the dedicated number even though 415 numbers exist
  EXPECT_EQ(ok->reason, "dedicated");

  // Another tenant's number "dedicated" to the same campaign id is not ours.
  std::vector<PhoneNumber> foreign = {num(11, "+12065550011", "206", "WA", NumberStatus::kActive, kCampaign, kOther)};
  EXPECT_FALSE(CallerIdSelector::select(kTenant, foreign, policy(CallerIdStrategy::kDedicated), kSf).ok());
}

TEST(DedicatedNumber, LabelFollowsTheNamingConvention) {
  TimePoint nov;
  ASSERT_TRUE(parse_iso8601("2026-11-22T05:00:00Z", nov));
  EXPECT_EQ(dedicated_number_label(nov, "Acme Dental"), "Reactivation_Nov2026_AcmeDental");
  EXPECT_EQ(dedicated_number_label(nov, "acme dental, llc"), "Reactivation_Nov2026_AcmeDentalLlc");
  TimePoint jan;
  ASSERT_TRUE(parse_iso8601("2027-01-01T00:00:00Z", jan));
  EXPECT_EQ(dedicated_number_label(jan, "Dr. Ng's Spa & Co"), "Reactivation_Jan2027_DrNgSSpaCo");
  EXPECT_EQ(dedicated_number_label(jan, "???"), "Reactivation_Jan2027_Client");
}

TEST(DedicatedNumber, ChoosesAFreeActiveNumberOnce) {
  auto numbers = pool();
  auto first = choose_dedicated_number(kTenant, numbers, kCampaign);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->id, 1);  // lowest free active id
  numbers[0].dedicated_campaign_id = kCampaign;
  auto again = choose_dedicated_number(kTenant, numbers, kCampaign);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, 1);  // idempotent
  auto other = choose_dedicated_number(kTenant, numbers, kCampaign, 2);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kFailedPrecondition);

  auto fresh = pool();
  auto preferred = choose_dedicated_number(kTenant, fresh, kCampaign, 4);
  ASSERT_TRUE(preferred.ok());
  EXPECT_EQ(preferred->id, 4);
  EXPECT_EQ(choose_dedicated_number(kTenant, fresh, kCampaign, 5).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(choose_dedicated_number(kTenant, fresh, kCampaign, 7).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(choose_dedicated_number(kTenant, fresh, kCampaign, 8).error().code, ErrorCode::kNotFound);

  std::vector<PhoneNumber> busy = {num(1, "+14155550001", "415", "CA", NumberStatus::kActive, 5)};
  EXPECT_EQ(choose_dedicated_number(kTenant, busy, kCampaign).error().code, ErrorCode::kFailedPrecondition);
}

TEST(LocateUsNumber, AreaCodeAndState) {
  auto sf = locate_us_number("+14155550100");
  ASSERT_TRUE(sf.ok());
  EXPECT_EQ(sf->area_code, "415");
  EXPECT_EQ(sf->state, "CA");
  auto fl = locate_us_number("+13055550100");
  ASSERT_TRUE(fl.ok());
  EXPECT_EQ(fl->state, "FL");
  for (const std::string bad : {"+4415555010", "+16045550100", "+18005550100", "+1415555010", "4155550100"}) {
    auto r = locate_us_number(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().details.at("field"), "e164");
  }
}

}  // namespace
}  // namespace outdial::accounts
