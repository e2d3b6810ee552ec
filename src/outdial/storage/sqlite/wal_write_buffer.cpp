#include "outdial/storage/sqlite/wal_write_buffer.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>

namespace outdial::storage::sqlite {
namespace {

// The default (unix) VFS writes at most 0x1ffff bytes per call (its seekAndWrite masks the length
// with 0x1ffff), so a buffer is at most that: 31 frames of a 4 KiB page, one pwrite() each.
constexpr std::size_t kBufferBytes = 0x1ffff;
constexpr int kFrameHeaderBytes = 24;  // WAL_FRAME_HDRSIZE

// The WAL file: the default VFS's file (`real`, allocated right after this struct in the memory
// SQLite gives xOpen) plus the buffered appends.
struct WalFile {
  sqlite3_file base;  // first: SQLite sees a WalFile* as a sqlite3_file*
  sqlite3_io_methods methods;
  sqlite3_file* real = nullptr;
  struct DbFile* db = nullptr;        // the database file, to unlink on close
  std::unique_ptr<char[]> buffer;     // allocated on the first buffered write
  std::size_t length = 0;             // bytes buffered
  sqlite3_int64 offset = 0;           // file offset of buffer[0]
  bool commit_pending = false;        // the buffer ends with a commit frame's header
  bool last_was_read = false;         // the last operation was a read (checksum rewrite, spill re-read)
  sqlite3_int64 last_read_offset = 0;  // where it read
  // A flush failed: frames SQLite was told were written (a cache spill's) are not in the file, and
  // the wal-index may already map them. SQLite does not always treat the error as fatal for the
  // transaction (SQLITE_FULL from a read ends only the statement), so every later write fails
  // with it (a commit writes at least one frame), and so does a read of those frames, until
  // SQLite gives them up: it writes a frame header at or before `lost_from` (rollback or
  // savepoint rollback, then new frames) or the WAL header, or the transaction ends (the WAL
  // write lock is released; with locking_mode=EXCLUSIVE there is no such lock).
  int lost = SQLITE_OK;
  sqlite3_int64 lost_from = 0;        // file offset of the first frame not written
};

// The main database file: the default VFS's file, plus a link to its WAL so that shared-memory
// lock changes (ends of transactions) flush the WAL buffer first.
struct DbFile {
  sqlite3_file base;
  sqlite3_io_methods methods;
  sqlite3_file* real = nullptr;
  WalFile* wal = nullptr;
};

sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
WalFile* wal_of(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }
DbFile* db_of(sqlite3_file* f) { return reinterpret_cast<DbFile*>(f); }
sqlite3_file* real_of(sqlite3_file* f) { return wal_of(f)->real; }  // same layout prefix for both
static_assert(offsetof(WalFile, real) == offsetof(DbFile, real));

std::size_t aligned(std::size_t n) { return (n + 15) & ~std::size_t{15}; }

int flush(WalFile* w) {
  w->commit_pending = false;
  if (w->length == 0) return SQLITE_OK;
  const std::size_t length = w->length;
  w->length = 0;
  const int rc = w->real->pMethods->xWrite(w->real, w->buffer.get(), static_cast<int>(length), w->offset);
  if (rc != SQLITE_OK && w->lost == SQLITE_OK) {
    w->lost = rc;
    w->lost_from = w->offset;
  }
  return rc;
}

// ---- WAL file methods ----------------------------------------------------------------------

int wal_close(sqlite3_file* f) {
  WalFile* w = wal_of(f);
  const int flushed = flush(w);
  if (w->db != nullptr) w->db->wal = nullptr;
  const int closed = w->real->pMethods != nullptr ? w->real->pMethods->xClose(w->real) : SQLITE_OK;
  w->~WalFile();
  return flushed != SQLITE_OK ? flushed : closed;
}

int wal_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  WalFile* w = wal_of(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  if (w->lost != SQLITE_OK && offset + amount > w->lost_from) return w->lost;  // frames not written
  w->last_was_read = true;
  w->last_read_offset = offset;
  return w->real->pMethods->xRead(w->real, out, amount, offset);
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = wal_of(f);
  const bool after_read = w->last_was_read;
  w->last_was_read = false;
  if (w->lost != SQLITE_OK) {
    // A new frame (not a checksum rewrite: a header written where SQLite just read its frame) or
    // the WAL header, where the lost frames were or before: SQLite has given them up. Anything
    // else could make them part of a commit.
    const bool rewrite = after_read && offset == w->last_read_offset;
    const bool gives_up = !rewrite && offset <= w->lost_from && (amount == kFrameHeaderBytes || offset == 0);
    if (!gives_up) return w->lost;
    w->lost = SQLITE_OK;
  }
  const auto n = static_cast<std::size_t>(amount);
  // Buffered: the next bytes of a run of appended frames, or the header that starts one (not a
  // header rewritten after reading its frame back: those are written through).
  const bool appends = w->length > 0 ? offset == w->offset + static_cast<sqlite3_int64>(w->length)
                                     : amount == kFrameHeaderBytes && !after_read;
  if (!appends || n > kBufferBytes) {
    if (int rc = flush(w); rc != SQLITE_OK) return rc;
    return w->real->pMethods->xWrite(w->real, data, amount, offset);
  }
  if (w->length + n > kBufferBytes) {
    if (int rc = flush(w); rc != SQLITE_OK) return rc;
    // A frame header starts the new buffer; anything else goes through (keeps the rule above).
    if (amount != kFrameHeaderBytes) return w->real->pMethods->xWrite(w->real, data, amount, offset);
  }
  if (!w->buffer) w->buffer.reset(new (std::nothrow) char[kBufferBytes]);
  if (!w->buffer) return w->real->pMethods->xWrite(w->real, data, amount, offset);
  if (w->length == 0) w->offset = offset;
  std::memcpy(w->buffer.get() + w->length, data, n);
  w->length += n;
  if (w->commit_pending) return flush(w);  // the commit frame is complete: into the file now
  if (amount == kFrameHeaderBytes) {
    // Bytes 4-7 of a frame header: the database size in pages for a commit frame, 0 otherwise.
    const auto* h = static_cast<const unsigned char*>(data);
    w->commit_pending = (h[4] | h[5] | h[6] | h[7]) != 0;
  }
  return SQLITE_OK;
}

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
  WalFile* w = wal_of(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xTruncate(w->real, size);
}

int wal_sync(sqlite3_file* f, int flags) {
  WalFile* w = wal_of(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xSync(w->real, flags);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
  WalFile* w = wal_of(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileSize(w->real, size);
}

int wal_file_control(sqlite3_file* f, int op, void* arg) {
  WalFile* w = wal_of(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileControl(w->real, op, arg);
}

int wal_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  WalFile* w = wal_of(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFetch(w->real, offset, amount, out);
}

// ---- methods forwarded unchanged (both files) ----------------------------------------------

int fwd_lock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); }
int fwd_unlock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xUnlock(real_of(f), level); }
int fwd_check_reserved(sqlite3_file* f, int* out) {
  return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int fwd_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int fwd_device_characteristics(sqlite3_file* f) {
  return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
int fwd_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
}
void fwd_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int fwd_shm_unmap(sqlite3_file* f, int delete_flag) {
  return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}
int fwd_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return real_of(f)->pMethods->xUnfetch(real_of(f), offset, p);
}

// ---- database file methods -----------------------------------------------------------------

int db_close(sqlite3_file* f) {
  DbFile* d = db_of(f);
  if (d->wal != nullptr) d->wal->db = nullptr;
  const int rc = d->real->pMethods != nullptr ? d->real->pMethods->xClose(d->real) : SQLITE_OK;
  d->~DbFile();
  return rc;
}
int db_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  return real_of(f)->pMethods->xRead(real_of(f), out, amount, offset);
}
int db_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  return real_of(f)->pMethods->xWrite(real_of(f), data, amount, offset);
}
int db_truncate(sqlite3_file* f, sqlite3_int64 size) { return real_of(f)->pMethods->xTruncate(real_of(f), size); }
int db_sync(sqlite3_file* f, int flags) { return real_of(f)->pMethods->xSync(real_of(f), flags); }
int db_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real_of(f)->pMethods->xFileSize(real_of(f), size);
}
int db_file_control(sqlite3_file* f, int op, void* arg) {
  return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int db_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real_of(f)->pMethods->xFetch(real_of(f), offset, amount, out);
}
// A lock change on the WAL index: the connection may be ending its write transaction and
// releasing the WAL write lock, so its WAL frames go into the file first. Frames still buffered
// here never belong to a committed transaction (a commit flushes when its last frame is written):
// a flush error only leaves uncommitted bytes unwritten and is not this lock's failure.
// Releasing the WAL write lock (slot 0) ends the write transaction: frames lost by an earlier
// failed flush can no longer be committed (WalFile::lost).
int db_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  DbFile* d = db_of(f);
  if (d->wal != nullptr) {
    (void)flush(d->wal);
    if ((flags & SQLITE_SHM_UNLOCK) != 0 && offset == 0) d->wal->lost = SQLITE_OK;
  }
  return d->real->pMethods->xShmLock(d->real, offset, n, flags);
}
void db_shm_barrier(sqlite3_file* f) {
  DbFile* d = db_of(f);
  if (d->wal != nullptr) (void)flush(d->wal);
  d->real->pMethods->xShmBarrier(d->real);
}

sqlite3_io_methods methods_like(const sqlite3_io_methods* real, bool wal) {
  sqlite3_io_methods m{};
  m.iVersion = real->iVersion < 3 ? real->iVersion : 3;
  m.xClose = wal ? wal_close : db_close;
  m.xRead = wal ? wal_read : db_read;
  m.xWrite = wal ? wal_write : db_write;
  m.xTruncate = wal ? wal_truncate : db_truncate;
  m.xSync = wal ? wal_sync : db_sync;
  m.xFileSize = wal ? wal_file_size : db_file_size;
  m.xLock = fwd_lock;
  m.xUnlock = fwd_unlock;
  m.xCheckReservedLock = fwd_check_reserved;
  m.xFileControl = wal ? wal_file_control : db_file_control;
  m.xSectorSize = fwd_sector_size;
  m.xDeviceCharacteristics = fwd_device_characteristics;
  if (m.iVersion >= 2) {
    m.xShmMap = fwd_shm_map;
    m.xShmLock = wal ? nullptr : db_shm_lock;
    m.xShmBarrier = wal ? fwd_shm_barrier : db_shm_barrier;
    m.xShmUnmap = fwd_shm_unmap;
    if (wal) {
      // SQLite never uses shared memory through the WAL file; forward anyway for completeness.
      m.xShmLock = [](sqlite3_file* f, int offset, int n, int flags) {
        return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
      };
    }
  }
  if (m.iVersion >= 3) {
    m.xFetch = wal ? wal_fetch : db_fetch;
    m.xUnfetch = fwd_unfetch;
  }
  return m;
}

// ---- the VFS -------------------------------------------------------------------------------

int vfs_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* real = real_vfs(vfs);
  const bool wal = (flags & SQLITE_OPEN_WAL) != 0;
  const bool main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  if (!wal && !main_db) return real->xOpen(real, name, file, flags, out_flags);  // used as is

  const std::size_t head = aligned(wal ? sizeof(WalFile) : sizeof(DbFile));
  auto* real_file = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + head);
  std::memset(real_file, 0, static_cast<std::size_t>(real->szOsFile));
  file->pMethods = nullptr;
  const int rc = real->xOpen(real, name, real_file, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (real_file->pMethods != nullptr) real_file->pMethods->xClose(real_file);
    return rc;
  }
  if (wal) {
    auto* w = new (file) WalFile();
    w->real = real_file;
    w->methods = methods_like(real_file->pMethods, true);
    w->base.pMethods = &w->methods;
    // The database file this WAL belongs to (opened through this VFS, so a DbFile).
    if (sqlite3_file* db = sqlite3_database_file_object(name); db != nullptr && db->pMethods != nullptr &&
                                                               db->pMethods->xClose == db_close) {
      w->db = db_of(db);
      w->db->wal = w;
    }
  } else {
    auto* d = new (file) DbFile();
    d->real = real_file;
    d->methods = methods_like(real_file->pMethods, false);
    d->base.pMethods = &d->methods;
  }
  return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  return real_vfs(v)->xDelete(real_vfs(v), name, sync_dir);
}
int vfs_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return real_vfs(v)->xAccess(real_vfs(v), name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return real_vfs(v)->xFullPathname(real_vfs(v), name, n, out);
}
void* vfs_dl_open(sqlite3_vfs* v, const char* name) { return real_vfs(v)->xDlOpen(real_vfs(v), name); }
void vfs_dl_error(sqlite3_vfs* v, int n, char* out) { real_vfs(v)->xDlError(real_vfs(v), n, out); }
void (*vfs_dl_sym(sqlite3_vfs* v, void* h, const char* sym))(void) {
  return real_vfs(v)->xDlSym(real_vfs(v), h, sym);
}
void vfs_dl_close(sqlite3_vfs* v, void* h) { real_vfs(v)->xDlClose(real_vfs(v), h); }
int vfs_randomness(sqlite3_vfs* v, int n, char* out) { return real_vfs(v)->xRandomness(real_vfs(v), n, out); }
int vfs_sleep(sqlite3_vfs* v, int us) { return real_vfs(v)->xSleep(real_vfs(v), us); }
int vfs_current_time(sqlite3_vfs* v, double* out) { return real_vfs(v)->xCurrentTime(real_vfs(v), out); }
int vfs_get_last_error(sqlite3_vfs* v, int n, char* out) {
  return real_vfs(v)->xGetLastError(real_vfs(v), n, out);
}
int vfs_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
  return real_vfs(v)->xCurrentTimeInt64(real_vfs(v), out);
}

}  // namespace

const char* buffered_wal_vfs() {
  static sqlite3_vfs vfs{};
  static const char* name = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    if (real == nullptr) return;
    vfs.iVersion = real->iVersion >= 2 ? 2 : 1;
    const std::size_t head = aligned(sizeof(WalFile) > sizeof(DbFile) ? sizeof(WalFile) : sizeof(DbFile));
    vfs.szOsFile = static_cast<int>(head) + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = "outdial-buffered-wal";
    vfs.pAppData = real;
    vfs.xOpen = vfs_open;
    vfs.xDelete = vfs_delete;
    vfs.xAccess = vfs_access;
    vfs.xFullPathname = vfs_full_pathname;
    vfs.xDlOpen = vfs_dl_open;
    vfs.xDlError = vfs_dl_error;
    vfs.xDlSym = vfs_dl_sym;
    vfs.xDlClose = vfs_dl_close;
    vfs.xRandomness = vfs_randomness;
    vfs.xSleep = vfs_sleep;
    vfs.xCurrentTime = vfs_current_time;
    vfs.xGetLastError = vfs_get_last_error;
    if (vfs.iVersion >= 2) vfs.xCurrentTimeInt64 = vfs_current_time_int64;
    if (sqlite3_vfs_register(&vfs, 0) == SQLITE_OK) name = vfs.zName;
  });
  return name;
}

}  // namespace outdial::storage::sqlite
