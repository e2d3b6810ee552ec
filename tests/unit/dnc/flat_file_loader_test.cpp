#include "outdial/dnc/flat_file_loader.hpp"

#include <gtest/gtest.h>

#include <string>

#include "outdial/dnc/compact_registry.hpp"
#include "temp_dir.hpp"

namespace outdial::dnc {
namespace {

const TimePoint kLoadedAt = from_epoch_ms(1'795'000'000'000);

TEST(FlatFileLoader, ToleratesCrlfBlanksSpacesAndBom) {
  testing::TempDir dir;
  dir.write("212.txt", "\xEF\xBB\xBF" "2125550100\r\n\r\n  2125550101  \r\n\t2125550102\n\n2125550103");
  dir.write("310.txt", "3105550000\n3105559999\n");
  LoadReport report;
  auto reg = CompactRegistry::build_from_directory(dir.path(), kLoadedAt, &report);
  ASSERT_TRUE(reg.ok()) << reg.error().message;
  EXPECT_EQ((*reg)->size(), 6U);
  for (std::uint64_t n : {2125550100ULL, 2125550101ULL, 2125550102ULL, 2125550103ULL, 3105550000ULL, 3105559999ULL}) {
    EXPECT_TRUE((*reg)->contains(n)) << n;
  }
  EXPECT_EQ(*(*reg)->loaded_at(), kLoadedAt);
  EXPECT_EQ(report.files, 2U);
  EXPECT_EQ(report.lines, 8U);
  EXPECT_EQ(report.blank_lines, 2U);
  EXPECT_EQ(report.numbers_added, 6U);
  EXPECT_EQ(report.malformed, 0U);
}

TEST(FlatFileLoader, ReportsMalformedLinesWithFileAndLineAndKeepsGoing) {
  testing::TempDir dir;
  dir.write("212.txt", "2125550100\n212555010\n21255501000\n212-555-0101\nabcdefghij\n2125550102\n");
  dir.write("213.txt", "2130550100\n1135550100\n2135550100\n");
  LoadReport report;
  auto reg = CompactRegistry::build_from_directory(dir.path(), kLoadedAt, &report);
  ASSERT_TRUE(reg.ok()) << reg.error().message;
  EXPECT_EQ((*reg)->size(), 3U);
  EXPECT_TRUE((*reg)->contains(2125550102));
  EXPECT_TRUE((*reg)->contains(2135550100));
  EXPECT_EQ(report.malformed, 6U);
  ASSERT_EQ(report.malformed_lines.size(), 6U);
  const MalformedLine& first = report.malformed_lines[0];
  EXPECT_EQ(first.file, "212.txt");
  EXPECT_EQ(first.line, 2U);
  EXPECT_EQ(first.text, "212555010");
  EXPECT_EQ(report.malformed_lines[2].line, 4U);
  EXPECT_EQ(report.malformed_lines[3].line, 5U);
  EXPECT_EQ(report.malformed_lines[4].file, "213.txt");
  EXPECT_EQ(report.malformed_lines[4].line, 1U);  // NXX 055
  EXPECT_NE(report.malformed_lines[4].reason.find("0 or 1"), std::string::npos);
  EXPECT_EQ(report.malformed_lines[5].line, 2U);  // NPA 113
}

TEST(FlatFileLoader, CountsDuplicatesAndAreaCodeMismatches) {
  testing::TempDir dir;
  dir.write("212.txt", "2125550100\n2125550100\n3105550100\n");
  dir.write("310.txt", "3105550100\n");
  LoadReport report;
  auto reg = CompactRegistry::build_from_directory(dir.path(), kLoadedAt, &report);
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ((*reg)->size(), 2U);
  EXPECT_EQ(report.numbers_added, 2U);
  EXPECT_EQ(report.duplicates, 2U);
  EXPECT_EQ(report.npa_mismatches, 1U);
  EXPECT_TRUE((*reg)->contains(3105550100));
}

TEST(FlatFileLoader, SkipsNonTxtAndHiddenFiles) {
  testing::TempDir dir;
  dir.write("212.txt", "2125550100\n");
  dir.write("README.md", "not numbers\n");
  dir.write(".212.txt.swp", "junk\n");
  std::filesystem::create_directory(dir.path() / "old.txt");
  LoadReport report;
  auto reg = CompactRegistry::build_from_directory(dir.path(), kLoadedAt, &report);
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ(report.files, 1U);
  EXPECT_EQ(report.malformed, 0U);
  EXPECT_EQ(report.skipped_files, (std::vector<std::string>{"README.md", "old.txt"}));
}

TEST(FlatFileLoader, LinesAcrossReadChunksAndOverlongLines) {
  testing::TempDir dir;
  // > 1 MiB so lines straddle the loader's read chunks; 11-byte lines do not divide 2^20.
  std::string content;
  std::uint64_t expected = 0;
  for (std::uint64_t s = 0; s < 10000; ++s) {
    for (std::uint64_t nxx = 200; nxx < 220; ++nxx) {
      content += std::to_string((212 * 1000 + nxx) * 10000 + s) + "\n";
      ++expected;
    }
  }
  content += std::string(10'000, '7') + "\n2125550100\n";
  dir.write("212.txt", content);
  LoadReport report;
  auto reg = CompactRegistry::build_from_directory(dir.path(), kLoadedAt, &report);
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ((*reg)->size(), expected + 1);  // + the valid line after the overlong one
  EXPECT_EQ(report.malformed, 1U);
  EXPECT_EQ(report.malformed_lines.at(0).line, expected + 1);
  EXPECT_EQ(report.malformed_lines.at(0).text.size(), 40U);
  EXPECT_EQ(report.duplicates, 0U);
  EXPECT_TRUE((*reg)->contains(2122199999));
}

TEST(FlatFileLoader, MissingOrEmptyDirectoryIsAnError) {
  testing::TempDir dir;
  auto r = CompactRegistry::build_from_directory(dir.path() / "absent", kLoadedAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  r = CompactRegistry::build_from_directory(dir.path(), kLoadedAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  dir.write("212.txt", "garbage\n");
  r = CompactRegistry::build_from_directory(dir.path(), kLoadedAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(FlatFileLoader, SingleFileApi) {
  testing::TempDir dir;
  const auto file = dir.write("any-name.txt", "2125550100\n");
  RegistryBuilder builder;
  LoadReport report;
  ASSERT_TRUE(load_registry_file(file, builder, report).ok());
  EXPECT_EQ(builder.count(), 1U);
  EXPECT_EQ(report.npa_mismatches, 0U);
  auto missing = load_registry_file(dir.path() / "missing.txt", builder, report);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace outdial::dnc
