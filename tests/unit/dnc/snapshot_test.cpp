#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <vector>

#include "outdial/dnc/compact_registry.hpp"
#include "temp_dir.hpp"

namespace outdial::dnc {
namespace {

const TimePoint kLoadedAt = from_epoch_ms(1'795'000'000'123);

std::vector<std::uint64_t> sample_numbers() {
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> numbers = {2002000000, 9999999999, 2125550000, 2125559999};
  for (int i = 0; i < 20'000; ++i) numbers.push_back(2125550000 + rng() % 10000);  // dense slot
  for (int i = 0; i < 20'000; ++i) numbers.push_back((200 + rng() % 800) * 10'000'000 + 2'000'000 + rng() % 8'000'000);
  return numbers;
}

void flip_byte(const std::filesystem::path& p, std::streamoff at) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  f.seekp(at);
  f.write(&c, 1);
}

class SnapshotRoundTrip : public ::testing::TestWithParam<SnapshotLoadMode> {};

TEST_P(SnapshotRoundTrip, SameAnswersSizeAndDate) {
  testing::TempDir dir;
  const std::vector<std::uint64_t> numbers = sample_numbers();
  auto built = CompactRegistry::build_from_numbers(std::vector<std::uint64_t>(numbers), kLoadedAt);
  ASSERT_TRUE(built.ok());
  const auto path = dir.path() / "dnc.snapshot";
  ASSERT_TRUE((*built)->save(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  EXPECT_EQ(std::filesystem::file_size(path), (*built)->index_bytes());

  auto loaded = CompactRegistry::load(path, {GetParam(), true});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const CompactRegistry& a = **built;
  const CompactRegistry& b = **loaded;
  EXPECT_EQ(b.size(), a.size());
  ASSERT_TRUE(b.loaded_at().has_value());
  EXPECT_EQ(*b.loaded_at(), kLoadedAt);
  for (std::uint64_t n : numbers) ASSERT_TRUE(b.contains(n)) << n;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200'000; ++i) {
    const std::uint64_t n = rng() % 10'000'000'000ULL;
    ASSERT_EQ(b.contains(n), a.contains(n)) << n;
  }
  // Saving a loaded (possibly read-only mapped) index reproduces the same file.
  const auto again = dir.path() / "again.snapshot";
  ASSERT_TRUE(b.save(again).ok());
  EXPECT_EQ(std::filesystem::file_size(again), std::filesystem::file_size(path));
}

INSTANTIATE_TEST_SUITE_P(Modes, SnapshotRoundTrip,
                         ::testing::Values(SnapshotLoadMode::kRead, SnapshotLoadMode::kMmap));

TEST(Snapshot, MissingFileIsNotFound) {
  testing::TempDir dir;
  auto r = CompactRegistry::load(dir.path() / "nope.snapshot");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST(Snapshot, RejectsForeignTruncatedAndCorruptFiles) {
  testing::TempDir dir;
  auto built = CompactRegistry::build_from_numbers(sample_numbers(), kLoadedAt);
  ASSERT_TRUE(built.ok());
  const auto good = dir.path() / "good.snapshot";
  ASSERT_TRUE((*built)->save(good).ok());

  const auto foreign = dir.write("foreign.snapshot", std::string(100'000, 'x'));
  auto r = CompactRegistry::load(foreign);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);

  const auto truncated = dir.path() / "truncated.snapshot";
  std::filesystem::copy_file(good, truncated);
  std::filesystem::resize_file(truncated, std::filesystem::file_size(good) - 2);
  r = CompactRegistry::load(truncated);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("size"), std::string::npos) << r.error().message;

  const auto corrupt = dir.path() / "corrupt.snapshot";
  std::filesystem::copy_file(good, corrupt);
  flip_byte(corrupt, static_cast<std::streamoff>(std::filesystem::file_size(good) - 1000));
  r = CompactRegistry::load(corrupt);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos) << r.error().message;
  // Without verification the header checks still pass; the caller opted out of the body check.
  EXPECT_TRUE(CompactRegistry::load(corrupt, {SnapshotLoadMode::kMmap, false}).ok());

  const auto bad_version = dir.path() / "version.snapshot";
  std::filesystem::copy_file(good, bad_version);
  flip_byte(bad_version, 8);
  r = CompactRegistry::load(bad_version);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("version"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace outdial::dnc
