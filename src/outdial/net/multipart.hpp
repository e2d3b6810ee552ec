#pragma once
// multipart/form-data (RFC 7578, framing from RFC 2046 §5.1.1).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outdial/core/result.hpp"
#include "outdial/net/http_types.hpp"

namespace outdial::net {

struct MultipartPart {
  std::string name;                         // Content-Disposition name
  std::optional<std::string> filename;      // Content-Disposition filename, when a file
  std::string content_type = "text/plain";  // RFC 7578 §4.4 default
  HeaderMap headers;
  std::string data;
};

// The boundary parameter of a "multipart/form-data; boundary=..." Content-Type (quoted or not).
// kInvalidArgument (details {"field":"Content-Type"}) when the type is not multipart/form-data or
// the boundary is missing or longer than 70 characters (RFC 2046 §5.1.1).
Result<std::string> multipart_boundary(std::string_view content_type);

// Splits the body into parts. Lines end in CRLF. A preamble before the first delimiter and an
// epilogue after the closing one are ignored. kInvalidArgument with a message naming the problem
// (no opening delimiter, missing CRLF, unterminated headers, missing Content-Disposition or name,
// no closing delimiter) and details {"part": index} when a part is at fault.
Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary);

// The first part with this name, or nullptr.
const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name);

// Parses `type; a=b; c="d;e"` parameters (names lower-cased, quotes and \-escapes removed).
// The first element is the bare value ("form-data").
std::vector<std::pair<std::string, std::string>> parse_header_params(std::string_view value);

}  // namespace outdial::net
