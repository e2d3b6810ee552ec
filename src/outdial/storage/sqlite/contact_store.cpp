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
  static const std::string kSql =
      std::string("SELECT ") + kListCols + " FROM contact_lists WHERE tenant_id = ?1 AND name = ?2";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, name);
  return read_optional_row(s, read_list);
}

Result<ContactList> SqliteContactStore::get_list(TenantId tenant, ListId id) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kListCols + " FROM contact_lists WHERE tenant_id = ?1 AND id = ?2";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, id);
  return read_row(s, read_list, "contact list", id);
}

Result<std::vector<ContactList>> SqliteContactStore::list_lists(TenantId tenant) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kListCols + " FROM contact_lists WHERE tenant_id = ?1 ORDER BY id";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant);
  return read_rows(s, read_list);
}

namespace {

// Rows per multi-row INSERT statement. One statement per row spends a good part of each row in
// sqlite3_step/reset and the VDBE prologue; 16 rows (224 parameters) amortize that and stay far
// below SQLITE_MAX_VARIABLE_NUMBER (32766 since SQLite 3.32).
constexpr std::size_t kRowsPerInsert = 16;
// Rows per INSERT into contact_numbers (3 parameters each).
constexpr std::size_t kKeysPerInsert = 64;
constexpr std::size_t kContactParams = 13;

// "INSERT OR IGNORE INTO contacts (...) VALUES (?1..?13),(?14..?26),...". No id column: SQLite
// assigns MAX(id) + 1 to each new row, which is the id the batch's contact_numbers rows already
// name (insert_batch checks the last one), and cheaper than an explicit id (no primary-key seek).
//
// OR IGNORE rather than a plain INSERT: a multi-row statement that can ABORT (NOT NULL) makes
// SQLite open a statement journal for it and copy every page it touches into it (that alone cost
// ~40% of the insert CPU). Every column is bound non-null and contacts has no CHECK and no
// unique constraint besides the id, so nothing is ignored; insert_batch checks that each
// statement changed all its rows. A migration adding a CHECK or UNIQUE to contacts must revisit
// this.
std::string insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT OR IGNORE INTO contacts (tenant_id, list_id, phone_e164, first_name, last_name, email,"
      " timezone, state, tags, custom_fields, line_type, national_dnc, created_at) VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ",(";
    for (std::size_t col = 0; col < kContactParams; ++col) {
      if (col > 0) sql += ',';
      sql += '?' + std::to_string(r * kContactParams + col + 1);
    }
    sql += ')';
  }
  return sql;
}

// "INSERT OR IGNORE INTO contact_numbers (list_id, phone_key, contact_id) VALUES (?1,?2,?3),...":
// OR IGNORE skips a number already in the list (the primary key), which is how insert_batch
// tells a duplicate.
std::string key_sql(std::size_t rows) {
  std::string sql = "INSERT OR IGNORE INTO contact_numbers (list_id, phone_key, contact_id) VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ",(";
    for (std::size_t col = 0; col < 3; ++col) {
      if (col > 0) sql += ',';
      sql += '?' + std::to_string(r * 3 + col + 1);
    }
    sql += ')';
  }
  return sql;
}

// contact_numbers.phone_key of an E.164 number: its digits as an integer ("+14155550123" ->
// 14155550123). Only for "+", a first digit 1-9 and at most 15 digits in all (E.164), where the
// digits alone identify the text; nullopt otherwise.
std::optional<std::int64_t> phone_key(const std::string& e164) {
  if (e164.size() < 3 || e164.size() > 16 || e164[0] != '+' || e164[1] < '1' || e164[1] > '9') {
    return std::nullopt;
  }
  std::int64_t v = 0;
  for (std::size_t i = 1; i < e164.size(); ++i) {
    const char c = e164[i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
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
  return insert_rows(contacts, nullptr);
}

Result<std::vector<bool>> SqliteContactStore::insert_rows(const std::vector<Contact>& contacts, LoadState* load) {
  static const std::string kInsertMany = insert_sql(kRowsPerInsert);
  static const std::string kInsertOne = insert_sql(1);
  if (contacts.empty()) return std::vector<bool>{};
  if (load != nullptr) {
    for (std::size_t i = 0; i < contacts.size(); ++i) {
      if (contacts[i].tenant_id != load->tenant || contacts[i].list_id != load->list) {
        return make_error(ErrorCode::kInvalidArgument,
                          "insert contacts: row " + std::to_string(i) + " names list " +
                              std::to_string(contacts[i].list_id) + " of tenant " +
                              std::to_string(contacts[i].tenant_id) + ", not the load's list " +
                              std::to_string(load->list) + " of tenant " + std::to_string(load->tenant),
                          {{"row", std::to_string(i)}, {"list_id", std::to_string(contacts[i].list_id)}});
      }
    }
  }

  // Each row's contact_numbers key, in (list, number, input position) order: the order the
  // primary key is written in (each leaf page touched once per batch), and for a number repeated
  // in the batch the first input row comes first and claims it.
  struct Key {
    ListId list_id;
    std::int64_t phone_key;
    std::size_t row;
  };
  std::vector<Key> keys;
  keys.reserve(contacts.size());
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    const auto k = phone_key(contacts[i].phone_e164);
    if (!k) {
      return make_error(ErrorCode::kInvalidArgument,
                        "insert contacts: row " + std::to_string(i) + ": phone_e164 \"" +
                            contacts[i].phone_e164 + "\" is not an E.164 number (+ and up to 15 digits)",
                        {{"row", std::to_string(i)}, {"phone", contacts[i].phone_e164}});
    }
    keys.push_back({contacts[i].list_id, *k, i});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.list_id != b.list_id) return a.list_id < b.list_id;
    if (a.phone_key != b.phone_key) return a.phone_key < b.phone_key;
    return a.row < b.row;
  });

  auto lock = conn_.lock();
  // The rows' JSON, serialized on a helper thread from now on; declared before the statements
  // that bind it.
  JsonAhead json(contacts);

  // Foreign keys: checked once per batch instead of two lookups per row. Only when this call
  // owns the transaction (the pragma cannot change inside one); nested in a caller's transaction
  // the constraint checks every row as usual.
  const bool outermost = !conn_.in_transaction();
  ForeignKeysOff fk(conn_);  // before tx: restored after the transaction ends
  if (outermost) {
    if (auto st = fk.turn_off(); !st) return st.error();
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

  // Row i of the batch is provisionally id first_id + i (ids follow the input order: campaign
  // targets are dialed in id order, i.e. file order). Inside the write transaction nobody else
  // can take them.
  std::int64_t first_id = 1;
  {
    auto s = conn_.prepare("SELECT COALESCE(MAX(id), 0) FROM contacts");
    auto row = s.step();
    if (!row) return row.error();
    first_id = s.i64(0) + 1;
  }
  const auto id_of = [first_id](std::size_t row) { return first_id + static_cast<std::int64_t>(row); };

  // Lists with keys a load has deferred (migration 17). The batch's own load keeps deferring
  // while the list is still as it left it; any other write completes the pending keys first.
  bool defer = false;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const ListId list = keys[i].list_id;
    if (i > 0 && keys[i - 1].list_id == list) continue;
    if (load != nullptr && load->deferring) {
      auto owned = load_still_owns(*load);
      if (!owned) return owned.error();
      if (*owned) {
        defer = true;
        continue;
      }
      load->deferring = false;  // from now on its batches take the general path
      load->keys = {};
    }
    if (auto st = complete_pending(list); !st) return st.error();
  }

  // 1. The numbers, in key order. A row whose number is already in the list (or claimed by an
  // earlier row of this batch) is ignored by the primary key: when a statement changed fewer
  // rows than it had, each of its rows is looked up; it was inserted iff the stored contact_id
  // is its own.
  std::vector<bool> inserted(contacts.size(), false);
  if (defer) {
    // Unique in memory: against the load's earlier keys (sorted) and within the batch (keys are
    // in number order, then input order, so the first row with a number claims it).
    std::size_t j = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (i > 0 && keys[i - 1].phone_key == keys[i].phone_key) continue;
      while (j < load->keys.size() && load->keys[j].phone_key < keys[i].phone_key) ++j;
      if (j < load->keys.size() && load->keys[j].phone_key == keys[i].phone_key) continue;
      inserted[keys[i].row] = true;
    }
  } else {
    static const std::string kKeysMany = key_sql(kKeysPerInsert);
    static const std::string kKeysOne = key_sql(1);
    auto many = conn_.prepare(kKeysMany);
    auto one = conn_.prepare(kKeysOne);
    std::size_t i = 0;
    while (i < keys.size()) {
      const std::size_t n = keys.size() - i >= kKeysPerInsert ? kKeysPerInsert : 1;
      Stmt& s = n == kKeysPerInsert ? many : one;
      s.reset();
      for (std::size_t r = 0; r < n; ++r) {
        const Key& k = keys[i + r];
        const int first = static_cast<int>(r * 3 + 1);
        s.bind(first, k.list_id).bind(first + 1, k.phone_key).bind(first + 2, id_of(k.row));
      }
      auto changed = s.run();
      if (!changed) return changed.error();  // rolls back the whole batch
      if (static_cast<std::size_t>(*changed) == n) {
        for (std::size_t r = 0; r < n; ++r) inserted[keys[i + r].row] = true;
      } else {
        std::size_t found = 0;
        for (std::size_t r = 0; r < n; ++r) {
          const Key& k = keys[i + r];
          auto q = conn_.prepare("SELECT contact_id FROM contact_numbers WHERE list_id = ?1 AND phone_key = ?2");
          q.bind(1, k.list_id).bind(2, k.phone_key);
          auto row = q.step();
          if (!row) return row.error();
          if (*row && q.i64(0) == id_of(k.row)) {
            inserted[k.row] = true;
            ++found;
          }
        }
        if (found != static_cast<std::size_t>(*changed)) {
          return make_error(ErrorCode::kInternal, "insert contacts: could not tell which rows were inserted",
                            {{"inserted", std::to_string(*changed)}, {"attributed", std::to_string(found)}});
        }
      }
      i += n;
    }
  }

  // Ids stay contiguous, as row-by-row inserts would assign them: the k-th inserted row gets
  // first_id + k. When a row was skipped, the numbers of the rows after it were written with
  // their provisional id and are corrected here (in key order; rare: the importer drops
  // duplicates before they reach the store).
  std::vector<std::size_t> rows;  // inserted rows, in input order
  rows.reserve(contacts.size());
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    if (inserted[i]) rows.push_back(i);
  }
  std::vector<std::int64_t> ids;  // final id per input row when some were skipped
  if (rows.size() != contacts.size()) {
    ids.assign(contacts.size(), 0);
    for (std::size_t k = 0; k < rows.size(); ++k) ids[rows[k]] = first_id + static_cast<std::int64_t>(k);
  }
  const auto final_id = [&](std::size_t row) { return ids.empty() ? id_of(row) : ids[row]; };
  if (!ids.empty() && !defer) {
    for (const Key& k : keys) {
      if (!inserted[k.row] || ids[k.row] == id_of(k.row)) continue;
      auto u = conn_.prepare("UPDATE contact_numbers SET contact_id = ?3 WHERE list_id = ?1 AND phone_key = ?2");
      u.bind(1, k.list_id).bind(2, k.phone_key).bind(3, ids[k.row]);
      auto changed = u.run();
      if (!changed) return changed.error();
    }
  }

  // 2. The contacts whose number went in, in input order (appends to the table and to
  // contacts_tenant_list), kRowsPerInsert per statement.
  auto many = conn_.prepare(kInsertMany);
  auto one = conn_.prepare(kInsertOne);
  std::size_t i = 0;
  while (i < rows.size()) {
    const std::size_t n = rows.size() - i >= kRowsPerInsert ? kRowsPerInsert : 1;
    Stmt& s = n == kRowsPerInsert ? many : one;
    s.reset();
    for (std::size_t r = 0; r < n; ++r) {
      const std::size_t row = rows[i + r];
      const JsonAhead::Row text = json.row(row);
      const int first = static_cast<int>(r * kContactParams + 1);
      bind_contact(s, first, contacts[row], text.tags, text.custom_fields);
    }
    auto changed = s.run();
    if (!changed) return changed.error();  // rolls back the whole batch
    if (static_cast<std::size_t>(*changed) != n) {
      return make_error(ErrorCode::kInternal, "insert contacts: a row was not stored",
                        {{"rows", std::to_string(n)}, {"stored", std::to_string(*changed)}});
    }
    i += n;
  }
  // The ids SQLite assigned are the ones contact_numbers names: contiguous from first_id (not so
  // only near the largest rowid, where SQLite picks ids at random: then nothing is stored).
  if (!rows.empty() && conn_.last_insert_rowid() != first_id + static_cast<std::int64_t>(rows.size()) - 1) {
    return make_error(ErrorCode::kInternal, "insert contacts: ids were not assigned contiguously",
                      {{"first_id", std::to_string(first_id)}, {"last_id", std::to_string(conn_.last_insert_rowid())}});
  }
  if (defer && !rows.empty() && !load->pending_from) {
    auto u = conn_.prepare("UPDATE contact_lists SET numbers_pending_from = ?2 WHERE id = ?1");
    u.bind(1, load->list).bind(2, first_id);
    if (auto changed = u.run(); !changed) return changed.error();
  }
  if (auto st = tx.commit(); !st) return st.error();
  if (defer && !rows.empty()) {
    // Committed: the load now vouches for these rows too.
    if (!load->pending_from) load->pending_from = first_id;
    load->last_id = first_id + static_cast<std::int64_t>(rows.size()) - 1;
    const std::size_t before = load->keys.size();
    for (const Key& k : keys) {
      if (inserted[k.row]) load->keys.push_back({k.phone_key, final_id(k.row)});
    }
    std::inplace_merge(load->keys.begin(), load->keys.begin() + static_cast<std::ptrdiff_t>(before),
                       load->keys.end());
  }
  return inserted;
}

Result<bool> SqliteContactStore::load_still_owns(const LoadState& load) {
  auto p = conn_.prepare("SELECT numbers_pending_from FROM contact_lists WHERE id = ?1");
  p.bind(1, load.list);
  auto found = p.step();
  if (!found) return found.error();
  if (!*found) {
    return make_error(ErrorCode::kNotFound, "insert contacts: list " + std::to_string(load.list) + " does not exist",
                      {{"list_id", std::to_string(load.list)}});
  }
  if (p.opt_i64(0) != load.pending_from) return false;
  auto m = conn_.prepare("SELECT COALESCE(MAX(id), 0) FROM contacts WHERE tenant_id = ?1 AND list_id = ?2");
  m.bind(1, load.tenant).bind(2, load.list);
  auto row = m.step();
  if (!row) return row.error();
  return m.i64(0) == load.last_id;
}

Status SqliteContactStore::write_pending_numbers(ListId list, const std::vector<NumberKey>& keys) {
  static const std::string kKeysMany = key_sql(kKeysPerInsert);
  static const std::string kKeysOne = key_sql(1);
  auto many = conn_.prepare(kKeysMany);
  auto one = conn_.prepare(kKeysOne);
  std::size_t stored = 0;
  for (std::size_t i = 0; i < keys.size();) {
    const std::size_t n = keys.size() - i >= kKeysPerInsert ? kKeysPerInsert : 1;
    Stmt& s = n == kKeysPerInsert ? many : one;
    s.reset();
    for (std::size_t r = 0; r < n; ++r) {
      const int first = static_cast<int>(r * 3 + 1);
      s.bind(first, list).bind(first + 1, keys[i + r].phone_key).bind(first + 2, keys[i + r].contact_id);
    }
    auto changed = s.run();
    if (!changed) return changed.error();
    stored += static_cast<std::size_t>(*changed);
    i += n;
  }
  if (stored != keys.size()) {
    return make_error(ErrorCode::kInternal,
                      "contact numbers: list " + std::to_string(list) + " has " +
                          std::to_string(keys.size() - stored) + " number(s) held by two contacts",
                      {{"list_id", std::to_string(list)}, {"keys", std::to_string(keys.size())},
                       {"stored", std::to_string(stored)}});
  }
  auto u = conn_.prepare("UPDATE contact_lists SET numbers_pending_from = NULL WHERE id = ?1");
  u.bind(1, list);
  if (auto changed = u.run(); !changed) return changed.error();
  return ok_status();
}

Status SqliteContactStore::complete_pending(ListId list) {
  auto p = conn_.prepare("SELECT tenant_id, numbers_pending_from FROM contact_lists WHERE id = ?1");
  p.bind(1, list);
  auto found = p.step();
  if (!found) return found.error();
  if (!*found || p.is_null(1)) return ok_status();
  const TenantId tenant = p.i64(0);
  const std::int64_t from = p.i64(1);
  std::vector<NumberKey> keys;
  {
    auto s = conn_.prepare("SELECT id, phone_e164 FROM contacts WHERE tenant_id = ?1 AND list_id = ?2 AND id >= ?3");
    s.bind(1, tenant).bind(2, list).bind(3, from);
    for (;;) {
      auto row = s.step();
      if (!row) return row.error();
      if (!*row) break;
      const std::string phone = s.text(1);
      const auto k = phone_key(phone);
      if (!k) {
        return make_error(ErrorCode::kInternal,
                          "contact numbers: contact " + std::to_string(s.i64(0)) + " of list " +
                              std::to_string(list) + " has a number that is not E.164: \"" + phone + "\"",
                          {{"contact_id", std::to_string(s.i64(0))}, {"phone", phone}});
      }
      keys.push_back({*k, s.i64(0)});
    }
  }
  std::sort(keys.begin(), keys.end());
  return write_pending_numbers(list, keys);
}

Status SqliteContactStore::finish_load(LoadState& load) {
  auto lock = conn_.lock();
  const bool outermost = !conn_.in_transaction();
  std::optional<CheckpointsInBackground> background_checkpoints;  // as in insert_rows
  if (outermost) {
    background_checkpoints.emplace(conn_);
    // The load's batches are committed: their WAL pages are copied into the database on the
    // checkpointer's thread while this writes the keys, not after, by the last connection's close.
    if (load.deferring && conn_.autocheckpoint_pages() > 0) {
      if (BackgroundCheckpointer* checkpointer = conn_.checkpointer()) checkpointer->request();
    }
  }
  Transaction tx(conn_);
  if (auto st = tx.begin(); !st) return st;
  bool own = false;
  if (load.deferring && load.pending_from) {
    auto owned = load_still_owns(load);
    if (!owned) return owned.error();
    own = *owned;
    if (own) {  // and every contact it wrote is still there (none deleted meanwhile)
      auto c = conn_.prepare("SELECT COUNT(*) FROM contacts WHERE tenant_id = ?1 AND list_id = ?2 AND id >= ?3");
      c.bind(1, load.tenant).bind(2, load.list).bind(3, *load.pending_from);
      auto row = c.step();
      if (!row) return row.error();
      own = static_cast<std::size_t>(c.i64(0)) == load.keys.size();
    }
  }
  if (auto st = own ? write_pending_numbers(load.list, load.keys) : complete_pending(load.list); !st) return st;
  if (auto st = tx.commit(); !st) return st;
  load.deferring = false;
  load.keys = {};
  return ok_status();
}

// A load through SqliteContactStore (begin_load).
class SqliteContactLoad final : public ContactLoad {
 public:
  SqliteContactLoad(SqliteContactStore& store, TenantId tenant, ListId list) : store_(store) {
    state_.tenant = tenant;
    state_.list = list;
  }
  Result<std::vector<bool>> insert_batch(const std::vector<Contact>& contacts) override {
    return store_.insert_rows(contacts, &state_);
  }
  Status finish() override { return store_.finish_load(state_); }

 private:
  SqliteContactStore& store_;
  SqliteContactStore::LoadState state_;
};

Result<std::unique_ptr<ContactLoad>> SqliteContactStore::begin_load(TenantId tenant, ListId list) {
  auto found = get_list(tenant, list);
  if (!found) return found.error();
  return std::unique_ptr<ContactLoad>(std::make_unique<SqliteContactLoad>(*this, tenant, list));
}

Result<Contact> SqliteContactStore::get_contact(TenantId tenant, ContactId id) {
  auto lock = conn_.lock();
  static const std::string kSql =
      std::string("SELECT ") + kContactCols + " FROM contacts WHERE tenant_id = ?1 AND id = ?2";
  auto s = conn_.prepare(kSql);
  s.bind(1, tenant).bind(2, id);
  return read_row(s, read_contact, "contact", id);
}

Result<ContactPage> SqliteContactStore::list_contacts(TenantId tenant, ListId list, std::int64_t offset,
                                                      std::int64_t limit) {
  auto lock = conn_.lock();
  ContactPage page;
  {
    static const std::string kSql =
        std::string("SELECT ") + kContactCols +
        " FROM contacts WHERE tenant_id = ?1 AND list_id = ?2 ORDER BY id LIMIT ?3 OFFSET ?4";
    auto s = conn_.prepare(kSql);
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
