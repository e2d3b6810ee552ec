#include "outdial/telephony/telnyx/webhook_verifier.hpp"

#include <sodium.h>

#include <charconv>
#include <cstdint>
#include <cstring>

namespace outdial::telephony::telnyx {

namespace {

bool sodium_ready() {
  // sodium_init() is idempotent and thread-safe; <0 only when no randomness source exists,
  // which verification does not need, but the library still wants it called once.
  static const bool ok = sodium_init() >= 0;
  return ok;
}

Error unauthenticated(const std::string& reason, std::string message) {
  return make_error(ErrorCode::kUnauthenticated, std::move(message), {{"reason", reason}});
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  (void)sodium_ready();
  const std::size_t n = sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(n, '\0');
  sodium_bin2base64(out.data(), n, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  (void)sodium_ready();
  out.assign(text.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
    return false;
  if (end != text.data() + text.size()) return false;  // trailing garbage
  out.resize(len);
  return true;
}

Result<WebhookVerifier> WebhookVerifier::create(const std::string& public_key_base64, const Clock& clock) {
  std::string raw;
  if (!base64_decode(public_key_base64, raw) || raw.size() != crypto_sign_PUBLICKEYBYTES)
    return make_error(ErrorCode::kInvalidArgument,
                      "Telnyx public key must be base64 of 32 bytes (Mission Control > Keys & Credentials)",
                      {{"field", "OUTDIAL_TELNYX_PUBLIC_KEY"}});
  std::array<unsigned char, 32> key{};
  std::memcpy(key.data(), raw.data(), key.size());
  return WebhookVerifier(key, clock);
}

Status WebhookVerifier::check_envelope(std::string_view signature_base64, std::string_view timestamp) const {
  if (signature_base64.empty()) return unauthenticated("missing_signature", "telnyx-signature-ed25519 header missing");
  if (timestamp.empty()) return unauthenticated("missing_timestamp", "telnyx-timestamp header missing");
  std::int64_t ts = 0;
  const auto [ptr, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc() || ptr != timestamp.data() + timestamp.size())
    return unauthenticated("bad_timestamp", "telnyx-timestamp is not Unix seconds");
  const std::int64_t now_s = to_epoch_ms(clock_->now()) / 1000;
  const std::int64_t skew = now_s > ts ? now_s - ts : ts - now_s;
  if (skew > kSignatureTolerance.count())
    return unauthenticated("stale_timestamp", "telnyx-timestamp is more than 300 s from now");
  std::string sig;
  if (!base64_decode(signature_base64, sig) || sig.size() != crypto_sign_BYTES)
    return unauthenticated("bad_signature_encoding", "telnyx-signature-ed25519 is not base64 of 64 bytes");
  return ok_status();
}

Status WebhookVerifier::verify(std::string_view signature_base64, std::string_view timestamp,
                               std::string_view body) const {
  if (auto st = check_envelope(signature_base64, timestamp); !st) return st;
  std::string sig;
  (void)base64_decode(signature_base64, sig);  // well-formed: checked above
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(1, '|').append(body);
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                  key_.data()) != 0)
    return unauthenticated("bad_signature", "Telnyx webhook signature does not verify");
  return ok_status();
}

}  // namespace outdial::telephony::telnyx
