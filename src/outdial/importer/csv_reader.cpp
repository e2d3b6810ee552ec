#include "outdial/importer/csv_reader.hpp"

namespace outdial::importer {

CsvReader::CsvReader(std::istream& in, std::size_t buffer_size)
    : in_(in), buf_(buffer_size < 16 ? 16 : buffer_size) {}

bool CsvReader::fill() {
  if (eof_) return false;
  in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  std::streamsize got = in_.gcount();
  if (in_.bad()) failed_ = true;
  pos_ = 0;
  end_ = got > 0 ? static_cast<std::size_t>(got) : 0;
  if (end_ == 0) {
    eof_ = true;
    return false;
  }
  if (first_fill_) {
    first_fill_ = false;
    if (end_ >= 3 && static_cast<unsigned char>(buf_[0]) == 0xEF &&
        static_cast<unsigned char>(buf_[1]) == 0xBB && static_cast<unsigned char>(buf_[2]) == 0xBF) {
      pos_ = 3;
      if (pos_ == end_) return fill();
    }
  }
  return true;
}

// Consumes the record terminator starting at buf_[pos_] == c (CR, LF or CRLF).
void CsvReader::end_line_break(char c) {
  ++pos_;
  ++line_;
  if (c == '\r') {
    if (pos_ == end_) fill();
    if (pos_ < end_ && buf_[pos_] == '\n') ++pos_;
  }
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  fields.clear();
  record_.clear();
  ends_.clear();
  unterminated_ = false;

  // Skip blank lines.
  for (;;) {
    if (pos_ == end_ && !fill()) return false;
    char c = buf_[pos_];
    if (c != '\n' && c != '\r') break;
    end_line_break(c);
  }
  record_line_ = line_;
  ++records_;

  enum class State { kFieldStart, kUnquoted, kQuoted, kAfterQuote };
  State state = State::kFieldStart;
  const char* b = buf_.data();
  for (;;) {
    if (pos_ == end_) {
      if (!fill()) {  // end of input ends the record
        if (state == State::kQuoted) unterminated_ = true;
        ends_.push_back(record_.size());
        break;
      }
      b = buf_.data();
    }
    char c = b[pos_];
    if (state == State::kFieldStart) {
      if (c == '"') {
        ++pos_;
        prev_cr_ = false;
        state = State::kQuoted;
        continue;
      }
      state = State::kUnquoted;
    }
    if (state == State::kUnquoted) {
      std::size_t start = pos_;
      while (pos_ < end_) {
        c = b[pos_];
        if (c == ',' || c == '\n' || c == '\r') break;
        ++pos_;
      }
      record_.append(b + start, pos_ - start);
      if (pos_ == end_) continue;
      ends_.push_back(record_.size());
      if (c == ',') {
        ++pos_;
        state = State::kFieldStart;
        continue;
      }
      end_line_break(c);
      break;
    }
    if (state == State::kQuoted) {
      std::size_t start = pos_;
      while (pos_ < end_) {
        c = b[pos_];
        if (c == '"') break;
        // Count physical lines inside the field: CR, LF and CRLF are one break each.
        if (c == '\n') {
          if (!prev_cr_) ++line_;
          prev_cr_ = false;
        } else if (c == '\r') {
          ++line_;
          prev_cr_ = true;
        } else {
          prev_cr_ = false;
        }
        ++pos_;
      }
      record_.append(b + start, pos_ - start);
      if (pos_ == end_) continue;
      ++pos_;  // the quote
      state = State::kAfterQuote;
      continue;
    }
    // kAfterQuote: a second quote is an escaped quote; anything else closes the field.
    if (c == '"') {
      record_.push_back('"');
      ++pos_;
      prev_cr_ = false;
      state = State::kQuoted;
      continue;
    }
    state = State::kUnquoted;
  }

  std::size_t begin = 0;
  for (std::size_t e : ends_) {
    fields.emplace_back(record_.data() + begin, e - begin);
    begin = e;
  }
  return true;
}

}  // namespace outdial::importer
