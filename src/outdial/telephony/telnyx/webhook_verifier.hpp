#pragma once
// Telnyx webhook signatures (provider-contracts.md §5.4): Ed25519 over the bytes
// "<telnyx-timestamp>|<raw body>", checked with the account's public key (base64 of 32 raw
// bytes). The timestamp must be within 300 s of now in either direction (current SDKs).
#include <array>
#include <chrono>
#include <string>
#include <string_view>

#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"

namespace outdial::telephony::telnyx {

inline constexpr const char* kSignatureHeader = "telnyx-signature-ed25519";
inline constexpr const char* kTimestampHeader = "telnyx-timestamp";
inline constexpr std::chrono::seconds kSignatureTolerance{300};

// Standard base64 (padded) <-> bytes, via libsodium. decode returns false on bad input.
std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string& out);

// Thread-safe (immutable after create()).
class WebhookVerifier {
 public:
  // kInvalidArgument when the key is not base64 of exactly 32 bytes.
  static Result<WebhookVerifier> create(const std::string& public_key_base64, const Clock& clock);

  // ok when `signature_base64` is a valid Ed25519 signature of "<timestamp>|<body>" and
  // |now - timestamp| <= 300 s. kUnauthenticated otherwise, with details["reason"] one of
  // missing_signature, missing_timestamp, bad_timestamp, stale_timestamp, bad_signature_encoding,
  // bad_signature. `body` must be the raw bytes as received.
  Status verify(std::string_view signature_base64, std::string_view timestamp, std::string_view body) const;
  // verify()'s checks that need neither the key nor the body (headers present, timestamp within
  // 300 s, signature base64 of 64 bytes): cheap, to run before anything chooses a key. Same errors.
  Status check_envelope(std::string_view signature_base64, std::string_view timestamp) const;

 private:
  WebhookVerifier(std::array<unsigned char, 32> key, const Clock& clock) : key_(key), clock_(&clock) {}
  std::array<unsigned char, 32> key_;
  const Clock* clock_;
};

}  // namespace outdial::telephony::telnyx
