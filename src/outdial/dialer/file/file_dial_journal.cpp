#include "outdial/dialer/file/file_dial_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

namespace outdial::dialer::file {
namespace {

using nlohmann::json;

constexpr std::uint32_t kVersion = 1;
constexpr std::uint64_t kFrameHeader = 8;  // u32 length + u32 crc

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}

std::uint32_t get_u32(const std::string& data, std::uint64_t off) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(data[static_cast<std::size_t>(off) + static_cast<std::size_t>(i)]);
  }
  return v;
}

std::string file_header() {
  std::string h = "ODJL";
  put_u32(h, kVersion);
  return h;
}

std::uint32_t crc_of(const char* p, std::size_t n) {
  const auto init = ::crc32(0L, Z_NULL, 0);
  return static_cast<std::uint32_t>(::crc32(init, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

std::string errno_text(int err) { return std::strerror(err); }

Error io_error(const std::string& what, const std::string& path, int err) {
  return make_error(ErrorCode::kUnavailable, "dial journal: " + what + ": " + errno_text(err),
                    {{"path", path}, {"errno", errno_text(err)}});
}

json opt_ms(const std::optional<TimePoint>& t) { return t ? json(to_epoch_ms(*t)) : json(nullptr); }

json encode(const JournaledDial& d) {
  const CallAttempt& a = d.attempt;
  const storage::DecisionRecord& r = d.decision;
  return json{
      {"attempt",
       {{"id", a.id},
        {"tenant_id", a.tenant_id},
        {"campaign_id", a.campaign_id},
        {"contact_id", a.contact_id},
        {"attempt_number", a.attempt_number},
        {"idempotency_key", a.idempotency_key},
        {"state", to_string(a.state)},
        {"provider", a.provider},
        {"provider_call_id", a.provider_call_id},
        {"from_number", a.from_number},
        {"to_number", a.to_number},
        {"digits", a.digits},
        {"answered_by_machine", a.answered_by_machine},
        {"created_at", to_epoch_ms(a.created_at)},
        {"dialed_at", opt_ms(a.dialed_at)},
        {"answered_at", opt_ms(a.answered_at)},
        {"ended_at", opt_ms(a.ended_at)},
        {"failure_reason", a.failure_reason}}},
      {"decision",
       {{"id", r.id},
        {"tenant_id", r.tenant_id},
        {"campaign_id", r.campaign_id},
        {"contact_id", r.contact_id},
        {"phone_e164", r.phone_e164},
        {"channel", r.channel},
        {"verdict", r.verdict},
        {"rule", r.rule},
        {"reason", r.reason},
        {"allowed_at", opt_ms(r.allowed_at)},
        {"decided_at", to_epoch_ms(r.decided_at)}}},
  };
}

// Reads the fields of one JSON object; any missing field or wrong type clears ok.
class FieldReader {
 public:
  explicit FieldReader(const json& obj) : obj_(obj), ok_(obj.is_object()) {}
  bool ok() const { return ok_; }

  std::int64_t i64(const char* key) {
    const json* v = field(key);
    if (v == nullptr || !v->is_number_integer()) return fail<std::int64_t>();
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return fail<std::int64_t>();
    }
    return v->get<std::int64_t>();
  }
  int i32(const char* key) {
    const std::int64_t v = i64(key);
    if (v < INT_MIN || v > INT_MAX) return fail<int>();
    return static_cast<int>(v);
  }
  std::string str(const char* key) {
    const json* v = field(key);
    if (v == nullptr || !v->is_string()) return fail<std::string>();
    return v->get<std::string>();
  }
  bool boolean(const char* key) {
    const json* v = field(key);
    if (v == nullptr || !v->is_boolean()) return fail<bool>();
    return v->get<bool>();
  }
  TimePoint time(const char* key) { return from_epoch_ms(i64(key)); }
  std::optional<TimePoint> opt_time(const char* key) {
    const json* v = field(key);
    if (v == nullptr) return fail<std::optional<TimePoint>>();
    if (v->is_null()) return std::nullopt;
    return time(key);
  }

 private:
  const json* field(const char* key) const {
    if (!ok_) return nullptr;
    const auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }
  template <typename T>
  T fail() {
    ok_ = false;
    return T{};
  }

  const json& obj_;
  bool ok_;
};

std::optional<JournaledDial> decode(std::string_view payload) {
  try {
    const json doc = json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains("attempt") || !doc.contains("decision")) return std::nullopt;
    JournaledDial d;
    FieldReader a(doc.at("attempt"));
    CallAttempt& at = d.attempt;
    at.id = a.i64("id");
    at.tenant_id = a.i64("tenant_id");
    at.campaign_id = a.i64("campaign_id");
    at.contact_id = a.i64("contact_id");
    at.attempt_number = a.i32("attempt_number");
    at.idempotency_key = a.str("idempotency_key");
    const auto state = parse_call_state(a.str("state"));
    at.provider = a.str("provider");
    at.provider_call_id = a.str("provider_call_id");
    at.from_number = a.str("from_number");
    at.to_number = a.str("to_number");
    at.digits = a.str("digits");
    at.answered_by_machine = a.boolean("answered_by_machine");
    at.created_at = a.time("created_at");
    at.dialed_at = a.opt_time("dialed_at");
    at.answered_at = a.opt_time("answered_at");
    at.ended_at = a.opt_time("ended_at");
    at.failure_reason = a.str("failure_reason");
    if (!a.ok() || !state) return std::nullopt;
    at.state = *state;

    FieldReader r(doc.at("decision"));
    storage::DecisionRecord& dr = d.decision;
    dr.id = r.i64("id");
    dr.tenant_id = r.i64("tenant_id");
    dr.campaign_id = r.i64("campaign_id");
    dr.contact_id = r.i64("contact_id");
    dr.phone_e164 = r.str("phone_e164");
    dr.channel = r.str("channel");
    dr.verdict = r.str("verdict");
    dr.rule = r.str("rule");
    dr.reason = r.str("reason");
    dr.allowed_at = r.opt_time("allowed_at");
    dr.decided_at = r.time("decided_at");
    if (!r.ok()) return std::nullopt;
    return d;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

enum class FrameKind { kIntact, kShort, kBad };

struct Frame {
  FrameKind kind = FrameKind::kBad;
  std::uint64_t next = 0;  // offset after the frame (kIntact only)
  std::string why;         // what is wrong (kShort, kBad)
  std::optional<JournaledDial> dial;
};

Frame parse_frame(const std::string& data, std::uint64_t off) {
  Frame f;
  const std::uint64_t size = data.size();
  if (size - off < kFrameHeader) {
    f.kind = FrameKind::kShort;
    f.why = "record header cut short";
    return f;
  }
  const std::uint32_t len = get_u32(data, off);
  const std::uint32_t crc = get_u32(data, off + 4);
  if (len == 0 || len > FileDialJournal::kMaxPayload) {
    f.kind = FrameKind::kBad;
    f.why = "record length " + std::to_string(len) + " out of bounds";
    return f;
  }
  if (size - off - kFrameHeader < len) {
    f.kind = FrameKind::kShort;
    f.why = "record payload cut short";
    return f;
  }
  const char* payload = data.data() + off + kFrameHeader;
  if (crc_of(payload, len) != crc) {
    f.kind = FrameKind::kBad;
    f.why = "record checksum mismatch";
    return f;
  }
  f.dial = decode(std::string_view(payload, len));
  if (!f.dial) {
    f.kind = FrameKind::kBad;
    f.why = "record payload is not a journaled dial";
    return f;
  }
  f.kind = FrameKind::kIntact;
  f.next = off + kFrameHeader + len;
  return f;
}

// The intact records of a whole file (header included) and where they end.
struct Scan {
  std::vector<JournaledDial> dials;
  std::uint64_t end = FileDialJournal::kHeaderSize;
  std::optional<Error> damage;
};

Scan scan(const std::string& data, const std::string& path) {
  Scan s;
  std::uint64_t off = FileDialJournal::kHeaderSize;
  while (off < data.size()) {
    Frame f = parse_frame(data, off);
    if (f.kind == FrameKind::kIntact) {
      s.dials.push_back(std::move(*f.dial));
      off = f.next;
      continue;
    }
    // The first record that is not intact. A crash in the middle of an append leaves only that
    // append's bytes after it, none of which was acknowledged; but if any intact record starts
    // after it (a bad byte in the middle of the log, or a length that jumps over later
    // records), records would be lost: that is damage, never skipped. Frames cannot start
    // inside a payload by accident: a payload is JSON text (no NUL byte) while a frame's length
    // (at most 1 MiB) has a NUL high byte, and its CRC and JSON must check too.
    for (std::uint64_t y = off + 1; y + kFrameHeader <= data.size(); ++y) {
      if (parse_frame(data, y).kind == FrameKind::kIntact) {
        s.damage = make_error(ErrorCode::kInternal, "dial journal damaged: " + f.why,
                              {{"path", path}, {"offset", std::to_string(off)}});
        break;
      }
    }
    break;  // torn tail (or damage): the intact records end here
  }
  s.end = off;
  return s;
}

Result<std::string> read_all(int fd, const std::string& path) {
  std::string data;
  char buf[65536];
  off_t pos = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    pos += n;
  }
  return data;
}

// One write loop of the whole buffer at `off` (partial writes and EINTR retried).
int write_all(int fd, const std::string& buf, std::uint64_t off) {
  std::size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n = ::pwrite(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(off + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;  // no progress on a regular file: do not spin
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

// Makes a newly created file's directory entry durable (kData: the file must survive a power cut).
int sync_parent_dir(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return errno;
  const int rc = ::fsync(dfd) == 0 ? 0 : errno;
  ::close(dfd);
  return rc;
}

}  // namespace

Result<std::unique_ptr<FileDialJournal>> FileDialJournal::open(const std::string& path, JournalSync sync) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open", path, errno);
  std::unique_ptr<FileDialJournal> j(new FileDialJournal(path, fd, sync));

  auto data = read_all(fd, path);
  if (!data) return data.error();
  const std::string header = file_header();
  if (data->size() < kHeaderSize) {
    // Empty (new) file, or a crash while the header of a new file was written: (re)write it.
    // Anything else this short is not ours.
    if (header.compare(0, data->size(), *data) != 0) {
      return make_error(ErrorCode::kFailedPrecondition, "not a dial journal (bad file header)", {{"path", path}});
    }
    const bool created = data->empty();
    if (::ftruncate(fd, 0) != 0) return io_error("cannot reset header", path, errno);
    if (const int err = write_all(fd, header, 0); err != 0) return io_error("cannot write header", path, err);
    if (sync == JournalSync::kData) {
      if (::fdatasync(fd) != 0) return io_error("cannot sync header", path, errno);
      if (created) {
        if (const int err = sync_parent_dir(path); err != 0) return io_error("cannot sync directory", path, err);
      }
    }
    j->end_ = kHeaderSize;
    return j;
  }
  if (data->compare(0, 4, header, 0, 4) != 0) {
    return make_error(ErrorCode::kFailedPrecondition, "not a dial journal (bad magic)", {{"path", path}});
  }
  if (const std::uint32_t version = get_u32(*data, 4); version != kVersion) {
    return make_error(ErrorCode::kFailedPrecondition, "unknown dial journal version",
                      {{"path", path}, {"version", std::to_string(version)}, {"supported", std::to_string(kVersion)}});
  }
  Scan s = scan(*data, path);
  j->end_ = s.end;
  if (s.damage) {
    // Leave a damaged file as it is (evidence); read() and append() report it until clear().
    j->damaged_ = std::move(s.damage);
    return j;
  }
  if (s.end < data->size()) {
    // A torn tail: cut it off so the next append starts on a record boundary and a shorter
    // append cannot leave torn bytes after it.
    if (::ftruncate(fd, static_cast<off_t>(s.end)) != 0) return io_error("cannot cut torn tail", path, errno);
    if (sync == JournalSync::kData && ::fdatasync(fd) != 0) return io_error("cannot sync", path, errno);
  }
  return j;
}

FileDialJournal::~FileDialJournal() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileDialJournal::append(const std::vector<JournaledDial>& dials) {
  if (dials.empty()) return ok_status();
  std::string buf;
  for (std::size_t i = 0; i < dials.size(); ++i) {
    // Invalid UTF-8 in a text field is written as U+FFFD rather than failing the append.
    const std::string payload = encode(dials[i]).dump(-1, ' ', false, json::error_handler_t::replace);
    if (payload.size() > kMaxPayload) {
      return make_error(ErrorCode::kInvalidArgument, "journaled dial larger than 1 MiB",
                        {{"path", path_}, {"index", std::to_string(i)}, {"bytes", std::to_string(payload.size())}});
    }
    put_u32(buf, static_cast<std::uint32_t>(payload.size()));
    put_u32(buf, crc_of(payload.data(), payload.size()));
    buf += payload;
  }

  std::lock_guard lock(mu_);
  if (damaged_) return *damaged_;
  if (tail_dirty_) {
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) return io_error("cannot cut failed append", path_, errno);
    tail_dirty_ = false;
  }
  int err = write_all(fd_, buf, end_);
  std::string what = "cannot write";
  if (err == 0 && sync_ == JournalSync::kData && ::fdatasync(fd_) != 0) {
    err = errno;
    what = "cannot sync";
  }
  if (err != 0) {
    // Cut the half-written batch off so no later read returns records the caller was told
    // failed (and must not dial). If that fails too, retry before the next append.
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) tail_dirty_ = true;
    return io_error(what, path_, err);
  }
  end_ += buf.size();
  return ok_status();
}

Result<std::vector<JournaledDial>> FileDialJournal::read() {
  std::lock_guard lock(mu_);
  if (tail_dirty_) {
    // A failed append whose bytes could not be cut off: its whole records must not be read back.
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) return io_error("cannot cut failed append", path_, errno);
    tail_dirty_ = false;
  }
  auto data = read_all(fd_, path_);
  if (!data) return data.error();
  if (data->size() < kHeaderSize || data->compare(0, 4, file_header(), 0, 4) != 0) {
    return make_error(ErrorCode::kInternal, "dial journal damaged: file header", {{"path", path_}, {"offset", "0"}});
  }
  Scan s = scan(*data, path_);
  if (s.damage) return *s.damage;
  return std::move(s.dials);
}

Status FileDialJournal::clear() {
  std::lock_guard lock(mu_);
  if (::ftruncate(fd_, static_cast<off_t>(kHeaderSize)) != 0) return io_error("cannot clear", path_, errno);
  if (sync_ == JournalSync::kData && ::fdatasync(fd_) != 0) return io_error("cannot sync", path_, errno);
  end_ = kHeaderSize;
  tail_dirty_ = false;
  damaged_.reset();
  return ok_status();
}

}  // namespace outdial::dialer::file
