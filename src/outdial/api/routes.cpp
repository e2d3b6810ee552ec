#include "outdial/api/routes.hpp"

#include "outdial/api/error_mapping.hpp"
#include "outdial/api/handler_support.hpp"
#include "outdial/api/json_mapping.hpp"

namespace outdial::api {

using nlohmann::json;

void register_routes(net::Router& router, ApiDeps& deps) {
  router.set_error_responder([](int status, const std::string& code, const std::string& message) {
    return error_response(status, code, message);
  });
  // Liveness: no auth, no database round trip.
  router.add("GET", "/healthz", [](const net::Request&) { return json_response(200, {{"status", "ok"}}); });
  add_contact_routes(router, deps);
  add_campaign_routes(router, deps);
  add_compliance_routes(router, deps);
  add_account_routes(router, deps);
  add_recording_routes(router, deps);
  router.add(
      "GET", "/api/audit",
      authed(deps, [&deps](const Actor& a, const net::Request& r) -> Result<net::Response> {
        auto page = page_params(r);
        if (!page.ok()) return page.error();
        const std::string type = r.query_param("entity_type").value_or("");
        auto list = deps.db.audit().list(a.tenant_id, type, page->offset, page->limit);
        if (!list.ok()) return list.error();
        json items = json::array();
        for (const auto& e : *list) items.push_back(to_json(e));
        return json_response(200, {{"items", items}, {"offset", page->offset}, {"limit", page->limit}});
      }));
}

}  // namespace outdial::api
