#include "outdial/dnc/compact_registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <span>
#include <unordered_set>
#include <vector>

#include "outdial/dnc/registry_builder.hpp"
#include "outdial/dnc/set_registry.hpp"

namespace outdial::dnc {
namespace {

const TimePoint kLoadedAt = from_epoch_ms(1'795'000'000'000);

// Longest lists (624) by default so that the list search paths are exercised.
std::unique_ptr<CompactRegistry> build(std::vector<std::uint64_t> numbers, std::uint32_t max_list = 624) {
  auto r = CompactRegistry::build_from_numbers(std::move(numbers), kLoadedAt, BuildOptions{max_list});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return std::move(r).value();
}

TEST(CompactRegistry, FindsPresentAndRejectsAbsent) {
  auto reg = build({2125550123, 2125550124, 3105551000, 9175550000});
  EXPECT_TRUE(reg->contains(2125550123));
  EXPECT_TRUE(reg->contains(2125550124));
  EXPECT_TRUE(reg->contains(3105551000));
  EXPECT_TRUE(reg->contains(9175550000));
  EXPECT_FALSE(reg->contains(2125550122));
  EXPECT_FALSE(reg->contains(2125550125));
  EXPECT_FALSE(reg->contains(2125560123));  // other exchange
  EXPECT_FALSE(reg->contains(3125550123));  // other area code
  EXPECT_EQ(reg->size(), 4U);
  ASSERT_TRUE(reg->loaded_at().has_value());
  EXPECT_EQ(*reg->loaded_at(), kLoadedAt);
}

TEST(CompactRegistry, BucketEdgesAndFirstLastPrefix) {
  const std::vector<std::uint64_t> edges = {
      2002000000, 2002009999,  // first valid NPA-NXX, first and last suffix
      9999990000, 9999999999,  // last valid NPA-NXX
      2125550000, 2125559999,  // xxx-xxx-0000 / 9999 in the middle
      2125560000,              // next prefix starts right after
  };
  auto reg = build(edges);
  for (std::uint64_t n : edges) EXPECT_TRUE(reg->contains(n)) << n;
  for (std::uint64_t n : {2002000001ULL, 2002009998ULL, 9999990001ULL, 9999999998ULL, 2125550001ULL,
                          2125559998ULL, 2125569999ULL, 2125549999ULL, 2002010000ULL}) {
    EXPECT_FALSE(reg->contains(n)) << n;
  }
}

TEST(CompactRegistry, OutOfRangeNumbersAreAbsent) {
  auto reg = build({2125550123});
  for (std::uint64_t n : std::vector<std::uint64_t>{0, 1, 125550123, 1125550123, 2120550123, 2121550123,
                                                    10000000000, 12125550123, UINT64_MAX}) {
    EXPECT_FALSE(reg->contains(n)) << n;
  }
}

TEST(CompactRegistry, DuplicatesAreCountedOnce) {
  auto reg = build({2125550123, 2125550123, 2125550123, 3105551000, 3105551000});
  EXPECT_EQ(reg->size(), 2U);
  EXPECT_TRUE(reg->contains(2125550123));
  EXPECT_TRUE(reg->contains(3105551000));
}

TEST(CompactRegistry, RejectsInvalidNumbers) {
  for (std::uint64_t bad : {1125550123ULL, 2121550123ULL, 212555012ULL, 21255501234ULL}) {
    auto r = CompactRegistry::build_from_numbers({2125550123, bad}, kLoadedAt);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().details.at("index"), "1");
  }
}

TEST(CompactRegistry, EmptyRegistryFindsNothing) {
  auto reg = build({});
  EXPECT_EQ(reg->size(), 0U);
  EXPECT_FALSE(reg->contains(2125550123));
  EXPECT_EQ(reg->stats().empty_slots, kPrefixSlots);
}

TEST(CompactRegistry, DenseSlotUsesBitmapAndSparseSlotUsesList) {
  std::vector<std::uint64_t> numbers;
  for (std::uint64_t s = 0; s < 10000; s += 2) numbers.push_back(2125550000 + s);  // 5000: bitmap
  for (std::uint64_t s = 0; s < 624; ++s) numbers.push_back(3105550000 + s * 16);  // 624: list
  for (std::uint64_t s = 0; s < 625; ++s) numbers.push_back(4155550000 + s * 16);  // 625: bitmap
  auto reg = build(numbers);
  const IndexStats st = reg->stats();
  EXPECT_EQ(st.bitmap_slots, 2U);
  EXPECT_EQ(st.array_slots, 1U);
  EXPECT_EQ(reg->size(), 5000U + 624U + 625U);
  for (std::uint64_t s = 0; s < 10000; ++s) {
    EXPECT_EQ(reg->contains(2125550000 + s), s % 2 == 0) << s;
    EXPECT_EQ(reg->contains(3105550000 + s), s % 16 == 0 && s / 16 < 624) << s;
    EXPECT_EQ(reg->contains(4155550000 + s), s % 16 == 0 && s / 16 < 625) << s;
  }
}

TEST(CompactRegistry, SkewedSlotFallsBackToBinarySearch) {
  // All suffixes crowded at one end defeat interpolation; lookups must stay exact.
  std::vector<std::uint64_t> numbers;
  for (std::uint64_t s = 0; s < 600; ++s) numbers.push_back(2125550000 + s);
  for (std::uint64_t s = 9990; s < 10000; ++s) numbers.push_back(2125550000 + s);
  auto reg = build(numbers);
  for (std::uint64_t s = 0; s < 10000; ++s) {
    EXPECT_EQ(reg->contains(2125550000 + s), s < 600 || s >= 9990) << s;
  }
}

TEST(CompactRegistry, ContainsE164) {
  auto reg = build({2125550123});
  EXPECT_TRUE(reg->contains_e164("+12125550123"));
  EXPECT_FALSE(reg->contains_e164("+12125550124"));
  EXPECT_FALSE(reg->contains_e164("2125550123"));
  EXPECT_FALSE(reg->contains_e164("12125550123"));
  EXPECT_FALSE(reg->contains_e164("+442071234567"));
  EXPECT_FALSE(reg->contains_e164(""));
  EXPECT_FALSE(reg->contains_e164("+"));
  EXPECT_FALSE(reg->contains_e164("+1"));
  EXPECT_FALSE(reg->contains_e164("+1212555012"));
  EXPECT_FALSE(reg->contains_e164("+121255501234"));
  EXPECT_FALSE(reg->contains_e164("+1212555012a"));
  EXPECT_FALSE(reg->contains_e164("+1 2125550123"));
  EXPECT_FALSE(reg->contains_e164(" +12125550123"));
}

TEST(CompactRegistry, RandomizedAgainstUnorderedSet) {
  std::mt19937_64 rng(20261122);
  // A few area codes and exchanges so that slots of every density occur.
  std::vector<std::uint64_t> prefixes;
  for (int i = 0; i < 60; ++i) {
    prefixes.push_back((200 + rng() % 800) * 1000 + 200 + rng() % 800);
  }
  std::vector<std::uint64_t> numbers;
  std::unordered_set<std::uint64_t> reference;
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    const std::uint64_t per_slot = std::uint64_t{1} << (i % 14);  // 1 .. 8192 draws
    for (std::uint64_t k = 0; k < per_slot; ++k) {
      const std::uint64_t n = prefixes[i] * 10000 + rng() % 10000;
      numbers.push_back(n);
      reference.insert(n);
    }
  }
  SetRegistry set_reg(numbers, kLoadedAt);
  EXPECT_EQ(set_reg.size(), reference.size());
  for (const std::uint32_t max_list : {0U, 128U, 624U}) {
    auto reg = build(numbers, max_list);
    EXPECT_EQ(reg->size(), reference.size());
    for (std::uint64_t n : reference) ASSERT_TRUE(reg->contains(n)) << n;
    for (int i = 0; i < 400'000; ++i) {
      // Half near the populated prefixes (hard misses), half anywhere in the 10-digit space.
      const std::uint64_t n = i % 2 == 0 ? prefixes[rng() % prefixes.size()] * 10000 + rng() % 10000
                                         : rng() % 10'000'000'000ULL;
      ASSERT_EQ(reg->contains(n), reference.count(n) != 0) << n;
      ASSERT_EQ(set_reg.contains(n), reference.count(n) != 0) << n;
    }
  }
}

TEST(CompactRegistry, BatchAgreesWithSingleLookups) {
  std::mt19937_64 rng(99);
  std::vector<std::uint64_t> numbers;
  for (int i = 0; i < 50'000; ++i) numbers.push_back(2122000000 + rng() % 8'000'000);  // 212-200..212-999
  for (int i = 0; i < 3'000; ++i) numbers.push_back(9175550000 + rng() % 10000);        // bitmap slot
  auto reg = build(numbers);
  std::vector<std::uint64_t> queries = numbers;
  for (int i = 0; i < 50'000; ++i) queries.push_back(rng() % 20'000'000'000ULL);  // incl. invalid
  std::shuffle(queries.begin(), queries.end(), rng);
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{17}, queries.size()}) {
    std::unique_ptr<bool[]> out(new bool[n + 1]);
    reg->contains_batch(std::span<const std::uint64_t>(queries.data(), n), std::span<bool>(out.get(), n));
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], reg->contains(queries[i])) << queries[i];
  }
}

TEST(RegistryBuilder, ReportsAddOutcomesAndEmptiesOnFinish) {
  RegistryBuilder b;
  EXPECT_EQ(b.add(2125550123), AddResult::kAdded);
  EXPECT_EQ(b.add(2125550123), AddResult::kDuplicate);
  EXPECT_EQ(b.add(1125550123), AddResult::kInvalid);
  EXPECT_EQ(b.count(), 1U);
  EXPECT_GT(b.staging_bytes(), 0U);
  auto reg = b.finish(kLoadedAt);
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ((*reg)->size(), 1U);
  EXPECT_EQ(b.count(), 0U);
  EXPECT_EQ(b.staging_bytes(), 0U);
}

TEST(RegistryBuilder, DefaultMaxListIs128) {
  std::vector<std::uint64_t> numbers;
  for (std::uint64_t s = 0; s < 128; ++s) numbers.push_back(2125550000 + s * 50);
  for (std::uint64_t s = 0; s < 129; ++s) numbers.push_back(3105550000 + s * 50);
  auto reg = CompactRegistry::build_from_numbers(std::move(numbers), kLoadedAt);
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ((*reg)->stats().array_slots, 1U);
  EXPECT_EQ((*reg)->stats().bitmap_slots, 1U);
}

TEST(RegistryBuilder, MaxListTradesMemoryForBitmapsWithSameAnswers) {
  std::mt19937_64 rng(5);
  std::vector<std::uint64_t> numbers;
  for (std::uint64_t nxx = 200; nxx < 260; ++nxx) {
    for (std::uint64_t k = 0; k < 10 * (nxx - 199); ++k) numbers.push_back((212000 + nxx) * 10000 + rng() % 10000);
  }
  auto compact = build(numbers, 624);
  RegistryBuilder b;
  for (std::uint64_t n : numbers) (void)b.add(n);
  auto fast = b.finish(kLoadedAt, BuildOptions{0});
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ((*fast)->stats().array_slots, 0U);
  EXPECT_EQ((*fast)->stats().bitmap_slots, 60U);
  EXPECT_GT((*fast)->index_bytes(), compact->index_bytes());
  EXPECT_EQ((*fast)->size(), compact->size());
  for (std::uint64_t s = 0; s < 600'000; ++s) {
    const std::uint64_t n = 2122000000 + s;
    ASSERT_EQ((*fast)->contains(n), compact->contains(n)) << n;
  }
}

TEST(SetRegistry, NoRegistryLoaded) {
  SetRegistry reg({}, std::nullopt);
  EXPECT_FALSE(reg.loaded_at().has_value());
  EXPECT_FALSE(reg.contains_e164("+12125550123"));
}

}  // namespace
}  // namespace outdial::dnc
