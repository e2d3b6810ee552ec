#include "outdial/api/error_mapping.hpp"

#include <nlohmann/json.hpp>

namespace outdial::api {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    // failed_precondition is 409, not 422: the request is well-formed, the entity's current
    // state forbids it (e.g. starting a stopped campaign); retrying after a state change works.
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

net::Response error_response(const Error& error) {
  nlohmann::json details = nlohmann::json::object();
  for (const auto& [k, v] : error.details) details[k] = v;
  const nlohmann::json body = {
      {"error", {{"code", to_string(error.code)}, {"message", error.message}, {"details", details}}}};
  auto res = net::Response::json(http_status(error.code),
                                 body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (error.code == ErrorCode::kUnauthenticated) res.headers["WWW-Authenticate"] = "Bearer";
  return res;
}

net::Response error_response(int status, const std::string& code, const std::string& message) {
  const nlohmann::json body = {
      {"error", {{"code", code}, {"message", message}, {"details", nlohmann::json::object()}}}};
  return net::Response::json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace outdial::api
