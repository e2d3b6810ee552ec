// Conformance: CallStore (idempotent attempts, CAS updates, deduplicated append-only events)
// and AuditStore (append-only).
#include <map>
#include <tuple>

#include "testing/expect_attempt.hpp"
#include "unit/storage/conformance_fixture.hpp"

namespace outdial::storage::testing {
namespace {

template <typename F>
class CallStoreConformance : public StoreConformance<F> {};
TYPED_TEST_SUITE(CallStoreConformance, ConformanceFactories, FactoryNames);

CallAttempt make_attempt(TenantId tenant, CampaignId campaign, ContactId contact, int number) {
  CallAttempt a;
  a.tenant_id = tenant;
  a.campaign_id = campaign;
  a.contact_id = contact;
  a.attempt_number = number;
  a.idempotency_key = std::to_string(campaign) + ":" + std::to_string(contact) + ":" + std::to_string(number);
  a.provider = "sim";
  a.from_number = "+14155550000";
  a.to_number = "+14155550123";
  a.created_at = at_s(number);
  return a;
}

using outdial::testing::expect_same_attempt;

TYPED_TEST(CallStoreConformance, AttemptRoundTripsEveryField) {
  auto& store = this->db().calls();
  CallAttempt a = make_attempt(1, 2, 3, 1);
  a.state = CallState::kAnsweredMachine;
  a.provider = "twilio";
  a.provider_call_id = "CA123";
  a.digits = "1#";
  a.answered_by_machine = true;
  a.dialed_at = at_s(2);
  a.answered_at = at_s(3);
  a.ended_at = at_s(4);
  a.failure_reason = "none really";
  auto created = must(store.create_attempt(a));
  EXPECT_GT(created.id, 0);
  a.id = created.id;
  expect_same_attempt(created, a);
  expect_same_attempt(must(store.get_attempt(a.id)), a);
  auto found = must(store.find_by_provider_id("twilio", "CA123"));
  ASSERT_TRUE(found.has_value());
  expect_same_attempt(*found, a);
  EXPECT_FALSE(must(store.find_by_provider_id("telnyx", "CA123")).has_value());
  EXPECT_FALSE(must(store.find_by_provider_id("twilio", "")).has_value());
  EXPECT_EQ(store.get_attempt(a.id + 10).error().code, ErrorCode::kNotFound);
  // Ad-hoc call: no campaign, no contact.
  CallAttempt adhoc = make_attempt(1, 0, 0, 1);
  adhoc.idempotency_key = "adhoc:1";
  EXPECT_GT(must(store.create_attempt(adhoc)).id, 0);
}

TYPED_TEST(CallStoreConformance, RestoreAttemptPutsTheRowBackWithItsIdOnce) {
  auto& store = this->db().calls();
  auto first = must(store.create_attempt(make_attempt(1, 2, 3, 1)));
  // An attempt whose transaction was lost: back with its own id (ahead of the next one).
  CallAttempt lost = make_attempt(1, 2, 4, 1);
  lost.id = first.id + 5;
  lost.from_number = "+14155550001";
  EXPECT_TRUE(must(store.restore_attempt(lost)));
  expect_same_attempt(must(store.get_attempt(lost.id)), lost);
  auto live = must(store.live_attempts(2));
  EXPECT_EQ(live.size(), 2u);
  // Restored twice (a second restart before the journal was cleared): nothing changes.
  EXPECT_FALSE(must(store.restore_attempt(lost)));
  // The next new attempt does not take a restored id.
  auto next = must(store.create_attempt(make_attempt(1, 2, 5, 1)));
  EXPECT_NE(next.id, lost.id);
  EXPECT_NE(next.id, first.id);
  // The id or the key of another attempt: refused, nothing written.
  CallAttempt clash_id = make_attempt(1, 2, 6, 1);
  clash_id.id = first.id;
  EXPECT_EQ(store.restore_attempt(clash_id).error().code, ErrorCode::kConflict);
  CallAttempt clash_key = make_attempt(1, 2, 3, 1);  // first's key
  clash_key.id = next.id + 100;
  EXPECT_EQ(store.restore_attempt(clash_key).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store.get_attempt(next.id + 100).error().code, ErrorCode::kNotFound);
  expect_same_attempt(must(store.get_attempt(first.id)), first);
  CallAttempt no_id = make_attempt(1, 2, 7, 1);
  EXPECT_EQ(store.restore_attempt(no_id).error().code, ErrorCode::kInvalidArgument);
}

TYPED_TEST(CallStoreConformance, CreateAttemptIsIdempotentOnKey) {
  auto& store = this->db().calls();
  auto first = must(store.create_attempt(make_attempt(1, 2, 3, 1)));
  CallAttempt retry = make_attempt(1, 2, 3, 1);
  retry.to_number = "+19999999999";
  retry.created_at = at_s(1000);
  auto second = must(store.create_attempt(retry));
  expect_same_attempt(second, first);
  EXPECT_EQ(must(store.attempts_for_contact(2, 3)).size(), 1u);
  EXPECT_NE(must(store.create_attempt(make_attempt(1, 2, 3, 2))).id, first.id);
  EXPECT_EQ(must(store.attempts_for_contact(2, 3)).size(), 2u);
}

TYPED_TEST(CallStoreConformance, UpdateAttemptIsCompareAndSet) {
  auto& store = this->db().calls();
  auto a = must(store.create_attempt(make_attempt(1, 2, 3, 1)));
  CallAttempt dialing = a;
  dialing.state = CallState::kDialing;
  dialing.provider_call_id = "sim-1";
  dialing.dialed_at = at_s(5);
  ASSERT_TRUE(store.update_attempt(dialing, CallState::kQueued));
  expect_same_attempt(must(store.get_attempt(a.id)), dialing);

  // A second writer still believing "queued" loses.
  CallAttempt canceled = a;
  canceled.state = CallState::kCanceled;
  auto lost = store.update_attempt(canceled, CallState::kQueued);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict);
  expect_same_attempt(must(store.get_attempt(a.id)), dialing);
  EXPECT_EQ(must(store.find_by_provider_id("sim", "sim-1"))->id, a.id);

  CallAttempt missing = dialing;
  missing.id += 100;
  EXPECT_EQ(store.update_attempt(missing, CallState::kDialing).error().code, ErrorCode::kConflict);
}

TYPED_TEST(CallStoreConformance, QueriesAndCounts) {
  auto& store = this->db().calls();
  const CallState states[] = {CallState::kQueued, CallState::kRinging, CallState::kCompleted,
                              CallState::kBusy, CallState::kBusy};
  for (int i = 0; i < 5; ++i) {
    CallAttempt a = make_attempt(1, 10, 100 + i, 1);
    a.state = states[i];
    a.created_at = at_s(i * 3600);
    must(store.create_attempt(a));
  }
  CallAttempt elsewhere = make_attempt(2, 20, 100, 1);
  must(store.create_attempt(elsewhere));

  auto live = must(store.live_attempts(10));
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].state, CallState::kQueued);
  EXPECT_EQ(live[1].state, CallState::kRinging);
  EXPECT_EQ(must(store.live_attempts(0)).size(), 3u);  // every campaign

  EXPECT_EQ(
      must(store.count_by_state(10)),
      (std::map<std::string, std::int64_t>{{"queued", 1}, {"ringing", 1}, {"completed", 1}, {"busy", 2}}));
  EXPECT_TRUE(must(store.count_by_state(99)).empty());
  EXPECT_EQ(must(store.count_created_between(10, at_s(3600), at_s(3 * 3600))), 2);  // [from, to)
  EXPECT_EQ(must(store.count_created_between(10, at_s(0), at_s(5 * 3600))), 5);

  EXPECT_EQ(must(store.list_attempts(1, 10, 0, 100)).size(), 5u);
  auto page = must(store.list_attempts(1, 10, 3, 100));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].contact_id, 103);
  EXPECT_TRUE(must(store.list_attempts(2, 10, 0, 100)).empty());  // tenant-scoped
  EXPECT_EQ(must(store.list_attempts(2, 0, 0, 100)).size(), 1u);
  EXPECT_EQ(must(store.attempts_for_contact(10, 104)).size(), 1u);
}

TYPED_TEST(CallStoreConformance, CountOfAttemptsMadeLeavesOutOnesCanceledBeforeSending) {
  auto& store = this->db().calls();
  CallAttempt made = make_attempt(1, 10, 199, 1);
  made.state = CallState::kCompleted;
  made.created_at = at_s(30);
  must(store.create_attempt(made));
  // Canceled before anything was sent: no call was made, so the daily limit does not count it;
  // canceled after the dial (a dial time or a carrier call id) does count.
  CallAttempt unsent = make_attempt(1, 10, 200, 1);
  unsent.state = CallState::kCanceled;
  unsent.created_at = at_s(60);
  must(store.create_attempt(unsent));
  CallAttempt dialed = make_attempt(1, 10, 201, 1);
  dialed.state = CallState::kCanceled;
  dialed.dialed_at = at_s(61);
  dialed.created_at = at_s(60);
  must(store.create_attempt(dialed));
  CallAttempt placed = make_attempt(1, 10, 202, 1);
  placed.state = CallState::kCanceled;
  placed.provider = "sim";
  placed.provider_call_id = "SIM-202";
  placed.created_at = at_s(60);
  must(store.create_attempt(placed));
  EXPECT_EQ(must(store.count_created_between(10, at_s(0), at_s(3600))), 3);  // made, dialed, placed
  EXPECT_EQ(must(store.count_by_state(10)).at("canceled"), 3);  // still stored and reported
}

TYPED_TEST(CallStoreConformance, TallyGroupsByStateAndAnswer) {
  auto& store = this->db().calls();
  struct Row {
    CallState state;
    bool answered;
    bool machine;
  };
  const Row rows[] = {{CallState::kCompleted, true, false}, {CallState::kCompleted, true, false},
                      {CallState::kCompleted, true, true},  {CallState::kBusy, false, false},
                      {CallState::kRinging, false, false}};
  for (int i = 0; i < 5; ++i) {
    CallAttempt a = make_attempt(1, 10, 200 + i, 1);
    a.state = rows[i].state;
    if (rows[i].answered) a.answered_at = at_s(60);
    a.answered_by_machine = rows[i].machine;
    must(store.create_attempt(a));
  }
  must(store.create_attempt(make_attempt(1, 11, 300, 1)));  // another campaign
  std::map<std::tuple<std::string, bool, bool>, std::int64_t> got;
  for (const auto& t : must(store.tally_attempts(10))) got[{to_string(t.state), t.answered, t.by_machine}] = t.count;
  const std::map<std::tuple<std::string, bool, bool>, std::int64_t> want{
      {{"completed", true, false}, 2}, {{"completed", true, true}, 1}, {{"busy", false, false}, 1},
      {{"ringing", false, false}, 1}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(must(store.tally_attempts(99)).empty());
}

TYPED_TEST(CallStoreConformance, AttemptsToNumberSpanCampaignsOfOneTenant) {
  auto& store = this->db().calls();
  const std::string number = "+13055550123";
  auto add = [&](TenantId tenant, CampaignId campaign, ContactId contact, int n, std::int64_t created_s,
                 const std::string& to) {
    CallAttempt a = make_attempt(tenant, campaign, contact, n);
    a.to_number = to;
    a.created_at = at_s(created_s);
    return must(store.create_attempt(a));
  };
  // Inserted out of time order, across two campaigns (two contacts with the same number).
  const auto b1 = add(1, 20, 201, 1, 7200, number);
  const auto a1 = add(1, 10, 101, 1, 3600, number);
  const auto a2 = add(1, 10, 101, 2, 10800, number);
  add(1, 10, 101, 3, -1, number);            // created before `since`
  add(1, 10, 102, 1, 5000, "+13055550999");  // another number
  add(2, 30, 301, 1, 5000, number);          // another tenant

  auto got = must(store.attempts_to_number(1, number, at_s(0)));
  ASSERT_EQ(got.size(), 3u);
  expect_same_attempt(got[0], a1);  // oldest first, any campaign
  expect_same_attempt(got[1], b1);
  expect_same_attempt(got[2], a2);
  EXPECT_EQ(must(store.attempts_to_number(1, number, at_s(7200))).size(), 2u);  // since is inclusive
  EXPECT_TRUE(must(store.attempts_to_number(1, number, at_s(10801))).empty());
  EXPECT_EQ(must(store.attempts_to_number(1, number, at_s(-10))).size(), 4u);
  EXPECT_EQ(must(store.attempts_to_number(2, number, at_s(0))).size(), 1u);  // tenant-scoped
  EXPECT_TRUE(must(store.attempts_to_number(1, "+13055550124", at_s(0))).empty());

  // Later state changes (dialed_at) are visible through the lookup.
  CallAttempt dialed = b1;
  dialed.state = CallState::kDialing;
  dialed.dialed_at = at_s(7260);
  ASSERT_TRUE(store.update_attempt(dialed, CallState::kQueued));
  got = must(store.attempts_to_number(1, number, at_s(0)));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].dialed_at, at_s(7260));
}

TYPED_TEST(CallStoreConformance, AppendEventDeduplicatesAndRoundTrips) {
  auto& store = this->db().calls();
  CallAttempt placed = make_attempt(1, 1, 7, 1);
  placed.provider = "twilio";
  placed.provider_call_id = "CA1";
  const AttemptId attempt = must(store.create_attempt(placed)).id;
  CallEvent e;
  e.provider = "twilio";
  e.provider_call_id = "CA1";
  e.attempt_id = attempt;
  e.kind = CallEventKind::kDigits;
  e.at = at_s(9);
  e.sequence = 3;
  e.dedupe_key = "CA1:digits:3";
  e.digits = "2";
  e.duration_seconds = 41;
  e.detail = "caller pressed 2";
  EXPECT_TRUE(must(store.append_event(e)));
  CallEvent replay = e;
  replay.detail = "replayed webhook";
  EXPECT_FALSE(must(store.append_event(replay)));
  CallEvent other_provider = e;
  other_provider.provider = "telnyx";
  EXPECT_TRUE(must(store.append_event(other_provider)));  // keys are per provider

  CallEvent ringing = e;
  ringing.kind = CallEventKind::kRinging;
  ringing.at = at_s(5);
  ringing.sequence = 1;
  ringing.dedupe_key = "CA1:ringing:1";
  EXPECT_TRUE(must(store.append_event(ringing)));

  auto events = must(store.events_for_call("twilio", "CA1"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, CallEventKind::kRinging);  // ordered by time
  const CallEvent& g = events[1];
  EXPECT_GT(g.id, 0);
  EXPECT_EQ(g.provider, e.provider);
  EXPECT_EQ(g.provider_call_id, e.provider_call_id);
  EXPECT_EQ(g.attempt_id, attempt);
  EXPECT_EQ(g.kind, CallEventKind::kDigits);
  EXPECT_EQ(g.at, e.at);
  EXPECT_EQ(g.sequence, 3);
  EXPECT_EQ(g.dedupe_key, e.dedupe_key);
  EXPECT_EQ(g.digits, "2");
  EXPECT_EQ(g.duration_seconds, 41);
  EXPECT_EQ(g.detail, "caller pressed 2");  // the replay changed nothing

  // Events without a dedupe key are never treated as duplicates of each other.
  CallEvent keyless = e;
  keyless.provider_call_id = "CA2";
  keyless.attempt_id = 0;  // no attempt carries CA2
  keyless.dedupe_key.clear();
  EXPECT_TRUE(must(store.append_event(keyless)));
  EXPECT_TRUE(must(store.append_event(keyless)));
  EXPECT_EQ(must(store.events_for_call("twilio", "CA2")).size(), 2u);
}

TYPED_TEST(CallStoreConformance, EventStoredBeforeItsAttemptKnewTheCallIdIsStillADuplicate) {
  auto& store = this->db().calls();
  // A crash left the attempt without the carrier's call id: its first webhook is stored with no
  // attempt (attempt_id 0) and found by call id.
  CallAttempt queued = make_attempt(1, 1, 8, 1);
  queued.provider = "twilio";
  const CallAttempt a = must(store.create_attempt(queued));
  CallEvent ringing;
  ringing.provider = "twilio";
  ringing.provider_call_id = "CA9";
  ringing.kind = CallEventKind::kRinging;
  ringing.at = at_s(3);
  ringing.sequence = 1;
  ringing.dedupe_key = "CA9:ringing:1";
  EXPECT_TRUE(must(store.append_event(ringing)));
  EXPECT_FALSE(must(store.append_event(ringing)));  // re-delivered before the attach
  ASSERT_EQ(must(store.events_for_call("twilio", "CA9")).size(), 1u);

  // The attempt learns the call id; the same webhook delivered again now resolves to it.
  CallAttempt attached = a;
  attached.provider_call_id = "CA9";
  attached.state = CallState::kDialing;
  ASSERT_TRUE(store.update_attempt(attached, CallState::kQueued));
  CallEvent again = ringing;
  again.attempt_id = a.id;
  again.detail = "re-delivered";
  EXPECT_FALSE(must(store.append_event(again)));
  CallEvent answered = again;
  answered.kind = CallEventKind::kAnsweredHuman;
  answered.sequence = 2;
  answered.at = at_s(6);
  answered.dedupe_key = "CA9:answered:2";
  EXPECT_TRUE(must(store.append_event(answered)));
  EXPECT_FALSE(must(store.append_event(answered)));

  // Both the orphan and the attached event come back for the call, in order, once each.
  auto events = must(store.events_for_call("twilio", "CA9"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, CallEventKind::kRinging);
  EXPECT_EQ(events[0].attempt_id, 0);
  EXPECT_EQ(events[0].detail, "");
  EXPECT_EQ(events[1].kind, CallEventKind::kAnsweredHuman);
  EXPECT_EQ(events[1].attempt_id, a.id);
}

TYPED_TEST(CallStoreConformance, UnattachedEventsAreFoundByProviderAndCallId) {
  auto& store = this->db().calls();
  EXPECT_FALSE(must(store.has_unattached_events("twilio", "CA7")));
  const CallAttempt a = must(store.create_attempt(make_attempt(1, 1, 7, 1)));
  CallEvent attached;
  attached.provider = "twilio";
  attached.provider_call_id = "CA7";
  attached.attempt_id = a.id;
  attached.kind = CallEventKind::kRinging;
  attached.at = at_s(1);
  attached.sequence = 1;
  attached.dedupe_key = "CA7:ringing:1";
  ASSERT_TRUE(must(store.append_event(attached)));
  EXPECT_FALSE(must(store.has_unattached_events("twilio", "CA7")));  // attached events do not count

  CallEvent early = attached;
  early.provider_call_id = "CA8";
  early.attempt_id = 0;  // no attempt knows CA8 yet
  early.dedupe_key = "CA8:ringing:1";
  ASSERT_TRUE(must(store.append_event(early)));
  EXPECT_TRUE(must(store.has_unattached_events("twilio", "CA8")));
  EXPECT_FALSE(must(store.has_unattached_events("telnyx", "CA8")));  // another provider's call
  EXPECT_FALSE(must(store.has_unattached_events("twilio", "CA7")));
}

TYPED_TEST(CallStoreConformance, EventsAreAppendOnly) {
  CallEvent e;
  e.provider = "sim";
  e.provider_call_id = "s1";
  e.dedupe_key = "k1";
  e.at = at_s(1);
  ASSERT_TRUE(must(this->db().calls().append_event(e)));
  auto upd = this->factory_.exec_raw(this->db(), "UPDATE call_events SET detail = 'tampered'");
  EXPECT_FALSE(upd);
  auto del = this->factory_.exec_raw(this->db(), "DELETE FROM call_events");
  EXPECT_FALSE(del);
  auto events = must(this->db().calls().events_for_call("sim", "s1"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].detail, "");
}

template <typename F>
class AuditStoreConformance : public StoreConformance<F> {};
TYPED_TEST_SUITE(AuditStoreConformance, ConformanceFactories, FactoryNames);

AuditEntry make_entry(TenantId tenant, const std::string& entity_type, int n) {
  AuditEntry e;
  e.tenant_id = tenant;
  e.actor = "user:12";
  e.action = entity_type + ".update";
  e.entity_type = entity_type;
  e.entity_id = std::to_string(n);
  e.payload_json = R"({"n":)" + std::to_string(n) + "}";
  e.at = at_s(n);
  return e;
}

TYPED_TEST(AuditStoreConformance, AppendAndListNewestFirst) {
  auto& store = this->db().audit();
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i)
    ids.push_back(must(store.append(make_entry(1, i % 2 == 0 ? "campaign" : "dnc", i))));
  must(store.append(make_entry(2, "campaign", 99)));
  auto all = must(store.list(1, "", 0, 100));
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0].id, ids[5]);
  const AuditEntry want = make_entry(1, "dnc", 5);
  EXPECT_EQ(all[0].tenant_id, 1);
  EXPECT_EQ(all[0].actor, want.actor);
  EXPECT_EQ(all[0].action, want.action);
  EXPECT_EQ(all[0].entity_type, want.entity_type);
  EXPECT_EQ(all[0].entity_id, want.entity_id);
  EXPECT_EQ(all[0].payload_json, want.payload_json);
  EXPECT_EQ(all[0].at, want.at);
  auto campaigns = must(store.list(1, "campaign", 0, 100));
  ASSERT_EQ(campaigns.size(), 3u);
  for (const auto& e : campaigns) EXPECT_EQ(e.entity_type, "campaign");
  auto page = must(store.list(1, "", 4, 10));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[1].id, ids[0]);
  EXPECT_EQ(must(store.list(2, "", 0, 100)).size(), 1u);
}

TYPED_TEST(AuditStoreConformance, AuditLogIsAppendOnly) {
  must(this->db().audit().append(make_entry(1, "campaign", 1)));
  EXPECT_FALSE(this->factory_.exec_raw(this->db(), "UPDATE audit_log SET actor = 'someone else'"));
  EXPECT_FALSE(this->factory_.exec_raw(this->db(), "DELETE FROM audit_log"));
  auto all = must(this->db().audit().list(1, "", 0, 10));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].actor, "user:12");
}

}  // namespace
}  // namespace outdial::storage::testing
