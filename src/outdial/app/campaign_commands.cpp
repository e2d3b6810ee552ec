// `outdial campaign …` and `outdial report`: the campaign service from the command line.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "outdial/api/json_mapping.hpp"
#include "outdial/app/commands.hpp"
#include "outdial/app/context.hpp"
#include "outdial/app/report.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"

namespace outdial::app {
namespace {

// The CLI acts as a named user when --user is given (required to activate: activation is
// attributed to a staff member), else as the operator's own admin identity for the tenant.
Result<Actor> cli_actor(storage::Database& db, std::int64_t tenant, std::int64_t user) {
  if (user == 0) return Actor{0, tenant, Role::kOperatorAdmin, "cli"};
  auto u = db.tenants().get_user(user);
  if (!u.ok()) return u.error();
  if (u->tenant_id != tenant) {
    return make_error(ErrorCode::kPermissionDenied, "user " + std::to_string(user) + " is not in tenant " +
                                                        std::to_string(tenant),
                      {{"field", "user"}});
  }
  return Actor{u->id, u->tenant_id, u->role, "user:" + std::to_string(u->id)};
}

}  // namespace

int cmd_campaign(const Config& cfg, const CampaignCommand& c) {
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  SystemClock clock;
  dialer::CampaignServiceImpl service(db.value()->campaigns(), db.value()->contacts(), db.value()->calls(),
                                      db.value()->audit(), clock);
  auto actor = cli_actor(*db.value(), c.tenant, c.user);
  if (!actor.ok()) return fail(actor.error());

  if (c.action == "create") {
    std::ifstream in(c.file);
    if (!in) return fail(make_error(ErrorCode::kNotFound, "cannot open " + c.file, {{"file", c.file}}));
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) return fail(make_error(ErrorCode::kInvalidArgument, c.file + " is not valid JSON"));
    auto draft = api::campaign_from_json(j);
    if (!draft.ok()) return fail(draft.error());
    auto created = service.create(actor.value(), draft.value());
    if (!created.ok()) return fail(created.error());
    std::cout << api::to_json(created.value()).dump(2) << "\n";
    return 0;
  }
  if (c.action == "list") {
    auto list = service.list(actor.value());
    if (!list.ok()) return fail(list.error());
    for (const auto& x : list.value()) std::cout << x.id << "\t" << to_string(x.status) << "\t" << x.name << "\n";
    return 0;
  }
  if (c.action == "progress") {
    auto p = service.progress(actor.value(), c.id);
    if (!p.ok()) return fail(p.error());
    std::cout << api::to_json(p.value()).dump(2) << "\n";
    return 0;
  }
  if (c.action == "start" && c.user == 0) {
    return fail(make_error(ErrorCode::kInvalidArgument,
                           "campaign start needs --user: activation is manual and attributed to a staff user",
                           {{"field", "user"}}));
  }
  Result<Campaign> r = make_error(ErrorCode::kInvalidArgument, "unknown campaign action " + c.action);
  if (c.action == "start") r = service.activate(actor.value(), c.id);
  if (c.action == "pause") r = service.pause(actor.value(), c.id);
  if (c.action == "resume") r = service.resume(actor.value(), c.id);
  if (c.action == "stop") r = service.stop(actor.value(), c.id);
  if (!r.ok()) return fail(r.error());
  std::cout << "campaign " << r->id << " is " << to_string(r->status) << "\n";
  return 0;
}

int cmd_report(const Config& cfg, std::int64_t tenant, std::int64_t campaign, bool json) {
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  SystemClock clock;
  dialer::CampaignServiceImpl service(db.value()->campaigns(), db.value()->contacts(), db.value()->calls(),
                                      db.value()->audit(), clock);
  auto actor = cli_actor(*db.value(), tenant, 0);
  auto c = service.get(actor.value(), campaign);
  if (!c.ok()) return fail(c.error());
  auto p = service.progress(actor.value(), campaign);
  if (!p.ok()) return fail(p.error());
  if (json) {
    std::cout << api::to_json(p.value()).dump(2) << "\n";
  } else {
    std::cout << report_text(c->name, p.value());
  }
  return 0;
}

}  // namespace outdial::app
