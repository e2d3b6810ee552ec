#pragma once
// Migration 17: a list's number keys may be written after its contacts, by the load that wrote
// them (contact_lists.numbers_pending_from).
//
// Why: a list's contact_numbers rows are keyed by number, which is random with respect to the
// file order the contacts are stored in. Written batch by batch, every batch's commit rewrote
// nearly every leaf page of the list's part of contact_numbers (a 1M-row import wrote its 15 MB
// of keys ~12 times over into the WAL, and the checkpointer copied them as often): a third of the
// import writer's time. A load into a list that was empty when it began (ContactStore::begin_load)
// now keeps its keys in memory, checks their uniqueness there, and writes them once, in key
// order, when it finishes.
//
// Invariant (kept by SqliteContactStore, the only writer of contacts): numbers_pending_from is
// NULL when every contact of the list has its contact_numbers row. Otherwise the contacts of the
// list with id >= numbers_pending_from have none and every contact with a smaller id has one; they
// were all written by one load, which alone may add to the list while the column is set. Any
// other write into the list (another load, insert_batch) first writes the pending contacts' keys
// (read back from contacts) and sets the column to NULL, so a load that died (crash, failed
// import) leaves nothing that a later write cannot complete. Nothing but the writers of contacts
// reads contact_numbers, so a pending key is never missed by a reader.

namespace outdial::storage::sqlite {

inline constexpr const char* kMigration0017DeferredNumbers = R"sql(
ALTER TABLE contact_lists ADD COLUMN numbers_pending_from INTEGER;
)sql";

}  // namespace outdial::storage::sqlite
