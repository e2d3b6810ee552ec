#include "outdial/storage/sqlite/contact_store.hpp"

#include <nlohmann/json.hpp>

#include "outdial/storage/sqlite/connection.hpp"
#include "outdial/storage/sqlite/row_helpers.hpp"

namespace outdial::storage::sqlite {
namespace {

constexpr const char* kListCols = "id, tenant_id, name, created_at";
constexpr const char* kContactCols =
    "id, tenant_id, list_id, phone_e164, first_name, last_name, email, timezone, state, tags,"
    " custom_fields, line_type, national_dnc, created_at";

ContactList read_list(const Stmt& s) {
  ContactList l;
  l.id = s.i64(0);
  l.tenant_id = s.i64(1);
  l.name = s.text(2);
  l.created_at = s.time(3);
  return l;
}

Result<Contact> read_contact(const Stmt& s) {
  Contact c;
  c.id = s.i64(0);
  c.tenant_id = s.i64(1);
  c.list_id = s.i64(2);
  c.phone_e164 = s.text(3);
  c.first_name = s.text(4);
  c.last_name = s.text(5);
  c.email = s.text(6);
  c.timezone = s.text(7);
  c.state = s.text(8);
  const std::string tags = s.text(9);
  const std::string custom = s.text(10);
  // parse(..., allow_exceptions=false) yields a "discarded" value instead of throwing.
  const auto tags_json = nlohmann::json::parse(tags, nullptr, false);
  if (!tags_json.is_array()) return corrupt("contacts.tags", tags);
  for (const auto& t : tags_json) {
    if (!t.is_string()) return corrupt("contacts.tags", tags);
    c.tags.push_back(t.get<std::string>());
  }
  const auto custom_json = nlohmann::json::parse(custom, nullptr, false);
  if (!custom_json.is_object()) return corrupt("contacts.custom_fields", custom);
  for (const auto& [k, v] : custom_json.items()) {
    if (!v.is_string()) return corrupt("contacts.custom_fields", custom);
    c.custom_fields.emplace(k, v.get<std::string>());
  }
  const std::string line_type = s.text(11);
  auto lt = parse_line_type(line_type);
  if (!lt) return corrupt("contacts.line_type", line_type);
  c.line_type = *lt;
  c.national_dnc = s.boolean(12);
  c.created_at = s.time(13);
  return c;
}

// Serializes with invalid UTF-8 replaced, so a stray byte in a CSV cell cannot make dump() throw.
std::string to_json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<ContactList> SqliteContactStore::create_list(const ContactList& l) {
  auto lock = conn_.lock();
  auto s = conn_.prepare("INSERT INTO contact_lists (tenant_id, name, created_at) VALUES (?1, ?2, ?3)");
  s.bind(1, l.tenant_id).bind(2, l.name).bind(3, l.created_at);
  OUTDIAL_SQLITE_TRY(s.run());
  ContactList out = l;
  out.id = conn_.last_insert_rowid();
  return out;
}

Result<std::optional<ContactList>> SqliteContactStore::find_list_by_name(TenantId tenant,
                                                                         const std::string& name) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(std::string("SELECT ") + kListCols +
                         " FROM contact_lists WHERE tenant_id = ?1 AND name = ?2");
  s.bind(1, tenant).bind(2, name);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<ContactList>{};
  return std::optional<ContactList>(read_list(s));
}

Result<ContactList> SqliteContactStore::get_list(TenantId tenant, ListId id) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(std::string("SELECT ") + kListCols +
                         " FROM contact_lists WHERE tenant_id = ?1 AND id = ?2");
  s.bind(1, tenant).bind(2, id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return not_found("contact list", id);
  return read_list(s);
}

Result<std::vector<ContactList>> SqliteContactStore::list_lists(TenantId tenant) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(std::string("SELECT ") + kListCols +
                         " FROM contact_lists WHERE tenant_id = ?1 ORDER BY id");
  s.bind(1, tenant);
  std::vector<ContactList> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_list(s));
  }
  return out;
}

Result<std::vector<bool>> SqliteContactStore::insert_batch(const std::vector<Contact>& contacts) {
  auto lock = conn_.lock();
  Transaction tx(conn_);
  if (auto st = tx.begin(); !st) return st.error();
  std::vector<bool> inserted;
  inserted.reserve(contacts.size());
  for (const Contact& c : contacts) {
    nlohmann::json tags = nlohmann::json::array();
    for (const auto& t : c.tags) tags.push_back(t);
    nlohmann::json custom = nlohmann::json::object();
    for (const auto& [k, v] : c.custom_fields) custom[k] = v;
    auto s = conn_.prepare(
        "INSERT INTO contacts (tenant_id, list_id, phone_e164, first_name, last_name, email, timezone, state,"
        " tags, custom_fields, line_type, national_dnc, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        " ON CONFLICT (list_id, phone_e164) DO NOTHING");
    s.bind(1, c.tenant_id)
        .bind(2, c.list_id)
        .bind(3, c.phone_e164)
        .bind(4, c.first_name)
        .bind(5, c.last_name);
    s.bind(6, c.email).bind(7, c.timezone).bind(8, c.state).bind(9, to_json_text(tags));
    s.bind(10, to_json_text(custom))
        .bind(11, to_string(c.line_type))
        .bind(12, c.national_dnc)
        .bind(13, c.created_at);
    auto changed = s.run();
    if (!changed) return changed.error();  // rolls back the whole batch
    inserted.push_back(*changed > 0);
  }
  if (auto st = tx.commit(); !st) return st.error();
  return inserted;
}

Result<Contact> SqliteContactStore::get_contact(TenantId tenant, ContactId id) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(std::string("SELECT ") + kContactCols +
                         " FROM contacts WHERE tenant_id = ?1 AND id = ?2");
  s.bind(1, tenant).bind(2, id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return not_found("contact", id);
  return read_contact(s);
}

Result<ContactPage> SqliteContactStore::list_contacts(TenantId tenant, ListId list, std::int64_t offset,
                                                      std::int64_t limit) {
  auto lock = conn_.lock();
  ContactPage page;
  {
    auto s =
        conn_.prepare(std::string("SELECT ") + kContactCols +
                      " FROM contacts WHERE tenant_id = ?1 AND list_id = ?2 ORDER BY id LIMIT ?3 OFFSET ?4");
    s.bind(1, tenant).bind(2, list).bind(3, limit).bind(4, offset);
    for (;;) {
      auto row = s.step();
      if (!row) return row.error();
      if (!*row) break;
      auto c = read_contact(s);
      if (!c) return c.error();
      page.items.push_back(std::move(c).value());
    }
  }
  auto total = count_contacts(tenant, list);
  if (!total) return total.error();
  page.total = *total;
  return page;
}

Result<std::int64_t> SqliteContactStore::count_contacts(TenantId tenant, ListId list) {
  auto lock = conn_.lock();
  auto s = conn_.prepare("SELECT COUNT(*) FROM contacts WHERE tenant_id = ?1 AND list_id = ?2");
  s.bind(1, tenant).bind(2, list);
  auto row = s.step();
  if (!row) return row.error();
  return s.i64(0);
}

Result<std::vector<std::string>> SqliteContactStore::phones_in_list(TenantId tenant, ListId list) {
  auto lock = conn_.lock();
  auto s = conn_.prepare("SELECT phone_e164 FROM contacts WHERE tenant_id = ?1 AND list_id = ?2 ORDER BY id");
  s.bind(1, tenant).bind(2, list);
  std::vector<std::string> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(s.text(0));
  }
  return out;
}

}  // namespace outdial::storage::sqlite
