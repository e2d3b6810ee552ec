// Contact lists and CSV upload/validation (seed 004: POST /api/contacts/upload|validate).
#include <memory>
#include <mutex>
#include <sstream>

#include "outdial/api/auth.hpp"
#include "outdial/api/handler_support.hpp"
#include "outdial/api/json_mapping.hpp"
#include "outdial/net/multipart.hpp"

namespace outdial::api {

using nlohmann::json;

namespace {

// multipart body -> ImportOptions + the file's bytes. Fields: file (required), list_name or
// list_id (required unless validate_only).
struct UploadRequest {
  importer::ImportOptions options;
  std::string csv;
};

Result<UploadRequest> parse_upload(ApiDeps& deps, const Actor& actor, const net::Request& req,
                                   bool validate_only) {
  auto boundary = net::multipart_boundary(req.header("Content-Type"));
  if (!boundary.ok()) return boundary.error();
  auto parts = net::parse_multipart(req.body, *boundary);
  if (!parts.ok()) return parts.error();

  UploadRequest up;
  up.options.tenant_id = actor.tenant_id;
  up.options.validate_only = validate_only;
  bool has_file = false;
  std::string list_id_text;
  for (auto& p : *parts) {
    if (p.name == "file") {
      up.csv = std::move(p.data);
      has_file = true;
    } else if (p.name == "list_name") {
      up.options.list_name = p.data;
    } else if (p.name == "list_id") {
      list_id_text = p.data;
    }
  }
  if (!has_file) {
    return make_error(ErrorCode::kInvalidArgument, "multipart part 'file' (the CSV) is required",
                      {{"field", "file"}});
  }
  if (!list_id_text.empty()) {
    std::int64_t id = 0;
    try {
      std::size_t used = 0;
      id = std::stoll(list_id_text, &used);
      if (used != list_id_text.size()) id = 0;
    } catch (const std::exception&) {
      id = 0;
    }
    if (id <= 0) {
      return make_error(ErrorCode::kInvalidArgument, "list_id must be a positive integer",
                        {{"field", "list_id"}});
    }
    auto list = deps.db.contacts().get_list(actor.tenant_id, id);  // another tenant's list -> 404
    if (!list.ok()) return list.error();
    up.options.list_name = list->name;
  }
  if (up.options.list_name.empty() && !validate_only) {
    return make_error(ErrorCode::kInvalidArgument, "list_name or list_id is required",
                      {{"field", "list_name"}});
  }
  auto tenant = deps.db.tenants().get_tenant(actor.tenant_id);
  if (!tenant.ok()) return tenant.error();
  up.options.default_region = tenant->default_region;
  up.options.us_only = tenant->us_only;
  return up;
}

// ImportService allows one import_csv at a time per instance while handlers run on several io
// threads: imports are serialized by `import_mu` (uploads are rare and bounded by the body limit).
Result<net::Response> import(ApiDeps& deps, std::mutex& import_mu, const Actor& actor,
                             const net::Request& req, bool validate_only) {
  if (!validate_only) {
    if (auto s = require_staff(actor); !s.ok()) return s.error();
  }
  auto up = parse_upload(deps, actor, req, validate_only);
  if (!up.ok()) return up.error();
  std::istringstream in(std::move(up->csv));
  Result<importer::ImportReport> report = make_error(ErrorCode::kInternal, "import did not run");
  {
    std::lock_guard lock(import_mu);
    report = deps.importer.import_csv(in, up->options);
  }
  if (!report.ok()) return report.error();
  if (!validate_only) {
    auto s = write_audit(deps, actor, "contacts.import", "list", std::to_string(report->list_id),
                         {{"list_name", up->options.list_name},
                          {"rows", report->rows},
                          {"inserted", report->inserted},
                          {"duplicates", report->duplicates},
                          {"rejected", report->rejected}});
    if (!s.ok()) return s.error();
  }
  json body = to_json(*report);
  body["validate_only"] = validate_only;
  return json_response(validate_only ? 200 : 201, body);
}

Result<net::Response> list_lists(ApiDeps& deps, const Actor& actor) {
  auto lists = deps.db.contacts().list_lists(actor.tenant_id);
  if (!lists.ok()) return lists.error();
  json items = json::array();
  for (const auto& l : *lists) {
    json j = to_json(l);
    auto n = deps.db.contacts().count_contacts(actor.tenant_id, l.id);
    if (!n.ok()) return n.error();
    j["contacts"] = *n;
    items.push_back(std::move(j));
  }
  return json_response(200, {{"items", items}});
}

Result<net::Response> list_contacts(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto page = page_params(req);
  if (!page.ok()) return page.error();
  auto list = deps.db.contacts().get_list(actor.tenant_id, *id);
  if (!list.ok()) return list.error();
  auto contacts = deps.db.contacts().list_contacts(actor.tenant_id, *id, page->offset, page->limit);
  if (!contacts.ok()) return contacts.error();
  json items = json::array();
  for (const auto& c : contacts->items) items.push_back(to_json(c));
  return json_response(200, {{"list", to_json(*list)},
                             {"items", items},
                             {"total", contacts->total},
                             {"offset", page->offset},
                             {"limit", page->limit}});
}

}  // namespace

void add_contact_routes(net::Router& router, ApiDeps& deps) {
  auto import_mu = std::make_shared<std::mutex>();
  router.add("POST", "/api/contacts/upload",
             authed(deps, [&deps, import_mu](const Actor& a, const net::Request& r) {
               return import(deps, *import_mu, a, r, false);
             }));
  router.add("POST", "/api/contacts/validate",
             authed(deps, [&deps, import_mu](const Actor& a, const net::Request& r) {
               return import(deps, *import_mu, a, r, true);
             }));
  router.add("GET", "/api/lists",
             authed(deps, [&deps](const Actor& a, const net::Request&) { return list_lists(deps, a); }));
  router.add("GET", "/api/lists/:id",
             authed(deps, [&deps](const Actor& a, const net::Request& r) -> Result<net::Response> {
               auto id = id_param(r, "id");
               if (!id.ok()) return id.error();
               auto list = deps.db.contacts().get_list(a.tenant_id, *id);
               if (!list.ok()) return list.error();
               return json_response(200, to_json(*list));
             }));
  router.add("GET", "/api/lists/:id/contacts", authed(deps, [&deps](const Actor& a, const net::Request& r) {
               return list_contacts(deps, a, r);
             }));
}

}  // namespace outdial::api
