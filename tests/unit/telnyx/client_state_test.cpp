// client_state authentication (ClientStateKey): HMAC-SHA-256 checked against RFC 4231 (a key
// shorter than the 64-byte block is zero-padded by HMAC, so "Jefe" and "Jefe" + 28 zero bytes are
// the same key), and what makes a client_state authentic.
#include "outdial/telephony/telnyx/client_state.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "outdial/telephony/telnyx/webhook_verifier.hpp"

namespace outdial::telephony::telnyx {
namespace {

std::string hex(const std::string& bytes) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

std::shared_ptr<const ClientStateKey> key_of(char fill) { return ClientStateKey::from_raw(std::string(32, fill)).value(); }

ClientState sample() {
  ClientState cs;
  cs.idempotency_key = "7:42:1";
  cs.attempt_id = 99;
  cs.tenant_id = 3;
  cs.campaign_id = 7;
  cs.step = "menu";
  return cs;
}

TEST(ClientStateKey, MacIsHmacSha256OfRfc4231) {
  // RFC 4231 test case 1: key 0x0b x 20, "Hi There".
  auto k1 = ClientStateKey::from_raw(std::string(20, '\x0b') + std::string(12, '\0')).value();
  EXPECT_EQ(hex(k1->mac("Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: key "Jefe".
  auto k2 = ClientStateKey::from_raw(std::string("Jefe") + std::string(28, '\0')).value();
  EXPECT_EQ(hex(k2->mac("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  auto short_key = ClientStateKey::from_raw("Jefe");
  ASSERT_FALSE(short_key);
  EXPECT_EQ(short_key.error().code, ErrorCode::kInvalidArgument);
}

TEST(ClientStateKey, OnlyTheStateMintedUnderTheKeyIsAuthentic) {
  auto key = key_of('k');
  const std::string minted = encode_client_state(sample(), key.get());
  EXPECT_TRUE(client_state_authentic(minted, *key));
  auto decoded = decode_client_state(minted);  // the MAC does not change what it says
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->tenant_id, 3);
  EXPECT_EQ(decoded->step, "menu");

  EXPECT_FALSE(client_state_authentic(encode_client_state(sample()), *key));           // no "h"
  EXPECT_FALSE(client_state_authentic(minted, *key_of('x')));                         // another key
  EXPECT_FALSE(client_state_authentic(encode_client_state(sample(), key_of('x').get()), *key));
  EXPECT_FALSE(client_state_authentic("", *key));
  EXPECT_FALSE(client_state_authentic("not base64!", *key));
  // Any field changed under the original "h": tenant, attempt, key, campaign, step, parent.
  std::string raw;
  ASSERT_TRUE(base64_decode(minted, raw));
  const auto original = nlohmann::json::parse(raw);
  const std::pair<const char*, nlohmann::json> edits[] = {{"t", 4},       {"a", 100},  {"k", "7:42:2"},
                                                          {"c", 8},       {"s", "x"},  {"p", "v3:other"},
                                                          {"m", true},    {"h", "AAAA"}};
  for (const auto& [field, value] : edits) {
    SCOPED_TRACE(field);
    auto j = original;
    j[field] = value;
    EXPECT_FALSE(client_state_authentic(base64_encode(j.dump()), *key));
  }
  EXPECT_TRUE(client_state_authentic(base64_encode(original.dump()), *key));
}

}  // namespace
}  // namespace outdial::telephony::telnyx
