// The buffered-WAL VFS (wal_write_buffer.hpp) must behave like the default VFS for every reader
// and after a crash: a committed transaction is in the WAL file when COMMIT returns, and frames of
// a transaction that did not commit never land over frames another connection committed later.
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "outdial/storage/sqlite/wal_write_buffer.hpp"

namespace outdial::storage::sqlite {
namespace {

class WalBufferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/outdial_walbuf_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/t.db";
    ASSERT_NE(buffered_wal_vfs(), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // vfs: nullptr = the default VFS.
  sqlite3* open(const char* vfs) const {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK);
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;");
    return db;
  }
  static int exec(sqlite3* db, const std::string& sql) {
    return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }
  static std::int64_t scalar(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return -1;
    const std::int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
  }
  static std::string integrity(sqlite3* db) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
    std::string out = sqlite3_step(s) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0)) : "";
    sqlite3_finalize(s);
    return out;
  }
  // Inserts `rows` rows of ~200 bytes with keys from `first` (about 20 rows per 4 KiB page, in a
  // unique index as well, so a transaction touches many pages: many WAL frames, many buffers).
  static int insert(sqlite3* db, int first, int rows) {
    return exec(db, "WITH RECURSIVE n(i) AS (SELECT " + std::to_string(first) + " UNION ALL SELECT i + 1 FROM n WHERE i < " +
                        std::to_string(first + rows - 1) + ") INSERT INTO t (k, v) SELECT i, printf('%0200d', i) FROM n");
  }
  void create_table(sqlite3* db) const {
    ASSERT_EQ(exec(db, "CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)"), SQLITE_OK);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(WalBufferTest, CommittedRowsAreVisibleToAnotherConnectionAtOnce) {
  sqlite3* writer = open(buffered_wal_vfs());
  sqlite3* reader = open(nullptr);
  create_table(writer);
  for (int batch = 0; batch < 5; ++batch) {
    ASSERT_EQ(exec(writer, "BEGIN IMMEDIATE"), SQLITE_OK);
    ASSERT_EQ(insert(writer, batch * 20000 + 1, 20000), SQLITE_OK);  // ~1,000 pages: dozens of buffers
    ASSERT_EQ(exec(writer, "COMMIT"), SQLITE_OK);
    EXPECT_EQ(scalar(reader, "SELECT COUNT(*) FROM t"), (batch + 1) * 20000);
    EXPECT_EQ(scalar(reader, "SELECT SUM(length(v)) FROM t"), (batch + 1) * 20000 * 200);
  }
  EXPECT_EQ(integrity(reader), "ok");
  sqlite3_close(reader);
  sqlite3_close(writer);
}

// A process killed right after COMMIT returned (no close, no further call) must find every
// committed transaction after WAL recovery: nothing committed may still sit in the buffer.
TEST_F(WalBufferTest, CommitsSurviveTheProcessEndingRightAfterCommit) {
  {
    sqlite3* db = open(buffered_wal_vfs());
    create_table(db);
    sqlite3_close(db);
  }
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    sqlite3* db = open(buffered_wal_vfs());
    for (int batch = 0; batch < 3; ++batch) {
      if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK || insert(db, batch * 7001 + 1, 7001) != SQLITE_OK ||
          exec(db, "COMMIT") != SQLITE_OK) {
        _exit(1);
      }
    }
    _exit(0);  // no sqlite3_close: as if the process had been killed here
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  sqlite3* db = open(nullptr);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM t"), 3 * 7001);
  EXPECT_EQ(scalar(db, "SELECT MAX(k) FROM t"), 3 * 7001);
  EXPECT_EQ(integrity(db), "ok");
  sqlite3_close(db);
}

// A transaction that spilled pages into the WAL (a tiny page cache) and rolled back leaves
// frames past the WAL's end. Another connection then commits over that region; the first
// connection's later calls must not write its stale frames over those committed ones.
TEST_F(WalBufferTest, FramesOfARolledBackTransactionNeverOverwriteLaterCommits) {
  sqlite3* a = open(buffered_wal_vfs());
  sqlite3* b = open(buffered_wal_vfs());
  create_table(a);
  ASSERT_EQ(exec(a, "PRAGMA cache_size=20"), SQLITE_OK);  // 20 pages: the transaction below spills
  ASSERT_EQ(exec(a, "BEGIN IMMEDIATE"), SQLITE_OK);
  ASSERT_EQ(insert(a, 1, 3000), SQLITE_OK);
  ASSERT_EQ(exec(a, "ROLLBACK"), SQLITE_OK);

  ASSERT_EQ(exec(b, "BEGIN IMMEDIATE"), SQLITE_OK);
  ASSERT_EQ(insert(b, 100001, 10000), SQLITE_OK);  // more frames than a's spill
  ASSERT_EQ(exec(b, "COMMIT"), SQLITE_OK);

  // a goes on: reads, a new transaction, close (each would flush a stale buffer).
  EXPECT_EQ(scalar(a, "SELECT COUNT(*) FROM t"), 10000);
  ASSERT_EQ(exec(a, "BEGIN IMMEDIATE"), SQLITE_OK);
  ASSERT_EQ(insert(a, 200001, 10), SQLITE_OK);
  ASSERT_EQ(exec(a, "COMMIT"), SQLITE_OK);
  sqlite3_close(a);
  sqlite3_close(b);

  // Recovery from the WAL file alone (a fresh process's view): delete the shared-memory index.
  std::filesystem::remove(path_ + "-shm");
  sqlite3* c = open(nullptr);
  EXPECT_EQ(scalar(c, "SELECT COUNT(*) FROM t"), 10010);
  EXPECT_EQ(scalar(c, "SELECT COUNT(*) FROM t WHERE k BETWEEN 100001 AND 110000"), 10000);
  EXPECT_EQ(integrity(c), "ok");
  sqlite3_close(c);
}

// A write that fails (here: the file size limit) fails the COMMIT, as with the default VFS, and
// the database keeps what was committed before.
TEST_F(WalBufferTest, AFailedWalWriteFailsTheCommit) {
  {
    sqlite3* db = open(buffered_wal_vfs());
    create_table(db);
    ASSERT_EQ(insert(db, 1, 100), SQLITE_OK);
    sqlite3_close(db);  // checkpoints and removes the WAL
  }
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);  // writes past the limit fail with EFBIG instead
    const auto db_size = static_cast<rlim_t>(std::filesystem::file_size(path_));
    rlimit limit{db_size + 2 * 1024 * 1024, db_size + 2 * 1024 * 1024};  // the WAL may grow to 2 MB
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(2);
    sqlite3* db = open(buffered_wal_vfs());
    exec(db, "PRAGMA cache_size=-65536");  // no spill: the frames are written by the COMMIT
    const int small = exec(db, "BEGIN IMMEDIATE") | insert(db, 1001, 100) | exec(db, "COMMIT");
    if (small != SQLITE_OK) _exit(3);
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK || insert(db, 2001, 40000) != SQLITE_OK) _exit(4);
    _exit(exec(db, "COMMIT") == SQLITE_OK ? 5 : 0);  // ~10 MB of frames: must fail
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  sqlite3* db = open(nullptr);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM t"), 200);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM t WHERE k > 2000"), 0);
  EXPECT_EQ(integrity(db), "ok");
  sqlite3_close(db);
}

// Fault injection below the buffered VFS: the unix VFS's pwrite()/pwrite64() system calls, failed
// with ENOSPC (SQLITE_FULL) for the WAL file while armed.
std::atomic<bool> g_wal_disk_full{false};
std::atomic<int> g_wal_writes_failed{0};
using PwriteFn = ssize_t (*)(int, const void*, size_t, off_t);
PwriteFn g_real_pwrite = nullptr;
PwriteFn g_real_pwrite64 = nullptr;

bool is_wal_fd(int fd) {
  char link[4096];
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = readlink(proc.c_str(), link, sizeof link - 1);
  if (n < 4) return false;
  return std::string(link, static_cast<std::size_t>(n)).ends_with("-wal");
}
ssize_t failing_pwrite(int fd, const void* buf, size_t n, off_t off) {
  if (g_wal_disk_full && is_wal_fd(fd)) {
    ++g_wal_writes_failed;
    errno = ENOSPC;
    return -1;
  }
  return g_real_pwrite(fd, buf, n, off);
}
ssize_t failing_pwrite64(int fd, const void* buf, size_t n, off_t off) {
  if (g_wal_disk_full && is_wal_fd(fd)) {
    ++g_wal_writes_failed;
    errno = ENOSPC;
    return -1;
  }
  return g_real_pwrite64(fd, buf, n, off);
}

// A deferred write of spilled frames that fails (disk full) must never be forgotten: with the
// default VFS the spill itself fails and the pager refuses to commit that transaction. Here the
// spill "succeeds" into the buffer; the flush fails later, inside a read of a spilled page, as
// SQLITE_FULL, which SQLite answers with a statement rollback only (a multi-row UPDATE with a
// statement journal) and the transaction goes on. A COMMIT that then succeeds must have all its
// frames in the WAL file: readers and WAL recovery must see every committed row.
// Same scenario and checks on the default VFS (the reference) and on the buffered one.
class WalBufferDiskFullTest : public WalBufferTest {
 protected:
  // exclusive: locking_mode=EXCLUSIVE, where SQLite takes no shared-memory locks at all.
  void run_scenario(const char* vfs, bool exclusive = false);
};

TEST_F(WalBufferDiskFullTest, DefaultVfsNeverCommitsAFailedSpillAsIfWritten) { run_scenario(nullptr); }

TEST_F(WalBufferDiskFullTest, ADeferredWriteThatFailsIsNeverCommittedAsIfWritten) {
  run_scenario(buffered_wal_vfs());
}

TEST_F(WalBufferDiskFullTest, ADeferredWriteThatFailsIsNeverCommittedInExclusiveLockingMode) {
  run_scenario(buffered_wal_vfs(), true);
}

void WalBufferDiskFullTest::run_scenario(const char* vfs, bool exclusive) {
  sqlite3_vfs* unix_vfs = sqlite3_vfs_find("unix");
  ASSERT_NE(unix_vfs, nullptr);
  ASSERT_GE(unix_vfs->iVersion, 3);
  g_real_pwrite = reinterpret_cast<PwriteFn>(unix_vfs->xGetSystemCall(unix_vfs, "pwrite"));
  g_real_pwrite64 = reinterpret_cast<PwriteFn>(unix_vfs->xGetSystemCall(unix_vfs, "pwrite64"));
  ASSERT_TRUE(g_real_pwrite != nullptr || g_real_pwrite64 != nullptr);  // whichever this build uses
  if (g_real_pwrite != nullptr) {
    ASSERT_EQ(unix_vfs->xSetSystemCall(unix_vfs, "pwrite", reinterpret_cast<sqlite3_syscall_ptr>(failing_pwrite)),
              SQLITE_OK);
  }
  if (g_real_pwrite64 != nullptr) {
    ASSERT_EQ(
        unix_vfs->xSetSystemCall(unix_vfs, "pwrite64", reinterpret_cast<sqlite3_syscall_ptr>(failing_pwrite64)),
        SQLITE_OK);
  }

  sqlite3* a = open(vfs);
  if (exclusive) {
    ASSERT_EQ(exec(a, "PRAGMA locking_mode=EXCLUSIVE"), SQLITE_OK);
  }
  create_table(a);
  ASSERT_EQ(insert(a, 1, 100), SQLITE_OK);
  ASSERT_EQ(exec(a, "PRAGMA cache_size=20"), SQLITE_OK);  // 20 pages: the transaction spills
  ASSERT_EQ(exec(a, "BEGIN IMMEDIATE"), SQLITE_OK);
  ASSERT_EQ(insert(a, 1001, 3000), SQLITE_OK);
  g_wal_disk_full = true;
  const int update = exec(a, "UPDATE t SET v = v || 'x' WHERE k > 1000");  // reads spilled pages
  g_wal_disk_full = false;
  const int failed_writes = g_wal_writes_failed.load();
  const int commit = exec(a, "COMMIT");
  if (commit != SQLITE_OK) exec(a, "ROLLBACK");
  // The disk has room again: the connection writes as before.
  const int next = exec(a, "BEGIN IMMEDIATE") | insert(a, 10001, 10) | exec(a, "COMMIT");
  sqlite3_close(a);
  unix_vfs->xSetSystemCall(unix_vfs, nullptr, nullptr);  // all system calls back to the default

  EXPECT_GT(failed_writes, 0);  // the scenario happened: a WAL write failed
  EXPECT_NE(update, SQLITE_OK);
  EXPECT_EQ(next, SQLITE_OK);
  const std::int64_t expected = (commit == SQLITE_OK ? 3100 : 100) + 10;
  sqlite3* b = open(nullptr);
  EXPECT_EQ(scalar(b, "SELECT COUNT(*) FROM t"), expected) << "COMMIT returned " << commit;
  EXPECT_EQ(integrity(b), "ok") << "COMMIT returned " << commit;
  sqlite3_close(b);
  // WAL recovery (the shared-memory index gone, as after a reboot) must find the same rows.
  std::filesystem::remove(path_ + "-shm");
  sqlite3* c = open(nullptr);
  EXPECT_EQ(scalar(c, "SELECT COUNT(*) FROM t"), expected) << "COMMIT returned " << commit;
  EXPECT_EQ(integrity(c), "ok");
  sqlite3_close(c);
}

}  // namespace
}  // namespace outdial::storage::sqlite
