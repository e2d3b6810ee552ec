#pragma once
// Shared by the SQLite integration tests and the crash child: one tenant, one list of n
// contacts, one active campaign, and the carrier profile/seed every process must agree on.
#include <string>
#include <vector>

#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/storage/database.hpp"
#include "outdial/telephony/sim/sim_profile.hpp"

namespace outdial::itest {

inline const TimePoint kStart = from_epoch_ms(1'790'000'000'000);
inline constexpr std::uint64_t kSimSeed = 20261122;
inline const char* kCallerId = "+15550001111";

inline telephony::sim::SimProfile crash_profile() {
  telephony::sim::SimProfile p;
  p.busy_rate = 0.2;  // plenty of retries
  p.failed_rate = 0.05;
  p.answer_rate = 0.45;
  p.talk = {telephony::sim::DurationDist::Kind::kUniform, 5, 120, 0, 1};
  return p;
}

inline Campaign crash_campaign(ListId list) {
  Campaign c;
  c.name = "Reactivation_Nov2026_Crash";
  c.script = "Hello";
  c.list_id = list;
  c.caller_id = kCallerId;
  c.lines = 4;
  c.max_concurrency = 4;
  c.calls_per_minute = 20;
  c.max_attempts = 3;
  c.min_spacing_minutes = 0;
  c.retry = RetryPolicy{{3, 5}, {2, 30}, {2, 60}, {2, 10}};
  return c;
}

// Returns the campaign id, or 0 on failure.
inline CampaignId setup_campaign(storage::Database& db, const Clock& clock, int contacts, Actor& staff_out) {
  auto t = db.tenants().create_tenant(Tenant{0, "crash-tenant", "US", true, "", kStart});
  if (!t) return 0;
  staff_out = Actor{1, t->id, Role::kOperatorAdmin, "user:1"};
  auto list = db.contacts().create_list(ContactList{0, t->id, "crash-list", kStart});
  if (!list) return 0;
  std::vector<Contact> cs;
  for (int i = 0; i < contacts; ++i) {
    Contact c;
    c.tenant_id = t->id;
    c.list_id = list->id;
    c.phone_e164 = "+1646555" + std::to_string(1000 + i);
    c.created_at = kStart;
    cs.push_back(c);
  }
  if (!db.contacts().insert_batch(cs)) return 0;
  dialer::CampaignServiceImpl service(db.campaigns(), db.contacts(), db.calls(), db.audit(), clock);
  auto c = service.create(staff_out, crash_campaign(list->id));
  if (!c) return 0;
  auto a = service.activate(staff_out, c->id);
  return a ? a->id : 0;
}

}  // namespace outdial::itest
