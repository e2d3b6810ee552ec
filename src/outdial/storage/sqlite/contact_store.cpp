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

// Appends `text` as a JSON string, byte for byte what nlohmann::json::dump(-1, ' ', false,
// error_handler_t::replace) writes (the format stored before this writer existed): '"' and '\\'
// escaped, \b \t \n \f \r short, other control bytes as \u00xx, the rest verbatim. Text with any
// non-ASCII byte goes through nlohmann itself, which validates the UTF-8 and replaces invalid
// bytes with U+FFFD (so a stray byte in a CSV cell cannot make the stored JSON unreadable).
void append_json_string(std::string& out, const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::size_t start = out.size();
  out.push_back('"');
  const char* run = text.data();  // start of the bytes not yet copied
  const char* const end = text.data() + text.size();
  for (const char* p = run; p != end; ++p) {
    const auto b = static_cast<unsigned char>(*p);
    if (b >= 0x20 && b < 0x80 && b != '"' && b != '\\') continue;
    if (b >= 0x80) {
      out.resize(start);
      out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
    out.append(run, p);
    run = p + 1;
    switch (b) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
  }
  out.append(run, end);
  out.push_back('"');
}

// ["a","b"] into `out` (replacing its content, reusing its storage).
void write_tags_json(const std::vector<std::string>& tags, std::string& out) {
  out.assign(1, '[');
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_string(out, tags[i]);
  }
  out.push_back(']');
}

// {"k":"v",...} in key order (std::map order, as nlohmann's object) into `out`.
void write_custom_fields_json(const std::map<std::string, std::string>& fields, std::string& out) {
  out.assign(1, '{');
  bool first = true;
  for (const auto& [k, v] : fields) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, k);
    out.push_back(':');
    append_json_string(out, v);
  }
  out.push_back('}');
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

namespace {

// Binds a contact's 13 insert columns from parameter `first` on. Text is bound without a copy:
// the contact and the two JSON buffers must outlive the step.
void bind_contact(Stmt& s, int first, const Contact& c, const std::string& tags, const std::string& custom) {
  s.bind(first, c.tenant_id).bind(first + 1, c.list_id);
  s.bind_static(first + 2, c.phone_e164)
      .bind_static(first + 3, c.first_name)
      .bind_static(first + 4, c.last_name)
      .bind_static(first + 5, c.email)
      .bind_static(first + 6, c.timezone)
      .bind_static(first + 7, c.state)
      .bind_static(first + 8, tags)
      .bind_static(first + 9, custom)
      .bind_static(first + 10, to_string(c.line_type));
  s.bind(first + 11, c.national_dnc).bind(first + 12, c.created_at);
}

}  // namespace

Result<std::vector<bool>> SqliteContactStore::insert_batch(const std::vector<Contact>& contacts) {
  static const std::string kInsert =
      "INSERT INTO contacts (tenant_id, list_id, phone_e164, first_name, last_name, email, timezone, state,"
      " tags, custom_fields, line_type, national_dnc, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
      " ON CONFLICT (list_id, phone_e164) DO NOTHING";
  auto lock = conn_.lock();
  Transaction tx(conn_);
  if (auto st = tx.begin(); !st) return st.error();
  // In input order (ids follow it), one statement for the whole batch, every parameter rebound
  // per row. Inserting in (list_id, phone_e164) order would spare the unique index ~1.5 s CPU per
  // million random numbers, but ids would then follow phone order (or, when assigned explicitly
  // in input order, scatter the table's own inserts and cost more than they save).
  std::vector<bool> inserted;
  inserted.reserve(contacts.size());
  std::string tags;  // declared before the statement, which must not outlive them
  std::string custom;
  auto s = conn_.prepare(kInsert);
  for (const Contact& c : contacts) {
    write_tags_json(c.tags, tags);
    write_custom_fields_json(c.custom_fields, custom);
    s.reset();
    bind_contact(s, 1, c, tags, custom);
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
