#pragma once
// The storage behind the durable webhook inbox (DurableInbox). A driver lives in a technology
// subfolder (ingest/sqlite); tests wrap it to count, block or fail commits.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "outdial/core/call.hpp"
#include "outdial/core/result.hpp"

namespace outdial::ingest {

// One stored event. `seq` is the inbox's own commit order (strictly increasing, never reused).
struct InboxRow {
  std::int64_t seq = 0;
  CallEvent event;
};

struct AppendResult {
  std::int64_t inserted = 0;    // new rows
  std::int64_t duplicates = 0;  // (provider, dedupe_key) already stored: skipped, not an error
};

class InboxStore {
 public:
  virtual ~InboxStore() = default;

  // Stores the events (duplicates of stored (provider, dedupe_key) pairs, and repeats inside
  // the batch, are skipped) and, when given, the applied watermark, in ONE transaction, and
  // returns only after that transaction is durable: it survives a kill -9 of the process and a
  // power loss (the commit is synced to the device). All or nothing: on error no row of the
  // batch is stored. Errors: kUnavailable (I/O, disk full, locked), kInvalidArgument (a row the
  // schema refuses), kInternal. Called by one thread at a time (the inbox's writer).
  virtual Result<AppendResult> append(std::span<const CallEvent* const> events,
                                      std::optional<std::int64_t> applied_through) = 0;

  // Committed rows with seq > after, ascending, at most `limit`. Called by the applier thread,
  // concurrently with append() (a driver must use a separate read path for it).
  virtual Result<std::vector<InboxRow>> read_after(std::int64_t after, std::size_t limit) = 0;

  // The stored applied watermark: every row with seq <= it was delivered to the sink.
  virtual Result<std::int64_t> applied_through() = 0;

  // For each event: is its (provider, dedupe_key) already committed here? Used by the writers
  // of the OTHER shards of a sharded inbox (so a key is stored in one shard only): thread-safe,
  // callable concurrently with append() and read_after(). The default says "no" (one shard).
  virtual Result<std::vector<bool>> contains(std::span<const CallEvent* const> events) {
    return std::vector<bool>(events.size(), false);
  }

  // Housekeeping between deliveries (e.g. a WAL checkpoint), on the applier thread. Optional.
  virtual Status maintain() { return ok_status(); }
};

}  // namespace outdial::ingest
