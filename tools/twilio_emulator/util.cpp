#include <date/date.h>

#include <cctype>

#include "emulator_impl.hpp"
#include "outdial/net/http_types.hpp"

namespace outdial::twilio_emulator {

std::string rfc2822(TimePoint t) {
  return date::format("%a, %d %b %Y %H:%M:%S +0000", std::chrono::floor<std::chrono::seconds>(t));
}

bool is_e164(const std::string& s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool is_http_url(const std::string& s) {
  const auto starts = [&](const char* p) { return s.rfind(p, 0) == 0 && s.size() > std::char_traits<char>::length(p); };
  return starts("http://") || starts("https://");
}

std::string resolve_url(const std::string& base, const std::string& ref) {
  if (ref.empty()) return base;
  if (is_http_url(ref)) return ref;
  const auto scheme_end = base.find("://");
  if (scheme_end == std::string::npos) return ref;
  const auto path_start = base.find('/', scheme_end + 3);
  const std::string origin = path_start == std::string::npos ? base : base.substr(0, path_start);
  if (ref[0] == '/') return origin + ref;
  std::string path = path_start == std::string::npos ? "/" : base.substr(path_start);
  const auto q = path.find_first_of("?#");
  if (ref[0] == '?') return origin + path.substr(0, q) + ref;
  if (q != std::string::npos) path.resize(q);
  path.resize(path.rfind('/') + 1);  // the base's directory
  return origin + path + ref;
}

std::string twilio_error_json(int code, const std::string& message, int http_status) {
  return "{\"code\":" + std::to_string(code) + ",\"message\":" + net::json_quote(message) +
         ",\"more_info\":\"https://www.twilio.com/docs/errors/" + std::to_string(code) +
         "\",\"status\":" + std::to_string(http_status) + "}";
}

}  // namespace outdial::twilio_emulator
