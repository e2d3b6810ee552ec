#pragma once
// The composition root's one call to get the durable webhook ingress: an inbox file next to the
// main database, its writer and applier threads running, delivering to the dialer's sink. The
// Twilio and Telnyx webhook routes take the result as their telephony::EventIngress&.
#include <memory>
#include <string>

#include "outdial/ingest/durable_inbox.hpp"
#include "outdial/ingest/sqlite/sqlite_inbox_store.hpp"

namespace outdial::ingest {

struct WebhookIngestConfig {
  std::string inbox_path;  // see default_inbox_path(); shard i > 0 is "<inbox_path>.<i>"
  // Files written in parallel (one writer thread each): commits overlap on the device. Shard
  // files found on disk beyond this count are opened too (never orphaned). One file is the
  // default: on this 2-core machine, quiet, 64 connections, one file took 27.8k webhooks/s at
  // p99 4.3 ms and four files 18.4k/s at p99 12.9 ms (bench/webhook/RESULTS.md): the writers
  // compete for the same cores and split the batches.
  int shards = 1;
  InboxOptions inbox;
  sqlite::SqliteInboxOptions store;
};

// "<db_path>.inbox" (":memory:" databases get a ":memory:" inbox: not durable, tests only).
std::string default_inbox_path(const std::string& db_path);

// Opens (creating if needed) the inbox file and starts the inbox; on start it re-delivers to
// `sink` the events a previous process stored but had not applied. `sink` must outlive the
// returned inbox; destroy the inbox (or stop() it) before the sink. Errors: the store's
// (kUnavailable when the file cannot be opened).
Result<std::unique_ptr<DurableInbox>> open_webhook_ingest(const WebhookIngestConfig& config,
                                                          telephony::CallEventSink& sink);

}  // namespace outdial::ingest
