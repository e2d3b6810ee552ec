#include "outdial/ingest/durable_inbox.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

namespace outdial::ingest {

// One ingest() waiting for its commit: on the caller's stack (sync) or on the heap (async).
struct DurableInbox::Pending {
  const CallEvent* event = nullptr;
  std::unique_ptr<CallEvent> owned;       // async: the caller's event may not outlive the call
  std::function<void(Status)> callback;  // async
  std::condition_variable cv;            // sync: signalled under mu_ once `result` is set
  std::optional<Status> result;
};

DurableInbox::DurableInbox(std::unique_ptr<InboxStore> store, telephony::CallEventSink* sink, InboxOptions options)
    : DurableInbox(
          [&store] {
            std::vector<std::unique_ptr<InboxStore>> v;
            v.push_back(std::move(store));
            return v;
          }(),
          sink, options) {}

DurableInbox::DurableInbox(std::vector<std::unique_ptr<InboxStore>> shards, telephony::CallEventSink* sink,
                           InboxOptions options)
    : shards_(shards.size()), sink_(sink), options_(options) {
  for (std::size_t i = 0; i < shards.size(); ++i) shards_[i].store = std::move(shards[i]);
  if (options_.max_batch == 0) options_.max_batch = 1;
  if (options_.apply_chunk == 0) options_.apply_chunk = 1;
}

DurableInbox::~DurableInbox() { stop(); }

Status DurableInbox::start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return make_error(ErrorCode::kFailedPrecondition, "webhook inbox already started");
  }
  if (shards_.empty()) return make_error(ErrorCode::kInvalidArgument, "webhook inbox has no store");
  if (options_.run_applier && sink_ == nullptr) {
    return make_error(ErrorCode::kFailedPrecondition, "webhook inbox: an applier needs a sink");
  }
  std::vector<std::int64_t> marks;
  for (auto& sh : shards_) {
    auto watermark = sh.store->applied_through();
    if (!watermark.ok()) return watermark.error();
    marks.push_back(watermark.value());
  }
  {
    std::lock_guard lock(mu_);
    started_ = true;
    stats_.applied_through = 0;
    for (std::size_t i = 0; i < shards_.size(); ++i) {
      shards_[i].applied_persisted = marks[i];
      shards_[i].apply_pos = marks[i];
      stats_.applied_through += marks[i];
    }
  }
  for (std::size_t i = 0; i < shards_.size(); ++i) shards_[i].writer = std::thread([this, i] { writer_loop(i); });
  if (options_.run_applier) applier_ = std::thread([this] { applier_loop(); });
  return ok_status();
}

void DurableInbox::stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  writer_cv_.notify_all();
  applier_cv_.notify_all();
  // The applier first: it stops after its current chunk, and the writers, which drain the
  // queue and exit last, then also persist the applier's final watermarks.
  if (applier_.joinable()) applier_.join();
  writer_cv_.notify_all();
  for (auto& sh : shards_) {
    if (sh.writer.joinable()) sh.writer.join();
  }
  applied_cv_.notify_all();
}

std::string DurableInbox::key_of(const CallEvent& event) {
  std::string k;
  k.reserve(event.provider.size() + 1 + event.dedupe_key.size());
  k += event.provider;
  k += '\n';
  k += event.dedupe_key;
  return k;
}

Status DurableInbox::validate(const CallEvent& event) {
  if (event.provider.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "call event has no provider", {{"field", "provider"}});
  }
  if (event.dedupe_key.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "call event from '" + event.provider + "' has no dedupe_key (it could not be deduplicated)",
                      {{"field", "dedupe_key"}, {"provider", event.provider}});
  }
  return ok_status();
}

Status DurableInbox::ingest(const CallEvent& event) {
  if (auto v = validate(event); !v.ok()) return v;
  Pending p;
  p.event = &event;
  std::unique_lock lock(mu_);
  if (!started_ || stopping_) return make_error(ErrorCode::kUnavailable, "webhook inbox is not running");
  queue_.push_back(&p);
  if (idle_writers_ > 0) writer_cv_.notify_one();
  p.cv.wait(lock, [&p] { return p.result.has_value(); });
  return std::move(*p.result);
}

void DurableInbox::ingest_async(const CallEvent& event, std::function<void(Status)> done) {
  if (auto v = validate(event); !v.ok()) return done(v);
  auto p = std::make_unique<Pending>();
  p->owned = std::make_unique<CallEvent>(event);
  p->event = p->owned.get();
  p->callback = std::move(done);
  std::unique_lock lock(mu_);
  if (!started_ || stopping_) {
    lock.unlock();
    return p->callback(make_error(ErrorCode::kUnavailable, "webhook inbox is not running"));
  }
  queue_.push_back(p.release());
  if (idle_writers_ > 0) writer_cv_.notify_one();
}

void DurableInbox::finish(std::vector<Pending*>& batch, const Status& result) {
  // Split first: once a sync waiter has its result it may return and its Pending (on its
  // stack) is gone, so nothing may touch it after the lock is released.
  std::vector<std::unique_ptr<Pending>> async;
  {
    std::lock_guard lock(mu_);
    for (Pending* p : batch) {
      if (p->callback) {
        async.emplace_back(p);
        continue;
      }
      p->result = result;
      p->cv.notify_one();  // under the lock: the waiter cannot return before we leave
    }
  }
  batch.clear();
  for (auto& p : async) {
    try {
      p->callback(result);
    } catch (const std::exception& e) {
      spdlog::error("webhook inbox: completion callback threw: {}", e.what());
    } catch (...) {
      spdlog::error("webhook inbox: completion callback threw");
    }
  }
}

void DurableInbox::writer_loop(std::size_t index) {
  Shard& me = shards_[index];
  const bool sharded = shards_.size() > 1;
  std::vector<const CallEvent*> events;
  std::vector<const CallEvent*> probe;
  std::vector<Pending*> batch;
  std::vector<Pending*> dups;  // already stored in another shard: success, nothing to write
  std::vector<std::string> keys;
  std::unique_lock lock(mu_);
  bool backoff = false;
  for (;;) {
    const auto has_work = [&] { return !queue_.empty() || me.applied_pending > me.applied_persisted; };
    if (backoff) {
      if (stopping_ && queue_.empty()) break;  // a failing store must not hold up stop()
      // The last commit failed with nothing else queued: do not spin on a failing watermark.
      writer_cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping_ || !queue_.empty(); });
      backoff = false;
    }
    ++idle_writers_;
    writer_cv_.wait(lock, [&] { return stopping_ || has_work(); });
    --idle_writers_;
    if (!has_work()) break;  // stopping and drained
    batch.clear();
    keys.clear();
    if (sharded) {
      // Skip (leave queued) keys another writer is committing: after its commit they are seen
      // by contains() below, so one key never lands in two shards.
      std::deque<Pending*> skipped;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        Pending* p = queue_.front();
        queue_.pop_front();
        std::string key = key_of(*p->event);
        if (in_flight_.count(key) != 0) {
          skipped.push_back(p);
          continue;
        }
        in_flight_.insert(key);
        keys.push_back(std::move(key));
        batch.push_back(p);
      }
      for (auto it = skipped.rbegin(); it != skipped.rend(); ++it) queue_.push_front(*it);
      if (!queue_.empty() && idle_writers_ > 0) writer_cv_.notify_one();
    } else {
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    std::optional<std::int64_t> watermark;
    if (me.applied_pending > me.applied_persisted) watermark = me.applied_pending;
    if (batch.empty() && !watermark) {
      // Only keys in flight elsewhere: wait for that commit (it notifies all writers).
      writer_cv_.wait(lock);
      continue;
    }
    lock.unlock();

    Status status = ok_status();
    events.clear();
    dups.clear();
    if (sharded && !batch.empty()) {
      probe.clear();
      for (const Pending* p : batch) probe.push_back(p->event);
      std::vector<bool> seen(batch.size(), false);
      for (std::size_t s = 0; s < shards_.size() && status.ok(); ++s) {
        if (s == index) continue;
        auto found = shards_[s].store->contains(probe);
        if (!found.ok()) {
          status = found.error();
          break;
        }
        for (std::size_t i = 0; i < seen.size(); ++i) seen[i] = seen[i] || found.value()[i];
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (seen[i]) {
          dups.push_back(batch[i]);
        } else {
          events.push_back(batch[i]->event);
        }
      }
    } else {
      for (const Pending* p : batch) events.push_back(p->event);
    }
    std::optional<Result<AppendResult>> res;
    if (status.ok()) {
      res.emplace(me.store->append(events, watermark));
      if (!res->ok()) status = res->error();
    }
    if (!status.ok()) {
      spdlog::warn("webhook inbox: commit of {} event(s) failed: {}", batch.size(), status.error().message);
    }

    lock.lock();
    for (const auto& k : keys) in_flight_.erase(k);
    if (status.ok()) {
      if (watermark) me.applied_persisted = std::max(me.applied_persisted, *watermark);
      if (!batch.empty()) {
        ++stats_.commits;
        stats_.committed_events += static_cast<std::int64_t>(batch.size());
        stats_.duplicates += res->value().duplicates + static_cast<std::int64_t>(dups.size());
        stats_.largest_batch = std::max(stats_.largest_batch, static_cast<std::int64_t>(batch.size()));
        ++commit_generation_;
        applier_cv_.notify_one();
      }
    } else {
      ++stats_.failed_commits;
      backoff = queue_.empty();
    }
    if (sharded && !keys.empty()) writer_cv_.notify_all();  // skipped keys may go now
    lock.unlock();
    finish(batch, status);
    lock.lock();
  }
}

void DurableInbox::applier_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const std::int64_t generation = commit_generation_;
    poked_ = false;
    lock.unlock();
    bool delivered_any = false;
    bool read_failed = false;
    for (std::size_t s = 0; s < shards_.size(); ++s) {
      Shard& sh = shards_[s];
      auto rows = sh.store->read_after(sh.apply_pos, options_.apply_chunk);
      if (!rows.ok()) {
        spdlog::warn("webhook inbox: reading stored events failed: {}", rows.error().message);
        read_failed = true;
        continue;
      }
      if (auto m = sh.store->maintain(); !m.ok()) {
        spdlog::warn("webhook inbox: maintenance failed: {}", m.error().message);
      }
      if (rows.value().empty()) continue;
      delivered_any = true;
      std::int64_t delivered = 0;
      std::int64_t errors = 0;
      for (const auto& row : rows.value()) {
        try {
          sink_->on_call_event(row.event);
        } catch (const std::exception& e) {
          ++errors;
          spdlog::error("webhook inbox: applying {} event {} failed: {}", row.event.provider, row.event.dedupe_key,
                        e.what());
        } catch (...) {
          ++errors;
          spdlog::error("webhook inbox: applying {} event {} failed", row.event.provider, row.event.dedupe_key);
        }
        ++delivered;
      }
      const std::int64_t before = sh.apply_pos;
      sh.apply_pos = rows.value().back().seq;
      std::lock_guard guard(mu_);
      sh.applied_pending = sh.apply_pos;
      stats_.applied_through += sh.apply_pos - before;
      stats_.delivered += delivered;
      stats_.apply_errors += errors;
      if (idle_writers_ > 0) writer_cv_.notify_all();
    }
    lock.lock();
    if (read_failed) {
      applier_cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
      continue;
    }
    if (!delivered_any) {
      idle_generation_ = generation;
      applied_cv_.notify_all();
      applier_cv_.wait(lock, [&] { return stopping_ || poked_ || commit_generation_ != generation; });
    }
  }
}

void DurableInbox::poke_applier() {
  std::lock_guard lock(mu_);
  poked_ = true;
  applier_cv_.notify_all();
}

void DurableInbox::wait_applied() {
  std::unique_lock lock(mu_);
  if (!options_.run_applier || !started_) return;
  const std::int64_t target = commit_generation_;
  poked_ = true;
  applier_cv_.notify_all();
  applied_cv_.wait(lock, [&] { return stopping_ || idle_generation_ >= target; });
}

InboxStats DurableInbox::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::size_t DurableInbox::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace outdial::ingest
