#include "outdial/net/multipart.hpp"

#include <cctype>

namespace outdial::net {

namespace {
constexpr std::string_view kCrlf = "\r\n";

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

std::string to_lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Error part_error(std::string message, std::size_t index) {
  return make_error(ErrorCode::kInvalidArgument, "malformed multipart body: " + std::move(message),
                    {{"part", std::to_string(index)}});
}

Error body_error(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, "malformed multipart body: " + std::move(message));
}
}  // namespace

std::vector<std::pair<std::string, std::string>> parse_header_params(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  // Leading bare value up to the first ';'.
  const auto first = value.find(';');
  out.emplace_back(to_lower(trim(value.substr(0, first))), "");
  if (first == std::string_view::npos) return out;
  i = first + 1;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t' || value[i] == ';')) ++i;
    if (i >= value.size()) break;
    std::size_t eq = i;
    while (eq < value.size() && value[eq] != '=' && value[eq] != ';') ++eq;
    std::string name = to_lower(trim(value.substr(i, eq - i)));
    std::string val;
    if (eq < value.size() && value[eq] == '=') {
      std::size_t j = eq + 1;
      while (j < value.size() && (value[j] == ' ' || value[j] == '\t')) ++j;
      if (j < value.size() && value[j] == '"') {
        ++j;
        while (j < value.size() && value[j] != '"') {
          if (value[j] == '\\' && j + 1 < value.size()) ++j;
          val.push_back(value[j]);
          ++j;
        }
        if (j < value.size()) ++j;  // closing quote
        while (j < value.size() && value[j] != ';') ++j;
      } else {
        const auto end = value.find(';', j);
        val = trim(value.substr(j, end == std::string_view::npos ? std::string_view::npos : end - j));
        j = end == std::string_view::npos ? value.size() : end;
      }
      i = j;
    } else {
      i = eq;
    }
    if (!name.empty()) out.emplace_back(std::move(name), std::move(val));
  }
  return out;
}

Result<std::string> multipart_boundary(std::string_view content_type) {
  const auto params = parse_header_params(content_type);
  if (params.front().first != "multipart/form-data") {
    return make_error(ErrorCode::kInvalidArgument,
                      "expected Content-Type multipart/form-data, got '" + std::string(content_type) + "'",
                      {{"field", "Content-Type"}});
  }
  for (std::size_t i = 1; i < params.size(); ++i) {
    if (params[i].first != "boundary") continue;
    const auto& b = params[i].second;
    if (b.empty() || b.size() > 70) {
      return make_error(ErrorCode::kInvalidArgument, "multipart boundary must be 1 to 70 characters",
                        {{"field", "Content-Type"}});
    }
    return b;
  }
  return make_error(ErrorCode::kInvalidArgument, "multipart/form-data Content-Type has no boundary",
                    {{"field", "Content-Type"}});
}

Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary) {
  if (boundary.empty()) return body_error("empty boundary");
  const std::string dash = "--" + std::string(boundary);
  const std::string delimiter = "\r\n" + dash;  // every delimiter after the first is CRLF-led

  // The first delimiter may open the body or follow a preamble that ends in CRLF.
  std::size_t pos = 0;
  if (body.substr(0, dash.size()) != dash) {
    const auto at = body.find(delimiter);
    if (at == std::string_view::npos) return body_error("no opening boundary delimiter '" + dash + "'");
    pos = at + 2;
  }
  pos += dash.size();

  std::vector<MultipartPart> parts;
  for (;;) {
    const std::size_t index = parts.size();
    // After a delimiter: "--" closes the body; otherwise optional padding then CRLF.
    if (body.substr(pos, 2) == "--") return parts;
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != kCrlf) {
      if (pos >= body.size()) return body_error("body ends after a delimiter without the closing '--'");
      return part_error("boundary delimiter not followed by CRLF", index);
    }
    pos += 2;

    MultipartPart part;
    // Header block: lines until an empty line.
    for (;;) {
      const auto eol = body.find(kCrlf, pos);
      if (eol == std::string_view::npos)
        return part_error("part headers are not terminated by CRLF CRLF", index);
      const std::string_view line = body.substr(pos, eol - pos);
      pos = eol + 2;
      if (line.empty()) break;
      const auto colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        return part_error("part header line without a name: '" + std::string(line) + "'", index);
      }
      part.headers[trim(line.substr(0, colon))] = trim(line.substr(colon + 1));
    }

    const auto cd = part.headers.find("Content-Disposition");
    if (cd == part.headers.end()) return part_error("part has no Content-Disposition header", index);
    const auto params = parse_header_params(cd->second);
    if (params.front().first != "form-data") {
      return part_error("Content-Disposition must be form-data, got '" + params.front().first + "'", index);
    }
    bool has_name = false;
    for (std::size_t i = 1; i < params.size(); ++i) {
      if (params[i].first == "name") {
        part.name = params[i].second;
        has_name = true;
      } else if (params[i].first == "filename") {
        part.filename = params[i].second;
      }
    }
    if (!has_name) return part_error("Content-Disposition has no name parameter", index);
    if (auto ct = part.headers.find("Content-Type"); ct != part.headers.end()) part.content_type = ct->second;

    // Content runs to the next CRLF-led delimiter (RFC 2046: the CRLF belongs to the delimiter).
    const auto end = body.find(delimiter, pos);
    if (end == std::string_view::npos) {
      return part_error("part '" + part.name + "' is not terminated by a boundary delimiter", index);
    }
    part.data = std::string(body.substr(pos, end - pos));
    parts.push_back(std::move(part));
    pos = end + delimiter.size();
  }
}

const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name) {
  for (const auto& p : parts) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace outdial::net
