#include "outdial/telephony/telnyx/webhook_verifier.hpp"

#include <gtest/gtest.h>

#include "unit/telnyx/signing.hpp"

namespace outdial::telephony::telnyx {
namespace {

using outdial::testing::telnyx::from_hex;
using outdial::testing::telnyx::kRfcPublicKeyB64;
using outdial::testing::telnyx::Signer;

// provider-contracts.md §5.4, verbatim.
const std::string kBody =
    R"({"data":{"event_type":"call.answered","id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0","occurred_at":"2023-11-14T22:13:20.000000Z","payload":{"call_control_id":"v3:test","call_leg_id":"leg-1","call_session_id":"sess-1","client_state":"eyJqb2IiOjF9","connection_id":"1234567890","from":"+15550001111","to":"+15550002222","state":"answered"},"record_type":"event"},"meta":{"attempt":1,"delivered_to":"https://example.test/telnyx"}})";
const std::string kTimestamp = "1700000000";
const std::string kSignature =
    "1lb9wE0DfxcsS+OrUwBajfntN7rgdJb7IsLS6gnRg7b/V0Gj0PeqRVVPKJcibcwYEHpa8nAECucLc9T/p+K5DA==";

class VerifierTest : public ::testing::Test {
 protected:
  ManualClock clock{from_epoch_ms(1'700'000'000'000)};
  WebhookVerifier verifier() { return WebhookVerifier::create(kRfcPublicKeyB64, clock).value(); }
};

TEST_F(VerifierTest, DerivedVectorBodyIs424Bytes) { EXPECT_EQ(kBody.size(), 424u); }

TEST_F(VerifierTest, Rfc8032EmptyMessageSanity) {
  Signer s;
  EXPECT_EQ(s.public_key_b64(), kRfcPublicKeyB64);
  EXPECT_EQ(s.sign_raw(""),
            from_hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
                     "d25bf5f0595bbe24655141438e7a100b"));
}

TEST_F(VerifierTest, DerivedVectorVerifies) {
  EXPECT_TRUE(verifier().verify(kSignature, kTimestamp, kBody));
  EXPECT_EQ(Signer().sign(kTimestamp, kBody), kSignature);  // our signer reproduces it too
}

TEST_F(VerifierTest, TamperedBodyFails) {
  std::string body = kBody;
  body[body.find("answered")] = 'A';
  auto r = verifier().verify(kSignature, kTimestamp, body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.error().details.at("reason"), "bad_signature");
  EXPECT_FALSE(verifier().verify(kSignature, kTimestamp, kBody + "\n"));
}

TEST_F(VerifierTest, TamperedTimestampFails) {
  auto r = verifier().verify(kSignature, "1700000001", kBody);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details.at("reason"), "bad_signature");
}

TEST_F(VerifierTest, ToleranceIs300SecondsBothWays) {
  clock.set(from_epoch_ms(1'700'000'300'000));
  EXPECT_TRUE(verifier().verify(kSignature, kTimestamp, kBody));
  clock.set(from_epoch_ms(1'700'000'301'000));
  auto r = verifier().verify(kSignature, kTimestamp, kBody);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details.at("reason"), "stale_timestamp");
  clock.set(from_epoch_ms(1'699'999'700'000));
  EXPECT_TRUE(verifier().verify(kSignature, kTimestamp, kBody));
  clock.set(from_epoch_ms(1'699'999'699'000));
  EXPECT_FALSE(verifier().verify(kSignature, kTimestamp, kBody));  // too far in the future
}

TEST_F(VerifierTest, MissingOrMalformedHeaders) {
  EXPECT_EQ(verifier().verify("", kTimestamp, kBody).error().details.at("reason"), "missing_signature");
  EXPECT_EQ(verifier().verify(kSignature, "", kBody).error().details.at("reason"), "missing_timestamp");
  EXPECT_EQ(verifier().verify(kSignature, "17e8", kBody).error().details.at("reason"), "bad_timestamp");
  EXPECT_EQ(verifier().verify("not base64!", kTimestamp, kBody).error().details.at("reason"),
            "bad_signature_encoding");
  EXPECT_EQ(verifier().verify("AAAA", kTimestamp, kBody).error().details.at("reason"), "bad_signature_encoding");
}

TEST_F(VerifierTest, OtherKeyFails) {
  Signer other("0000000000000000000000000000000000000000000000000000000000000001");
  EXPECT_FALSE(verifier().verify(other.sign(kTimestamp, kBody), kTimestamp, kBody));
}

TEST_F(VerifierTest, BadPublicKeyIsRejectedAtCreate) {
  auto r = WebhookVerifier::create("AAAA", clock);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(WebhookVerifier::create("%%%", clock));
}

}  // namespace
}  // namespace outdial::telephony::telnyx
