#include "outdial/accounts/credential_vault.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

namespace outdial::accounts {
namespace {

constexpr std::string_view kPrefix = "v1.";

Status ensure_sodium() {
  // sodium_init() is idempotent and thread-safe; < 0 means the library could not start (no
  // entropy source), which makes every seal unsafe.
  static const int rc = sodium_init();
  if (rc < 0) return make_error(ErrorCode::kInternal, "libsodium failed to initialise");
  return ok_status();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool decode_hex(std::string_view text, std::vector<unsigned char>& out) {
  if (text.size() % 2 != 0) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  out.assign(text.size() / 2, 0);
  std::size_t len = 0;
  return sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr) == 0 &&
         len == out.size();
}

bool decode_base64(std::string_view text, std::vector<unsigned char>& out) {
  out.assign(text.size(), 0);  // decoded is always shorter
  std::size_t len = 0;
  const char* end = nullptr;
  const int variant = (!text.empty() && text.back() == '=') ? sodium_base64_VARIANT_ORIGINAL
                                                             : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end, variant) != 0) {
    return false;
  }
  if (end != text.data() + text.size()) return false;
  out.resize(len);
  return true;
}

std::string encode_base64(const unsigned char* data, std::size_t len) {
  std::string out(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Error key_shape_error(const std::string& source, std::size_t got) {
  return make_error(ErrorCode::kInvalidArgument,
                    source + " must hold a 32-byte key as 64 hex digits or base64 (decoded to " +
                        std::to_string(got) + " bytes)",
                    {{"source", source}});
}

}  // namespace

std::optional<std::string> system_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<CredentialVault> CredentialVault::from_raw_key(std::string_view key) {
  if (auto st = ensure_sodium(); !st.ok()) return st.error();
  if (key.size() != kKeyBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      "secret key must be 32 bytes, got " + std::to_string(key.size()));
  }
  CredentialVault v;
  for (std::size_t i = 0; i < kKeyBytes; ++i) v.key_[i] = static_cast<unsigned char>(key[i]);
  return v;
}

Result<CredentialVault> CredentialVault::from_key_text(std::string_view text, const std::string& source) {
  if (auto st = ensure_sodium(); !st.ok()) return st.error();
  const std::string_view t = trim(text);
  if (t.empty()) {
    return make_error(ErrorCode::kInvalidArgument, source + " is empty", {{"source", source}});
  }
  std::vector<unsigned char> bytes;
  const bool decoded = (t.size() == 2 * kKeyBytes && decode_hex(t, bytes)) || decode_base64(t, bytes);
  if (!decoded) {
    sodium_memzero(bytes.data(), bytes.size());
    return make_error(ErrorCode::kInvalidArgument,
                      source + " is neither 64 hex digits nor base64 (a 32-byte key is expected)",
                      {{"source", source}});
  }
  if (bytes.size() != kKeyBytes) {
    const std::size_t got = bytes.size();
    sodium_memzero(bytes.data(), bytes.size());
    return key_shape_error(source, got);
  }
  CredentialVault v;
  for (std::size_t i = 0; i < kKeyBytes; ++i) v.key_[i] = bytes[i];
  sodium_memzero(bytes.data(), bytes.size());
  return v;
}

Result<CredentialVault> CredentialVault::from_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kUnavailable, "cannot read secret key file " + path, {{"path", path}});
  }
  std::string content;
  char buf[256];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    content.append(buf, static_cast<std::size_t>(in.gcount()));
    if (content.size() > 4096) {
      sodium_memzero(content.data(), content.size());
      return make_error(ErrorCode::kInvalidArgument, "secret key file " + path + " is too large for a key",
                        {{"path", path}});
    }
  }
  Result<CredentialVault> v = content.size() == kKeyBytes ? from_raw_key(content)
                                                          : from_key_text(content, "secret key file " + path);
  sodium_memzero(content.data(), content.size());
  return v;
}

Result<CredentialVault> CredentialVault::from_environment(const EnvLookup& env) {
  const auto key = env(kSecretKeyEnv);
  const auto file = env(kSecretKeyFileEnv);
  const bool has_key = key.has_value() && !key->empty();
  const bool has_file = file.has_value() && !file->empty();
  if (has_key && has_file) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("both ") + kSecretKeyEnv + " and " + kSecretKeyFileEnv + " are set; set one");
  }
  if (has_key) return from_key_text(*key, kSecretKeyEnv);
  if (has_file) return from_key_file(*file);
  return make_error(ErrorCode::kFailedPrecondition,
                    std::string("no secret key for provider credentials: set ") + kSecretKeyEnv +
                        " (32 bytes as base64 or 64 hex digits) or " + kSecretKeyFileEnv);
}

CredentialVault::CredentialVault(CredentialVault&& other) noexcept : key_(other.key_) {
  sodium_memzero(other.key_.data(), other.key_.size());
}

CredentialVault& CredentialVault::operator=(CredentialVault&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    sodium_memzero(other.key_.data(), other.key_.size());
  }
  return *this;
}

CredentialVault::~CredentialVault() { sodium_memzero(key_.data(), key_.size()); }

std::string CredentialVault::derive_key(std::uint64_t subkey_id, std::string_view context) const {
  std::array<char, crypto_kdf_CONTEXTBYTES> ctx{};
  std::copy_n(context.begin(), std::min(context.size(), ctx.size()), ctx.begin());
  std::string out(32, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(out.data()), out.size(), subkey_id, ctx.data(),
                             key_.data());
  return out;
}

Result<std::string> CredentialVault::seal(std::string_view plaintext) const {
  if (auto st = ensure_sodium(); !st.ok()) return st.error();
  std::array<unsigned char, kNonceBytes> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return seal_with_nonce(plaintext, nonce);
}

Result<std::string> CredentialVault::seal_with_nonce(std::string_view plaintext,
                                                     const std::array<unsigned char, kNonceBytes>& nonce) const {
  if (auto st = ensure_sodium(); !st.ok()) return st.error();
  std::vector<unsigned char> box(kNonceBytes + kMacBytes + plaintext.size());
  std::copy(nonce.begin(), nonce.end(), box.begin());
  if (crypto_secretbox_easy(box.data() + kNonceBytes, reinterpret_cast<const unsigned char*>(plaintext.data()),
                            plaintext.size(), nonce.data(), key_.data()) != 0) {
    return make_error(ErrorCode::kInternal, "crypto_secretbox_easy failed");
  }
  return std::string(kPrefix) + encode_base64(box.data(), box.size());
}

Result<std::string> CredentialVault::open(std::string_view sealed) const {
  if (auto st = ensure_sodium(); !st.ok()) return st.error();
  if (sealed.substr(0, kPrefix.size()) != kPrefix) {
    return make_error(ErrorCode::kInvalidArgument, "not a sealed credential (expected a v1 blob)");
  }
  std::vector<unsigned char> box;
  if (!decode_base64(sealed.substr(kPrefix.size()), box) || box.size() < kNonceBytes + kMacBytes) {
    return make_error(ErrorCode::kInvalidArgument, "sealed credential is malformed");
  }
  std::string plain(box.size() - kNonceBytes - kMacBytes, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), box.data() + kNonceBytes,
                                 box.size() - kNonceBytes, box.data(), key_.data()) != 0) {
    return make_error(ErrorCode::kUnauthenticated,
                      "sealed credential does not verify under this key (wrong key or altered data)");
  }
  return plain;
}

}  // namespace outdial::accounts
