#include "outdial/api/phone_param.hpp"

namespace outdial::api {

Result<std::string> require_e164(const std::string& raw, const std::string& field) {
  std::string s = raw;
  if (!s.empty() && s[0] == ' ') s[0] = '+';
  bool ok = s.size() >= 9 && s.size() <= 16 && s[0] == '+' && s[1] >= '1' && s[1] <= '9';
  for (std::size_t i = 1; ok && i < s.size(); ++i) ok = s[i] >= '0' && s[i] <= '9';
  if (!ok) {
    return make_error(ErrorCode::kInvalidArgument,
                      field + ": '" + raw + "' is not an E.164 number (e.g. +14155550123)",
                      {{"field", field}});
  }
  return s;
}

}  // namespace outdial::api
