#pragma once
// Shared plumbing for the thin handlers: authentication wrapper, id/page parameters, JSON
// responses and audit writes. Internal to the api module.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "outdial/api/api_deps.hpp"
#include "outdial/core/actor.hpp"
#include "outdial/net/router.hpp"

namespace outdial::api {

using AuthedHandler = std::function<Result<net::Response>(const Actor&, const net::Request&)>;

// Authenticates, runs the handler, maps an Error through the one status mapping.
net::Handler authed(ApiDeps& deps, AuthedHandler handler);
net::Response json_response(int status, const nlohmann::json& body);

// A positive integer path parameter; kInvalidArgument {"field": name} otherwise.
Result<std::int64_t> id_param(const net::Request& req, const std::string& name);

struct Page {
  std::int64_t offset = 0;
  std::int64_t limit = 100;
};
// ?offset= (>= 0, default 0) and ?limit= (1..1000, default 100).
Result<Page> page_params(const net::Request& req);

// Appends an audit entry for the actor (engineering: every mutation is audited).
Status write_audit(ApiDeps& deps, const Actor& actor, const std::string& action,
                   const std::string& entity_type, const std::string& entity_id,
                   const nlohmann::json& payload);

// Route groups (one file each).
void add_contact_routes(net::Router& router, ApiDeps& deps);
void add_campaign_routes(net::Router& router, ApiDeps& deps);
void add_compliance_routes(net::Router& router, ApiDeps& deps);
void add_account_routes(net::Router& router, ApiDeps& deps);
void add_recording_routes(net::Router& router, ApiDeps& deps);

}  // namespace outdial::api
