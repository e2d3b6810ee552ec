#pragma once
// Internal to the SQLite driver: a VFS that coalesces the WAL frame writes of a transaction.
//
// SQLite writes each WAL frame with two pwrite() calls (its 24-byte header, then the page), so a
// bulk commit of 4,500 pages makes 9,000 system calls; on the import benchmark's machine that was
// ~0.3 s of the writer thread's 0.58 s of COMMIT per million contacts (docs/perf.md). This VFS
// wraps the default one and collects a transaction's appended frames in a buffer (128 KiB, flushed
// when full), written with one pwrite() per buffer.
//
// What it keeps exactly as SQLite's own VFS does:
// - A commit is in the file before SQLite publishes it: the write of the commit frame (the one
//   whose header carries the database size) flushes the buffer and returns the flush's error, so
//   a failed write fails the COMMIT as before. Nothing is synced that was not (synchronous=NORMAL
//   never syncs the WAL at commit; FULL calls xSync, which flushes first).
// - Order: only consecutive appends are buffered; any other write (frames rewritten in place,
//   checksums rewritten, the WAL header) flushes first and goes straight to the file, and so does
//   every other operation on the WAL file (read, size, truncate, sync, close, ...).
// - Frames of an uncommitted transaction (a cache spill) can sit in the buffer only while the
//   connection holds the WAL write lock: every shared-memory lock change on the database file
//   (how SQLite ends a transaction and releases the lock) flushes the buffer first, so another
//   connection can never write frames that this one later overwrites.
// - A failed flush of spilled frames is not forgotten: SQLite may learn of it from a call it
//   does not treat as fatal for the transaction (a read failing with SQLITE_FULL ends only the
//   statement), so every later write of that WAL (and a read of the lost frames) fails with the
//   same error until the transaction ends or SQLite writes new frames where the lost ones were.
// Other files (database, temporary files) are the default VFS's, the database file wrapped only
// to see those lock changes.
namespace outdial::storage::sqlite {

// Registers the VFS on first use (not as the default) and returns its name for sqlite3_open_v2.
// Call after any sqlite3_config() (looking up the default VFS initializes SQLite). nullptr if it
// could not be registered: then the default VFS is used.
const char* buffered_wal_vfs();

}  // namespace outdial::storage::sqlite
