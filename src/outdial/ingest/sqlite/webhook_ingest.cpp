#include "outdial/ingest/sqlite/webhook_ingest.hpp"

namespace outdial::ingest {

std::string default_inbox_path(const std::string& db_path) {
  if (db_path.empty() || db_path == ":memory:") return ":memory:";
  return db_path + ".inbox";
}

Result<std::unique_ptr<DurableInbox>> open_webhook_ingest(const WebhookIngestConfig& config,
                                                          telephony::CallEventSink& sink) {
  if (config.inbox_path.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "webhook inbox path is empty", {{"field", "inbox_path"}});
  }
  auto store = sqlite::SqliteInboxStore::open(config.inbox_path, config.store);
  if (!store.ok()) return store.error();
  auto inbox = std::make_unique<DurableInbox>(std::move(store).value(), &sink, config.inbox);
  if (auto st = inbox->start(); !st.ok()) return st.error();
  return inbox;
}

}  // namespace outdial::ingest
