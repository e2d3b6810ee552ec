// Internal do-not-call list, consent records and the what-if gate check.
#include "outdial/api/auth.hpp"
#include "outdial/api/facts_json.hpp"
#include "outdial/api/handler_support.hpp"
#include "outdial/api/json_mapping.hpp"
#include "outdial/api/json_reader.hpp"
#include "outdial/api/phone_param.hpp"

namespace outdial::api {

using nlohmann::json;

namespace {

Result<net::Response> add_dnc(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_write(actor); !s.ok()) return s.error();
  auto body = parse_json_body(req.body);
  if (!body.ok()) return body.error();
  DncEntry e;
  ObjectReader r(*body, "");
  r.str("phone", e.phone_e164, true);
  r.str("reason", e.reason);
  r.str("source", e.source);
  r.finish();
  if (!r.ok()) return r.error();
  auto phone = require_e164(e.phone_e164, "phone");
  if (!phone.ok()) return phone.error();
  e.phone_e164 = *phone;
  e.tenant_id = actor.tenant_id;
  if (e.reason.empty()) e.reason = "manual";
  if (e.source.empty()) e.source = "api";
  e.created_at = deps.clock.now();
  auto stored = deps.db.compliance().add_dnc(e);
  if (!stored.ok()) return stored.error();
  auto s = write_audit(deps, actor, "dnc.add", "dnc", stored->phone_e164,
                       {{"reason", e.reason}, {"source", e.source}});
  if (!s.ok()) return s.error();
  return json_response(201, to_json(*stored));
}

// DELETE of a number-keyed list entry (`remove(tenant, phone)` false = absent). Taking a number
// off such a list re-enables calling it: staff only.
template <typename Remove>
Result<net::Response> remove_number(ApiDeps& deps, const Actor& actor, const net::Request& req, Remove remove,
                                    const char* list_name, const char* audit_action, const char* audit_kind) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto phone = require_e164(req.path_param("phone"), "phone");
  if (!phone.ok()) return phone.error();
  auto removed = remove(actor.tenant_id, *phone);
  if (!removed.ok()) return removed.error();
  if (!*removed) {
    return make_error(ErrorCode::kNotFound, *phone + " is not on the " + list_name, {{"phone", *phone}});
  }
  auto s = write_audit(deps, actor, audit_action, audit_kind, *phone, json::object());
  if (!s.ok()) return s.error();
  return json_response(200, {{"phone", *phone}, {"removed", true}});
}

// GET of a tenant's list, paged (`list(tenant, offset, limit)`).
template <typename List>
Result<net::Response> list_page(const Actor& actor, const net::Request& req, List list) {
  auto page = page_params(req);
  if (!page.ok()) return page.error();
  auto rows = list(actor.tenant_id, page->offset, page->limit);
  if (!rows.ok()) return rows.error();
  json items = json::array();
  for (const auto& e : *rows) items.push_back(to_json(e));
  return json_response(200, {{"items", items}, {"offset", page->offset}, {"limit", page->limit}});
}

Result<net::Response> remove_dnc(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  return remove_number(
      deps, actor, req, [&](TenantId t, const std::string& p) { return deps.db.compliance().remove_dnc(t, p); },
      "do-not-call list", "dnc.remove", "dnc");
}

Result<net::Response> list_dnc(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  return list_page(actor, req, [&](TenantId t, std::int64_t o, std::int64_t l) {
    return deps.db.compliance().list_dnc(t, o, l);
  });
}

// Numbers a carrier refused (CARRIER-REJECTED): recorded by the dialer, cleared by staff.
Result<net::Response> remove_rejected(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  return remove_number(
      deps, actor, req, [&](TenantId t, const std::string& p) { return deps.db.compliance().remove_rejected(t, p); },
      "list of numbers a carrier rejected", "rejected_number.remove", "rejected_number");
}

Result<net::Response> list_rejected(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  return list_page(actor, req, [&](TenantId t, std::int64_t o, std::int64_t l) {
    return deps.db.compliance().list_rejected(t, o, l);
  });
}

Result<net::Response> add_consent(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto body = parse_json_body(req.body);
  if (!body.ok()) return body.error();
  auto consent = consent_from_json(*body);
  if (!consent.ok()) return consent.error();
  consent->tenant_id = actor.tenant_id;
  if (consent->granted_at == TimePoint{}) consent->granted_at = deps.clock.now();
  auto stored = deps.db.compliance().add_consent(*consent);
  if (!stored.ok()) return stored.error();
  auto s = write_audit(deps, actor, "consent.add", "consent", std::to_string(stored->id), to_json(*stored));
  if (!s.ok()) return s.error();
  return json_response(201, to_json(*stored));
}

Result<net::Response> list_consents(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  auto page = page_params(req);
  if (!page.ok()) return page.error();
  Result<std::vector<ConsentRecord>> list = std::vector<ConsentRecord>{};
  if (auto raw = req.query_param("phone")) {
    auto phone = require_e164(*raw, "phone");
    if (!phone.ok()) return phone.error();
    list = deps.db.compliance().consents_for(actor.tenant_id, *phone);
  } else {
    list = deps.db.compliance().list_consents(actor.tenant_id, page->offset, page->limit);
  }
  if (!list.ok()) return list.error();
  json items = json::array();
  for (const auto& c : *list) items.push_back(to_json(c));
  return json_response(200, {{"items", items}});
}

// What-if: the facts come from the caller, nothing is looked up. The decision is stored (every
// decision is stored, campaign_id 0) and audited as "gate.decision".
Result<net::Response> check(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  auto body = parse_json_body(req.body);
  if (!body.ok()) return body.error();
  auto facts = facts_from_json(*body);
  if (!facts.ok()) return facts.error();
  const compliance::Decision decision = deps.gate.evaluate(*facts);

  storage::DecisionRecord rec;
  rec.tenant_id = actor.tenant_id;
  rec.campaign_id = 0;
  rec.phone_e164 = facts->phone_e164;
  rec.channel = to_string(facts->channel);
  rec.verdict = verdict_name(decision.verdict);
  rec.rule = decision.rule;
  rec.reason = decision.reason;
  rec.allowed_at = decision.allowed_at;
  rec.decided_at = deps.clock.now();
  auto id = deps.db.compliance().record_decision(rec);
  if (!id.ok()) return id.error();
  json out = decision_to_json(decision);
  auto s = write_audit(deps, actor, "gate.decision", "decision", std::to_string(*id),
                       {{"what_if", true}, {"phone", facts->phone_e164}, {"decision", out}});
  if (!s.ok()) return s.error();
  out["decision_id"] = *id;
  return json_response(200, out);
}

}  // namespace

void add_compliance_routes(net::Router& router, ApiDeps& deps) {
  router.add("POST", "/api/dnc",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return add_dnc(deps, a, r); }));
  router.add("GET", "/api/dnc",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return list_dnc(deps, a, r); }));
  router.add("DELETE", "/api/dnc/:phone",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return remove_dnc(deps, a, r); }));
  router.add("GET", "/api/numbers/rejected",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return list_rejected(deps, a, r); }));
  router.add("DELETE", "/api/numbers/rejected/:phone",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return remove_rejected(deps, a, r); }));
  router.add("POST", "/api/consents", authed(deps, [&deps](const Actor& a, const net::Request& r) {
               return add_consent(deps, a, r);
             }));
  router.add("GET", "/api/consents", authed(deps, [&deps](const Actor& a, const net::Request& r) {
               return list_consents(deps, a, r);
             }));
  router.add("POST", "/api/compliance/check",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return check(deps, a, r); }));
}

}  // namespace outdial::api
