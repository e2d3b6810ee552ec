// Tenant, user, import, do-not-call and what-if commands: thin wrappers over the stores and
// services, printing results for a person.
#include <openssl/rand.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "outdial/api/auth.hpp"
#include "outdial/api/facts_json.hpp"
#include "outdial/api/json_mapping.hpp"
#include "outdial/app/commands.hpp"
#include "outdial/app/context.hpp"
#include "outdial/app/report.hpp"
#include "outdial/app/user_keys.hpp"
#include "outdial/compliance/rule_gate.hpp"
#include "outdial/dnc/compact_registry.hpp"
#include "outdial/dnc/flat_file_loader.hpp"

namespace outdial::app {

int fail(const Error& e) {
  std::cerr << "outdial: " << e.message << " (" << to_string(e.code);
  for (const auto& [k, v] : e.details) std::cerr << "; " << k << "=" << v;
  std::cerr << ")\n";
  return 1;
}

std::string generate_api_key() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  static const char* const kHex = "0123456789abcdef";
  std::string key = "od_";
  for (unsigned char b : bytes) {
    key += kHex[b >> 4];
    key += kHex[b & 15];
  }
  return key;
}

Result<std::string> create_user_with_key(storage::TenantStore& tenants, const User& u, const Clock& clock) {
  auto user = tenants.create_user(u);
  if (!user.ok()) return user.error();
  std::string key = generate_api_key();
  if (key.empty()) return make_error(ErrorCode::kInternal, "could not generate random API key");
  ApiKey k;
  k.user_id = user->id;
  k.key_hash = api::sha256_hex(key);
  k.label = "created with user " + u.email;
  k.created_at = clock.now();
  if (auto st = tenants.create_api_key(k); !st.ok()) return st.error();
  return key;
}

int cmd_tenant_create(const Config& cfg, const std::string& name) {
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  SystemClock clock;
  Tenant t;
  t.name = name;
  t.created_at = clock.now();
  auto created = db.value()->tenants().create_tenant(t);
  if (!created.ok()) return fail(created.error());
  std::cout << "tenant " << created->id << " \"" << created->name << "\" created\n";
  return 0;
}

int cmd_tenant_list(const Config& cfg) {
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  auto list = db.value()->tenants().list_tenants();
  if (!list.ok()) return fail(list.error());
  for (const auto& t : list.value()) std::cout << t.id << "\t" << t.name << "\n";
  return 0;
}

int cmd_user_create(const Config& cfg, std::int64_t tenant, const std::string& email, const std::string& name,
                    const std::string& role) {
  auto r = parse_role(role);
  if (!r) {
    return fail(make_error(ErrorCode::kInvalidArgument,
                           "unknown role \"" + role + "\"; use operator_admin, operator_staff, agent or client_viewer",
                           {{"field", "role"}}));
  }
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  SystemClock clock;
  if (auto t = db.value()->tenants().get_tenant(tenant); !t.ok()) return fail(t.error());
  User u;
  u.tenant_id = tenant;
  u.email = email;
  u.name = name.empty() ? email : name;
  u.role = *r;
  u.created_at = clock.now();
  auto key = create_user_with_key(db.value()->tenants(), u, clock);
  if (!key.ok()) return fail(key.error());
  std::cout << "user " << email << " (" << role << ") created in tenant " << tenant << "\n"
            << "API key (shown once, store it now): " << key.value() << "\n";
  return 0;
}

int cmd_import(const Config& cfg, std::int64_t tenant, const std::string& list, const std::string& file,
               bool validate_only, bool json) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(make_error(ErrorCode::kNotFound, "cannot open " + file, {{"file", file}}));
  auto db = open_database(cfg, DatabaseUse::kBulkImport);
  if (!db.ok()) return fail(db.error());
  auto t = db.value()->tenants().get_tenant(tenant);
  if (!t.ok()) return fail(t.error());
  auto registry = open_registry(cfg);
  if (!registry.ok()) return fail(registry.error());
  SystemClock clock;
  phone::PhoneNormalizer normalizer;
  importer::CsvImportService service(db.value()->contacts(), normalizer, registry.value().get(), &clock,
                                     &db.value()->compliance());
  importer::ImportOptions opts;
  opts.tenant_id = tenant;
  opts.list_name = list;
  opts.validate_only = validate_only;
  opts.default_region = t->default_region;
  opts.us_only = t->us_only;
  // Batches of 50,000 rows, as bench/import measures: fewer, larger transactions (~9 MiB of pages
  // each, inside the bulk-load page cache). The API's uploads keep the default 5,000, so a
  // running dialer never waits long for the write lock. 1M rows: ~1.8 s instead of ~2.05 s.
  opts.batch_size = 50'000;
  auto report = service.import_csv(in, opts);
  if (!report.ok()) return fail(report.error());
  if (json) {
    std::cout << api::to_json(report.value()).dump(2) << "\n";
  } else {
    std::cout << (validate_only ? "[validate only: nothing written]\n" : "") << import_text(report.value(), 50);
  }
  return 0;
}

namespace {
Result<std::string> normalize_e164(const std::string& raw) {
  phone::PhoneNormalizer normalizer;
  auto n = normalizer.normalize(raw, "US", false);
  if (!n.ok()) return n.error();
  return n->e164;
}

// Every CLI mutation is audited with the actor "cli", like the API's handlers do for users.
Status audit_cli(storage::Database& db, TenantId tenant, const std::string& action, const std::string& entity_type,
                 const std::string& entity_id, const nlohmann::json& payload, TimePoint at) {
  AuditEntry a;
  a.tenant_id = tenant;
  a.actor = "cli";
  a.action = action;
  a.entity_type = entity_type;
  a.entity_id = entity_id;
  a.payload_json = payload.dump();
  a.at = at;
  auto appended = db.audit().append(a);
  if (!appended.ok()) return appended.error();
  return ok_status();
}
}  // namespace

int cmd_dnc_add(const Config& cfg, std::int64_t tenant, const std::string& phone, const std::string& reason) {
  auto e164 = normalize_e164(phone);
  if (!e164.ok()) return fail(e164.error());
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  SystemClock clock;
  DncEntry e;
  e.tenant_id = tenant;
  e.phone_e164 = e164.value();
  e.reason = reason;
  e.source = "cli";
  e.created_at = clock.now();
  auto added = db.value()->compliance().add_dnc(e);
  if (!added.ok()) return fail(added.error());
  if (auto st = audit_cli(*db.value(), tenant, "dnc.add", "dnc", e.phone_e164, {{"reason", reason}}, clock.now());
      !st.ok()) {
    return fail(st.error());
  }
  std::cout << e.phone_e164 << " is on the internal do-not-call list of tenant " << tenant << "\n";
  return 0;
}

int cmd_dnc_remove(const Config& cfg, std::int64_t tenant, const std::string& phone) {
  auto e164 = normalize_e164(phone);
  if (!e164.ok()) return fail(e164.error());
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  auto removed = db.value()->compliance().remove_dnc(tenant, e164.value());
  if (!removed.ok()) return fail(removed.error());
  if (!removed.value()) {
    return fail(make_error(ErrorCode::kNotFound, e164.value() + " is not on the list", {{"phone", e164.value()}}));
  }
  SystemClock clock;
  if (auto st = audit_cli(*db.value(), tenant, "dnc.remove", "dnc", e164.value(), nlohmann::json::object(),
                         clock.now());
      !st.ok()) {
    return fail(st.error());
  }
  std::cout << e164.value() << " removed from the internal do-not-call list\n";
  return 0;
}

int cmd_dnc_list(const Config& cfg, std::int64_t tenant) {
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  auto list = db.value()->compliance().list_dnc(tenant, 0, 100000);
  if (!list.ok()) return fail(list.error());
  for (const auto& e : list.value()) {
    std::cout << e.phone_e164 << "\t" << format_iso8601(e.created_at) << "\t" << e.reason << "\n";
  }
  return 0;
}

int cmd_dnc_load(const std::string& dir, const std::string& date, const std::string& out) {
  TimePoint loaded_at;
  if (!parse_iso8601(date + (date.size() == 10 ? "T00:00:00Z" : ""), loaded_at)) {
    return fail(make_error(ErrorCode::kInvalidArgument, "--date must be YYYY-MM-DD (the registry download date)",
                           {{"field", "date"}, {"value", date}}));
  }
  dnc::LoadReport report;
  auto reg = dnc::CompactRegistry::build_from_directory(dir, loaded_at, &report);
  if (!reg.ok()) return fail(reg.error());
  if (auto st = reg.value()->save(out); !st.ok()) return fail(st.error());
  std::cout << "loaded " << report.numbers_added << " numbers from " << report.files << " files ("
            << report.duplicates << " duplicates, " << report.malformed << " malformed lines) into " << out << "\n";
  for (const auto& m : report.malformed_lines) {
    std::cout << "  " << m.file << ":" << m.line << ": " << m.reason << " \"" << m.text << "\"\n";
  }
  return 0;
}

int cmd_check(const std::string& file) {
  std::ifstream in(file);
  if (!in) return fail(make_error(ErrorCode::kNotFound, "cannot open " + file, {{"file", file}}));
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) {
    return fail(make_error(ErrorCode::kInvalidArgument, file + " is not valid JSON", {{"file", file}}));
  }
  auto facts = api::facts_from_json(j);
  if (!facts.ok()) return fail(facts.error());
  compliance::RuleGate gate;
  std::cout << api::decision_to_json(gate.evaluate(facts.value())).dump(2) << "\n";
  return 0;
}

}  // namespace outdial::app

namespace outdial::app {

// Builds the same JSON body as POST /api/consents so the CLI and the API share one validation.
int cmd_consent_add(const Config& cfg, const ConsentCommand& c) {
  auto e164 = normalize_e164(c.phone);
  if (!e164.ok()) return fail(e164.error());
  SystemClock clock;
  nlohmann::json body = {{"phone", e164.value()},
                         {"type", c.type},
                         {"covers_artificial_voice", c.covers_ai},
                         {"source", c.source},
                         {"evidence", c.evidence}};
  if (!c.channel.empty()) body["channel"] = c.channel;
  std::string granted = c.granted.empty() ? format_iso8601(clock.now()) : c.granted;
  if (granted.size() == 10) granted += "T00:00:00Z";
  body["granted_at"] = granted;
  if (c.type == "ebr") {
    body["ebr_kind"] = c.ebr_kind;
    body["ebr_start"] = granted;
  }
  auto record = api::consent_from_json(body);
  if (!record.ok()) return fail(record.error());
  ConsentRecord r = record.value();
  r.tenant_id = c.tenant;
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  if (auto t = db.value()->tenants().get_tenant(c.tenant); !t.ok()) return fail(t.error());
  auto added = db.value()->compliance().add_consent(r);
  if (!added.ok()) return fail(added.error());
  if (auto st = audit_cli(*db.value(), c.tenant, "consent.add", "consent", std::to_string(added->id),
                         api::to_json(added.value()), clock.now());
      !st.ok()) {
    return fail(st.error());
  }
  std::cout << "consent " << added->id << " (" << c.type << (c.covers_ai ? ", covers AI voice" : "")
            << ") recorded for " << r.phone_e164 << "\n";
  return 0;
}

int cmd_consent_list(const Config& cfg, std::int64_t tenant, const std::string& phone) {
  auto e164 = normalize_e164(phone);
  if (!e164.ok()) return fail(e164.error());
  auto db = open_database(cfg);
  if (!db.ok()) return fail(db.error());
  auto list = db.value()->compliance().consents_for(tenant, e164.value());
  if (!list.ok()) return fail(list.error());
  for (const auto& r : list.value()) std::cout << api::to_json(r).dump() << "\n";
  return 0;
}

}  // namespace outdial::app
