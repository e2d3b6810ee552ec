#include "outdial/api/auth.hpp"

#include <openssl/evp.h>

#include <cctype>

namespace outdial::api {

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

namespace {
std::string presented_key(const net::Request& req) {
  const std::string auth = req.header("Authorization");
  if (auth.size() > 7) {
    std::string scheme = auth.substr(0, 7);
    for (auto& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (scheme == "bearer ") {
      std::string key = auth.substr(7);
      while (!key.empty() && key.front() == ' ') key.erase(0, 1);
      while (!key.empty() && key.back() == ' ') key.pop_back();
      return key;
    }
  }
  return req.header("X-Api-Key");
}
}  // namespace

Result<Actor> authenticate(const net::Request& req, storage::TenantStore& tenants) {
  const std::string key = presented_key(req);
  if (key.empty()) {
    return make_error(ErrorCode::kUnauthenticated,
                      "missing API key: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
  }
  auto user = tenants.find_user_by_key_hash(sha256_hex(key));
  if (!user.ok()) return user.error();
  if (!user->has_value()) return make_error(ErrorCode::kUnauthenticated, "unknown or revoked API key");
  const User& u = **user;
  return Actor{u.id, u.tenant_id, u.role, "user:" + std::to_string(u.id)};
}

Status require_write(const Actor& actor) {
  if (can_write(actor.role)) return ok_status();
  return make_error(ErrorCode::kPermissionDenied,
                    std::string("role ") + to_string(actor.role) + " is read-only",
                    {{"role", to_string(actor.role)}, {"required", "agent"}});
}

Status require_staff(const Actor& actor) {
  if (is_staff(actor.role)) return ok_status();
  return make_error(ErrorCode::kPermissionDenied,
                    std::string("only operator staff may do this; role is ") + to_string(actor.role),
                    {{"role", to_string(actor.role)}, {"required", "operator_staff"}});
}

}  // namespace outdial::api
