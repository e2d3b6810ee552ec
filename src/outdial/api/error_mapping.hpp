#pragma once
// The one ErrorCode -> HTTP status mapping (engineering.md §6) and the error body shape:
//   {"error":{"code":"invalid_argument","message":"...","details":{"field":"name"}}}
#include <string>

#include "outdial/core/result.hpp"
#include "outdial/net/http_types.hpp"

namespace outdial::api {

// invalid_argument 400, unauthenticated 401, permission_denied 403, not_found 404,
// already_exists / conflict / failed_precondition 409, rate_limited 429, unavailable 503,
// internal 500.
int http_status(ErrorCode code);
net::Response error_response(const Error& error);
// For net-level errors (404/405/413 from the router/server) in the same shape.
net::Response error_response(int status, const std::string& code, const std::string& message);

}  // namespace outdial::api
