#include "outdial/dialer/file/file_dial_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

namespace outdial::dialer::file {
namespace {

constexpr std::uint32_t kVersion = 2;
constexpr std::uint64_t kFrameHeader = 8;  // u32 length + u32 crc
// The append buffer keeps its capacity between appends up to this size (typical batches are a
// few hundred records of ~150 bytes); a larger one is given back after the append.
constexpr std::size_t kKeepBuffer = std::size_t{4} << 20;

// Little-endian fixed-width integers at p (memcpy on little-endian hosts, byte by byte otherwise).
template <typename U>
void store_le(char* p, U v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, sizeof v);
  } else {
    for (std::size_t i = 0; i < sizeof v; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFFU);
  }
}

template <typename U>
U load_le(const char* p) {
  U v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, sizeof v);
  } else {
    for (std::size_t i = sizeof v; i-- > 0;) v = static_cast<U>((v << 8) | static_cast<unsigned char>(p[i]));
  }
  return v;
}

void put_u32(std::string& out, std::uint32_t v) {
  char b[4];
  store_le(b, v);
  out.append(b, 4);
}

std::uint32_t get_u32(const std::string& data, std::uint64_t off) {
  return load_le<std::uint32_t>(data.data() + off);
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

// The payload of one record, field by field, in file order. One list serves the three passes
// (size, encode, decode), so they cannot disagree: `Pass` is a Sizer, Writer or Reader and
// `Dial` is `const JournaledDial` (size, encode) or `JournaledDial` (decode).
//   i64 / i32: two's complement little-endian; str: u32 byte length + the bytes verbatim;
//   flag: u8 0 or 1; opt time: flag, then i64 epoch ms if 1; time: i64 epoch ms;
//   state: str, the to_string(CallState) name.
template <typename Pass, typename Dial>
void fields(Pass& p, Dial& d) {
  auto& a = d.attempt;
  p.i64(a.id);
  p.i64(a.tenant_id);
  p.i64(a.campaign_id);
  p.i64(a.contact_id);
  p.i32(a.attempt_number);
  p.str(a.idempotency_key);
  p.state(a.state);
  p.str(a.provider);
  p.str(a.provider_call_id);
  p.str(a.from_number);
  p.str(a.to_number);
  p.str(a.digits);
  p.flag(a.answered_by_machine);
  p.time(a.created_at);
  p.opt_time(a.dialed_at);
  p.opt_time(a.answered_at);
  p.opt_time(a.ended_at);
  p.str(a.failure_reason);
  auto& r = d.decision;
  p.i64(r.id);
  p.i64(r.tenant_id);
  p.i64(r.campaign_id);
  p.i64(r.contact_id);
  p.str(r.phone_e164);
  p.str(r.channel);
  p.str(r.verdict);
  p.str(r.rule);
  p.str(r.reason);
  p.opt_time(r.allowed_at);
  p.time(r.decided_at);
}

// Counts the payload bytes (in 64 bits: a string may be larger than a u32 length can say).
class Sizer {
 public:
  std::uint64_t size() const { return n_; }
  void i64(std::int64_t) { n_ += 8; }
  void i32(int) { n_ += 4; }
  void str(const std::string& s) { n_ += 4 + s.size(); }
  void state(CallState s) { n_ += 4 + std::strlen(to_string(s)); }
  void flag(bool) { n_ += 1; }
  void time(TimePoint) { n_ += 8; }
  void opt_time(const std::optional<TimePoint>& t) { n_ += t ? 9 : 1; }

 private:
  std::uint64_t n_ = 0;
};

// Writes the payload at `p`, which has room for Sizer's count (checked <= kMaxPayload first).
class Writer {
 public:
  explicit Writer(char* p) : p_(p) {}
  char* pos() const { return p_; }
  void i64(std::int64_t v) { put(static_cast<std::uint64_t>(v)); }
  void i32(int v) { put(static_cast<std::uint32_t>(v)); }
  void str(std::string_view s) {
    put(static_cast<std::uint32_t>(s.size()));
    if (!s.empty()) std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void state(CallState s) { str(to_string(s)); }
  void flag(bool b) { *p_++ = static_cast<char>(b ? 1 : 0); }
  void time(TimePoint t) { i64(to_epoch_ms(t)); }
  void opt_time(const std::optional<TimePoint>& t) {
    flag(t.has_value());
    if (t) time(*t);
  }

 private:
  template <typename U>
  void put(U v) {
    store_le(p_, v);
    p_ += sizeof v;
  }
  char* p_;
};

// Reads a payload strictly: every length within the payload, flags 0 or 1, a known state name;
// the first violation clears ok() and leaves the remaining fields as they are.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  // Every field read and every byte used.
  bool complete() const { return ok_ && pos_ == in_.size(); }
  void i64(std::int64_t& v) {
    if (const char* p = take(8)) v = static_cast<std::int64_t>(load_le<std::uint64_t>(p));
  }
  void i32(int& v) {
    if (const char* p = take(4)) v = static_cast<std::int32_t>(load_le<std::uint32_t>(p));
  }
  void str(std::string& s) {
    const char* p = take(4);
    if (p == nullptr) return;
    const std::uint32_t len = load_le<std::uint32_t>(p);
    if (const char* b = take(len)) s.assign(b, len);
  }
  void state(CallState& s) {
    std::string name;
    str(name);
    if (!ok_) return;
    const auto parsed = parse_call_state(name);
    if (parsed) {
      s = *parsed;
    } else {
      ok_ = false;
    }
  }
  void flag(bool& b) {
    const char* p = take(1);
    if (p == nullptr) return;
    const auto v = static_cast<unsigned char>(*p);
    if (v > 1) ok_ = false;
    b = v == 1;
  }
  void time(TimePoint& t) {
    std::int64_t ms = 0;
    i64(ms);
    t = from_epoch_ms(ms);
  }
  void opt_time(std::optional<TimePoint>& t) {
    bool set = false;
    flag(set);
    if (!ok_ || !set) {
      t.reset();
      return;
    }
    TimePoint v{};
    time(v);
    t = v;
  }

 private:
  const char* take(std::size_t n) {
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return nullptr;
    }
    const char* p = in_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

std::optional<JournaledDial> decode(std::string_view payload) {
  JournaledDial d;
  Reader r(payload);
  fields(r, d);
  if (!r.complete()) return std::nullopt;
  return d;
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
    // records), records would be lost: that is damage, never skipped. A frame found inside the
    // bytes of a torn record is not taken for one by accident: its length must fit, its CRC-32
    // must match and its payload must decode strictly to every field with no byte left over.
    // (Only a string field holding a whole encoded record verbatim could do that; it would make
    // a torn tail read as damage, never a damaged file read as intact.)
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
  // One process per journal: another's open would cut its append in progress as a torn tail.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "dial journal in use by another process (one dialer node per journal)", {{"path", path}});
    }
    return io_error("cannot lock", path, err);
  }

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
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < dials.size(); ++i) {
    Sizer sizer;
    fields(sizer, dials[i]);
    if (sizer.size() > kMaxPayload) {
      return make_error(ErrorCode::kInvalidArgument, "journaled dial larger than 1 MiB",
                        {{"path", path_}, {"index", std::to_string(i)}, {"bytes", std::to_string(sizer.size())}});
    }
    total += kFrameHeader + sizer.size();
  }

  std::lock_guard lock(mu_);
  if (damaged_) return *damaged_;
  if (tail_dirty_) {
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) return io_error("cannot cut failed append", path_, errno);
    tail_dirty_ = false;
  }
  // Every record of the batch is encoded in place into the one buffer: payload first, then its
  // length and the CRC of the bytes just written in front of it.
  buf_.resize(static_cast<std::size_t>(total));
  char* frame = buf_.data();
  for (const JournaledDial& d : dials) {
    char* const payload = frame + kFrameHeader;
    Writer w(payload);
    fields(w, d);
    const auto len = static_cast<std::size_t>(w.pos() - payload);
    store_le(frame, static_cast<std::uint32_t>(len));
    store_le(frame + 4, crc_of(payload, len));
    frame = w.pos();
  }

  int err = write_all(fd_, buf_, end_);
  std::string what = "cannot write";
  if (err == 0 && sync_ == JournalSync::kData && ::fdatasync(fd_) != 0) {
    err = errno;
    what = "cannot sync";
  }
  if (buf_.capacity() > kKeepBuffer) std::string().swap(buf_);
  if (err != 0) {
    // Cut the half-written batch off so no later read returns records the caller was told
    // failed (and must not dial). If that fails too, retry before the next append.
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) tail_dirty_ = true;
    return io_error(what, path_, err);
  }
  end_ += total;
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
