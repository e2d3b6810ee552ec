// kill -9 during webhook load: every event that received a 200 is in the inbox after the
// crash, and is applied (by the dead process before it died, or by the restarted inbox).
// The child is the real server (ingest_child: Beast server, Twilio signature validation,
// DurableInbox on SQLite); the load is the benchmark's keep-alive client.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "load_client.hpp"
#include "outdial/ingest/sqlite/webhook_ingest.hpp"
#include "webhook_server.hpp"

namespace outdial::webhook_bench {
namespace {

namespace fs = std::filesystem;
constexpr const char* kToken = "kill-test-token-0123456789";

struct Child {
  pid_t pid = -1;
  std::uint16_t port = 0;
};

Child spawn_child(const std::string& inbox, const std::string& applied_log, bool sync) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    if (sync) {
      execl(OUTDIAL_INGEST_CHILD, OUTDIAL_INGEST_CHILD, "--inbox", inbox.c_str(), "--applied-log",
            applied_log.c_str(), "--token", kToken, "--shards", "2", "--sync", static_cast<char*>(nullptr));
    } else {
      execl(OUTDIAL_INGEST_CHILD, OUTDIAL_INGEST_CHILD, "--inbox", inbox.c_str(), "--applied-log",
            applied_log.c_str(), "--token", kToken, "--shards", "2", static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  close(fds[1]);
  std::string line;
  char c = 0;
  while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
  close(fds[0]);
  Child child;
  child.pid = pid;
  if (line.rfind("port ", 0) == 0) child.port = static_cast<std::uint16_t>(std::stoi(line.substr(5)));
  return child;
}

std::set<std::string> inbox_keys(const std::string& inbox) {
  std::set<std::string> keys;
  for (int shard = 0;; ++shard) {
    const std::string path = shard == 0 ? inbox : inbox + "." + std::to_string(shard);
    if (!fs::exists(path)) break;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT dedupe_key FROM inbox", -1, &st, nullptr), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) keys.emplace(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  return keys;
}

class RecordingSink final : public telephony::CallEventSink {
 public:
  void on_call_event(const CallEvent& e) override {
    std::lock_guard lock(mu_);
    keys.insert(e.dedupe_key);
  }
  std::mutex mu_;
  std::set<std::string> keys;
};

void run_kill_cycles(bool sync) {
  const fs::path dir = fs::temp_directory_path() / ("outdial_ingest_kill_" + std::to_string(getpid()) + (sync ? "s" : "a"));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string inbox = (dir / "webhooks.inbox").string();
  const std::string applied_log = (dir / "applied.log").string();
  std::mt19937 rng(sync ? 7 : 11);
  std::set<std::string> acked_keys;
  std::int64_t next_call = 1;
  for (int cycle = 0; cycle < 3; ++cycle) {
    Child child = spawn_child(inbox, applied_log, sync);
    ASSERT_GT(child.port, 0) << "child did not start";
    // Fresh calls every cycle; plus the previous cycle's last calls again (redeliveries).
    std::vector<std::string> requests;
    std::vector<std::vector<std::string>> keys;
    const std::int64_t first_call = std::max<std::int64_t>(1, next_call - 50);
    for (std::int64_t call = first_call; call < next_call + 5000; ++call) {
      for (int seq = 0; seq < 4; ++seq) {
        requests.push_back(signed_status_callback(kToken, "127.0.0.1", child.port, kStatusPath, call, seq));
        keys.push_back(status_callback_keys(call, seq));
      }
    }
    next_call += 5000;
    LoadConfig lc;
    lc.port = child.port;
    lc.connections = 64;
    lc.warmup = std::chrono::milliseconds(0);
    lc.duration = std::chrono::milliseconds(20000);
    lc.requests = &requests;
    lc.record_acked = true;
    LoadResult result;
    const std::size_t stored_before = inbox_keys(inbox).size();
    std::thread load([&] { result = run_load(lc); });
    // Kill at a random point 150-600 ms after the child stored its first event of this cycle (on
    // a loaded machine it may take longer than that just to start answering, and the kill must
    // land while it serves).
    for (int i = 0; i < 1000 && inbox_keys(inbox).size() <= stored_before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(150, 600)(rng)));
    ASSERT_EQ(kill(child.pid, SIGKILL), 0);
    int status = 0;
    waitpid(child.pid, &status, 0);
    load.join();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the kill landed while it was serving";
    EXPECT_GT(result.ok_total, 0) << "cycle " << cycle << ": some events were acknowledged before the kill";
    EXPECT_GT(result.errors, 0) << "cycle " << cycle << ": the kill interrupted requests in flight";
    EXPECT_EQ(result.non_200, 0);
    for (auto i : result.acked) {
      for (const auto& k : keys[static_cast<std::size_t>(i)]) acked_keys.insert(k);
    }

    // Every acknowledged event is in the inbox right after the kill.
    const auto stored = inbox_keys(inbox);
    std::size_t missing = 0;
    for (const auto& k : acked_keys) missing += stored.count(k) == 0 ? 1 : 0;
    EXPECT_EQ(missing, 0u) << "cycle " << cycle << ": acknowledged events lost: " << missing << " of "
                           << acked_keys.size();
    std::printf("cycle %d (%s): %lld acknowledged before the kill, %zu stored in total\n", cycle, sync ? "sync" : "async",
                static_cast<long long>(result.ok_total), stored.size());
  }

  // Restart the inbox: what the dead processes had not applied is applied now.
  RecordingSink sink;
  ingest::WebhookIngestConfig cfg;
  cfg.inbox_path = inbox;
  cfg.shards = 2;
  auto restarted = ingest::open_webhook_ingest(cfg, sink);
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  restarted.value()->wait_applied();
  restarted.value()->stop();
  std::set<std::string> applied = sink.keys;
  std::ifstream log(applied_log);
  for (std::string line; std::getline(log, line);) applied.insert(line);
  std::size_t unapplied = 0;
  for (const auto& k : acked_keys) unapplied += applied.count(k) == 0 ? 1 : 0;
  EXPECT_EQ(unapplied, 0u) << "acknowledged events never applied";
  EXPECT_GT(acked_keys.size(), 0u);
  fs::remove_all(dir);
}

TEST(IngestKillTest, AsyncServerLosesNoAcknowledgedEventOnSigkill) { run_kill_cycles(false); }
TEST(IngestKillTest, BlockingServerLosesNoAcknowledgedEventOnSigkill) { run_kill_cycles(true); }

}  // namespace
}  // namespace outdial::webhook_bench
