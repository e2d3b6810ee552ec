#pragma once
// Reads one value from a SQLite file through a fresh connection (sees what is committed, as
// another process would): the first column of the first row, -2 for NULL, -1 if there is no row
// or the query fails.
#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace outdial::storage::testing {

inline std::int64_t scalar_of(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
  std::int64_t v = -1;
  if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_type(s, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

}  // namespace outdial::storage::testing
