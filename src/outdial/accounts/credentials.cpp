#include "outdial/accounts/credentials.hpp"

#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace outdial::accounts {

std::vector<std::string> credential_fields(ProviderKind provider) {
  switch (provider) {
    case ProviderKind::kTwilio:
      return {"auth_token"};
    case ProviderKind::kTelnyx:
    case ProviderKind::kVapi:
      return {"api_key"};
    case ProviderKind::kSim:
      return {};
  }
  return {};
}

std::vector<std::string> optional_credential_fields(ProviderKind provider) {
  if (provider == ProviderKind::kTelnyx) return {"public_key"};
  return {};
}

namespace {
bool is_ed25519_public_key(const std::string& base64) {
  unsigned char raw[crypto_sign_PUBLICKEYBYTES + 1];
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_init() < 0) return false;
  if (sodium_base642bin(raw, sizeof raw, base64.data(), base64.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return false;
  return end == base64.data() + base64.size() && len == crypto_sign_PUBLICKEYBYTES;
}
}  // namespace

Result<std::string> seal_credentials(const CredentialVault& vault, ProviderKind provider, const Credentials& creds) {
  const auto fields = credential_fields(provider);
  const auto optional = optional_credential_fields(provider);
  for (const auto& [name, value] : creds) {
    if (std::find(fields.begin(), fields.end(), name) == fields.end() &&
        std::find(optional.begin(), optional.end(), name) == optional.end()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "credentials." + name + " is not a " + to_string(provider) + " credential",
                        {{"field", "credentials." + name}});
    }
  }
  for (const auto& f : fields) {
    auto it = creds.find(f);
    if (it == creds.end() || it->second.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "credentials." + f + " is required for a " + to_string(provider) + " account",
                        {{"field", "credentials." + f}});
    }
  }
  if (auto key = creds.find("public_key"); key != creds.end() && !is_ed25519_public_key(key->second)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "credentials.public_key must be the base64 Ed25519 public key (32 bytes) of the account",
                      {{"field", "credentials.public_key"}});
  }
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : creds) j[name] = value;
  std::string plain = j.dump();
  auto sealed = vault.seal(plain);
  sodium_memzero(plain.data(), plain.size());
  return sealed;
}

Result<Credentials> open_credentials(const CredentialVault& vault, const std::string& blob) {
  auto plain = vault.open(blob);
  if (!plain.ok()) return plain.error();
  Credentials out;
  auto j = nlohmann::json::parse(*plain, nullptr, false);
  sodium_memzero(plain->data(), plain->size());
  if (!j.is_object()) return make_error(ErrorCode::kInternal, "sealed credentials are not a JSON object");
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) return make_error(ErrorCode::kInternal, "sealed credential field is not a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

Status check_can_place_calls(const ProviderAccount& a) {
  const std::string id = std::to_string(a.id);
  auto cannot = [&](const char* field, const std::string& why) {
    return make_error(ErrorCode::kFailedPrecondition, "provider account " + id + " cannot place calls: " + why,
                      {{"account_id", id}, {"field", field}});
  };
  if (a.status != AccountStatus::kActive) return cannot("status", std::string("it is ") + to_string(a.status));
  if (a.provider == ProviderKind::kTwilio && a.account_sid.empty()) return cannot("account_sid", "it has no account_sid");
  if (a.provider == ProviderKind::kTelnyx && a.connection_id.empty()) {
    return cannot("connection_id", "it has no connection_id");
  }
  return ok_status();
}

Status check_active_credentials(ProviderKind provider, const Credentials& creds) {
  if (provider != ProviderKind::kTelnyx) return ok_status();
  auto key = creds.find("public_key");
  if (key == creds.end() || key->second.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "credentials.public_key is required for an active telnyx account (its webhook signing key: "
                      "without it none of its webhooks could be verified)",
                      {{"field", "credentials.public_key"}});
  }
  return ok_status();
}

}  // namespace outdial::accounts
