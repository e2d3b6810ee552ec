#pragma once
// A minimal ContactStore on raw sqlite3 for the benchmark: one prepared INSERT, one transaction
// per batch. Used with --store=raw (or when the SQLite driver target is not built) to separate
// the pipeline's own cost from the driver's. Only what the importer calls is implemented.
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "outdial/importer/csv_import_service.hpp"
#include "outdial/storage/contact_store.hpp"

namespace outdial::bench {

class RawSqliteContactStore final : public storage::ContactStore {
 public:
  explicit RawSqliteContactStore(const std::string& path) {
    sqlite3_open(path.c_str(), &db_);
    // Same durability as the driver and the Python reference (WAL, synchronous=NORMAL); a page
    // cache big enough for the unique index, which random phone numbers touch everywhere.
    exec("PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
         " PRAGMA cache_size=-65536; PRAGMA locking_mode=EXCLUSIVE;"
         "CREATE TABLE IF NOT EXISTS contact_lists (id INTEGER PRIMARY KEY, tenant_id INTEGER, "
         "name TEXT, UNIQUE(tenant_id, name));"
         "CREATE TABLE IF NOT EXISTS contacts (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL,"
         " list_id INTEGER NOT NULL, phone_e164 TEXT NOT NULL, first_name TEXT, last_name TEXT,"
         " email TEXT, timezone TEXT, state TEXT, tags TEXT, custom_fields TEXT, line_type TEXT,"
         " national_dnc INTEGER, created_at INTEGER, UNIQUE (list_id, phone_e164));");
    sqlite3_prepare_v2(db_,
                       "INSERT INTO contacts (tenant_id, list_id, phone_e164, first_name, last_name,"
                       " email, timezone, state, tags, custom_fields, line_type, national_dnc,"
                       " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
                       " ON CONFLICT (list_id, phone_e164) DO NOTHING",
                       -1, &insert_, nullptr);
  }
  ~RawSqliteContactStore() override {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }
  RawSqliteContactStore(const RawSqliteContactStore&) = delete;
  RawSqliteContactStore& operator=(const RawSqliteContactStore&) = delete;

  Result<ContactList> create_list(const ContactList& l) override {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "INSERT INTO contact_lists (tenant_id, name) VALUES (?, ?)", -1, &s,
                       nullptr);
    sqlite3_bind_int64(s, 1, l.tenant_id);
    sqlite3_bind_text(s, 2, l.name.c_str(), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return make_error(ErrorCode::kUnavailable, sqlite3_errmsg(db_));
    ContactList out = l;
    out.id = sqlite3_last_insert_rowid(db_);
    return out;
  }
  Result<std::optional<ContactList>> find_list_by_name(TenantId, const std::string&) override {
    return std::optional<ContactList>();  // the bench always starts from an empty file
  }
  Result<ContactList> get_list(TenantId, ListId) override { return unsupported(); }
  Result<std::vector<ContactList>> list_lists(TenantId) override { return unsupported(); }
  Result<std::vector<bool>> insert_batch(const std::vector<Contact>& batch) override {
    exec("BEGIN");
    std::vector<bool> out(batch.size(), false);
    // Insert in phone order: consecutive inserts then land on neighbouring index pages.
    keyed_.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      keyed_.emplace_back(importer::e164_key(batch[i].phone_e164), i);
    }
    std::sort(keyed_.begin(), keyed_.end());
    std::string tags, custom;
    for (const auto& [key, idx] : keyed_) {
      const Contact& c = batch[idx];
      tags = "[";
      for (std::size_t i = 0; i < c.tags.size(); ++i) {
        if (i) tags += ",";
        append_json_string(tags, c.tags[i]);
      }
      tags += "]";
      custom = "{";
      bool first = true;
      for (const auto& [k, v] : c.custom_fields) {
        if (!first) custom += ",";
        first = false;
        append_json_string(custom, k);
        custom += ":";
        append_json_string(custom, v);
      }
      custom += "}";
      sqlite3_bind_int64(insert_, 1, c.tenant_id);
      sqlite3_bind_int64(insert_, 2, c.list_id);
      text(3, c.phone_e164);
      text(4, c.first_name);
      text(5, c.last_name);
      text(6, c.email);
      text(7, c.timezone);
      text(8, c.state);
      text(9, tags);
      text(10, custom);
      sqlite3_bind_text(insert_, 11, to_string(c.line_type), -1, SQLITE_STATIC);
      sqlite3_bind_int(insert_, 12, c.national_dnc ? 1 : 0);
      sqlite3_bind_int64(insert_, 13, c.created_at.time_since_epoch().count());
      int rc = sqlite3_step(insert_);
      sqlite3_reset(insert_);
      if (rc != SQLITE_DONE) {
        exec("ROLLBACK");
        return make_error(ErrorCode::kUnavailable, sqlite3_errmsg(db_));
      }
      out[idx] = sqlite3_changes(db_) > 0;
    }
    exec("COMMIT");
    return out;
  }
  Result<Contact> get_contact(TenantId, ContactId) override { return unsupported(); }
  Result<storage::ContactPage> list_contacts(TenantId, ListId, std::int64_t, std::int64_t) override {
    return unsupported();
  }
  Result<std::int64_t> count_contacts(TenantId, ListId) override { return unsupported(); }
  Result<std::vector<std::string>> phones_in_list(TenantId, ListId) override {
    return std::vector<std::string>{};
  }

 private:
  static Error unsupported() { return make_error(ErrorCode::kInternal, "not used by the bench"); }
  void exec(const char* sql) { sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }
  void text(int i, const std::string& v) {
    sqlite3_bind_text(insert_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  static void append_json_string(std::string& out, const std::string& v) {
    out += '"';
    std::size_t run = 0;  // start of the pending run of characters that need no escaping
    for (std::size_t i = 0; i < v.size(); ++i) {
      const char c = v[i];
      if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
      out.append(v, run, i - run);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
      }
      run = i + 1;
    }
    out.append(v, run, v.size() - run);
    out += '"';
  }

  std::vector<std::pair<std::uint64_t, std::size_t>> keyed_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace outdial::bench
