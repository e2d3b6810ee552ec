#pragma once
// libcurl driver for net::HttpClient (engineering.md §1: only this folder includes curl).
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "outdial/net/http_client.hpp"

namespace outdial::net {

struct CurlClientOptions {
  // Idle easy handles kept for reuse (each keeps its own keep-alive connections). More
  // concurrent requests than this still work; the surplus handles are freed after use.
  std::size_t max_idle_handles = 16;
  std::chrono::milliseconds connect_timeout{5'000};
  bool verify_tls = true;  // off only for tests against self-signed endpoints
  std::string ca_file;     // empty = system default bundle
};

// Thread-safe: send() may be called concurrently from any thread. Only http:// and https://
// URLs are accepted; redirects are not followed (a 3xx is returned as a response). Transport
// failures map to kUnavailable (details["timeout"]="true" when ClientRequest::timeout expired:
// the server may have acted on the request), a malformed/unsupported URL to kInvalidArgument.
// Error messages name the scheme, host and path only: never user-info, query or credentials.
std::unique_ptr<HttpClient> make_curl_client(CurlClientOptions options = {});

}  // namespace outdial::net
