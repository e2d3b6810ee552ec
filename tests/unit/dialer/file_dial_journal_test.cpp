// FileDialJournal: the dial-intent log as a file of CRC-framed binary records. Every field round
// trips byte for byte; a torn tail (a crash mid-append) is ignored and overwritten; damage before the last
// record is an error naming the byte offset, never skipped.
#include "outdial/dialer/file/file_dial_journal.hpp"
#include "testing/expect_attempt.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace outdial::dialer::file {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const TimePoint kT0 = from_epoch_ms(1790000000123);

JournaledDial full_dial(std::int64_t id) {
  JournaledDial d;
  CallAttempt& a = d.attempt;
  a.id = id;
  a.tenant_id = 7;
  a.campaign_id = 42;
  a.contact_id = 1000 + id;
  a.attempt_number = 3;
  a.idempotency_key = "42:" + std::to_string(1000 + id) + ":3";
  a.state = CallState::kAnsweredMachine;
  a.provider = "telnyx";
  a.provider_call_id = "v3:abc-" + std::to_string(id);
  a.from_number = "+12125550100";
  a.to_number = "+13055550123";
  a.digits = "12#";
  a.answered_by_machine = true;
  a.created_at = kT0 + milliseconds(id);
  a.dialed_at = kT0 + milliseconds(1500);
  a.answered_at = kT0 + milliseconds(9001);
  a.ended_at = kT0 + milliseconds(60002);
  a.failure_reason = "carrier said \"no\"\n\ttab";
  storage::DecisionRecord& r = d.decision;
  r.id = 900 + id;
  r.tenant_id = 7;
  r.campaign_id = 42;
  r.contact_id = 1000 + id;
  r.phone_e164 = "+13055550123";
  r.channel = "voice";
  r.verdict = "allow";
  r.rule = "OK";
  r.reason = "fenêtre d'appel ouverte — 東京 ✓ 📞";
  r.allowed_at = kT0 - milliseconds(5);
  r.decided_at = kT0 - milliseconds(7);
  return d;
}

// As the runner journals it: queued, no carrier id, optionals unset.
JournaledDial queued_dial(std::int64_t id) {
  JournaledDial d;
  d.attempt.id = id;
  d.attempt.tenant_id = 1;
  d.attempt.campaign_id = 2;
  d.attempt.contact_id = id * 10;
  d.attempt.attempt_number = 1;
  d.attempt.idempotency_key = "2:" + std::to_string(id * 10) + ":1";
  d.attempt.provider = "sim";
  d.attempt.from_number = "+12125550100";
  d.attempt.to_number = "+1415555" + std::to_string(1000 + id);
  d.attempt.created_at = kT0 + milliseconds(id);
  d.decision.id = 500 + id;
  d.decision.tenant_id = 1;
  d.decision.campaign_id = 2;
  d.decision.contact_id = id * 10;
  d.decision.phone_e164 = d.attempt.to_number;
  d.decision.channel = "voice";
  d.decision.verdict = "allow";
  d.decision.rule = "OK";
  d.decision.reason = "allowed";
  d.decision.decided_at = kT0;
  return d;
}

void expect_same(const JournaledDial& want, const JournaledDial& got) {
  outdial::testing::expect_same_attempt(want.attempt, got.attempt);
  const storage::DecisionRecord& c = want.decision;
  const storage::DecisionRecord& e = got.decision;
  EXPECT_EQ(c.id, e.id);
  EXPECT_EQ(c.tenant_id, e.tenant_id);
  EXPECT_EQ(c.campaign_id, e.campaign_id);
  EXPECT_EQ(c.contact_id, e.contact_id);
  EXPECT_EQ(c.phone_e164, e.phone_e164);
  EXPECT_EQ(c.channel, e.channel);
  EXPECT_EQ(c.verdict, e.verdict);
  EXPECT_EQ(c.rule, e.rule);
  EXPECT_EQ(c.reason, e.reason);
  EXPECT_EQ(c.allowed_at, e.allowed_at);
  EXPECT_EQ(c.decided_at, e.decided_at);
}

std::vector<std::int64_t> ids_of(const std::vector<JournaledDial>& dials) {
  std::vector<std::int64_t> ids;
  for (const auto& d : dials) ids.push_back(d.attempt.id);
  return ids;
}

// The ids the journal reads back (an error fails the test and reads as none).
std::vector<std::int64_t> read_ids(FileDialJournal& j) {
  auto got = j.read();
  EXPECT_TRUE(got.ok()) << (got.ok() ? std::string() : got.error().message);
  return got.ok() ? ids_of(*got) : std::vector<std::int64_t>{};
}

std::uint32_t le32(const std::string& s, std::size_t off) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[off + static_cast<std::size_t>(i)]);
  return v;
}

void put_le32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}

std::string frame(const std::string& payload) {
  std::string f;
  put_le32(f, static_cast<std::uint32_t>(payload.size()));
  put_le32(f, static_cast<std::uint32_t>(
                  ::crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size()))));
  return f + payload;
}

// The record payload spelled out here independently of the driver (the layout documented in
// file_dial_journal.hpp); `at` says where each named field starts.
struct Layout {
  std::string bytes;
  std::map<std::string, std::size_t> at;

  void i64(const std::string& name, std::int64_t v) {
    at[name] = bytes.size();
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xFFU));
  }
  void i32(const std::string& name, std::int32_t v) {
    at[name] = bytes.size();
    put_le32(bytes, static_cast<std::uint32_t>(v));
  }
  void str(const std::string& name, const std::string& v) {
    at[name] = bytes.size();
    put_le32(bytes, static_cast<std::uint32_t>(v.size()));
    bytes += v;
  }
  void u8(const std::string& name, std::uint8_t v) {
    at[name] = bytes.size();
    bytes.push_back(static_cast<char>(v));
  }
  void opt(const std::string& name, const std::optional<TimePoint>& t) {
    u8(name, t ? 1 : 0);
    if (t) i64(name + ".ms", to_epoch_ms(*t));
  }
};

Layout layout_of(const JournaledDial& d, const std::string& state_name) {
  Layout l;
  const CallAttempt& a = d.attempt;
  l.i64("a.id", a.id);
  l.i64("a.tenant_id", a.tenant_id);
  l.i64("a.campaign_id", a.campaign_id);
  l.i64("a.contact_id", a.contact_id);
  l.i32("a.attempt_number", a.attempt_number);
  l.str("a.idempotency_key", a.idempotency_key);
  l.str("a.state", state_name);
  l.str("a.provider", a.provider);
  l.str("a.provider_call_id", a.provider_call_id);
  l.str("a.from_number", a.from_number);
  l.str("a.to_number", a.to_number);
  l.str("a.digits", a.digits);
  l.u8("a.answered_by_machine", a.answered_by_machine ? 1 : 0);
  l.i64("a.created_at", to_epoch_ms(a.created_at));
  l.opt("a.dialed_at", a.dialed_at);
  l.opt("a.answered_at", a.answered_at);
  l.opt("a.ended_at", a.ended_at);
  l.str("a.failure_reason", a.failure_reason);
  const storage::DecisionRecord& r = d.decision;
  l.i64("d.id", r.id);
  l.i64("d.tenant_id", r.tenant_id);
  l.i64("d.campaign_id", r.campaign_id);
  l.i64("d.contact_id", r.contact_id);
  l.str("d.phone_e164", r.phone_e164);
  l.str("d.channel", r.channel);
  l.str("d.verdict", r.verdict);
  l.str("d.rule", r.rule);
  l.str("d.reason", r.reason);
  l.opt("d.allowed_at", r.allowed_at);
  l.i64("d.decided_at", to_epoch_ms(r.decided_at));
  return l;
}

Layout layout_of(const JournaledDial& d) { return layout_of(d, to_string(d.attempt.state)); }

struct FileDialJournalTest : ::testing::Test {
  fs::path dir;
  std::string path;

  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "outdial-journal-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    path = (dir / "dials.journal").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  std::unique_ptr<FileDialJournal> open_ok(JournalSync sync = JournalSync::kNone) {
    auto j = FileDialJournal::open(path, sync);
    EXPECT_TRUE(j.ok()) << (j.ok() ? "" : j.error().message);
    return j.ok() ? std::move(j.value()) : nullptr;
  }
  // Leaves the journal closed, holding queued dials 1..n appended in one batch.
  void write_queued(int n) {
    auto j = open_ok();
    ASSERT_TRUE(j);
    std::vector<JournaledDial> dials;
    for (int id = 1; id <= n; ++id) dials.push_back(queued_dial(id));
    ASSERT_TRUE(j->append(dials));
  }
  std::string bytes() const {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void write_bytes(const std::string& b) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << b;
  }
  // Byte offsets where each record starts, from the file as written.
  std::vector<std::size_t> record_offsets() const {
    const std::string b = bytes();
    std::vector<std::size_t> offs;
    for (std::size_t off = FileDialJournal::kHeaderSize; off + 8 <= b.size(); off += 8 + le32(b, off)) {
      offs.push_back(off);
    }
    return offs;
  }
};

TEST_F(FileDialJournalTest, RoundTripsEveryFieldSetAndUnset) {
  auto j = open_ok();
  ASSERT_TRUE(j);
  JournaledDial negative = queued_dial(3);
  negative.attempt.state = CallState::kDropped;
  negative.attempt.created_at = from_epoch_ms(-86400000);  // before 1970: still exact
  const std::vector<JournaledDial> dials{full_dial(1), queued_dial(2), negative};
  ASSERT_TRUE(j->append(dials));
  auto got = j->read();
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 3u);
  for (std::size_t i = 0; i < dials.size(); ++i) {
    SCOPED_TRACE(i);
    expect_same(dials[i], (*got)[i]);
  }
  EXPECT_FALSE((*got)[1].attempt.dialed_at.has_value());
  EXPECT_FALSE((*got)[1].decision.allowed_at.has_value());
  ASSERT_TRUE((*got)[0].attempt.ended_at.has_value());
}

TEST_F(FileDialJournalTest, FileFormatIsHeaderThenLengthCrcBinaryRecords) {
  auto j = open_ok();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->append({full_dial(1)}));
  const std::string b = bytes();
  ASSERT_GE(b.size(), FileDialJournal::kHeaderSize + 8);
  EXPECT_EQ(b.substr(0, 4), "ODJL");
  EXPECT_EQ(le32(b, 4), 2u);
  const std::uint32_t len = le32(b, 8);
  ASSERT_EQ(b.size(), 16u + len);
  const std::string payload = b.substr(16);
  EXPECT_EQ(le32(b, 12),
            ::crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
  // The attempt id first, as i64 little-endian; then the other ids, the attempt number (i32)
  // and the key as u32 length + its bytes.
  EXPECT_EQ(payload.substr(0, 8), std::string("\x01\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(payload.substr(32, 4), std::string("\x03\0\0\0", 4));  // attempt_number 3
  const std::string key = full_dial(1).attempt.idempotency_key;
  EXPECT_EQ(le32(payload, 36), key.size());
  EXPECT_EQ(payload.substr(40, key.size()), key);
  EXPECT_NE(payload.find("answered_machine"), std::string::npos);
  EXPECT_NE(payload.find("fenêtre d'appel ouverte — 東京 ✓ 📞"), std::string::npos);
  // Every field, in order, exactly as documented.
  const Layout want = layout_of(full_dial(1));
  EXPECT_EQ(payload, want.bytes);
  EXPECT_EQ(payload[want.at.at("a.answered_by_machine")], '\x01');
  EXPECT_EQ(payload[want.at.at("d.allowed_at")], '\x01');
}

TEST_F(FileDialJournalTest, DataSyncModeRoundTrips) {
  auto j = open_ok(JournalSync::kData);
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->append({queued_dial(1), queued_dial(2)}));
  ASSERT_TRUE(j->clear());
  ASSERT_TRUE(j->append({queued_dial(3)}));
  EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{3}));
}

TEST_F(FileDialJournalTest, AppendsAccumulateAcrossCallsAndReopen) {
  {
    auto j = open_ok();
    ASSERT_TRUE(j);
    ASSERT_TRUE(j->append({queued_dial(1), queued_dial(2)}));
    ASSERT_TRUE(j->append({queued_dial(3)}));
    ASSERT_TRUE(j->append({}));  // no-op
    EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{1, 2, 3}));
  }
  const auto size_before = fs::file_size(path);
  auto j = open_ok();
  ASSERT_TRUE(j);
  EXPECT_EQ(fs::file_size(path), size_before);  // reopening an intact file changes nothing
  ASSERT_TRUE(j->append({queued_dial(4)}));
  auto got = j->read();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(ids_of(*got), (std::vector<std::int64_t>{1, 2, 3, 4}));
  expect_same(queued_dial(4), got->back());
}

TEST_F(FileDialJournalTest, NewFileIsEmptyAndPrivate) {
  auto j = open_ok();
  ASSERT_TRUE(j);
  auto got = j->read();
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(FileDialJournalTest, OneOpenerAtATime) {
  auto j = open_ok();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->append({queued_dial(1)}).ok());
  // A second opener (another process with the same node id) is refused and changes nothing.
  auto second = FileDialJournal::open(path, JournalSync::kNone);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(second.error().details.at("path"), path);
  ASSERT_EQ(j->read()->size(), 1u);
  // Once the first has closed it, it opens again with what was written.
  j.reset();
  auto again = open_ok();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->read()->size(), 1u);
}

TEST_F(FileDialJournalTest, ClearEmptiesAndLaterAppendsReadBackAlone) {
  auto j = open_ok();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->append({queued_dial(1), queued_dial(2)}));
  ASSERT_TRUE(j->clear());
  auto empty = j->read();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(fs::file_size(path), FileDialJournal::kHeaderSize);
  ASSERT_TRUE(j->append({queued_dial(5)}));
  EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{5}));
  j.reset();
  auto again = open_ok();
  ASSERT_TRUE(again);
  EXPECT_EQ(read_ids(*again), (std::vector<std::int64_t>{5}));
}

TEST_F(FileDialJournalTest, TornTailAtEveryOffsetIsIgnoredThenOverwritten) {
  {
    auto j = open_ok();
    ASSERT_TRUE(j);
    ASSERT_TRUE(j->append({queued_dial(1), queued_dial(2)}));
    ASSERT_TRUE(j->append({full_dial(3)}));
  }
  const std::string full = bytes();
  const auto offs = record_offsets();
  ASSERT_EQ(offs.size(), 3u);
  const std::size_t last = offs[2];
  for (std::size_t cut = last + 1; cut < full.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    write_bytes(full.substr(0, cut));
    auto j = open_ok();
    ASSERT_TRUE(j);
    auto got = j->read();
    ASSERT_TRUE(got.ok()) << got.error().message;
    ASSERT_EQ(ids_of(*got), (std::vector<std::int64_t>{1, 2}));
    // The torn bytes were cut off at open: the new record follows record 2 directly.
    ASSERT_EQ(fs::file_size(path), last);
    ASSERT_TRUE(j->append({queued_dial(9)}));
    j.reset();
    auto reopened = open_ok();
    ASSERT_TRUE(reopened);
    auto after = reopened->read();
    ASSERT_TRUE(after.ok()) << after.error().message;
    ASSERT_EQ(ids_of(*after), (std::vector<std::int64_t>{1, 2, 9}));
    expect_same(queued_dial(9), after->back());
  }
}

TEST_F(FileDialJournalTest, TornTailIsIgnoredByReadWithoutReopen) {
  auto j = open_ok();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->append({queued_dial(1), queued_dial(2)}));
  const auto offs = record_offsets();
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(offs[1] + 8 + 3)), 0);
  EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{1}));
}

TEST_F(FileDialJournalTest, ZeroFilledTailIsTorn) {
  // What a power cut may leave after the last synced record: the size grew, the data did not.
  ASSERT_NO_FATAL_FAILURE(write_queued(2));
  write_bytes(bytes() + std::string(4096, '\0'));
  auto j = open_ok();
  ASSERT_TRUE(j);
  auto got = j->read();
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(ids_of(*got), (std::vector<std::int64_t>{1, 2}));
  ASSERT_TRUE(j->append({queued_dial(3)}));
  EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{1, 2, 3}));
}

TEST_F(FileDialJournalTest, ChecksumDamageInMiddleRecordIsInternalWithOffset) {
  ASSERT_NO_FATAL_FAILURE(write_queued(3));
  const auto offs = record_offsets();
  std::string b = bytes();
  b[offs[1] + 8 + 10] ^= 0x01;  // one bit inside record 2's payload
  write_bytes(b);

  auto j = open_ok();  // a damaged file opens, so that clear() can reset it
  ASSERT_TRUE(j);
  auto got = j->read();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kInternal);
  EXPECT_EQ(got.error().details.at("path"), path);
  EXPECT_EQ(got.error().details.at("offset"), std::to_string(offs[1]));
  EXPECT_EQ(bytes(), b);  // left as evidence, not truncated

  // Nothing is appended behind damage (read() could never return it).
  auto st = j->append({queued_dial(4)});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal);
  EXPECT_EQ(bytes(), b);

  ASSERT_TRUE(j->clear());
  ASSERT_TRUE(j->append({queued_dial(5)}));
  EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{5}));
}

TEST_F(FileDialJournalTest, DamageInFirstRecordIsInternal) {
  ASSERT_NO_FATAL_FAILURE(write_queued(2));
  std::string b = bytes();
  b[FileDialJournal::kHeaderSize + 4] ^= 0x40;  // record 1's CRC field
  write_bytes(b);
  auto j = open_ok();
  ASSERT_TRUE(j);
  auto got = j->read();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kInternal);
  EXPECT_EQ(got.error().details.at("offset"), std::to_string(FileDialJournal::kHeaderSize));
}

TEST_F(FileDialJournalTest, LengthDamageInMiddleRecordIsInternal) {
  ASSERT_NO_FATAL_FAILURE(write_queued(3));
  const auto offs = record_offsets();
  const std::string good = bytes();
  struct Case {
    const char* name;
    std::uint32_t length;
  };
  // Over the bound; zero; and a sane length that runs past the end of the file (which would
  // look like a torn tail were it not for record 3 after it).
  for (const Case& c : {Case{"huge", 0x7FFFFFFFU}, Case{"zero", 0U},
                        Case{"past end", static_cast<std::uint32_t>(good.size())}}) {
    SCOPED_TRACE(c.name);
    std::string b = good;
    std::string len;
    put_le32(len, c.length);
    b.replace(offs[1], 4, len);
    write_bytes(b);
    auto j = open_ok();
    ASSERT_TRUE(j);
    auto got = j->read();
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code, ErrorCode::kInternal);
    EXPECT_EQ(got.error().details.at("offset"), std::to_string(offs[1]));
  }
}

TEST_F(FileDialJournalTest, UndecodablePayloadBeforeLastRecordIsInternal) {
  // CRC right, payload wrong: still damage in the middle, a torn tail at the end.
  ASSERT_NO_FATAL_FAILURE(write_queued(2));
  const auto offs = record_offsets();
  const std::string good = bytes();
  const std::string head = good.substr(0, offs[1]);  // header + record 1
  const std::string rec2 = good.substr(offs[1]);
  const Layout l = layout_of(queued_dial(2));
  ASSERT_EQ(frame(l.bytes), rec2);  // the cases below differ from a record the driver wrote only as named

  auto with_u32 = [&](const std::string& field, std::uint32_t v) {
    std::string b = l.bytes;
    std::string le;
    put_le32(le, v);
    b.replace(l.at.at(field), 4, le);
    return b;
  };
  auto with_byte = [&](const std::string& field, char v) {
    std::string b = l.bytes;
    b[l.at.at(field)] = v;
    return b;
  };
  const std::size_t reason_at = l.at.at("d.reason");
  const auto reason_room = static_cast<std::uint32_t>(l.bytes.size() - reason_at - 4);
  struct Case {
    std::string name;
    std::string payload;
  };
  const std::vector<Case> cases{
      {"unknown state name", layout_of(queued_dial(2), "teleported").bytes},
      {"empty state name", layout_of(queued_dial(2), "").bytes},
      {"string length one past the payload end", with_u32("d.reason", reason_room + 1)},
      {"string length 4 GiB", with_u32("a.idempotency_key", 0xFFFFFFFFU)},
      {"trailing byte", l.bytes + std::string(1, '\0')},
      {"last field cut short", l.bytes.substr(0, l.bytes.size() - 1)},
      {"answered_by_machine flag 2", with_byte("a.answered_by_machine", '\x02')},
      {"optional time flag 0xFF", with_byte("d.allowed_at", '\xFF')},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_NE(c.payload, l.bytes);
    write_bytes(head + frame(c.payload) + rec2);
    auto j = open_ok();
    ASSERT_TRUE(j);
    auto got = j->read();
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code, ErrorCode::kInternal);
    EXPECT_EQ(got.error().details.at("offset"), std::to_string(head.size()));
    j.reset();
    // The same bad record last in the file: a torn tail.
    write_bytes(head + frame(c.payload));
    auto tail_j = open_ok();
    ASSERT_TRUE(tail_j);
    auto tail = tail_j->read();
    ASSERT_TRUE(tail.ok()) << tail.error().message;
    EXPECT_EQ(ids_of(*tail), (std::vector<std::int64_t>{1}));
  }
}

TEST_F(FileDialJournalTest, DamageInLastRecordIsIgnored) {
  ASSERT_NO_FATAL_FAILURE(write_queued(3));
  const auto offs = record_offsets();
  std::string b = bytes();
  b[offs[2] + 8 + 20] ^= 0x10;
  write_bytes(b);
  auto j = open_ok();
  ASSERT_TRUE(j);
  auto got = j->read();
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(ids_of(*got), (std::vector<std::int64_t>{1, 2}));
  ASSERT_TRUE(j->append({queued_dial(4)}));
  EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{1, 2, 4}));
}

TEST_F(FileDialJournalTest, MissingDirectoryIsUnavailableNamingThePath) {
  const std::string missing = (dir / "no-such-dir" / "dials.journal").string();
  auto j = FileDialJournal::open(missing, JournalSync::kData);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(j.error().details.at("path"), missing);
  EXPECT_NE(j.error().message.find("No such file or directory"), std::string::npos) << j.error().message;
}

TEST_F(FileDialJournalTest, RefusesAFileThatIsNotAJournalAndLeavesItAlone) {
  const std::string other = std::string("SQLite format 3\0", 16) + std::string(200, 'x');
  write_bytes(other);
  auto j = FileDialJournal::open(path, JournalSync::kNone);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(j.error().details.at("path"), path);
  EXPECT_EQ(bytes(), other);

  write_bytes("xy");  // too short for a header and not a prefix of one
  auto short_file = FileDialJournal::open(path, JournalSync::kNone);
  ASSERT_FALSE(short_file.ok());
  EXPECT_EQ(short_file.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(bytes(), "xy");
}

TEST_F(FileDialJournalTest, RefusesAnUnknownVersion) {
  // Version 1 (JSON payloads, never released) is refused like any other unknown version.
  for (const std::uint32_t version : {1U, 3U}) {
    SCOPED_TRACE(version);
    std::string header = "ODJL";
    put_le32(header, version);
    write_bytes(header);
    auto j = FileDialJournal::open(path, JournalSync::kNone);
    ASSERT_FALSE(j.ok());
    EXPECT_EQ(j.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(j.error().details.at("version"), std::to_string(version));
    EXPECT_EQ(bytes(), header);
  }
}

TEST_F(FileDialJournalTest, TornHeaderOfANewFileIsRewritten) {
  write_bytes("ODJ");  // a crash while the header of a new journal was written
  auto j = open_ok();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->append({queued_dial(1)}));
  EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(bytes().substr(0, 4), "ODJL");
}

TEST_F(FileDialJournalTest, ArbitraryBytesRoundTripExactly) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
  JournaledDial d = full_dial(1);
  d.decision.reason = "bad \xff byte";                                // invalid UTF-8
  d.attempt.failure_reason = std::string("nul\0inside\0", 11);        // embedded and final NUL
  d.attempt.idempotency_key = std::string("\xc3\x28 \xed\xa0\x80 \xc0\xaf", 10);  // bad sequences
  d.attempt.digits = every_byte;
  d.attempt.provider_call_id.clear();
  JournaledDial e = queued_dial(2);
  e.decision.rule = std::string(1, '\0');
  e.attempt.from_number = std::string(300, '\xfe');
  {
    auto j = open_ok();
    ASSERT_TRUE(j);
    ASSERT_TRUE(j->append({d, e}));
    auto got = j->read();
    ASSERT_TRUE(got.ok()) << got.error().message;
    ASSERT_EQ(got->size(), 2u);
    expect_same(d, (*got)[0]);
    expect_same(e, (*got)[1]);
  }
  auto reopened = open_ok();
  ASSERT_TRUE(reopened);
  auto got = reopened->read();
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].attempt.digits, every_byte);
  EXPECT_EQ((*got)[0].attempt.failure_reason.size(), 11u);
  EXPECT_EQ((*got)[0].decision.reason, "bad \xff byte");
  EXPECT_EQ((*got)[1].decision.rule, std::string(1, '\0'));
  expect_same(d, (*got)[0]);
  expect_same(e, (*got)[1]);
}

// RLIMIT_FSIZE makes write() fail past a size even for root (EFBIG; SIGXFSZ ignored).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old_);
    rlimit lim = old_;
    lim.rlim_cur = bytes;
    ok_ = ::setrlimit(RLIMIT_FSIZE, &lim) == 0;
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  bool ok() const { return ok_; }

 private:
  rlimit old_{};
  void (*old_handler_)(int) = SIG_DFL;
  bool ok_ = false;
};

TEST_F(FileDialJournalTest, FailedWriteCutsTheHalfWrittenBatchOff) {
  auto j = open_ok();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->append({queued_dial(1)}));
  const auto size_before = fs::file_size(path);
  {
    // Room for part of the batch: the first write() is short, the next fails with EFBIG.
    FileSizeLimit limit(static_cast<rlim_t>(size_before + 100));
    ASSERT_TRUE(limit.ok());
    auto st = j->append({queued_dial(2), queued_dial(3), queued_dial(4)});
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(st.error().details.at("path"), path);
    EXPECT_NE(st.error().message.find("too large"), std::string::npos) << st.error().message;
  }
  EXPECT_EQ(fs::file_size(path), size_before);
  EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{1}));
  ASSERT_TRUE(j->append({queued_dial(5)}));
  EXPECT_EQ(read_ids(*j), (std::vector<std::int64_t>{1, 5}));
}

}  // namespace
}  // namespace outdial::dialer::file
