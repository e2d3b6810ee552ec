#pragma once
// Outbound HTTP (carrier REST APIs, emulator callbacks). The interface lives here; the libcurl
// driver is in net/curl (make_curl_client). Tests substitute a fake.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "outdial/core/result.hpp"

namespace outdial::net {

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // sent in this order
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // whole request
  // HTTP Basic credentials (Twilio); empty = none. Never logged.
  std::string basic_user;
  std::string basic_password;
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // First header with this (case-insensitive) name, or "".
  std::string header(const std::string& name) const;
};

// Thread-safe. An HTTP status (any, 4xx/5xx included) is a ClientResponse. Errors are transport
// failures only: kUnavailable (could not connect, reset, time-out; details["timeout"]="true"
// when the time-out expired, in which case the server MAY have acted on the request),
// kInvalidArgument (malformed URL).
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<ClientResponse> send(const ClientRequest& request) = 0;
};

// application/x-www-form-urlencoded body from ordered fields: every byte outside RFC 3986's
// unreserved set is percent-encoded (a space as %20), which every form parser accepts.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);
std::string url_encode_component(const std::string& s);

}  // namespace outdial::net
