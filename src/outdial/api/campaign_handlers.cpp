// Campaign lifecycle and monitoring (seed 004). Lifecycle calls go through CampaignService, which
// checks roles and tenant and writes the audit entries; the API also refuses non-staff up front
// so a client_viewer never reaches the service.
#include "outdial/api/auth.hpp"
#include "outdial/api/handler_support.hpp"
#include "outdial/api/json_mapping.hpp"
#include "outdial/api/json_reader.hpp"
#include "outdial/dialer/disposition_service.hpp"

namespace outdial::api {

using nlohmann::json;

namespace {

using Transition = Result<Campaign> (dialer::CampaignService::*)(const Actor&, CampaignId);

// Campaigns as the API shows them: their fields plus "dedicated_number" (seed "AI Outbound Call
// Policy": the number dedicated to the campaign is shown to the client, read-only, without the
// account behind it; null when none). One read of the tenant's numbers per response.
Result<json> campaigns_json(ApiDeps& deps, TenantId tenant, const std::vector<Campaign>& campaigns) {
  std::map<CampaignId, const PhoneNumber*> dedicated;
  auto numbers = deps.db.accounts().list_numbers(tenant, {});
  // A storage driver without provider accounts has no dedicated numbers.
  if (!numbers && numbers.error().code != ErrorCode::kFailedPrecondition) return numbers.error();
  if (numbers) {
    for (const auto& n : *numbers) {
      if (n.dedicated_campaign_id != 0 && n.status != NumberStatus::kRetired) dedicated[n.dedicated_campaign_id] = &n;
    }
  }
  json out = json::array();
  for (const auto& c : campaigns) {
    json j = to_json(c);
    auto it = dedicated.find(c.id);
    j["dedicated_number"] = it == dedicated.end() ? json(nullptr)
                                                  : json{{"number", it->second->e164},
                                                         {"label", it->second->label},
                                                         {"status", to_string(it->second->status)}};
    out.push_back(std::move(j));
  }
  return out;
}

Result<net::Response> campaign_response(ApiDeps& deps, int status, const Campaign& c) {
  auto j = campaigns_json(deps, c.tenant_id, {c});
  if (!j) return j.error();
  return json_response(status, std::move((*j)[0]));
}

Result<net::Response> create(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto body = parse_json_body(req.body);
  if (!body.ok()) return body.error();
  auto draft = campaign_from_json(*body);
  if (!draft.ok()) return draft.error();
  draft->tenant_id = actor.tenant_id;
  draft->created_by = actor.user_id;
  draft->status = CampaignStatus::kDraft;
  auto created = deps.campaigns.create(actor, *draft);
  if (!created.ok()) return created.error();
  return campaign_response(deps, 201, *created);
}

Result<net::Response> transition(ApiDeps& deps, const Actor& actor, const net::Request& req, Transition fn,
                                 bool staff_only) {
  if (auto s = staff_only ? require_staff(actor) : require_write(actor); !s.ok()) return s.error();
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto c = (deps.campaigns.*fn)(actor, *id);
  if (!c.ok()) return c.error();
  return campaign_response(deps, 200, *c);
}

Result<net::Response> targets(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto page = page_params(req);
  if (!page.ok()) return page.error();
  auto campaign = deps.campaigns.get(actor, *id);  // tenant check: another tenant's id -> 404
  if (!campaign.ok()) return campaign.error();
  auto list = deps.db.campaigns().list_targets(*id, page->offset, page->limit);
  if (!list.ok()) return list.error();
  auto counts = deps.db.campaigns().count_targets(*id);
  if (!counts.ok()) return counts.error();
  json items = json::array();
  for (const auto& t : *list) {
    auto contact = deps.db.contacts().get_contact(actor.tenant_id, t.contact_id);
    items.push_back(to_json(t, contact.ok() ? contact->phone_e164 : std::string()));
  }
  return json_response(
      200, {{"items", items}, {"total", counts->total}, {"offset", page->offset}, {"limit", page->limit}});
}

Result<net::Response> calls(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto page = page_params(req);
  if (!page.ok()) return page.error();
  auto campaign = deps.campaigns.get(actor, *id);
  if (!campaign.ok()) return campaign.error();
  auto attempts = deps.db.calls().list_attempts(actor.tenant_id, *id, page->offset, page->limit);
  if (!attempts.ok()) return attempts.error();
  json items = json::array();
  for (const auto& a : *attempts) items.push_back(to_json(a));
  return json_response(200, {{"items", items}, {"offset", page->offset}, {"limit", page->limit}});
}

json to_json(const Disposition& d) {
  return {{"id", d.id},
          {"attempt_id", d.attempt_id},
          {"code", to_string(d.code)},
          {"note", d.note},
          {"callback_at", time_json(d.callback_at)},
          {"created_by", d.created_by},
          {"created_at", format_iso8601(d.created_at)}};
}

dialer::DispositionService dispositions(ApiDeps& deps) {
  return dialer::DispositionService(deps.db.calls(), deps.db.campaigns(), deps.db.compliance(), deps.db.audit(),
                                    deps.clock);
}

// POST /api/calls/:id/disposition {"code", "note"?, "callback_at"?}
Result<net::Response> dispose(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_write(actor); !s.ok()) return s.error();
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto body = parse_json_body(req.body);
  if (!body.ok()) return body.error();
  dialer::DispositionRequest d;
  ObjectReader r(*body, "");
  r.enumeration("code", d.code, parse_disposition_code, true);
  r.str("note", d.note);
  r.opt_time("callback_at", d.callback_at);
  r.finish();
  if (!r.ok()) return r.error();
  auto stored = dispositions(deps).record(actor, *id, d);
  if (!stored.ok()) return stored.error();
  return json_response(201, to_json(*stored));
}

}  // namespace

void add_campaign_routes(net::Router& router, ApiDeps& deps) {
  router.add("POST", "/api/calls/:id/disposition",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return dispose(deps, a, r); }));
  router.add("GET", "/api/calls/:id/dispositions",
             authed(deps, [&deps](const Actor& a, const net::Request& r) -> Result<net::Response> {
               auto id = id_param(r, "id");
               if (!id.ok()) return id.error();
               auto list = dispositions(deps).list(a, *id);
               if (!list.ok()) return list.error();
               json items = json::array();
               for (const auto& d : *list) items.push_back(to_json(d));
               return json_response(200, {{"items", items}});
             }));
  router.add("POST", "/api/campaigns",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return create(deps, a, r); }));
  router.add("GET", "/api/campaigns",
             authed(deps, [&deps](const Actor& a, const net::Request&) -> Result<net::Response> {
               auto list = deps.campaigns.list(a);
               if (!list.ok()) return list.error();
               auto items = campaigns_json(deps, a.tenant_id, *list);
               if (!items.ok()) return items.error();
               return json_response(200, {{"items", std::move(*items)}});
             }));
  router.add("GET", "/api/campaigns/:id",
             authed(deps, [&deps](const Actor& a, const net::Request& r) -> Result<net::Response> {
               auto id = id_param(r, "id");
               if (!id.ok()) return id.error();
               auto c = deps.campaigns.get(a, *id);
               if (!c.ok()) return c.error();
               return campaign_response(deps, 200, *c);
             }));
  // Starting and resuming put calls on the wire: staff only (seed "AI Outbound Call Policy":
  // staff-only manual activation). Pausing and stopping are the safe direction: agents too.
  struct Verb {
    const char* name;
    Transition fn;
    bool staff_only;
  };
  const Verb verbs[] = {
      {"start", &dialer::CampaignService::activate, true},
      {"resume", &dialer::CampaignService::resume, true},
      {"pause", &dialer::CampaignService::pause, false},
      {"stop", &dialer::CampaignService::stop, false},
  };
  for (const auto& v : verbs) {
    router.add("POST", std::string("/api/campaigns/:id/") + v.name,
               authed(deps, [&deps, fn = v.fn, staff = v.staff_only](const Actor& a, const net::Request& r) {
                 return transition(deps, a, r, fn, staff);
               }));
  }
  router.add("GET", "/api/campaigns/:id/progress",
             authed(deps, [&deps](const Actor& a, const net::Request& r) -> Result<net::Response> {
               auto id = id_param(r, "id");
               if (!id.ok()) return id.error();
               auto p = deps.campaigns.progress(a, *id);
               if (!p.ok()) return p.error();
               return json_response(200, to_json(*p));
             }));
  router.add("GET", "/api/campaigns/:id/contacts",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return targets(deps, a, r); }));
  router.add("GET", "/api/campaigns/:id/calls",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return calls(deps, a, r); }));
}

}  // namespace outdial::api
