#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "outdial/core/result.hpp"
#include "outdial/dialer/dial_journal.hpp"

namespace outdial::dialer::file {

// When an append reaches the disk. In both modes every append is one write loop that has
// returned before append() returns, so a kill -9 of the process never loses an acknowledged
// record (the kernel holds it), like SQLite's WAL with synchronous=NORMAL.
//   kNone: no fdatasync; a power cut may lose the appends since the kernel's last writeback.
//   kData: fdatasync after every append (and clear); survives a power cut.
enum class JournalSync { kNone, kData };

// The dial-intent log as one append-only file (driver of dialer::DialJournal).
//
// Format (all integers little-endian):
//   file header, 8 bytes: magic "ODJL", u32 version (2)
//   records: u32 payload_length, u32 crc32(payload) (zlib), payload = one JournaledDial in
//            binary, no padding:
//     attempt:  i64 id, tenant_id, campaign_id, contact_id; i32 attempt_number;
//               str idempotency_key; str state (to_string(CallState)); str provider,
//               provider_call_id, from_number, to_number, digits; u8 answered_by_machine (0/1);
//               i64 created_at; opt dialed_at, answered_at, ended_at; str failure_reason
//     decision: i64 id, tenant_id, campaign_id, contact_id; str phone_e164, channel, verdict,
//               rule, reason; opt allowed_at; i64 decided_at
//   where times are epoch milliseconds, str = u32 byte length + the bytes verbatim (any bytes
//   round-trip exactly), opt = u8 0 (unset) or u8 1 then i64.
// A payload is 1 byte .. 1 MiB; anything else is damage.
//
// Reading: the records are taken in order up to the first one that is not intact (cut short,
// CRC mismatch, a length out of bounds, or a payload that does not decode strictly: a string
// running past its end, bytes left over, a flag other than 0/1, an unknown state name). If no
// intact record starts anywhere after that point it is a torn tail (a crash in the middle of an
// append, which was therefore never acknowledged) and is ignored; otherwise the file is damaged
// and read() returns kInternal naming the path and the byte offset of the first bad record.
// open() cuts a torn tail off so the next append starts right after the last intact record.
//
// Thread-safety: every method takes an internal mutex (the runner calls from one thread).
class FileDialJournal final : public DialJournal {
 public:
  // Opens or creates (mode 0600) the journal at `path`. Errors: kUnavailable when the file
  // cannot be opened, read, created or its torn tail cut off (details: path; the message
  // carries the errno text); kFailedPrecondition when the file is not a dial journal (wrong
  // magic) or has a version this build does not know. A damaged file opens (so clear() can
  // reset it); read() and append() then return the damage (kInternal).
  static Result<std::unique_ptr<FileDialJournal>> open(const std::string& path, JournalSync sync);

  ~FileDialJournal() override;
  FileDialJournal(const FileDialJournal&) = delete;
  FileDialJournal& operator=(const FileDialJournal&) = delete;

  // Writes all records with one write loop at the end of the last intact record, then
  // fdatasync (kData). On any error the file is cut back to its previous end (so a half-written
  // batch is never read back) and kUnavailable is returned. Empty `dials`: no-op.
  Status append(const std::vector<JournaledDial>& dials) override;
  Result<std::vector<JournaledDial>> read() override;
  // Cuts the file back to its header (fdatasync with kData); the next append starts there.
  Status clear() override;

  const std::string& path() const { return path_; }

  // Exposed for tests: the header length and the largest payload accepted.
  static constexpr std::uint64_t kHeaderSize = 8;
  static constexpr std::uint32_t kMaxPayload = 1U << 20;

 private:
  FileDialJournal(std::string path, int fd, JournalSync sync) : path_(std::move(path)), fd_(fd), sync_(sync) {}

  std::mutex mu_;
  const std::string path_;
  int fd_ = -1;
  const JournalSync sync_;
  std::uint64_t end_ = kHeaderSize;  // end of the last intact record: where the next append goes
  // Set when an append failed and cutting the file back failed too: retried before the next append.
  bool tail_dirty_ = false;
  // The damage open() found (an intact record after a bad one); cleared by clear().
  std::optional<Error> damaged_;
  // The encoded records of the current append, reused from one append to the next.
  std::string buf_;
};

}  // namespace outdial::dialer::file
