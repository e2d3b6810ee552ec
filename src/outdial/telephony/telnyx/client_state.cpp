#include "outdial/telephony/telnyx/client_state.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "outdial/telephony/telnyx/webhook_verifier.hpp"

namespace outdial::telephony::telnyx {

Result<std::shared_ptr<const ClientStateKey>> ClientStateKey::from_raw(std::string_view key) {
  if (key.size() != kKeyBytes) {
    return make_error(ErrorCode::kInvalidArgument, "client_state key must be 32 bytes",
                      {{"length", std::to_string(key.size())}});
  }
  std::shared_ptr<ClientStateKey> k(new ClientStateKey());
  std::copy(key.begin(), key.end(), k->key_.begin());
  return std::shared_ptr<const ClientStateKey>(std::move(k));
}

ClientStateKey::~ClientStateKey() { sodium_memzero(key_.data(), key_.size()); }

std::string ClientStateKey::mac(std::string_view message) const {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> out{};
  crypto_auth_hmacsha256(out.data(), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         key_.data());
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

std::string encode_client_state(const ClientState& s, const ClientStateKey* key) {
  nlohmann::json j{{"k", s.idempotency_key}, {"a", s.attempt_id}, {"t", s.tenant_id}, {"c", s.campaign_id},
                   {"m", s.machine_detection}};
  if (!s.step.empty()) j["s"] = s.step;
  if (!s.parent_call_control_id.empty()) j["p"] = s.parent_call_control_id;
  if (key != nullptr) j["h"] = base64_encode(key->mac(j.dump()));
  return base64_encode(j.dump());
}

bool client_state_authentic(const std::string& base64, const ClientStateKey& key) {
  std::string raw;
  if (base64.empty() || !base64_decode(base64, raw)) return false;
  auto j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  const auto h = j.find("h");
  if (h == j.end() || !h->is_string()) return false;
  std::string given;
  if (!base64_decode(h->get<std::string>(), given) || given.size() != crypto_auth_hmacsha256_BYTES) return false;
  j.erase("h");
  const std::string expected = key.mac(j.dump());
  return sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

std::optional<ClientState> decode_client_state(const std::string& base64) {
  if (base64.empty()) return std::nullopt;
  std::string raw;
  if (!base64_decode(base64, raw)) return std::nullopt;
  const auto j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto k = j.find("k");
  if (k == j.end() || !k->is_string() || k->get<std::string>().empty()) return std::nullopt;
  ClientState s;
  s.idempotency_key = k->get<std::string>();
  auto int_of = [&](const char* name) -> std::int64_t {
    auto it = j.find(name);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
  };
  s.attempt_id = int_of("a");
  s.tenant_id = int_of("t");
  s.campaign_id = int_of("c");
  if (auto it = j.find("m"); it != j.end() && it->is_boolean()) s.machine_detection = it->get<bool>();
  if (auto it = j.find("s"); it != j.end() && it->is_string()) s.step = it->get<std::string>();
  if (auto it = j.find("p"); it != j.end() && it->is_string()) s.parent_call_control_id = it->get<std::string>();
  return s;
}

}  // namespace outdial::telephony::telnyx
