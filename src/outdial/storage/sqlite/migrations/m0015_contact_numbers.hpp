#pragma once
// Migration 15: the unique (list, number) key of contacts moves into its own table,
// contact_numbers, keyed by the number's E.164 digits as an INTEGER.
//
// Why: contact ids follow the order of the imported file (campaigns dial in id order), so an
// index on contacts itself receives its keys in random number order: at 1M rows the import
// writer spent a third of its time in cache misses seeking the 22 MB (list_id, phone_e164)
// index, and every batch's commit rewrote nearly all of its pages. A separate table is written
// by its own statement, so insert_batch writes it in number order (each leaf page touched once
// per batch) and contacts in file order (appends). Integer keys are also smaller and cheaper to
// compare than the text. bench/import: writer thread -20 to -30% CPU (docs/perf.md).
//
// Invariants (maintained by SqliteContactStore::insert_batch, the only writer of contacts):
// every contact has exactly one contact_numbers row (list_id, phone_key = the digits of
// phone_e164 after '+', contact_id = its id), written in the same transaction (since migration
// 17 a load may write a list's rows later, while contact_lists.numbers_pending_from marks the
// contacts still without one; see m0017_deferred_numbers.hpp); the primary key
// refuses a second contact with the same number in a list. The triggers keep it so for deletes
// and refuse changing a contact's list or number. contacts is rebuilt (same columns, same ids,
// without the UNIQUE constraint whose index this replaces); runs with foreign_keys off
// (campaign_targets references contacts), checked with foreign_key_check before commit.
// Existing numbers must be E.164 ("+" and digits, as the importer writes them): two numbers
// with the same digits in one list make this migration fail on the primary key.

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0015ContactNumbers = R"sql(
CREATE TABLE contact_numbers (
  list_id    INTEGER NOT NULL,
  phone_key  INTEGER NOT NULL,  -- E.164 digits: +14155550123 -> 14155550123
  contact_id INTEGER NOT NULL,
  PRIMARY KEY (list_id, phone_key)
) WITHOUT ROWID;
INSERT INTO contact_numbers (list_id, phone_key, contact_id)
  SELECT list_id, CAST(substr(phone_e164, 2) AS INTEGER), id FROM contacts;

CREATE TABLE contacts_v15 (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  list_id       INTEGER NOT NULL REFERENCES contact_lists(id),
  phone_e164    TEXT NOT NULL,
  first_name    TEXT NOT NULL,
  last_name     TEXT NOT NULL,
  email         TEXT NOT NULL,
  timezone      TEXT NOT NULL,
  state         TEXT NOT NULL,
  tags          TEXT NOT NULL,  -- JSON array of strings
  custom_fields TEXT NOT NULL,  -- JSON object string -> string
  line_type     TEXT NOT NULL,
  national_dnc  INTEGER NOT NULL,
  created_at    INTEGER NOT NULL
);
INSERT INTO contacts_v15 (id, tenant_id, list_id, phone_e164, first_name, last_name, email, timezone,
                          state, tags, custom_fields, line_type, national_dnc, created_at)
  SELECT id, tenant_id, list_id, phone_e164, first_name, last_name, email, timezone, state, tags,
         custom_fields, line_type, national_dnc, created_at
  FROM contacts ORDER BY id;
DROP TABLE contacts;
ALTER TABLE contacts_v15 RENAME TO contacts;
CREATE INDEX contacts_tenant_list ON contacts (tenant_id, list_id, id);

CREATE TRIGGER contacts_delete_number AFTER DELETE ON contacts
BEGIN
  DELETE FROM contact_numbers
   WHERE list_id = OLD.list_id AND phone_key = CAST(substr(OLD.phone_e164, 2) AS INTEGER)
     AND contact_id = OLD.id;
END;
CREATE TRIGGER contacts_number_is_fixed BEFORE UPDATE OF list_id, phone_e164 ON contacts
WHEN NEW.list_id IS NOT OLD.list_id OR NEW.phone_e164 IS NOT OLD.phone_e164
BEGIN
  SELECT RAISE(ABORT, 'contacts.list_id and contacts.phone_e164 cannot change (contact_numbers keys them)');
END;
)sql";

}  // namespace outdial::storage::sqlite
