#include "outdial/ingest/sqlite/webhook_ingest.hpp"

#include <algorithm>
#include <filesystem>

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
  const bool memory = config.inbox_path == ":memory:";
  int count = std::max(config.shards, 1);
  if (memory) count = 1;
  while (!memory && std::filesystem::exists(config.inbox_path + "." + std::to_string(count))) ++count;
  std::vector<std::unique_ptr<InboxStore>> shards;
  for (int i = 0; i < count; ++i) {
    const std::string path = i == 0 ? config.inbox_path : config.inbox_path + "." + std::to_string(i);
    auto store = sqlite::SqliteInboxStore::open(path, config.store);
    if (!store.ok()) return store.error();
    shards.push_back(std::move(store).value());
  }
  auto inbox = std::make_unique<DurableInbox>(std::move(shards), &sink, config.inbox);
  if (auto st = inbox->start(); !st.ok()) return st.error();
  return inbox;
}

}  // namespace outdial::ingest
