#pragma once
// Test-side Ed25519 signing (libsodium) with the RFC 8032 §7.1 TEST 1 key of the derived vector
// in provider-contracts.md §5.4.
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <string>

#include "outdial/telephony/telnyx/webhook_verifier.hpp"

namespace outdial::testing::telnyx {

inline std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

inline const std::string kRfcSeedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
inline const std::string kRfcPublicKeyB64 = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

struct Signer {
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  explicit Signer(const std::string& seed_hex = kRfcSeedHex) {
    if (sodium_init() < 0) std::abort();
    const std::string seed = from_hex(seed_hex);
    crypto_sign_seed_keypair(pk.data(), sk.data(), reinterpret_cast<const unsigned char*>(seed.data()));
  }
  std::string sign_raw(const std::string& message) const {
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         sk.data());
    return std::string(reinterpret_cast<const char*>(sig.data()), sig.size());
  }
  std::string sign(const std::string& timestamp, const std::string& body) const {
    return outdial::telephony::telnyx::base64_encode(sign_raw(timestamp + "|" + body));
  }
  std::string public_key_b64() const {
    return outdial::telephony::telnyx::base64_encode(std::string(reinterpret_cast<const char*>(pk.data()), pk.size()));
  }
};

}  // namespace outdial::testing::telnyx
