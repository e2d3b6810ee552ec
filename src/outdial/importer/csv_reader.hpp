#pragma once
// Streaming RFC 4180 reader over std::istream.
//
// Quoted fields may hold commas, doubled quotes ("") and line breaks (CR, LF or CRLF); records
// end at CR, LF or CRLF. A UTF-8 byte-order mark at the start is dropped. Blank lines are
// skipped (spreadsheet exports end with them). Leniency where RFC 4180 is silent: a quote inside
// an unquoted field, or text after a closing quote, is kept literally.
//
// Memory: one read buffer plus one record; the fields handed out are views into the record and
// stay valid until the next call to next().
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace outdial::importer {

class CsvReader {
 public:
  static constexpr std::size_t kDefaultBufferSize = 1 << 20;

  explicit CsvReader(std::istream& in, std::size_t buffer_size = kDefaultBufferSize);

  // Reads the next record into `fields`. False at end of input (fields then empty).
  bool next(std::vector<std::string_view>& fields);

  // 1-based number of the record last returned (the header is record 1).
  std::int64_t record_number() const { return records_; }
  // Physical line (1-based) on which the record last returned starts.
  std::int64_t line_number() const { return record_line_; }
  // The record last returned ran into end of input inside a quoted field: everything from the
  // opening quote to EOF became one field. Callers should treat the record as malformed.
  bool unterminated_quote() const { return unterminated_; }
  // A stream read failed (not EOF).
  bool failed() const { return failed_; }

 private:
  bool fill();
  void end_line_break(char c);

  std::istream& in_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool failed_ = false;
  bool first_fill_ = true;
  bool unterminated_ = false;
  bool prev_cr_ = false;  // last byte consumed inside a quoted field was CR (CRLF across buffers)
  std::string record_;
  std::vector<std::size_t> ends_;
  std::int64_t line_ = 1;
  std::int64_t record_line_ = 0;
  std::int64_t records_ = 0;
};

}  // namespace outdial::importer
