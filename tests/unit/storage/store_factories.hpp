#pragma once
// Database factories for the store conformance suite (engineering.md §10: one suite, every
// driver). To run the suite on another driver (e.g. PostgreSQL), add a factory with the same
// members and list it in ConformanceFactories below; nothing else changes.
//
// A factory provides:
//   std::unique_ptr<Database> create()          a fresh, migrated, empty database
//   std::unique_ptr<Database> open_second()     a second, independent connection to the same
//                                               database (another process/node), or nullptr
//                                               when the backend cannot share (":memory:")
//   Status exec_raw(Database&, sql)             raw SQL (used to prove append-only tables)
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "outdial/storage/database.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"

namespace outdial::storage::testing {

template <typename T>
T must(Result<T> r, const char* what = "call") {
  if (!r) throw std::runtime_error(std::string(what) + " failed: " + r.error().message);
  return std::move(r).value();
}

inline std::unique_ptr<sqlite::SqliteDatabase> must_open_sqlite(const std::string& path) {
  return must(sqlite::SqliteDatabase::open(path), "SqliteDatabase::open");
}

// A new tenant named `name` with one empty contact list named `list_name`, both created at `at`.
inline std::pair<Tenant, ContactList> tenant_with_list(Database& db, const std::string& name,
                                                       const std::string& list_name = "list", TimePoint at = {}) {
  Tenant tenant;
  tenant.name = name;
  tenant.created_at = at;
  tenant = must(db.tenants().create_tenant(tenant), "create_tenant");
  ContactList list;
  list.tenant_id = tenant.id;
  list.name = list_name;
  list.created_at = at;
  return {tenant, must(db.contacts().create_list(list), "create_list")};
}

// SQLite on a temporary file (WAL, shared by several connections like several nodes).
class SqliteFileFactory {
 public:
  SqliteFileFactory() {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("outdial_storage_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".db"))
                .string();
    remove_files();
  }
  SqliteFileFactory(const SqliteFileFactory&) = delete;
  SqliteFileFactory& operator=(const SqliteFileFactory&) = delete;
  ~SqliteFileFactory() { remove_files(); }

  std::unique_ptr<Database> create() { return must_open_sqlite(path_); }
  std::unique_ptr<Database> open_second() { return must_open_sqlite(path_); }
  Status exec_raw(Database& db, const std::string& sql) {
    return static_cast<sqlite::SqliteDatabase&>(db).execute(sql);
  }
  const std::string& path() const { return path_; }

 private:
  void remove_files() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path_ + suffix, ec);
  }
  std::string path_;
};

// SQLite in memory: private to one connection.
class SqliteMemoryFactory {
 public:
  std::unique_ptr<Database> create() { return must_open_sqlite(":memory:"); }
  std::unique_ptr<Database> open_second() { return nullptr; }
  Status exec_raw(Database& db, const std::string& sql) {
    return static_cast<sqlite::SqliteDatabase&>(db).execute(sql);
  }
};

using ConformanceFactories = ::testing::Types<SqliteFileFactory, SqliteMemoryFactory>;

class FactoryNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, SqliteFileFactory>) return "SqliteFile";
    if constexpr (std::is_same_v<T, SqliteMemoryFactory>) return "SqliteMemory";
    return "Unknown";
  }
};

}  // namespace outdial::storage::testing
