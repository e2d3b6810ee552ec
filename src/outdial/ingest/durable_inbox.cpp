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
    : store_(std::move(store)), sink_(sink), options_(options) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  if (options_.apply_chunk == 0) options_.apply_chunk = 1;
}

DurableInbox::~DurableInbox() { stop(); }

Status DurableInbox::start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return make_error(ErrorCode::kFailedPrecondition, "webhook inbox already started");
  }
  auto watermark = store_->applied_through();
  if (!watermark.ok()) return watermark.error();
  if (options_.run_applier && sink_ == nullptr) {
    return make_error(ErrorCode::kFailedPrecondition, "webhook inbox: an applier needs a sink");
  }
  {
    std::lock_guard lock(mu_);
    started_ = true;
    applied_persisted_ = watermark.value();
    stats_.applied_through = watermark.value();
  }
  writer_ = std::thread([this] { writer_loop(); });
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
  // The applier first: it stops after its current chunk, and the writer, which drains the queue
  // and exits last, then also persists the applier's final watermark.
  if (applier_.joinable()) applier_.join();
  writer_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  applied_cv_.notify_all();
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
  if (!writer_busy_) writer_cv_.notify_one();
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
  if (!writer_busy_) writer_cv_.notify_one();
}

void DurableInbox::finish(std::deque<Pending*>& batch, const Status& result) {
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

void DurableInbox::writer_loop() {
  std::vector<const CallEvent*> events;
  std::unique_lock lock(mu_);
  bool backoff = false;
  for (;;) {
    const auto has_work = [this] { return !queue_.empty() || applied_pending_ > applied_persisted_; };
    if (backoff) {
      if (stopping_ && queue_.empty()) break;  // a failing store must not hold up stop()
      // The last commit failed with nothing else queued: do not spin on a failing watermark.
      writer_cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping_ || !queue_.empty(); });
      backoff = false;
    }
    writer_cv_.wait(lock, [&] { return stopping_ || has_work(); });
    if (!has_work()) break;  // stopping and drained
    std::deque<Pending*> batch;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    std::optional<std::int64_t> watermark;
    if (applied_pending_ > applied_persisted_) watermark = applied_pending_;
    writer_busy_ = true;
    lock.unlock();

    events.clear();
    for (const Pending* p : batch) events.push_back(p->event);
    auto res = store_->append(events, watermark);
    std::optional<Status> status;
    if (res.ok()) {
      status = ok_status();
    } else {
      status = res.error();
      spdlog::warn("webhook inbox: commit of {} event(s) failed: {}", batch.size(), res.error().message);
    }

    lock.lock();
    writer_busy_ = false;
    if (res.ok()) {
      if (watermark) applied_persisted_ = std::max(applied_persisted_, *watermark);
      if (!batch.empty()) {
        ++stats_.commits;
        stats_.committed_events += static_cast<std::int64_t>(batch.size());
        stats_.duplicates += res.value().duplicates;
        stats_.largest_batch = std::max(stats_.largest_batch, static_cast<std::int64_t>(batch.size()));
        ++commit_generation_;
        applier_cv_.notify_one();
      }
    } else {
      ++stats_.failed_commits;
      backoff = queue_.empty();
    }
    lock.unlock();
    finish(batch, *status);
    lock.lock();
  }
}

void DurableInbox::applier_loop() {
  std::unique_lock lock(mu_);
  std::int64_t pos = applied_persisted_;
  while (!stopping_) {
    const std::int64_t generation = commit_generation_;
    poked_ = false;
    lock.unlock();
    auto rows = store_->read_after(pos, options_.apply_chunk);
    if (!rows.ok()) {
      spdlog::warn("webhook inbox: reading stored events failed: {}", rows.error().message);
      lock.lock();
      applier_cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
      continue;
    }
    if (rows.value().empty()) {
      if (auto m = store_->maintain(); !m.ok()) {
        spdlog::warn("webhook inbox: maintenance failed: {}", m.error().message);
      }
      lock.lock();
      idle_generation_ = generation;
      applied_cv_.notify_all();
      applier_cv_.wait(lock, [&] { return stopping_ || poked_ || commit_generation_ != generation; });
      continue;
    }
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
    pos = rows.value().back().seq;
    // Between chunks (under sustained load the applier is never idle).
    if (auto m = store_->maintain(); !m.ok()) spdlog::warn("webhook inbox: maintenance failed: {}", m.error().message);
    lock.lock();
    applied_pending_ = pos;
    stats_.applied_through = pos;
    stats_.delivered += delivered;
    stats_.apply_errors += errors;
    if (!writer_busy_) writer_cv_.notify_one();
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
