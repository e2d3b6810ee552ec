// Conformance: CampaignStore, above all the claim/lease protocol several nodes rely on.
#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "unit/storage/conformance_fixture.hpp"

namespace outdial::storage::testing {
namespace {

using std::chrono::seconds;

template <typename F>
class CampaignStoreConformance : public StoreConformance<F> {};
TYPED_TEST_SUITE(CampaignStoreConformance, ConformanceFactories, FactoryNames);

Campaign full_campaign(TenantId tenant, ListId list) {
  Campaign c;
  c.tenant_id = tenant;
  c.name = "No-show rebooking";
  c.description = "Rebook missed appointments";
  c.script = "Hi {first_name}, this is Acme Dental...";
  c.voicemail_text = "Please call us back";
  c.purpose = Purpose::kNoShowRebooking;
  c.voice = VoiceType::kPrerecorded;
  c.status = CampaignStatus::kPaused;
  c.list_id = list;
  c.caller_id = "+14155550000";
  c.agent_number = "+14155559999";
  c.lines = 3;
  c.max_concurrency = 11;
  c.calls_per_minute = 45;
  c.max_attempts = 6;
  c.min_spacing_minutes = 90;
  c.daily_limit = 500;
  c.retry.busy = {4, 15};
  c.retry.no_answer = {5, 180};
  c.retry.machine = {1, 2880};
  c.retry.failed = {3, 30};
  c.schedule_start = at_s(100);
  c.schedule_end = at_s(200);
  c.expires_at = at_s(300);
  c.record_calls = true;
  c.recording_disclosure = true;
  c.created_by = 12;
  c.activated_by = 13;
  c.activated_at = at_s(50);
  c.created_at = at_s(10);
  return c;
}

void expect_same_campaign(const Campaign& a, const Campaign& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.tenant_id, b.tenant_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.script, b.script);
  EXPECT_EQ(a.voicemail_text, b.voicemail_text);
  EXPECT_EQ(a.purpose, b.purpose);
  EXPECT_EQ(a.voice, b.voice);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.list_id, b.list_id);
  EXPECT_EQ(a.caller_id, b.caller_id);
  EXPECT_EQ(a.agent_number, b.agent_number);
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_EQ(a.max_concurrency, b.max_concurrency);
  EXPECT_EQ(a.calls_per_minute, b.calls_per_minute);
  EXPECT_EQ(a.max_attempts, b.max_attempts);
  EXPECT_EQ(a.min_spacing_minutes, b.min_spacing_minutes);
  EXPECT_EQ(a.daily_limit, b.daily_limit);
  for (auto [x, y] :
       {std::pair{a.retry.busy, b.retry.busy}, std::pair{a.retry.no_answer, b.retry.no_answer},
        std::pair{a.retry.machine, b.retry.machine}, std::pair{a.retry.failed, b.retry.failed}}) {
    EXPECT_EQ(x.max_attempts, y.max_attempts);
    EXPECT_EQ(x.backoff_minutes, y.backoff_minutes);
  }
  EXPECT_EQ(a.schedule_start, b.schedule_start);
  EXPECT_EQ(a.schedule_end, b.schedule_end);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.record_calls, b.record_calls);
  EXPECT_EQ(a.recording_disclosure, b.recording_disclosure);
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.activated_by, b.activated_by);
  EXPECT_EQ(a.activated_at, b.activated_at);
  EXPECT_EQ(a.created_at, b.created_at);
}

std::vector<ContactId> ids_of(const std::vector<CampaignTarget>& ts) {
  std::vector<ContactId> out;
  for (const auto& t : ts) out.push_back(t.contact_id);
  return out;
}

TYPED_TEST(CampaignStoreConformance, CampaignRoundTripsEveryFieldAndIsTenantScoped) {
  auto& store = this->db().campaigns();
  auto tenant = this->seed_tenant("acme");
  auto other = this->seed_tenant("other");
  auto list = this->seed_list(tenant.id, "main");
  Campaign c = full_campaign(tenant.id, list.id);
  auto created = must(store.create_campaign(c));
  EXPECT_GT(created.id, 0);
  c.id = created.id;
  expect_same_campaign(must(store.get_campaign(tenant.id, c.id)), c);
  expect_same_campaign(must(store.get_campaign_any(c.id)), c);

  auto wrong = store.get_campaign(other.id, c.id);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.get_campaign_any(c.id + 100).error().code, ErrorCode::kNotFound);

  // Optional fields empty round-trip as empty.
  auto minimal = this->seed_campaign(tenant.id, list.id, CampaignStatus::kDraft);
  auto got = must(store.get_campaign(tenant.id, minimal.id));
  EXPECT_FALSE(got.schedule_start.has_value());
  EXPECT_FALSE(got.activated_by.has_value());
  EXPECT_FALSE(got.activated_at.has_value());
  EXPECT_EQ(must(store.list_campaigns(tenant.id)).size(), 2u);
  EXPECT_TRUE(must(store.list_campaigns(other.id)).empty());
}

TYPED_TEST(CampaignStoreConformance, ListActiveCampaignsAcrossTenants) {
  auto& store = this->db().campaigns();
  auto a = this->seed_tenant("a");
  auto b = this->seed_tenant("b");
  auto la = this->seed_list(a.id, "l");
  auto lb = this->seed_list(b.id, "l");
  auto ca = this->seed_campaign(a.id, la.id, CampaignStatus::kActive);
  this->seed_campaign(a.id, la.id, CampaignStatus::kDraft);
  auto cb = this->seed_campaign(b.id, lb.id, CampaignStatus::kActive);
  auto active = must(store.list_active_campaigns());
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].id, ca.id);
  EXPECT_EQ(active[1].id, cb.id);
}

TYPED_TEST(CampaignStoreConformance, UpdateCampaignOverwritesMutableFields) {
  auto& store = this->db().campaigns();
  auto tenant = this->seed_tenant("acme");
  auto other = this->seed_tenant("other");
  auto list = this->seed_list(tenant.id, "main");
  auto draft = this->seed_campaign(tenant.id, list.id, CampaignStatus::kDraft);
  Campaign changed = full_campaign(tenant.id, list.id);
  changed.id = draft.id;
  changed.status = CampaignStatus::kActive;
  changed.created_by = draft.created_by;  // identity fields do not change
  changed.created_at = draft.created_at;
  auto updated = must(store.update_campaign(changed));
  expect_same_campaign(updated, changed);
  expect_same_campaign(must(store.get_campaign(tenant.id, draft.id)), changed);

  Campaign foreign = changed;
  foreign.tenant_id = other.id;
  EXPECT_EQ(store.update_campaign(foreign).error().code, ErrorCode::kNotFound);
  Campaign gone = changed;
  gone.id += 100;
  EXPECT_EQ(store.update_campaign(gone).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(CampaignStoreConformance, AddTargetsFromListIsIdempotent) {
  auto& store = this->db().campaigns();
  auto w = this->seed_world(10);
  EXPECT_EQ(must(store.add_targets_from_list(w.campaign.id, w.list.id, at_s(99))), 0);  // all there already
  this->seed_contacts(w.tenant.id, w.list.id, 12);  // 2 new numbers (first 10 are duplicates)
  EXPECT_EQ(must(store.add_targets_from_list(w.campaign.id, w.list.id, at_s(99))), 2);
  auto counts = must(store.count_targets(w.campaign.id));
  EXPECT_EQ(counts.total, 12);
  EXPECT_EQ(counts.by_status.at("pending"), 12);
  auto t = must(store.get_target(w.campaign.id, w.contacts[0].id));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status, TargetStatus::kPending);
  EXPECT_EQ(t->attempts, 0);
  EXPECT_EQ(t->next_eligible_at, kT0);  // unchanged by the second add
  EXPECT_TRUE(t->lease_owner.empty());
  EXPECT_FALSE(t->lease_expires_at.has_value());
  EXPECT_FALSE(must(store.get_target(w.campaign.id, 999999)).has_value());
  EXPECT_EQ(must(store.list_targets(w.campaign.id, 10, 100)).size(), 2u);
}

TYPED_TEST(CampaignStoreConformance, ClaimLeasesDueTargetsInOrder) {
  auto& store = this->db().campaigns();
  auto w = this->seed_world(6);
  const CampaignId cid = w.campaign.id;
  // Push contact 0 into the future; make contact 5 the earliest.
  ASSERT_EQ(must(store.claim_targets(cid, "setup", kT0, seconds(1), 6)).size(), 6u);
  for (auto& t : must(store.targets_held_by(cid, "setup"))) {
    t.status = TargetStatus::kPending;
    if (t.contact_id == w.contacts[0].id) t.next_eligible_at = at_s(3600);
    if (t.contact_id == w.contacts[5].id) t.next_eligible_at = kT0 - seconds(60);
    ASSERT_TRUE(store.release_target(t, "setup"));
  }

  const Millis kLong = std::chrono::hours(24);  // no lease expires during this test
  auto first = must(store.claim_targets(cid, "node-a", at_s(10), kLong, 3));
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(ids_of(first), (std::vector<ContactId>{w.contacts[5].id, w.contacts[1].id, w.contacts[2].id}));
  for (const auto& t : first) {
    EXPECT_EQ(t.status, TargetStatus::kInProgress);
    EXPECT_EQ(t.lease_owner, "node-a");
    EXPECT_EQ(t.lease_expires_at, std::optional<TimePoint>(at_s(10) + kLong));
    EXPECT_EQ(t.campaign_id, cid);
  }
  auto second = must(store.claim_targets(cid, "node-b", at_s(10), kLong, 10));
  EXPECT_EQ(ids_of(second),
            (std::vector<ContactId>{w.contacts[3].id, w.contacts[4].id}));  // contact 0 not due
  EXPECT_TRUE(must(store.claim_targets(cid, "node-b", at_s(10), kLong, 10)).empty());
  EXPECT_EQ(ids_of(must(store.claim_targets(cid, "node-b", at_s(3600), kLong, 10))),
            std::vector<ContactId>{w.contacts[0].id});
  EXPECT_EQ(must(store.targets_held_by(cid, "node-a")).size(), 3u);
  EXPECT_TRUE(must(store.claim_targets(cid, "node-a", at_s(10), seconds(30), 0)).empty());
}

TYPED_TEST(CampaignStoreConformance, ClaimNeverHandsOutATargetTwiceInOneDatabase) {
  auto& store = this->db().campaigns();
  auto w = this->seed_world(300);
  std::mutex mu;
  std::vector<ContactId> all;
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&, n] {
      const std::string node = "node-" + std::to_string(n);
      for (;;) {
        auto r = store.claim_targets(w.campaign.id, node, at_s(1), seconds(600), 7);
        ASSERT_TRUE(r) << r.error().message;
        if (r->empty()) return;
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& t : *r) all.push_back(t.contact_id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<ContactId> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), all.size()) << "a target was claimed twice";
  EXPECT_EQ(all.size(), 300u);
}

// Two independent Database objects on the same storage: two connections, as two processes or
// nodes would have. Each claims concurrently from its own thread.
TYPED_TEST(CampaignStoreConformance, ClaimNeverHandsOutATargetTwiceAcrossConnections) {
  auto second = this->factory_.open_second();
  if (!second) GTEST_SKIP() << "backend cannot share a database between connections";
  auto w = this->seed_world(500);
  std::vector<ContactId> claimed[2];
  auto worker = [&](Database& db, int n) {
    const std::string node = "node-" + std::to_string(n);
    for (;;) {
      auto r = db.campaigns().claim_targets(w.campaign.id, node, at_s(1), seconds(600), 5);
      ASSERT_TRUE(r) << r.error().message;
      if (r->empty()) return;
      for (const auto& t : *r) {
        EXPECT_EQ(t.lease_owner, node);
        claimed[n].push_back(t.contact_id);
      }
    }
  };
  std::thread a(worker, std::ref(this->db()), 0);
  std::thread b(worker, std::ref(*second), 1);
  a.join();
  b.join();
  std::set<ContactId> unique;
  for (const auto& part : claimed) unique.insert(part.begin(), part.end());
  EXPECT_EQ(unique.size(), claimed[0].size() + claimed[1].size()) << "a target was claimed twice";
  std::set<ContactId> expected;
  for (const auto& c : w.contacts) expected.insert(c.id);
  EXPECT_EQ(unique, expected);
  // Both nodes' leases are visible through either connection.
  EXPECT_EQ(must(second->campaigns().count_targets(w.campaign.id)).by_status.at("in_progress"), 500);
}

TYPED_TEST(CampaignStoreConformance, ExpiredLeaseCanBeReclaimedByAnotherNode) {
  auto& store = this->db().campaigns();
  auto w = this->seed_world(1);
  const CampaignId cid = w.campaign.id;
  auto a = must(store.claim_targets(cid, "node-a", at_s(0), seconds(30), 1));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(must(store.claim_targets(cid, "node-b", at_s(29), seconds(30), 1)).empty());  // still live
  // node-a renews (live call): still not reclaimable at the old expiry.
  ASSERT_TRUE(store.renew_leases(cid, "node-a", at_s(20), seconds(30)));
  EXPECT_EQ(must(store.get_target(cid, a[0].contact_id))->lease_expires_at,
            std::optional<TimePoint>(at_s(50)));
  EXPECT_TRUE(must(store.claim_targets(cid, "node-b", at_s(45), seconds(30), 1)).empty());
  // node-a goes silent; once the lease runs out node-b takes over.
  auto b = must(store.claim_targets(cid, "node-b", at_s(50), seconds(30), 1));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].contact_id, a[0].contact_id);
  EXPECT_EQ(b[0].lease_owner, "node-b");
  EXPECT_EQ(b[0].status, TargetStatus::kInProgress);
  EXPECT_TRUE(must(store.targets_held_by(cid, "node-a")).empty());
  // The old owner lost it: its release and renewals do nothing to the new lease.
  CampaignTarget stale = a[0];
  stale.status = TargetStatus::kDone;
  EXPECT_EQ(store.release_target(stale, "node-a").error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store.renew_leases(cid, "node-a", at_s(60), seconds(300)));
  EXPECT_EQ(must(store.get_target(cid, a[0].contact_id))->lease_expires_at,
            std::optional<TimePoint>(at_s(80)));
}

TYPED_TEST(CampaignStoreConformance, HoldTargetTakesAPendingOrOwnOrExpiredTargetButNotAnotherNodesLiveLease) {
  auto& store = this->db().campaigns();
  auto w = this->seed_world(3);
  const CampaignId cid = w.campaign.id;
  auto all = must(store.list_targets(cid, 0, 10));
  ASSERT_EQ(all.size(), 3u);
  const ContactId pending = all[0].contact_id;
  // A pending target (its claim was lost with a transaction): held by the node, as a claim would.
  ASSERT_TRUE(store.hold_target(cid, pending, "node-a", at_s(10), seconds(30)));
  auto got = *must(store.get_target(cid, pending));
  EXPECT_EQ(got.status, TargetStatus::kInProgress);
  EXPECT_EQ(got.lease_owner, "node-a");
  EXPECT_EQ(got.lease_expires_at, std::optional<TimePoint>(at_s(40)));
  EXPECT_EQ(ids_of(must(store.targets_held_by(cid, "node-a"))), std::vector<ContactId>{pending});
  // Nobody else claims it now.
  for (const auto& t : must(store.claim_targets(cid, "node-b", at_s(11), seconds(30), 10))) {
    EXPECT_NE(t.contact_id, pending);
  }
  // Its own lease: renewed.
  ASSERT_TRUE(store.hold_target(cid, pending, "node-a", at_s(20), seconds(30)));
  EXPECT_EQ(must(store.get_target(cid, pending))->lease_expires_at, std::optional<TimePoint>(at_s(50)));
  // Another node's live lease: refused, unchanged.
  auto held_b = must(store.targets_held_by(cid, "node-b"));
  ASSERT_FALSE(held_b.empty());
  const ContactId theirs = held_b[0].contact_id;
  auto refused = store.hold_target(cid, theirs, "node-a", at_s(20), seconds(30));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(must(store.get_target(cid, theirs))->lease_owner, "node-b");
  // Once that lease ran out it can be taken.
  ASSERT_TRUE(store.hold_target(cid, theirs, "node-a", at_s(41), seconds(30)));
  EXPECT_EQ(must(store.get_target(cid, theirs))->lease_owner, "node-a");
  // No such target.
  EXPECT_EQ(store.hold_target(cid, 424242, "node-a", at_s(50), seconds(30)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.hold_target(cid, pending, "", at_s(50), seconds(30)).error().code, ErrorCode::kInvalidArgument);
}

TYPED_TEST(CampaignStoreConformance, ReleaseWritesOutcomeOnlyForTheOwner) {
  auto& store = this->db().campaigns();
  auto w = this->seed_world(2);
  const CampaignId cid = w.campaign.id;
  auto claimed = must(store.claim_targets(cid, "node-a", at_s(0), seconds(30), 2));
  ASSERT_EQ(claimed.size(), 2u);
  CampaignTarget t = claimed[0];
  t.status = TargetStatus::kPending;
  t.attempts = 1;
  t.next_eligible_at = at_s(7200);
  t.last_outcome = "busy";
  auto bad = store.release_target(t, "node-b");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kConflict);
  EXPECT_EQ(must(store.get_target(cid, t.contact_id))->lease_owner, "node-a");  // unchanged

  ASSERT_TRUE(store.release_target(t, "node-a"));
  auto got = *must(store.get_target(cid, t.contact_id));
  EXPECT_EQ(got.status, TargetStatus::kPending);
  EXPECT_EQ(got.attempts, 1);
  EXPECT_EQ(got.next_eligible_at, at_s(7200));
  EXPECT_EQ(got.last_outcome, "busy");
  EXPECT_TRUE(got.lease_owner.empty());
  EXPECT_FALSE(got.lease_expires_at.has_value());
  // Released once: a second release by the former owner conflicts.
  EXPECT_EQ(store.release_target(t, "node-a").error().code, ErrorCode::kConflict);
  EXPECT_EQ(ids_of(must(store.targets_held_by(cid, "node-a"))),
            std::vector<ContactId>{claimed[1].contact_id});
  CampaignTarget missing = t;
  missing.contact_id = 424242;
  EXPECT_EQ(store.release_target(missing, "node-a").error().code, ErrorCode::kConflict);
}

TYPED_TEST(CampaignStoreConformance, NextEligibleAtAndCounts) {
  auto& store = this->db().campaigns();
  auto tenant = this->seed_tenant("acme");
  auto list = this->seed_list(tenant.id, "main");
  auto empty = this->seed_campaign(tenant.id, list.id);
  EXPECT_FALSE(must(store.next_eligible_at(empty.id)).has_value());
  EXPECT_EQ(must(store.count_targets(empty.id)).total, 0);

  auto w = this->seed_world(4, "other");
  const CampaignId cid = w.campaign.id;
  EXPECT_EQ(must(store.next_eligible_at(cid)), std::optional<TimePoint>(kT0));
  auto claimed = must(store.claim_targets(cid, "n", kT0, seconds(30), 4));
  ASSERT_EQ(claimed.size(), 4u);
  EXPECT_FALSE(must(store.next_eligible_at(cid)).has_value());  // nothing pending
  const TargetStatus outcomes[] = {TargetStatus::kPending, TargetStatus::kPending, TargetStatus::kDone,
                                   TargetStatus::kBlocked};
  const TimePoint when[] = {at_s(500), at_s(300), at_s(1), at_s(1)};
  for (int i = 0; i < 4; ++i) {
    CampaignTarget t = claimed[static_cast<std::size_t>(i)];
    t.status = outcomes[i];
    t.next_eligible_at = when[i];
    if (outcomes[i] == TargetStatus::kBlocked) t.last_outcome = "blocked:DNC-INTERNAL";
    ASSERT_TRUE(store.release_target(t, "n"));
  }
  EXPECT_EQ(must(store.next_eligible_at(cid)), std::optional<TimePoint>(at_s(300)));  // done/blocked ignored
  auto counts = must(store.count_targets(cid));
  EXPECT_EQ(counts.total, 4);
  EXPECT_EQ(counts.by_status,
            (std::map<std::string, std::int64_t>{{"blocked", 1}, {"done", 1}, {"pending", 2}}));
  EXPECT_EQ(counts.blocked_outcomes, (std::map<std::string, std::int64_t>{{"blocked:DNC-INTERNAL", 1}}));
  // Not yet due: nothing to claim; at 300 s exactly one.
  EXPECT_TRUE(must(store.claim_targets(cid, "n", at_s(299), seconds(30), 4)).empty());
  EXPECT_EQ(must(store.claim_targets(cid, "n", at_s(300), seconds(30), 4)).size(), 1u);
}

}  // namespace
}  // namespace outdial::storage::testing
