#pragma once
#include <cstdint>
#include <sys/types.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/ids.hpp"
#include "outdial/core/result.hpp"

namespace outdial::telephony::sim {

// One real dial made by the simulated carrier.
struct LedgerCall {
  std::string idempotency_key;
  std::string call_id;
  std::string to;
  AttemptId attempt_id = 0;
  int attempt_number = 1;
  int ring_timeout_seconds = 30;
  TimePoint placed_at{};
  std::optional<TimePoint> hung_up_at;
};

// When the ledger file is fsync'd. Either way every record is written (write(2), O_APPEND)
// before the operation returns, so it survives a kill -9 of this process: the kernel holds it.
//   kEveryRecord: fsync per record (survives power loss record by record; one fsync per dial).
//   kGroup: group commit; records are fsync'd by sync(), which SimCarrier calls before it
//     delivers any event batch and on destruction. A power loss (not a process crash) may lose
//     the records written since the last sync, like SQLite's own synchronous=NORMAL window.
// When the ledger reaches the disk. Every record is written (write(2)) before the operation
// returns in all modes, so a kill -9 of this process never loses one; the modes differ only for
// a power cut. kEveryRecord: fdatasync per record. kGroup: fdatasync once per delivered batch.
// kNone: never (the simulated carrier stands for a remote carrier, whose own durability is not
// this machine's: used by the virtual-time benchmark and demo).
enum class LedgerSync { kEveryRecord, kGroup, kNone };

// The carrier's own record of what it did, as an append-only text file: one line per placed
// call, hang-up and SMS, written before the operation returns and fsync'd per LedgerSync. After a kill -9 the reloaded
// ledger is the ground truth of which numbers were really dialed (kill-and-restart test) and
// lets find_call() answer for calls placed by the dead process. Not thread-safe (SimCarrier
// serializes access). An empty path keeps the ledger in memory only.
class SimLedger {
 public:
  // Loads an existing file (a torn last line from a crash is ignored) and opens it for append.
  static Result<SimLedger> open(const std::string& path, LedgerSync sync = LedgerSync::kEveryRecord);
  SimLedger() = default;
  SimLedger(SimLedger&& other) noexcept;
  SimLedger& operator=(SimLedger&& other) noexcept;
  SimLedger(const SimLedger&) = delete;
  SimLedger& operator=(const SimLedger&) = delete;
  ~SimLedger();

  // fsync of the records written since the last sync (no-op when clean or in memory).
  Status sync();
  bool dirty() const { return dirty_; }

  Status record_call(const LedgerCall& c);
  Status record_hangup(const std::string& call_id, TimePoint at);
  Status record_sms(const std::string& key, const std::string& message_id, const std::string& to, TimePoint at);

  const LedgerCall* find_by_key(const std::string& key) const;
  const LedgerCall* find_by_id(const std::string& call_id) const;
  // Every call line in file order (the same key may appear twice only if a caller broke the
  // idempotency contract: tests assert it never does).
  const std::vector<LedgerCall>& calls() const { return calls_; }
  std::optional<std::string> find_sms(const std::string& key) const;
  std::optional<TimePoint> last_activity() const { return last_activity_; }

 private:
  // Writes one record line (and its newline) to the file; nothing in memory changes.
  Status write_line(std::string line);
  void apply_line(const std::string& line);
  void add_call(LedgerCall c);
  void add_hangup(const std::string& call_id, TimePoint at);
  void add_sms(const std::string& key, const std::string& message_id, TimePoint at);
  void touch(TimePoint at);

  int fd_ = -1;
  off_t size_ = 0;  // bytes of whole records in the file: where a torn write is cut back to
  LedgerSync sync_mode_ = LedgerSync::kEveryRecord;
  bool dirty_ = false;
  std::vector<LedgerCall> calls_;
  std::unordered_map<std::string, std::size_t> by_key_;
  std::unordered_map<std::string, std::size_t> by_id_;
  std::unordered_map<std::string, std::string> sms_;
  std::optional<TimePoint> last_activity_;
};

}  // namespace outdial::telephony::sim
