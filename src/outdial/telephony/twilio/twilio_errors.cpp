#include "outdial/telephony/twilio/twilio_errors.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace outdial::telephony::twilio {

Error map_twilio_error(int http_status, std::string_view body, std::string_view operation) {
  long code = 0;
  std::string message;
  try {
    const auto j = nlohmann::json::parse(body);
    if (j.is_object()) {
      if (j.contains("code") && j["code"].is_number_integer()) code = j["code"].get<long>();
      if (j.contains("code") && j["code"].is_string()) code = std::stol(j["code"].get<std::string>());
      if (j.contains("message") && j["message"].is_string()) message = j["message"].get<std::string>();
      if (message.empty() && j.contains("detail") && j["detail"].is_string()) message = j["detail"].get<std::string>();
      if (message.empty() && j.contains("title") && j["title"].is_string()) message = j["title"].get<std::string>();
    }
  } catch (const std::exception&) {
    // Not JSON (a proxy's HTML error page): the HTTP status decides.
  }
  std::map<std::string, std::string> details{{"provider", "twilio"}, {"http_status", std::to_string(http_status)}};
  if (code != 0) details["provider_code"] = std::to_string(code);
  const std::string what = std::string("twilio ") + std::string(operation) + ": HTTP " + std::to_string(http_status) +
                           (code != 0 ? " code " + std::to_string(code) : std::string()) +
                           (message.empty() ? std::string() : " (" + message + ")");
  auto err = [&](ErrorCode ec) { return make_error(ec, what, details); };

  if (http_status == 429 || code == 20429) return err(ErrorCode::kRateLimited);
  switch (code) {
    case 21211:
    case 21214:
    case 21217:
    case 21614:
      return err(ErrorCode::kInvalidArgument);
    case 21215:
    case 32205:
    case 13227:
    case 21408:
      details["geo_permission"] = "true";
      return err(ErrorCode::kPermissionDenied);
    case 21216:
    case 21219:
      return err(ErrorCode::kPermissionDenied);
    case 21610:
      details["opted_out"] = "true";
      return err(ErrorCode::kPermissionDenied);
    case 20003:
      return err(ErrorCode::kUnauthenticated);
    case 20404:
      return err(ErrorCode::kNotFound);
    default:
      break;
  }
  if (http_status == 401) return err(ErrorCode::kUnauthenticated);
  if (http_status == 404) return err(ErrorCode::kNotFound);
  if (http_status >= 400 && http_status < 500) return err(ErrorCode::kFailedPrecondition);
  details["may_exist"] = "true";
  return err(ErrorCode::kUnavailable);
}

}  // namespace outdial::telephony::twilio
