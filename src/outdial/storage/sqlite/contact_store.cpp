#include "outdial/storage/sqlite/contact_store.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>
#include <thread>
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
  OUTDIAL_SQLITE_TRY(parse_column(s, 11, parse_line_type, "contacts.line_type", c.line_type));
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

// Appends ["a","b"] to `out`.
void append_tags_json(const std::vector<std::string>& tags, std::string& out) {
  out.push_back('[');
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_string(out, tags[i]);
  }
  out.push_back(']');
}

// Appends {"k":"v",...} in key order (std::map order, as nlohmann's object) to `out`.
void append_custom_fields_json(const std::map<std::string, std::string>& fields, std::string& out) {
  out.push_back('{');
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

// The tags and custom-field JSON of a batch's rows, written by a helper thread while the writer
// binds and steps earlier rows, so the writer (the import's critical path) only binds text.
// Rows are serialized in chunks; row(i) waits until the chunk holding row i is complete (the
// helper is far ahead after the first chunk: serializing is ~5% of the insert cost). The
// contacts must stay unchanged until this object is destroyed (insert_batch's caller holds
// them for the whole call).
class JsonAhead {
 public:
  explicit JsonAhead(const std::vector<Contact>& contacts)
      : contacts_(contacts),
        chunks_((contacts.size() + kChunkRows - 1) / kChunkRows),
        helper_([this] { run(); }) {}
  JsonAhead(const JsonAhead&) = delete;
  JsonAhead& operator=(const JsonAhead&) = delete;
  ~JsonAhead() {
    cancel_.store(true, std::memory_order_relaxed);
    helper_.join();
  }

  struct Row {
    std::string_view tags;
    std::string_view custom_fields;
  };

  Row row(std::size_t i) {
    const std::size_t chunk = i / kChunkRows;
    if (chunk >= known_ready_) {
      for (;;) {
        const std::size_t ready = ready_.load(std::memory_order_acquire);
        if (ready > chunk) {
          known_ready_ = ready;
          break;
        }
        ready_.wait(ready, std::memory_order_acquire);
      }
    }
    const Chunk& c = chunks_[chunk];
    const std::size_t k = i % kChunkRows;
    const std::size_t start = k == 0 ? 0 : c.ends[2 * k - 1];
    const std::size_t mid = c.ends[2 * k];
    const std::size_t end = c.ends[2 * k + 1];
    return {std::string_view(c.text).substr(start, mid - start),
            std::string_view(c.text).substr(mid, end - mid)};
  }

 private:
  static constexpr std::size_t kChunkRows = 512;
  struct Chunk {
    std::string text;                // tags JSON, custom JSON, tags JSON, ... for its rows
    std::vector<std::size_t> ends;   // end offset of each of those pieces in text
  };

  void run() {
    for (std::size_t chunk = 0; chunk < chunks_.size(); ++chunk) {
      if (cancel_.load(std::memory_order_relaxed)) return;
      Chunk& c = chunks_[chunk];
      const std::size_t first = chunk * kChunkRows;
      const std::size_t last = std::min(contacts_.size(), first + kChunkRows);
      c.text.reserve((last - first) * 64);
      c.ends.reserve(2 * (last - first));
      for (std::size_t i = first; i < last; ++i) {
        append_tags_json(contacts_[i].tags, c.text);
        c.ends.push_back(c.text.size());
        append_custom_fields_json(contacts_[i].custom_fields, c.text);
        c.ends.push_back(c.text.size());
      }
      ready_.store(chunk + 1, std::memory_order_release);
      ready_.notify_all();
    }
  }

  const std::vector<Contact>& contacts_;
  std::vector<Chunk> chunks_;
  std::atomic<std::size_t> ready_{0};  // chunks complete (published with release)
  std::size_t known_ready_ = 0;        // writer's cached copy of ready_
  std::atomic<bool> cancel_{false};
  std::thread helper_;  // last: starts once the members above exist
};

}  // namespace

Result<ContactList> SqliteContactStore::create_list(const ContactList& l) {
  auto lock = conn_.lock();
  auto s = conn_.prepare("INSERT INTO contact_lists (tenant_id, name, created_at) VALUES (?1, ?2, ?3)");
  s.bind(1, l.tenant_id).bind(2, l.name).bind(3, l.created_at);
  return insert_row(conn_, s, l);
}

Result<std::optional<ContactList>> SqliteContactStore::find_list_by_name(TenantId tenant,
                                                                         const std::string& name) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(std::string("SELECT ") + kListCols +
                         " FROM contact_lists WHERE tenant_id = ?1 AND name = ?2");
  s.bind(1, tenant).bind(2, name);
  return read_optional_row(s, read_list);
}

Result<ContactList> SqliteContactStore::get_list(TenantId tenant, ListId id) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(std::string("SELECT ") + kListCols +
                         " FROM contact_lists WHERE tenant_id = ?1 AND id = ?2");
  s.bind(1, tenant).bind(2, id);
  return read_row(s, read_list, "contact list", id);
}

Result<std::vector<ContactList>> SqliteContactStore::list_lists(TenantId tenant) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(std::string("SELECT ") + kListCols +
                         " FROM contact_lists WHERE tenant_id = ?1 ORDER BY id");
  s.bind(1, tenant);
  return read_rows(s, read_list);
}

namespace {

// Rows per multi-row INSERT statement. One statement per row spends a good part of each row in
// sqlite3_step/reset and the VDBE prologue; 16 rows (208 parameters) amortize that and stay far
// below SQLITE_MAX_VARIABLE_NUMBER (32766 since SQLite 3.32).
constexpr std::size_t kRowsPerInsert = 16;

// "INSERT OR IGNORE INTO contacts (...) VALUES (?1..?13),(?14..?26),...".
//
// OR IGNORE rather than ON CONFLICT (list_id, phone_e164) DO NOTHING: with the latter a NOT NULL
// violation would still ABORT, so SQLite opens a statement journal for every multi-row
// statement and copies each page it touches into it (that alone cost ~40% of the insert CPU).
// OR IGNORE cannot abort. It would also skip a row violating NOT NULL or a CHECK, but every
// column is bound non-null here and contacts has no CHECK; the only constraint that can skip a
// row is the unique (list_id, phone_e164), as before. A migration adding a CHECK to contacts
// must revisit this.
std::string insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT OR IGNORE INTO contacts (tenant_id, list_id, phone_e164, first_name, last_name, email,"
      " timezone, state, tags, custom_fields, line_type, national_dnc, created_at) VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ",(";
    for (std::size_t col = 0; col < 13; ++col) {
      if (col > 0) sql += ',';
      sql += '?' + std::to_string(r * 13 + col + 1);
    }
    sql += ')';
  }
  return sql;
}

// Binds a contact's 13 insert columns from parameter `first` on. Text is bound without a copy:
// the contact and the two JSON texts must outlive the step.
void bind_contact(Stmt& s, int first, const Contact& c, std::string_view tags, std::string_view custom) {
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

// Turns the connection's foreign-key enforcement off for one batch that insert_batch checks
// itself, and back to what it was when destroyed. PRAGMA foreign_keys is a no-op inside a
// transaction, so this is only used when insert_batch opens the outermost transaction, and must
// be constructed before that Transaction (destroyed after it: rollback or commit first, then the
// pragma is restored outside any transaction). Changing the pragma expires the connection's
// prepared statements (SQLite recompiles each cached one on its next use): a few recompiles per
// batch of thousands of rows. Precondition: the connection lock is held.
class ForeignKeysPaused {
 public:
  explicit ForeignKeysPaused(Connection& conn) : conn_(conn) {}
  ForeignKeysPaused(const ForeignKeysPaused&) = delete;
  ForeignKeysPaused& operator=(const ForeignKeysPaused&) = delete;
  ~ForeignKeysPaused() {
    // Outside a transaction this cannot fail (Transaction's destructor has rolled back whatever
    // did not commit).
    if (was_on_) (void)conn_.exec("PRAGMA foreign_keys=ON");
  }

  Status pause() {
    auto s = conn_.prepare("PRAGMA foreign_keys");
    auto row = s.step();
    if (!row) return row.error();
    was_on_ = *row && s.i64(0) != 0;
    if (!was_on_) return ok_status();
    return conn_.exec("PRAGMA foreign_keys=OFF");
  }

 private:
  Connection& conn_;
  bool was_on_ = false;
};

// What the contacts table's foreign keys check per row (tenant_id -> tenants, list_id ->
// contact_lists), done once per distinct value in the batch. Same error code as the constraint
// (kNotFound: the referenced row is missing). Precondition: inside the batch's transaction, so
// the rows cannot disappear before the inserts commit.
Status check_references(Connection& conn, const std::vector<Contact>& contacts) {
  TenantId checked_tenant = 0;
  ListId checked_list = 0;
  for (const Contact& c : contacts) {
    if (c.tenant_id != checked_tenant || checked_tenant == 0) {
      auto s = conn.prepare("SELECT 1 FROM tenants WHERE id = ?1");
      s.bind(1, c.tenant_id);
      OUTDIAL_SQLITE_TRY(expect_row(s, [&] {
        return make_error(ErrorCode::kNotFound,
                          "insert contacts: tenant " + std::to_string(c.tenant_id) + " does not exist",
                          {{"tenant_id", std::to_string(c.tenant_id)}, {"phone", c.phone_e164}});
      }));
      checked_tenant = c.tenant_id;
    }
    if (c.list_id != checked_list || checked_list == 0) {
      auto s = conn.prepare("SELECT 1 FROM contact_lists WHERE id = ?1");
      s.bind(1, c.list_id);
      OUTDIAL_SQLITE_TRY(expect_row(s, [&] {
        return make_error(ErrorCode::kNotFound,
                          "insert contacts: list " + std::to_string(c.list_id) + " does not exist",
                          {{"list_id", std::to_string(c.list_id)}, {"phone", c.phone_e164}});
      }));
      checked_list = c.list_id;
    }
  }
  return ok_status();
}

}  // namespace

Result<std::vector<bool>> SqliteContactStore::insert_batch(const std::vector<Contact>& contacts) {
  static const std::string kInsertMany = insert_sql(kRowsPerInsert);
  static const std::string kInsertOne = insert_sql(1);
  auto lock = conn_.lock();
  if (contacts.empty()) return std::vector<bool>{};
  // The rows' JSON, serialized on a helper thread from now on; declared before the statements
  // that bind it.
  JsonAhead json(contacts);

  // Foreign keys: checked once per batch instead of two lookups per row. Only when this call
  // owns the transaction (the pragma cannot change inside one); nested in a caller's transaction
  // the constraint checks every row as usual.
  const bool outermost = !conn_.in_transaction();
  ForeignKeysPaused fk(conn_);  // before tx: restored after the transaction ends
  if (outermost) {
    if (auto st = fk.pause(); !st) return st.error();
  }
  // The commit's checkpoint (copying WAL pages into the database file, two fdatasyncs) runs on
  // the checkpointer's thread, not inside this COMMIT. Declared before tx: the automatic
  // checkpoint comes back after the transaction has ended.
  std::optional<CheckpointsInBackground> background_checkpoints;
  if (outermost) background_checkpoints.emplace(conn_);
  Transaction tx(conn_);
  if (auto st = tx.begin(); !st) return st.error();
  if (outermost) {
    if (auto st = check_references(conn_, contacts); !st) return st.error();
  }

  // Rows go in input order (ids follow it), kRowsPerInsert per statement. Inserting in
  // (list_id, phone_e164) order would spare the unique index some work, but ids would then
  // follow phone order (campaign targets are dialed in id order, i.e. file order).
  //
  // Which rows were inserted: a statement that changed all its rows inserted all of them (the
  // common case). Otherwise (a number already in the list, or twice in the statement) each row's
  // stored id tells: the rows this statement inserted got ids above the table's largest id
  // before it (no AUTOINCREMENT: a new rowid is max(rowid) + 1), each id claimed by the first
  // input row that names it. The count must match sqlite3_changes(); if it ever does not (rowids
  // near 2^63 are assigned at random) the batch fails instead of reporting wrong flags.
  std::vector<bool> inserted(contacts.size(), false);
  std::int64_t max_id = 0;
  {
    auto s = conn_.prepare("SELECT COALESCE(MAX(id), 0) FROM contacts");
    auto row = s.step();
    if (!row) return row.error();
    max_id = s.i64(0);
  }
  auto many = conn_.prepare(kInsertMany);
  auto one = conn_.prepare(kInsertOne);
  std::size_t i = 0;
  while (i < contacts.size()) {
    const std::size_t n = contacts.size() - i >= kRowsPerInsert ? kRowsPerInsert : 1;
    Stmt& s = n == kRowsPerInsert ? many : one;
    s.reset();
    for (std::size_t r = 0; r < n; ++r) {
      const JsonAhead::Row text = json.row(i + r);
      bind_contact(s, static_cast<int>(r * 13 + 1), contacts[i + r], text.tags, text.custom_fields);
    }
    auto changed = s.run();
    if (!changed) return changed.error();  // rolls back the whole batch
    const auto count = static_cast<std::size_t>(*changed);
    if (count == n) {
      for (std::size_t r = 0; r < n; ++r) inserted[i + r] = true;
    } else if (count > 0) {
      std::vector<std::int64_t> claimed;
      for (std::size_t r = 0; r < n; ++r) {
        const Contact& c = contacts[i + r];
        auto q = conn_.prepare("SELECT id FROM contacts WHERE list_id = ?1 AND phone_e164 = ?2");
        q.bind(1, c.list_id).bind(2, c.phone_e164);
        auto row = q.step();
        if (!row) return row.error();
        if (!*row) continue;
        const std::int64_t id = q.i64(0);
        if (id <= max_id || std::find(claimed.begin(), claimed.end(), id) != claimed.end()) continue;
        claimed.push_back(id);
        inserted[i + r] = true;
      }
      if (claimed.size() != count) {
        return make_error(ErrorCode::kInternal,
                          "insert contacts: could not tell which rows were inserted",
                          {{"inserted", std::to_string(count)}, {"attributed", std::to_string(claimed.size())}});
      }
    }
    if (count > 0) max_id = std::max(max_id, conn_.last_insert_rowid());
    i += n;
  }
  if (auto st = tx.commit(); !st) return st.error();
  return inserted;
}

Result<Contact> SqliteContactStore::get_contact(TenantId tenant, ContactId id) {
  auto lock = conn_.lock();
  auto s = conn_.prepare(std::string("SELECT ") + kContactCols +
                         " FROM contacts WHERE tenant_id = ?1 AND id = ?2");
  s.bind(1, tenant).bind(2, id);
  return read_row(s, read_contact, "contact", id);
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
    OUTDIAL_SQLITE_TRY(append_rows(s, page.items, read_contact));
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
  return read_rows(s, [](const Stmt& row) { return row.text(0); });
}

}  // namespace outdial::storage::sqlite
