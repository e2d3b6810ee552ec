#include "outdial/importer/csv_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace outdial::importer {
namespace {

struct Rec {
  std::vector<std::string> fields;
  std::int64_t line;
  bool unterminated;
};

std::vector<Rec> read_all(const std::string& text, std::size_t buffer) {
  std::istringstream in(text);
  CsvReader r(in, buffer);
  std::vector<Rec> out;
  std::vector<std::string_view> f;
  while (r.next(f)) {
    Rec rec;
    for (auto v : f) rec.fields.emplace_back(v);
    rec.line = r.line_number();
    rec.unterminated = r.unterminated_quote();
    out.push_back(rec);
    EXPECT_EQ(r.record_number(), static_cast<std::int64_t>(out.size()));
  }
  return out;
}

// Every case runs with tiny buffers too, so that quotes, CRLF and the BOM straddle refills.
class CsvReaderTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  std::vector<Rec> read(const std::string& text) { return read_all(text, GetParam()); }
};

using V = std::vector<std::string>;

TEST_P(CsvReaderTest, PlainRecords) {
  auto r = read("a,b,c\n1,2,3\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, (V{"a", "b", "c"}));
  EXPECT_EQ(r[1].fields, (V{"1", "2", "3"}));
  EXPECT_EQ(r[1].line, 2);
}

TEST_P(CsvReaderTest, NoTrailingNewlineAndEmptyFields) {
  auto r = read("a,,c\n,,\nx,y,");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].fields, (V{"a", "", "c"}));
  EXPECT_EQ(r[1].fields, (V{"", "", ""}));
  EXPECT_EQ(r[2].fields, (V{"x", "y", ""}));
}

TEST_P(CsvReaderTest, QuotedCommaAndEscapedQuote) {
  auto r = read("name,note\n\"Smith, John\",\"said \"\"hi\"\"\"\n\"\",\"\"\"\"\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].fields, (V{"Smith, John", "said \"hi\""}));
  EXPECT_EQ(r[2].fields, (V{"", "\""}));
}

TEST_P(CsvReaderTest, QuotedNewlinesCountPhysicalLines) {
  auto r = read("h1,h2\n\"line1\nline2\",x\n\"a\r\nb\",y\n\"c\rd\",z\nlast,row\n");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[1].fields, (V{"line1\nline2", "x"}));
  EXPECT_EQ(r[1].line, 2);
  EXPECT_EQ(r[2].fields, (V{"a\r\nb", "y"}));
  EXPECT_EQ(r[2].line, 4);
  EXPECT_EQ(r[3].fields, (V{"c\rd", "z"}));
  EXPECT_EQ(r[3].line, 6);
  EXPECT_EQ(r[4].line, 8);
}

TEST_P(CsvReaderTest, CrLfAndBareCrLineEnds) {
  auto r = read("a,b\r\n1,2\r\n3,4\r5,6\r\n");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[1].fields, (V{"1", "2"}));
  EXPECT_EQ(r[2].fields, (V{"3", "4"}));
  EXPECT_EQ(r[3].fields, (V{"5", "6"}));
  EXPECT_EQ(r[3].line, 4);
}

TEST_P(CsvReaderTest, ByteOrderMarkIsStripped) {
  auto r = read("\xEF\xBB\xBFphone,name\n1,2\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, (V{"phone", "name"}));
}

TEST_P(CsvReaderTest, BlankLinesAreSkippedButCounted) {
  auto r = read("a,b\n\n\r\n1,2\n\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].fields, (V{"1", "2"}));
  EXPECT_EQ(r[1].line, 4);
}

TEST_P(CsvReaderTest, RaggedRowsAreReturnedAsIs) {
  auto r = read("a,b,c\n1,2\n1,2,3,4\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].fields.size(), 2u);
  EXPECT_EQ(r[2].fields.size(), 4u);
}

TEST_P(CsvReaderTest, UnterminatedQuoteSwallowsTheRestAndIsFlagged) {
  auto r = read("a,b\n1,\"open\n2,3\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0].unterminated);
  EXPECT_TRUE(r[1].unterminated);
  EXPECT_EQ(r[1].fields, (V{"1", "open\n2,3\n"}));
  EXPECT_EQ(r[1].line, 2);
}

TEST_P(CsvReaderTest, LenientStrayQuotes) {
  auto r = read("ab\"c,\"x\"y\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (V{"ab\"c", "xy"}));
}

TEST_P(CsvReaderTest, EmptyInput) {
  EXPECT_TRUE(read("").empty());
  EXPECT_TRUE(read("\n\r\n").empty());
  EXPECT_TRUE(read("\xEF\xBB\xBF").empty());
}

INSTANTIATE_TEST_SUITE_P(BufferSizes, CsvReaderTest, ::testing::Values(16, 17, 1 << 20));

TEST(CsvReaderLargeTest, ManyRecordsAcrossBuffers) {
  std::string text = "phone,name\n";
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + ",\"n, " + std::to_string(i) + "\"\r\n";
  auto r = read_all(text, 64);
  ASSERT_EQ(r.size(), 5001u);
  EXPECT_EQ(r[4000].fields, (V{"3999", "n, 3999"}));
  EXPECT_EQ(r[4000].line, 4001);
}

}  // namespace
}  // namespace outdial::importer
