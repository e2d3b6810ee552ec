#include "outdial/api/handler_support.hpp"

#include <charconv>

#include "outdial/api/auth.hpp"
#include "outdial/api/error_mapping.hpp"

namespace outdial::api {

namespace {
bool parse_int64(const std::string& s, std::int64_t& out) {
  if (s.empty()) return false;
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end;
}
}  // namespace

net::Handler authed(ApiDeps& deps, AuthedHandler handler) {
  return [&deps, handler = std::move(handler)](const net::Request& req) -> net::Response {
    auto actor = authenticate(req, deps.db.tenants());
    if (!actor.ok()) return error_response(actor.error());
    try {
      auto res = handler(*actor, req);
      if (!res.ok()) return error_response(res.error());
      return std::move(res).value();
    } catch (const nlohmann::json::exception& e) {
      // A mapping bug (wrong JSON type) must not take the connection down.
      return error_response(make_error(ErrorCode::kInternal, std::string("JSON error: ") + e.what()));
    }
  };
}

net::Response json_response(int status, const nlohmann::json& body) {
  return net::Response::json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Result<std::int64_t> id_param(const net::Request& req, const std::string& name) {
  std::int64_t id = 0;
  if (!parse_int64(req.path_param(name), id) || id <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      name + " must be a positive integer, got '" + req.path_param(name) + "'",
                      {{"field", name}});
  }
  return id;
}

Result<Page> page_params(const net::Request& req) {
  Page p;
  if (auto v = req.query_param("offset")) {
    if (!parse_int64(*v, p.offset) || p.offset < 0) {
      return make_error(ErrorCode::kInvalidArgument, "offset must be an integer >= 0", {{"field", "offset"}});
    }
  }
  if (auto v = req.query_param("limit")) {
    if (!parse_int64(*v, p.limit) || p.limit < 1 || p.limit > 1000) {
      return make_error(ErrorCode::kInvalidArgument, "limit must be an integer from 1 to 1000",
                        {{"field", "limit"}});
    }
  }
  return p;
}

Status write_audit(ApiDeps& deps, const Actor& actor, const std::string& action,
                   const std::string& entity_type, const std::string& entity_id,
                   const nlohmann::json& payload) {
  AuditEntry e;
  e.tenant_id = actor.tenant_id;
  e.actor = actor.label.empty() ? "user:" + std::to_string(actor.user_id) : actor.label;
  e.action = action;
  e.entity_type = entity_type;
  e.entity_id = entity_id;
  e.payload_json = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  e.at = deps.clock.now();
  auto r = deps.db.audit().append(e);
  if (!r.ok()) return r.error();
  return ok_status();
}

}  // namespace outdial::api
