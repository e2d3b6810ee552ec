#pragma once
// Versioned schema migrations for the SQLite driver. Each is applied once, in version order, in
// its own transaction, and recorded in schema_migrations(version, applied_at). Never edit a
// released migration: add the next number instead.
#include <span>

namespace outdial::storage::sqlite {

struct Migration {
  int version;
  const char* name;
  const char* sql;
  // Runs with PRAGMA foreign_keys off (a table rebuild: dropping a table other tables reference),
  // and commits only if PRAGMA foreign_key_check finds nothing afterwards.
  bool foreign_keys_off = false;
};

// All migrations, ascending by version (contiguous from 1).
std::span<const Migration> migrations();

}  // namespace outdial::storage::sqlite
