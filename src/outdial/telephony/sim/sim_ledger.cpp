#include "outdial/telephony/sim/sim_ledger.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <utility>

namespace outdial::telephony::sim {

Result<SimLedger> SimLedger::open(const std::string& path, LedgerSync sync) {
  SimLedger ledger;
  ledger.sync_mode_ = sync;
  if (path.empty()) return ledger;
  std::string content;
  std::size_t start = 0;  // end of the last complete line
  {
    const int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (rfd >= 0) {
      char buf[65536];
      for (ssize_t n = ::read(rfd, buf, sizeof buf); n > 0; n = ::read(rfd, buf, sizeof buf)) {
        content.append(buf, static_cast<std::size_t>(n));
      }
      ::close(rfd);
    }
    // Only newline-terminated lines count: a torn write at the crash point is not a record.
    for (std::size_t nl = content.find('\n'); nl != std::string::npos; nl = content.find('\n', start)) {
      ledger.apply_line(content.substr(start, nl - start));
      start = nl + 1;
    }
  }
  ledger.fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (ledger.fd_ < 0) {
    return make_error(ErrorCode::kUnavailable, "cannot open sim ledger: " + std::string(std::strerror(errno)),
                      {{"path", path}});
  }
  ledger.size_ = static_cast<off_t>(start);
  if (start < content.size()) {
    // A torn last line: cut it off before appending, or the next record would be glued onto
    // it and dropped by the following restart (find_call misses: a second dial).
    if (::ftruncate(ledger.fd_, static_cast<off_t>(start)) != 0 || ::fsync(ledger.fd_) != 0) {
      return make_error(ErrorCode::kUnavailable,
                        "cannot truncate torn sim ledger tail: " + std::string(std::strerror(errno)),
                        {{"path", path}});
    }
  }
  return ledger;
}

SimLedger::SimLedger(SimLedger&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      sync_mode_(other.sync_mode_),
      dirty_(std::exchange(other.dirty_, false)),
      calls_(std::move(other.calls_)),
      by_key_(std::move(other.by_key_)),
      by_id_(std::move(other.by_id_)),
      sms_(std::move(other.sms_)),
      last_activity_(other.last_activity_) {}

SimLedger& SimLedger::operator=(SimLedger&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      (void)sync();
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    sync_mode_ = other.sync_mode_;
    dirty_ = std::exchange(other.dirty_, false);
    calls_ = std::move(other.calls_);
    by_key_ = std::move(other.by_key_);
    by_id_ = std::move(other.by_id_);
    sms_ = std::move(other.sms_);
    last_activity_ = other.last_activity_;
  }
  return *this;
}

SimLedger::~SimLedger() {
  if (fd_ >= 0) {
    (void)sync();
    ::close(fd_);
  }
}

Status SimLedger::sync() {
  if (fd_ < 0 || !dirty_) return ok_status();
  if (sync_mode_ == LedgerSync::kNone) {
    dirty_ = false;  // written with write(2): survives a kill -9 of this process, not a power cut
    return ok_status();
  }
  // fdatasync: the appended bytes and the file size, not the timestamps.
  if (::fdatasync(fd_) != 0) {
    return make_error(ErrorCode::kUnavailable, "sim ledger fsync failed: " + std::string(std::strerror(errno)));
  }
  dirty_ = false;
  return ok_status();
}

void SimLedger::apply_line(const std::string& line) {
  std::istringstream in(line);
  std::string kind;
  in >> kind;
  std::int64_t at_ms = 0;
  if (kind == "call") {
    LedgerCall c;
    in >> c.idempotency_key >> c.call_id >> c.to >> c.attempt_id >> c.attempt_number >> c.ring_timeout_seconds >>
        at_ms;
    if (in.fail()) return;
    c.placed_at = from_epoch_ms(at_ms);
    add_call(std::move(c));
  } else if (kind == "hangup") {
    std::string id;
    in >> id >> at_ms;
    if (in.fail()) return;
    add_hangup(id, from_epoch_ms(at_ms));
  } else if (kind == "sms") {
    std::string key, id, to;
    in >> key >> id >> to >> at_ms;
    if (in.fail()) return;
    add_sms(key, id, from_epoch_ms(at_ms));
  }
}

void SimLedger::touch(TimePoint at) {
  if (!last_activity_ || *last_activity_ < at) last_activity_ = at;
}

void SimLedger::add_call(LedgerCall c) {
  touch(c.placed_at);
  by_key_.emplace(c.idempotency_key, calls_.size());
  by_id_.emplace(c.call_id, calls_.size());
  calls_.push_back(std::move(c));
}

void SimLedger::add_hangup(const std::string& call_id, TimePoint at) {
  touch(at);
  auto it = by_id_.find(call_id);
  if (it != by_id_.end()) calls_[it->second].hung_up_at = at;
}

void SimLedger::add_sms(const std::string& key, const std::string& message_id, TimePoint at) {
  touch(at);
  sms_[key] = message_id;
}

Status SimLedger::write_line(std::string line) {
  if (fd_ < 0) return ok_status();  // in memory only
  line += '\n';
  // One write() of a short line with O_APPEND before the caller is told it happened (a
  // restarted process reads it back even after kill -9); fsync now or at the next sync().
  const ssize_t n = ::write(fd_, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) {
    const int err = n < 0 ? errno : ENOSPC;
    // A short write leaves a torn line: cut it off so the next record starts on a clean line.
    if (n > 0) (void)::ftruncate(fd_, size_);
    return make_error(ErrorCode::kUnavailable, "sim ledger write failed: " + std::string(std::strerror(err)));
  }
  size_ += n;
  dirty_ = true;
  if (sync_mode_ == LedgerSync::kEveryRecord) return sync();
  return ok_status();
}

Status SimLedger::record_call(const LedgerCall& c) {
  const std::string line = "call " + c.idempotency_key + ' ' + c.call_id + ' ' + c.to + ' ' +
                           std::to_string(c.attempt_id) + ' ' + std::to_string(c.attempt_number) + ' ' +
                           std::to_string(c.ring_timeout_seconds) + ' ' + std::to_string(to_epoch_ms(c.placed_at));
  if (auto st = write_line(line); !st) return st;
  add_call(c);
  return ok_status();
}

Status SimLedger::record_hangup(const std::string& call_id, TimePoint at) {
  if (auto st = write_line("hangup " + call_id + " " + std::to_string(to_epoch_ms(at))); !st) return st;
  add_hangup(call_id, at);
  return ok_status();
}

Status SimLedger::record_sms(const std::string& key, const std::string& message_id, const std::string& to,
                             TimePoint at) {
  if (auto st = write_line("sms " + key + " " + message_id + " " + to + " " + std::to_string(to_epoch_ms(at))); !st) {
    return st;
  }
  add_sms(key, message_id, at);
  return ok_status();
}

const LedgerCall* SimLedger::find_by_key(const std::string& key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &calls_[it->second];
}

const LedgerCall* SimLedger::find_by_id(const std::string& call_id) const {
  auto it = by_id_.find(call_id);
  return it == by_id_.end() ? nullptr : &calls_[it->second];
}

std::optional<std::string> SimLedger::find_sms(const std::string& key) const {
  auto it = sms_.find(key);
  if (it == sms_.end()) return std::nullopt;
  return it->second;
}

}  // namespace outdial::telephony::sim
