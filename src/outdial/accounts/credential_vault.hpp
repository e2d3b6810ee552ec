#pragma once
// Provider credentials at rest (issue #3 §3): libsodium crypto_secretbox_easy (XSalsa20-Poly1305)
// with a fresh random 24-byte nonce per value, under one 32-byte key that comes from the
// environment (OUTDIAL_SECRET_KEY) or a key file (OUTDIAL_SECRET_KEY_FILE). Only the sealed form
// is ever stored; the plaintext is never logged, returned by the API or put in an error message.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "outdial/core/result.hpp"

namespace outdial::accounts {

inline constexpr const char* kSecretKeyEnv = "OUTDIAL_SECRET_KEY";
inline constexpr const char* kSecretKeyFileEnv = "OUTDIAL_SECRET_KEY_FILE";

// Reads an environment variable (injectable for tests); nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> system_env(const std::string& name);

// Thread-safe (immutable after construction). Movable, not copyable; the key is wiped on
// destruction.
class CredentialVault {
 public:
  static constexpr std::size_t kKeyBytes = 32;    // crypto_secretbox_KEYBYTES
  static constexpr std::size_t kNonceBytes = 24;  // crypto_secretbox_NONCEBYTES
  static constexpr std::size_t kMacBytes = 16;    // crypto_secretbox_MACBYTES

  // Exactly 32 raw bytes; kInvalidArgument otherwise (the message gives the length only).
  static Result<CredentialVault> from_raw_key(std::string_view key);
  // Key text: 64 hex digits, or standard base64 (padded or not) of 32 bytes; surrounding
  // whitespace ignored. `source` names where it came from in error messages ("OUTDIAL_SECRET_KEY").
  static Result<CredentialVault> from_key_text(std::string_view text, const std::string& source);
  // A key file holding the key text (hex/base64) or exactly 32 raw bytes. kUnavailable when the
  // file cannot be read, kInvalidArgument when its content is not a 32-byte key.
  static Result<CredentialVault> from_key_file(const std::string& path);
  // OUTDIAL_SECRET_KEY, else OUTDIAL_SECRET_KEY_FILE. kFailedPrecondition when neither is set,
  // kInvalidArgument when both are (ambiguous) or the key is malformed.
  static Result<CredentialVault> from_environment(const EnvLookup& env = system_env);

  CredentialVault(CredentialVault&& other) noexcept;
  CredentialVault& operator=(CredentialVault&& other) noexcept;
  CredentialVault(const CredentialVault&) = delete;
  CredentialVault& operator=(const CredentialVault&) = delete;
  ~CredentialVault();

  // "v1." + base64(nonce || crypto_secretbox_easy(plaintext)). A new random nonce per call, so
  // sealing the same value twice gives different blobs.
  Result<std::string> seal(std::string_view plaintext) const;
  // The plaintext of a blob made by seal() under the same key. kUnauthenticated when the MAC
  // does not verify (wrong key or altered blob), kInvalidArgument when it is not a v1 blob.
  // Messages never contain the blob's content or the plaintext.
  Result<std::string> open(std::string_view sealed) const;

  // A 32-byte key for another purpose, derived from this one (libsodium crypto_kdf, BLAKE2b):
  // `context` is exactly 8 characters naming the purpose; the same key, id and context always
  // give the same subkey, and it reveals nothing about this key.
  std::string derive_key(std::uint64_t subkey_id, std::string_view context) const;

  // seal() with a caller-chosen nonce: for the published test vectors only. Never reuse a nonce
  // under one key in production.
  Result<std::string> seal_with_nonce(std::string_view plaintext,
                                      const std::array<unsigned char, kNonceBytes>& nonce) const;

 private:
  CredentialVault() = default;
  std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace outdial::accounts
