// FactsBuilder: prior attempts to the number come from every campaign of the tenant, so the
// FL/OK/MD same-subject caps ("from any number") see calls another campaign already made.
#include <algorithm>

#include "dialer_fixture.hpp"
#include "outdial/compliance/rule_gate.hpp"

namespace outdial::dialer {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr const char* kFloridaNumber = "+13055550123";  // 305: Miami (FL/OK/MD-FREQ applies)

struct FactsBuilderTest : DialerFixture {
  const TimePoint at = kT0 + hours(6);  // Monday 2026-09-21 16:13 EDT: inside FL calling hours
  Contact contact;
  Campaign a;
  Campaign b;

  void SetUp() override {
    DialerFixture::SetUp();
    Contact c;
    c.tenant_id = staff.tenant_id;
    c.list_id = list;
    c.phone_e164 = kFloridaNumber;
    c.line_type = LineType::kLandline;
    ASSERT_TRUE(db.contacts().insert_batch({c}));
    auto page = db.contacts().list_contacts(staff.tenant_id, list, 0, 10);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 1u);
    contact = page->items[0];
    // Two runs of the same outreach (same name = same subject) over the same list.
    a = make_active(human_informational("Reactivation_Nov2026_Acme"));
    b = make_active(human_informational("Reactivation_Nov2026_Acme"));
  }
  Campaign human_informational(const std::string& name) const {
    Campaign c = draft();
    c.name = name;
    c.purpose = Purpose::kInformational;
    c.voice = VoiceType::kHuman;
    return c;
  }
  // An attempt of `campaign` to the contact's number; dialed (reached the carrier) when `dialed`.
  void add_attempt(const Campaign& campaign, int n, TimePoint created, bool dialed) {
    CallAttempt x;
    x.tenant_id = campaign.tenant_id;
    x.campaign_id = campaign.id;
    x.contact_id = contact.id;
    x.attempt_number = n;
    x.idempotency_key =
        std::to_string(campaign.id) + ":" + std::to_string(contact.id) + ":" + std::to_string(n);
    x.to_number = contact.phone_e164;
    x.created_at = created;
    if (dialed) {
      x.state = CallState::kNoAnswer;
      x.dialed_at = created + std::chrono::seconds(2);
    } else {
      x.state = CallState::kCanceled;  // ended before it reached the carrier
    }
    ASSERT_TRUE(db.calls().create_attempt(x));
  }
  compliance::AttemptFacts facts_for(const Campaign& c) {
    FactsBuilder builder(db.compliance(), db.calls(), db.campaigns(), nullptr, caller_ids());
    auto f = builder.build(c, contact, at);
    EXPECT_TRUE(f) << (f ? "" : f.error().message);
    return f ? *f : compliance::AttemptFacts{};
  }
  static const compliance::RuleGate& gate() {
    static const compliance::RuleGate kGate;
    return kGate;
  }
};

TEST_F(FactsBuilderTest, AnotherCampaignsCallsCountTowardFloridaCap) {
  add_attempt(a, 1, at - hours(5), true);
  add_attempt(a, 2, at - hours(3), true);
  add_attempt(a, 3, at - minutes(30), false);  // never reached the carrier: not a call
  {
    const auto f = facts_for(b);
    ASSERT_EQ(f.prior_attempts.size(), 2u);
    EXPECT_EQ(f.prior_attempts[0].at, at - hours(5) + std::chrono::seconds(2));
    EXPECT_EQ(f.prior_attempts[0].subject, a.name);
    EXPECT_EQ(f.subject, b.name);
    EXPECT_EQ(f.campaign.attempts_made, 0);  // max_attempts stays per campaign and contact
    const auto d = gate().evaluate(f);
    EXPECT_EQ(d.verdict, compliance::Verdict::kAllow) << d.rule << " " << d.reason;  // 3rd call: fine
  }
  add_attempt(a, 4, at - hours(1), true);
  const auto f = facts_for(b);
  ASSERT_EQ(f.prior_attempts.size(), 3u);
  EXPECT_TRUE(std::is_sorted(f.prior_attempts.begin(), f.prior_attempts.end(),
                             [](const auto& x, const auto& y) { return x.at < y.at; }));
  const auto d = gate().evaluate(f);
  EXPECT_EQ(d.verdict, compliance::Verdict::kDefer) << d.rule << " " << d.reason;
  EXPECT_EQ(d.rule, "FL-FREQ") << d.reason;
  ASSERT_TRUE(d.allowed_at.has_value());
  EXPECT_EQ(*d.allowed_at, at - hours(5) + std::chrono::seconds(2) + hours(24));  // oldest ages out

  // Campaign A itself sees its own calls the same way: 3 toward max_attempts (FREQ-CAMPAIGN),
  // not the one canceled before it reached the carrier; its number (3) is still never reused.
  Campaign more = a;
  more.max_attempts = 10;
  const auto own = facts_for(more);
  EXPECT_EQ(own.prior_attempts.size(), 3u);
  EXPECT_EQ(own.campaign.attempts_made, 3);
  EXPECT_EQ(gate().evaluate(own).rule, "FL-FREQ");
}

TEST_F(FactsBuilderTest, OtherSubjectsAreListedButNotCounted) {
  const Campaign other = make_active(human_informational("Appointment_Reminders"));
  add_attempt(a, 1, at - hours(5), true);
  add_attempt(a, 2, at - hours(3), true);
  add_attempt(a, 3, at - hours(1), true);
  const auto f = facts_for(other);
  ASSERT_EQ(f.prior_attempts.size(), 3u);  // visible (campaign spacing), on A's subject
  for (const auto& p : f.prior_attempts) EXPECT_EQ(p.subject, a.name);
  EXPECT_EQ(f.subject, "Appointment_Reminders");
  const auto d = gate().evaluate(f);
  EXPECT_EQ(d.verdict, compliance::Verdict::kAllow) << d.rule << " " << d.reason;
}

TEST_F(FactsBuilderTest, OnlyTheWindowAndThisTenantCount) {
  add_attempt(a, 1, at - FactsBuilder::kPriorAttemptsWindow - hours(1), true);  // too old to matter
  add_attempt(a, 2, at - hours(2), true);
  CallAttempt foreign;  // another tenant calling the same number
  foreign.tenant_id = staff.tenant_id + 100;
  foreign.campaign_id = 999;
  foreign.idempotency_key = "foreign:1";
  foreign.to_number = kFloridaNumber;
  foreign.created_at = at - hours(1);
  foreign.dialed_at = at - hours(1);
  ASSERT_TRUE(db.calls().create_attempt(foreign));
  const auto f = facts_for(b);
  ASSERT_EQ(f.prior_attempts.size(), 1u);
  EXPECT_EQ(f.prior_attempts[0].at, at - hours(2) + std::chrono::seconds(2));
}

// Review finding: with calls placed after the tick's commit, campaign A's attempt to a number can
// still be queued (no dialed_at) when campaign B's gate runs in the same tick. It must count.
TEST_F(FactsBuilderTest, AQueuedAttemptOfAnotherCampaignCountsAtItsCreation) {
  add_attempt(a, 1, at - hours(5), true);
  add_attempt(a, 2, at - hours(3), true);
  CallAttempt queued;
  queued.tenant_id = a.tenant_id;
  queued.campaign_id = a.id;
  queued.contact_id = contact.id;
  queued.attempt_number = 3;
  queued.idempotency_key = std::to_string(a.id) + ":" + std::to_string(contact.id) + ":3";
  queued.to_number = contact.phone_e164;
  queued.created_at = at;  // claimed in this very tick, not yet placed
  ASSERT_TRUE(db.calls().create_attempt(queued));
  const auto f = facts_for(b);
  ASSERT_EQ(f.prior_attempts.size(), 3u);
  EXPECT_EQ(f.prior_attempts.back().at, at);
  const auto d = gate().evaluate(f);
  EXPECT_EQ(d.rule, "FL-FREQ") << d.reason;  // B's call would be the 4th in 24 h
}

}  // namespace
}  // namespace outdial::dialer

namespace outdial::dialer {
namespace {

// A stored attempt gated again before it is (re-)sent under its key (restart recovery, a 429's
// re-send, a wait for its account's slot) is not one of its own prior calls: counted, it would
// trip the campaign spacing (a call "at its creation" minutes ago), FREQ-CAMPAIGN on its last
// attempt and the daily limit, and the re-gate would cancel a call the gate allowed.
TEST_F(FactsBuilderTest, AnAttemptGatedAgainIsNotItsOwnPriorCall) {
  Campaign spaced = a;
  spaced.min_spacing_minutes = 60;
  spaced.max_attempts = 1;
  spaced.daily_limit = 1;
  CallAttempt x;
  x.tenant_id = spaced.tenant_id;
  x.campaign_id = spaced.id;
  x.contact_id = contact.id;
  x.attempt_number = 1;
  x.idempotency_key = std::to_string(spaced.id) + ":" + std::to_string(contact.id) + ":1";
  x.to_number = contact.phone_e164;
  x.from_number = spaced.caller_id;
  x.created_at = at - minutes(2);  // decided and stored two minutes ago, never sent
  auto stored = db.calls().create_attempt(x);
  ASSERT_TRUE(stored);
  FactsBuilder builder(db.compliance(), db.calls(), db.campaigns(), nullptr, caller_ids());

  auto as_new = builder.build(spaced, contact, at);  // as if it were another call
  ASSERT_TRUE(as_new);
  EXPECT_EQ(as_new->prior_attempts.size(), 1u);
  EXPECT_EQ(as_new->campaign.attempts_made, 1);
  EXPECT_EQ(as_new->campaign.attempts_today, 1);
  EXPECT_NE(gate().evaluate(*as_new).verdict, compliance::Verdict::kAllow);

  auto again = builder.build(spaced, contact, at, nullptr, &x.from_number, stored->id);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->prior_attempts.empty());
  EXPECT_EQ(again->campaign.attempts_made, 0);
  EXPECT_EQ(again->campaign.attempts_today, 0);
  const auto d = gate().evaluate(*again);
  EXPECT_EQ(d.verdict, compliance::Verdict::kAllow) << d.rule << " " << d.reason;
}

}  // namespace
}  // namespace outdial::dialer
