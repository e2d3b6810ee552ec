// The runner's caller ID per call (issue #3 §3) through a CallerIdSource: the gate sees the
// chosen number, the attempt stores it, place_call sends it, and a queued attempt that is sent
// again (after a failed dial or a restart) keeps its From instead of choosing again.
#include <map>
#include <set>
#include <string>

#include "outdial/dialer/caller_id_source.hpp"
#include "unit/dialer/dialer_fixture.hpp"

namespace outdial::dialer {
namespace {

using compliance::Decision;
using compliance::Verdict;

// Picks by the contact's area code from a table; numbers in `unowned` are reported as not
// owned (retired or flagged meanwhile). Counts its calls.
class FakeCallerIds final : public CallerIdSource {
 public:
  std::map<std::string, std::string> by_area;  // "212" -> "+12125550000"
  std::set<std::string> unowned;
  std::optional<Error> failure;  // a store failure for every call
  int chosen = 0;
  int rechecked = 0;

  Result<CallerIdPick> choose(const Campaign&, const Contact& contact, TimePoint) override {
    ++chosen;
    if (failure) return *failure;
    auto it = by_area.find(contact.phone_e164.substr(2, 3));
    if (it == by_area.end()) return CallerIdPick{"", false, "local_presence", "no number in the area"};
    return CallerIdPick{it->second, unowned.count(it->second) == 0, "area_code", ""};
  }
  Result<CallerIdPick> recheck(const Campaign&, const std::string& number, TimePoint) override {
    ++rechecked;
    if (failure) return *failure;
    const bool owned = unowned.count(number) == 0;
    return CallerIdPick{number, owned, "stored", owned ? "" : "retired"};
  }
};

// Blocks like the real CID-VALID rule, records the caller-ID facts it saw.
struct CallerIdRunnerTest : DialerFixture {
  testing::FakeProvider provider;
  std::unique_ptr<FactsBuilder> facts;
  FakeCallerIds source;
  std::vector<compliance::AttemptFacts> seen;
  std::unique_ptr<testing::FakeGate> gate;

  void SetUp() override {
    DialerFixture::SetUp();
    facts = std::make_unique<FactsBuilder>(db.compliance(), db.calls(), db.campaigns(), nullptr, caller_ids());
    facts->set_caller_id_source(&source);
    source.by_area = {{"212", "+12125550000"}, {"415", "+14155550000"}, {"305", "+13055550000"}};
    gate = std::make_unique<testing::FakeGate>([this](const compliance::AttemptFacts& f) {
      seen.push_back(f);
      if (f.caller_id.empty() || !f.caller_id_owned) {
        return Decision{Verdict::kBlock, "CID-VALID", "caller id: " + f.caller_id_problem, std::nullopt};
      }
      return Decision{Verdict::kAllow, "OK", "", std::nullopt};
    });
  }
  void add_numbers(const std::vector<std::string>& phones) {
    std::vector<Contact> cs;
    for (const auto& p : phones) {
      Contact c;
      c.tenant_id = staff.tenant_id;
      c.list_id = list;
      c.phone_e164 = p;
      cs.push_back(c);
    }
    ASSERT_TRUE(db.contacts().insert_batch(cs));
  }
  std::vector<CallAttempt> attempts(CampaignId c) { return *db.calls().list_attempts(staff.tenant_id, c, 0, 100); }
  std::string from_of(const std::string& to) const {
    for (const auto& d : provider.dials) {
      if (d.to == to) return d.from;
    }
    return "(not dialed)";
  }
};

TEST_F(CallerIdRunnerTest, EachCallIsPlacedFromTheChosenNumberAndTheAttemptStoresIt) {
  add_numbers({"+12125551000", "+14155551000", "+13055551000", "+12125551001"});
  Campaign c = make_active(draft());  // its own caller_id is +15550001111: never used here
  CampaignRunner runner(db, provider, *gate, *facts, clock);
  EXPECT_EQ(runner.tick().dialed, 4);
  EXPECT_EQ(from_of("+12125551000"), "+12125550000");
  EXPECT_EQ(from_of("+12125551001"), "+12125550000");
  EXPECT_EQ(from_of("+14155551000"), "+14155550000");
  EXPECT_EQ(from_of("+13055551000"), "+13055550000");
  for (const auto& a : attempts(c.id)) EXPECT_EQ(a.from_number, from_of(a.to_number)) << a.to_number;
  // The gate judged the number that was dialed.
  ASSERT_EQ(seen.size(), 4u);
  for (const auto& f : seen) {
    EXPECT_EQ(f.caller_id, from_of(f.phone_e164));
    EXPECT_TRUE(f.caller_id_owned);
  }
  EXPECT_EQ(source.chosen, 4);
}

TEST_F(CallerIdRunnerTest, NoUsableNumberIsACallerIdBlockNeverADial) {
  add_numbers({"+16175551000", "+14155551000"});
  source.unowned = {"+14155550000"};  // e.g. flagged: the source says so
  Campaign c = make_active(draft());
  CampaignRunner runner(db, provider, *gate, *facts, clock);
  EXPECT_EQ(runner.tick().dialed, 0);
  EXPECT_TRUE(provider.dials.empty());
  EXPECT_TRUE(attempts(c.id).empty());
  auto decisions = db.compliance().list_decisions(staff.tenant_id, c.id, 10);
  ASSERT_EQ(decisions->size(), 2u);
  for (const auto& d : *decisions) {
    EXPECT_EQ(d.verdict, "block");
    EXPECT_EQ(d.rule, "CID-VALID");
  }
  bool saw_problem = false;
  for (const auto& d : *decisions) saw_problem |= d.reason.find("no number in the area") != std::string::npos;
  EXPECT_TRUE(saw_problem);
  auto contacts = db.contacts().list_contacts(staff.tenant_id, list, 0, 10);
  for (const auto& k : contacts->items) {
    EXPECT_EQ((*db.campaigns().get_target(c.id, k.id))->last_outcome, "blocked:CID-VALID");
  }
}

TEST_F(CallerIdRunnerTest, AStoreFailureWhileChoosingPutsTheTargetBackWithoutADecision) {
  add_numbers({"+12125551000"});
  source.failure = make_error(ErrorCode::kUnavailable, "database is locked");
  Campaign c = make_active(draft());
  CampaignRunner runner(db, provider, *gate, *facts, clock);
  EXPECT_EQ(runner.tick().dialed, 0);
  EXPECT_EQ(gate->calls(), 0);
  EXPECT_TRUE(db.compliance().list_decisions(staff.tenant_id, c.id, 10)->empty());
  auto contacts = db.contacts().list_contacts(staff.tenant_id, list, 0, 10);
  auto t = db.campaigns().get_target(c.id, contacts->items.front().id);
  EXPECT_EQ((*t)->status, TargetStatus::kPending);
  EXPECT_GT((*t)->next_eligible_at, kT0);
}

TEST_F(CallerIdRunnerTest, AnAttemptSentAgainKeepsItsFromAndIsRecheckedNotRechosen) {
  add_numbers({"+12125551000"});
  Campaign c = make_active(draft());
  CampaignRunner runner(db, provider, *gate, *facts, clock);
  provider.faults.push_back({make_error(ErrorCode::kUnavailable, "503"), false});
  runner.tick();
  ASSERT_EQ(attempts(c.id).size(), 1u);
  EXPECT_EQ(attempts(c.id)[0].from_number, "+12125550000");
  // The pool changed: a new attempt would now get another number. The queued one keeps its own.
  source.by_area["212"] = "+12125559999";
  clock.advance(std::chrono::seconds(5));
  runner.tick();
  ASSERT_EQ(provider.dials.size(), 1u);
  EXPECT_EQ(provider.dials[0].from, "+12125550000");
  EXPECT_EQ(provider.dials[0].idempotency_key, attempts(c.id)[0].idempotency_key);
  EXPECT_EQ(source.chosen, 1);
  EXPECT_EQ(source.rechecked, 1);
  EXPECT_EQ(seen.back().caller_id, "+12125550000");
}

TEST_F(CallerIdRunnerTest, AQueuedAttemptWhoseFromWasRetiredIsCanceledNotDialedFromAnotherNumber) {
  add_numbers({"+12125551000"});
  Campaign c = make_active(draft());
  CampaignRunner runner(db, provider, *gate, *facts, clock);
  provider.faults.push_back({make_error(ErrorCode::kUnavailable, "503"), false});
  runner.tick();
  source.unowned = {"+12125550000"};  // retired while the attempt waited
  clock.advance(std::chrono::seconds(5));
  runner.tick();
  EXPECT_TRUE(provider.dials.empty());
  auto a = attempts(c.id);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].state, CallState::kCanceled);
  EXPECT_NE(a[0].failure_reason.find("CID-VALID"), std::string::npos) << a[0].failure_reason;
}

TEST_F(CallerIdRunnerTest, ARestartSendsTheSameFromForTheSameKey) {
  add_numbers({"+14155551000"});
  Campaign c = make_active(draft());
  {
    CampaignRunner first(db, provider, *gate, *facts, clock);
    provider.faults.push_back({make_error(ErrorCode::kUnavailable, "connection reset"), false});
    first.tick();  // the attempt is stored, the dial failed: then the process dies
  }
  ASSERT_EQ(attempts(c.id).size(), 1u);
  const CallAttempt queued = attempts(c.id)[0];
  EXPECT_EQ(queued.state, CallState::kQueued);
  EXPECT_EQ(queued.from_number, "+14155550000");
  source.by_area["415"] = "+14155557777";  // what a new choice would give now
  CampaignRunner second(db, provider, *gate, *facts, clock);
  ASSERT_TRUE(second.recover());
  ASSERT_EQ(provider.dials.size(), 1u);
  EXPECT_EQ(provider.dials[0].idempotency_key, queued.idempotency_key);
  EXPECT_EQ(provider.dials[0].from, "+14155550000");
  EXPECT_EQ(source.chosen, 1);
}

TEST_F(CallerIdRunnerTest, WithoutASourceTheCampaignCallerIdIsUsed) {
  add_numbers({"+12125551000"});
  Campaign c = make_active(draft());
  FactsBuilder plain(db.compliance(), db.calls(), db.campaigns(), nullptr, caller_ids());
  CampaignRunner runner(db, provider, *gate, plain, clock);
  EXPECT_EQ(runner.tick().dialed, 1);
  ASSERT_EQ(provider.dials.size(), 1u);
  EXPECT_EQ(provider.dials[0].from, c.caller_id);
  EXPECT_EQ(attempts(c.id)[0].from_number, c.caller_id);
  EXPECT_TRUE(seen.back().caller_id_owned);
  EXPECT_EQ(source.chosen, 0);
}

}  // namespace
}  // namespace outdial::dialer
