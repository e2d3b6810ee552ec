#pragma once
// Internal helpers shared by the SQLite store implementations.
#include <optional>
#include <string>
#include <type_traits>
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

// Reads column `col` as text and parses it with `parse` (text -> std::optional<E>) into `out`;
// corrupt(column, text) when the stored name does not parse.
template <typename E, typename Parse>
Status parse_column(const Stmt& s, int col, Parse&& parse, const char* column, E& out) {
  const std::string text = s.text(col);
  auto parsed = parse(text);
  if (!parsed) return corrupt(column, text);
  out = *parsed;
  return ok_status();
}

// Runs the INSERT `s` and returns `row` with the id the database gave it (no read-back).
template <typename T>
Result<T> insert_row(Connection& conn, Stmt& s, T row) {
  auto n = s.run();
  if (!n) return n.error();
  row.id = conn.last_insert_rowid();
  return row;
}

// Row readers are callables taking the statement (positioned on a row) and returning either T
// or Result<T> (when a stored value can be unreadable). RowValue<Read> is that T.
namespace detail {
template <typename R>
struct RowValue {
  using type = R;
};
template <typename T>
struct RowValue<Result<T>> {
  using type = T;
};
template <typename R>
inline constexpr bool kIsResult = false;
template <typename T>
inline constexpr bool kIsResult<Result<T>> = true;
template <typename Read>
using ReadReturn = std::remove_cvref_t<std::invoke_result_t<Read&, const Stmt&>>;
}  // namespace detail

template <typename Read>
using RowValue = typename detail::RowValue<detail::ReadReturn<Read>>::type;

// Reads the current row with `read` as a Result, whichever of T or Result<T> it returns.
template <typename Read>
Result<RowValue<Read>> read_current(const Stmt& s, Read& read) {
  return read(s);
}

// Steps `s` to its end, calling `visit(s)` on each row (`visit` returns void or Status); the
// first step or visit error is returned.
template <typename Visit>
Status for_each_row(Stmt& s, Visit&& visit) {
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) return ok_status();
    if constexpr (std::is_void_v<std::invoke_result_t<Visit&, const Stmt&>>) {
      visit(std::as_const(s));
    } else {
      Status st = visit(std::as_const(s));
      if (!st) return st.error();
    }
  }
}

// Steps `s` to its end, appending each row read by `read` to `out`; the first step or read
// error is returned (rows read before it stay in `out`).
template <typename Read>
Status append_rows(Stmt& s, std::vector<RowValue<Read>>& out, Read&& read) {
  return for_each_row(s, [&](const Stmt& row) -> Status {
    if constexpr (detail::kIsResult<detail::ReadReturn<Read>>) {
      auto item = read(row);
      if (!item) return item.error();
      out.push_back(std::move(item).value());
    } else {
      out.push_back(read(row));
    }
    return ok_status();
  });
}

// Steps `s` to its end, reading each row with `read`; the first step or read error is returned
// instead of the rows.
template <typename Read>
Result<std::vector<RowValue<Read>>> read_rows(Stmt& s, Read&& read) {
  std::vector<RowValue<Read>> out;
  if (auto st = append_rows(s, out, read); !st) return st.error();
  return out;
}

// The first row of `s` read with `read`, or nullopt when there is none; a step or read error is
// returned instead.
template <typename Read>
Result<std::optional<RowValue<Read>>> read_optional_row(Stmt& s, Read&& read) {
  using T = RowValue<Read>;
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<T>{};
  auto item = read_current(s, read);
  if (!item) return item.error();
  return std::optional<T>(std::move(item).value());
}

// The first row of `s` read with `read`; `missing()` (returning an Error) when there is none.
template <typename Read, typename Missing>
Result<RowValue<Read>> read_row(Stmt& s, Read&& read, Missing&& missing) {
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return missing();
  return read_current(s, read);
}

// The first row of `s` read with `read`; not_found(what, id) when there is none.
template <typename Read>
Result<RowValue<Read>> read_row(Stmt& s, Read&& read, const char* what, std::int64_t id) {
  return read_row(s, read, [&] { return not_found(what, id); });
}

// Ok when `s` yields a row (an existence check such as SELECT 1 ...); `missing()` (returning an
// Error) when it yields none.
template <typename Missing>
Status expect_row(Stmt& s, Missing&& missing) {
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return missing();
  return ok_status();
}

// Expands to an early return of the error when `expr` (a Result) failed.
#define OUTDIAL_SQLITE_TRY(expr)                                      \
  do {                                                                \
    auto outdial_sqlite_try_r_ = (expr);                              \
    if (!outdial_sqlite_try_r_) return outdial_sqlite_try_r_.error(); \
  } while (false)

}  // namespace outdial::storage::sqlite
