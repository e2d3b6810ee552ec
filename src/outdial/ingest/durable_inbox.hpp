#pragma once
// DurableInbox: the EventIngress that acknowledges a carrier webhook only once its event is
// durably stored, and commits many concurrent webhooks with one synced transaction (group
// commit). A second thread then applies the stored events, in commit order, to the dialer's
// CallEventSink. See docs/architecture.md ("ingest") and docs/perf.md ("Webhook ingestion").
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "outdial/ingest/inbox_store.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/provider.hpp"

namespace outdial::ingest {

struct InboxOptions {
  // Most events one commit takes. 1 = every event commits on its own (the benchmark's
  // baseline); the default lets one commit carry everything that queued during the previous.
  std::size_t max_batch = 4096;
  // Rows the applier reads and delivers per step (and per watermark update).
  std::size_t apply_chunk = 1024;
  // false: nothing is delivered to the sink (tests of the write side; a standby).
  bool run_applier = true;
};

struct InboxStats {
  std::int64_t commits = 0;         // append transactions that carried events
  std::int64_t failed_commits = 0;
  std::int64_t committed_events = 0;  // events acknowledged as stored (duplicates included)
  std::int64_t duplicates = 0;
  std::int64_t largest_batch = 0;
  std::int64_t applied_through = 0;  // seq of the last row delivered to the sink
  std::int64_t delivered = 0;        // deliveries to the sink by this instance (replays included)
  std::int64_t apply_errors = 0;     // sink threw; the event was skipped (logged)
};

// Threading: ingest() and ingest_async() are thread-safe. One writer thread owns every
// InboxStore::append; one applier thread owns read_after/maintain and every call to the sink
// (so the sink sees one event at a time, in seq order). On start the applier re-delivers every
// row after the stored watermark (rows a previous process stored but had not applied, and at
// worst a chunk it had applied but not yet recorded; the sink dedupes by dedupe_key).
class DurableInbox final : public telephony::EventIngress {
 public:
  // `sink` may be null only with run_applier = false. Both must outlive the inbox.
  DurableInbox(std::unique_ptr<InboxStore> store, telephony::CallEventSink* sink, InboxOptions options = {});
  // Sharded: one writer thread per store, all taking from one queue (whichever writer is idle
  // takes everything queued), so commits overlap on the device; a key is stored in one shard
  // only (a writer skips keys another writer is committing and asks the other shards'
  // contains() before inserting). The applier visits the shards in turn; order is kept per shard.
  DurableInbox(std::vector<std::unique_ptr<InboxStore>> shards, telephony::CallEventSink* sink,
               InboxOptions options = {});
  ~DurableInbox() override;  // stop()
  DurableInbox(const DurableInbox&) = delete;
  DurableInbox& operator=(const DurableInbox&) = delete;

  // Reads the stored watermark and starts the writer and applier threads. kFailedPrecondition
  // when already started; the store's error when the watermark cannot be read.
  Status start();
  // Commits what is queued (its callers get their answer), stops the applier after the chunk
  // it is delivering, joins both threads. Later ingest() calls get kUnavailable. Idempotent.
  void stop();

  // Blocks until the event's batch committed durably. ok for a duplicate. kInvalidArgument
  // (no provider or dedupe_key: it could never be deduplicated), kUnavailable (not started or
  // stopping), or the store's error for the whole batch (nothing of that batch is stored).
  Status ingest(const CallEvent& event) override;
  // The same without blocking the caller: `done` runs on the writer thread after the commit
  // (or at once on the caller's thread for a refused event). It must not block or call ingest().
  void ingest_async(const CallEvent& event, std::function<void(Status)> done);

  // Wakes the applier now (it also wakes on every commit). For tests and shutdown paths.
  void poke_applier();
  // Blocks until every row committed so far was delivered to the sink (tests, graceful stop).
  void wait_applied();

  InboxStats stats() const;
  // Events waiting for the writer (not yet in a commit). For tests and metrics.
  std::size_t queued() const;

 private:
  struct Pending;
  struct Shard {
    std::unique_ptr<InboxStore> store;
    std::thread writer;
    std::int64_t applied_pending = -1;  // watermark the applier reached, not yet persisted
    std::int64_t applied_persisted = 0;
    std::int64_t apply_pos = 0;         // applier thread only
  };
  void writer_loop(std::size_t shard);
  void applier_loop();
  void finish(std::vector<Pending*>& batch, const Status& result);
  static Status validate(const CallEvent& event);
  static std::string key_of(const CallEvent& event);

  std::vector<Shard> shards_;
  telephony::CallEventSink* sink_;
  InboxOptions options_;

  mutable std::mutex mu_;
  std::condition_variable writer_cv_;
  std::condition_variable applier_cv_;
  std::condition_variable applied_cv_;
  std::deque<Pending*> queue_;
  std::unordered_set<std::string> in_flight_;  // keys inside some writer's commit (sharded only)
  bool started_ = false;
  bool stopping_ = false;
  std::size_t idle_writers_ = 0;
  std::int64_t commit_generation_ = 0;   // bumped after every successful commit
  std::int64_t idle_generation_ = -1;    // generation the applier last found fully delivered
  bool poked_ = false;
  InboxStats stats_;

  std::thread applier_;
};

}  // namespace outdial::ingest
