#include "outdial/net/multipart.hpp"

#include <gtest/gtest.h>

namespace outdial::net {
namespace {

TEST(MultipartBoundaryTest, ParsesPlainAndQuoted) {
  auto b = multipart_boundary("multipart/form-data; boundary=abc123");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, "abc123");
  b = multipart_boundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b;c\"");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, "a b;c");
}

TEST(MultipartBoundaryTest, RejectsWrongTypeAndMissingBoundary) {
  auto b = multipart_boundary("application/json");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(b.error().details.at("field"), "Content-Type");
  EXPECT_FALSE(multipart_boundary("multipart/form-data").ok());
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=").ok());
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')).ok());
}

const std::string kBody =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"list_name\"\r\n"
    "\r\n"
    "spring leads\r\n"
    "--XyZ\r\n"
    "content-disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\n"
    "Content-Type: text/csv\r\n"
    "\r\n"
    "phone,name\r\n+15551234567,Ann\r\n\r\n"
    "--XyZ--\r\n"
    "epilogue";

TEST(MultipartParseTest, ParsesFieldsAndFiles) {
  auto parts = parse_multipart(kBody, "XyZ");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "list_name");
  EXPECT_EQ((*parts)[0].data, "spring leads");
  EXPECT_FALSE((*parts)[0].filename.has_value());
  EXPECT_EQ((*parts)[0].content_type, "text/plain");
  const auto* file = find_part(*parts, "file");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->filename.value_or(""), "c.csv");
  EXPECT_EQ(file->content_type, "text/csv");
  // The CRLF before the delimiter belongs to the delimiter; the content's own trailing CRLF stays.
  EXPECT_EQ(file->data, "phone,name\r\n+15551234567,Ann\r\n");
  EXPECT_EQ(find_part(*parts, "nope"), nullptr);
}

TEST(MultipartParseTest, EmptyPartAndBinaryData) {
  const std::string bin("a\0b\r\nc", 6);
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--b\r\n"
      "Content-Disposition: form-data; name=\"bin\"; filename=\"x\"\r\n\r\n" +
      bin + "\r\n--b--";
  auto parts = parse_multipart(body, "b");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].data, "");
  EXPECT_EQ((*parts)[1].data, bin);
}

TEST(MultipartParseTest, OnlyClosingDelimiterYieldsNoParts) {
  auto parts = parse_multipart("--b--\r\n", "b");
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->empty());
}

TEST(MultipartParseTest, MalformedBodiesNameTheProblem) {
  struct Case {
    std::string body;
    std::string expect;
  };
  const Case cases[] = {
      {"no delimiter here", "no opening boundary"},
      {"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue", "not terminated by a boundary"},
      {"--b\r\nContent-Disposition: form-data; name=\"a\"", "not terminated by CRLF CRLF"},
      {"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "no Content-Disposition"},
      {"--b\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nx\r\n--b--", "no name parameter"},
      {"--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--", "must be form-data"},
      {"--bjunk\r\n", "not followed by CRLF"},
      {"--b\r\nbroken header\r\n\r\nx\r\n--b--", "header line without a name"},
      {"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b", "without the closing"},
      // LF-only line endings are not multipart/form-data (RFC 2046 requires CRLF).
      {"--b\nContent-Disposition: form-data; name=\"a\"\n\nx\n--b--\n", "not followed by CRLF"},
  };
  for (const auto& c : cases) {
    auto parts = parse_multipart(c.body, "b");
    ASSERT_FALSE(parts.ok()) << c.body;
    EXPECT_EQ(parts.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parts.error().message.find(c.expect), std::string::npos)
        << "body: " << c.body << "\nmessage: " << parts.error().message;
  }
}

TEST(MultipartParseTest, HeaderParamsHandleQuotesAndEscapes) {
  auto p = parse_header_params("form-data; name=\"a\\\"b\"; filename=\"x;y.csv\"; flag");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].first, "form-data");
  EXPECT_EQ(p[1].second, "a\"b");
  EXPECT_EQ(p[2].second, "x;y.csv");
  EXPECT_EQ(p[3].first, "flag");
}

}  // namespace
}  // namespace outdial::net
