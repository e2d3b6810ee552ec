#pragma once
// Internal helpers shared by the SQLite store implementations.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "outdial/core/result.hpp"
#include "outdial/storage/sqlite/connection.hpp"

namespace outdial::storage::sqlite {

inline Error not_found(const std::string& what, std::int64_t id) {
  return make_error(ErrorCode::kNotFound, what + " not found", {{"id", std::to_string(id)}});
}

// A stored enum name that no longer parses means the row was written by a newer or broken
// writer: report it instead of guessing.
inline Error corrupt(const std::string& column, const std::string& value) {
  return make_error(ErrorCode::kInternal, "unreadable stored value in " + column,
                    {{"column", column}, {"value", value}});
}

// Steps `s` to its end, reading each row with `read` (a callable taking the statement and
// returning Result<T>); the first step or read error is returned instead of the rows.
template <typename T, typename Read>
Result<std::vector<T>> read_rows(Stmt& s, Read&& read) {
  std::vector<T> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) return out;
    Result<T> item = read(s);
    if (!item) return item.error();
    out.push_back(std::move(item).value());
  }
}

// Expands to an early return of the error when `expr` (a Result) failed.
#define OUTDIAL_SQLITE_TRY(expr)                                      \
  do {                                                                \
    auto outdial_sqlite_try_r_ = (expr);                              \
    if (!outdial_sqlite_try_r_) return outdial_sqlite_try_r_.error(); \
  } while (false)

}  // namespace outdial::storage::sqlite
