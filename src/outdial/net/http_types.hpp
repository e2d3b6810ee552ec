#pragma once
// Plain HTTP request/response values. Handlers and domain code only ever see these types; the
// Beast types stay inside server.cpp (engineering.md §4).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace outdial::net {

// Header names compare case-insensitively (RFC 9110 §5.1).
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;                        // "GET", "POST", ...
  std::string path;                          // percent-decoded, without the query
  std::string raw_path;                      // as sent (still percent-encoded)
  std::string raw_query;                     // as sent, without '?' (webhook signatures sign these bytes)
  std::map<std::string, std::string> query;  // decoded; "+" means space; last value wins
  HeaderMap headers;                         // repeated headers joined with ", "
  std::string body;
  std::map<std::string, std::string> path_params;  // filled by the Router (":id" -> value)
  std::string remote_address;

  // The header value, or "" when absent.
  std::string header(std::string_view name) const;
  std::optional<std::string> query_param(const std::string& name) const;
  std::string path_param(const std::string& name) const;  // "" when absent
};

struct Response {
  int status = 200;
  HeaderMap headers;
  std::string body;

  static Response json(int status, std::string body);
  static Response text(int status, std::string body);
};

// A route handler.
using Handler = std::function<Response(const Request&)>;
// What the server calls: may move from / annotate the request (the router fills path_params).
using RequestHandler = std::function<Response(Request&)>;

// Percent-decodes `in` (RFC 3986 §2.1). With plus_as_space (form/query encoding) '+' is a space.
// nullopt on a malformed escape ("%G1", "%4").
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space);
// Splits "/a/b?x=1&y=2" into path and decoded query. false on a malformed escape.
bool split_target(std::string_view target, std::string& raw_path, std::string& path,
                  std::map<std::string, std::string>& query);
// JSON string literal for `s` (quotes included); used for the few bodies net writes itself.
std::string json_quote(std::string_view s);

}  // namespace outdial::net
