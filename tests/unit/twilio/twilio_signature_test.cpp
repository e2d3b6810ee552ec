// Every vector of docs/provider-contracts.md §3 (twilio-python test_request_validator.py and
// twilio-node spec/validation.spec.js), plus the negative cases a validator must refuse.
#include "outdial/telephony/twilio/twilio_signature.hpp"

#include <gtest/gtest.h>

namespace outdial::telephony::twilio {
namespace {

const std::string kToken = "12345";
const std::string kUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
const FormParams kParams = {{"CallSid", "CA1234567890ABCDE"},
                            {"Caller", "+14158675309"},
                            {"Digits", "1234"},
                            {"From", "+14158675309"},
                            {"To", "+18005551212"}};
const std::string kBody = R"({"property": "value", "boolean": true})";
const std::string kBodyHash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";

// Vector 1: base case, and the derived string-to-sign.
TEST(TwilioSignature, V1BaseCase) {
  EXPECT_EQ(compute_signature(kToken, kUrl, kParams), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  EXPECT_EQ(compute_signature(kToken,
                              "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309"
                              "Digits1234From+14158675309To+18005551212",
                              {}),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  EXPECT_TRUE(validate_signature(kToken, kUrl, kParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  // Arrival order does not matter: names are sorted (CallSid before Caller: byte order).
  FormParams reversed(kParams.rbegin(), kParams.rend());
  EXPECT_EQ(compute_signature(kToken, kUrl, reversed), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

TEST(TwilioSignature, WrongOrMissingSignatureFails) {
  EXPECT_FALSE(validate_signature(kToken, kUrl, kParams, "WRONG_SIGNATURE"));
  EXPECT_FALSE(validate_signature(kToken, kUrl, kParams, ""));
  EXPECT_FALSE(validate_signature("54321", kUrl, kParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  FormParams tampered = kParams;
  tampered[2].second = "2";
  EXPECT_FALSE(validate_signature(kToken, kUrl, tampered, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  EXPECT_FALSE(validate_signature(kToken, kUrl + "&somethingUnexpected=true", kParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

// Vector 2: an https URL with a port validates against the signature of the port-less URL.
TEST(TwilioSignature, V2HttpsPortRemoved) {
  EXPECT_TRUE(validate_signature(kToken, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", kParams,
                                 "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

// Vector 3: http with a non-default port kept.
TEST(TwilioSignature, V3HttpWithPort) {
  const std::string url = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
  EXPECT_EQ(compute_signature(kToken, url, kParams), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=");
  EXPECT_TRUE(validate_signature(kToken, url, kParams, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="));
}

// Vector 4: https without a port validates a signature made with :443 added.
TEST(TwilioSignature, V4HttpsDefaultPortAdded) {
  EXPECT_EQ(compute_signature(kToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", kParams),
            "kvajT1Ptam85bY51eRf/AJRuM3w=");
  EXPECT_TRUE(validate_signature(kToken, kUrl, kParams, "kvajT1Ptam85bY51eRf/AJRuM3w="));
  // ...and the other way round: a request to :443 validates the port-less signature.
  EXPECT_TRUE(validate_signature(kToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", kParams,
                                 "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

// Vector 5: http without a port validates a signature made with :80 added.
TEST(TwilioSignature, V5HttpDefaultPortAdded) {
  EXPECT_EQ(compute_signature(kToken, "http://mycompany.com:80/myapp.php?foo=1&bar=2", kParams),
            "0ZXoZLH/DfblKGATFgpif+LLRf4=");
  EXPECT_TRUE(validate_signature(kToken, "http://mycompany.com/myapp.php?foo=1&bar=2", kParams,
                                 "0ZXoZLH/DfblKGATFgpif+LLRf4="));
}

// Vector 6: repeated values are deduplicated and sorted.
TEST(TwilioSignature, V6RepeatedValues) {
  const FormParams params = {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"},
                             {"Digits", "1234"}, {"Digits", "1234"}};
  EXPECT_EQ(compute_signature(kToken, kUrl, params), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  EXPECT_TRUE(validate_signature(kToken, kUrl, params, "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
}

// Vector 7: body hash.
TEST(TwilioSignature, V7BodyHash) {
  EXPECT_EQ(body_sha256_hex(kBody), kBodyHash);
  EXPECT_EQ(body_sha256_hex("{}"), "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
}

// Vector 8: JSON body: the URL with bodySHA256 is signed, no params appended.
TEST(TwilioSignature, V8JsonBody) {
  const std::string url = kUrl + "&bodySHA256=" + kBodyHash;
  EXPECT_EQ(compute_signature(kToken, url, {}), "a9nBmqA0ju/hNViExpshrM61xv4=");
  EXPECT_EQ(validate_json_signature(kToken, url, kBody, "a9nBmqA0ju/hNViExpshrM61xv4="), SignatureVerdict::kValid);
  EXPECT_EQ(validate_request(kToken, url, "application/json", kBody, "a9nBmqA0ju/hNViExpshrM61xv4="),
            SignatureVerdict::kValid);
  // A changed body fails even with the right signature (the hash in the URL no longer matches).
  EXPECT_EQ(validate_json_signature(kToken, url, kBody + " ", "a9nBmqA0ju/hNViExpshrM61xv4="),
            SignatureVerdict::kBodyHashMismatch);
  // A wrong hash in the URL changes the signed URL too (twilio-node: slice(0, -1)).
  EXPECT_EQ(validate_request(kToken, url.substr(0, url.size() - 1), "application/json", kBody,
                             "a9nBmqA0ju/hNViExpshrM61xv4="),
            SignatureVerdict::kMismatch);
}

// twilio-node: empty JSON body; its signature matches only the :443 variant.
TEST(TwilioSignature, NodeEmptyJsonBody) {
  const std::string hash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
  const std::string url = kUrl + "&bodySHA256=" + hash;
  EXPECT_NE(compute_signature(kToken, url, {}), "Ldidvp12m26NI7eqEvxnEpkd9Hc=");
  EXPECT_EQ(compute_signature(kToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256=" + hash, {}),
            "Ldidvp12m26NI7eqEvxnEpkd9Hc=");
  EXPECT_EQ(validate_json_signature(kToken, url, "{}", "Ldidvp12m26NI7eqEvxnEpkd9Hc="), SignatureVerdict::kValid);
}

// twilio-node: only the body-hash parameter in the query.
TEST(TwilioSignature, NodeOnlyBodyHashParam) {
  const std::string url = "https://mycompany.com/myapp.php?bodySHA256=" + kBodyHash;
  EXPECT_EQ(validate_json_signature(kToken, url, kBody, "y77kIzt2vzLz71DgmJGsen2scGs="), SignatureVerdict::kValid);
}

// twilio-node: a body without bodySHA256 is refused.
TEST(TwilioSignature, NodeBodyWithoutHashParamFails) {
  EXPECT_EQ(validate_json_signature(kToken, kUrl, kBody, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
            SignatureVerdict::kBodyWithoutHash);
  EXPECT_EQ(validate_request(kToken, kUrl, "application/json", kBody, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
            SignatureVerdict::kBodyWithoutHash);
}

// twilio-node: credentials in the URL are part of what is signed.
TEST(TwilioSignature, NodeCredentialsInUrl) {
  const std::string url = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2";
  EXPECT_EQ(compute_signature(kToken, url, kParams), "CukzLTc1tT5dXEDIHm/tKBanW10=");
  EXPECT_TRUE(validate_signature(kToken, url, kParams, "CukzLTc1tT5dXEDIHm/tKBanW10="));
}

TEST(TwilioSignature, NodeUsernameOnly) {
  const std::string url = "https://user@mycompany.com/myapp.php?foo=1&bar=2";
  EXPECT_EQ(compute_signature(kToken, url, kParams), "2YRLlVAflCqxaNicjMpJcSTgzSs=");
  EXPECT_TRUE(validate_signature(kToken, url, kParams, "2YRLlVAflCqxaNicjMpJcSTgzSs="));
}

TEST(TwilioSignature, NodeCredentialsWithDefaultPortAdded) {
  const std::string url = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2";
  EXPECT_EQ(compute_signature(kToken, "https://user:pass@mycompany.com:443/myapp.php?foo=1&bar=2", kParams),
            "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=");
  EXPECT_TRUE(validate_signature(kToken, url, kParams, "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="));
}

// twilio-node: ' in the query; Node's URL serializer signs it as %27. Both the raw form
// (older spec's dsq4…) and the %27 form validate.
TEST(TwilioSignature, NodeSpecialCharactersPercent27) {
  const std::string url = kUrl + "&Body=It's+amazing";
  EXPECT_EQ(compute_signature(kToken, kUrl + "&Body=It%27s+amazing", kParams), "TfZzewPq8wqrGlMfyAud8+/IvJ0=");
  EXPECT_TRUE(validate_signature(kToken, url, kParams, "TfZzewPq8wqrGlMfyAud8+/IvJ0="));
  EXPECT_TRUE(validate_signature(kToken, url, kParams, "dsq4Ehbj6cs+KdTkpF5sSSplOWw="));
  EXPECT_TRUE(validate_signature(kToken, kUrl + "&Body=It%27s+amazing", kParams, "TfZzewPq8wqrGlMfyAud8+/IvJ0="));
}

// twilio-node: an array value, in either order.
TEST(TwilioSignature, NodeArrayValueEitherOrder) {
  const FormParams a = {{"MessagingBinding.Address", "+1325xxxxxxx"}, {"MessagingBinding.Address", "+1415xxxxxxx"}};
  const FormParams b = {{"MessagingBinding.Address", "+1415xxxxxxx"}, {"MessagingBinding.Address", "+1325xxxxxxx"}};
  EXPECT_EQ(compute_signature(kToken, kUrl, a), "83O6e2vORAoJHUNzJjDWN1jz+BA=");
  EXPECT_EQ(compute_signature(kToken, kUrl, b), "83O6e2vORAoJHUNzJjDWN1jz+BA=");
  EXPECT_TRUE(validate_signature(kToken, kUrl, b, "83O6e2vORAoJHUNzJjDWN1jz+BA="));
}

TEST(TwilioSignature, UrlVariants) {
  EXPECT_EQ(signature_url_variants("https://a.example/p?x=1"),
            (std::vector<std::string>{"https://a.example/p?x=1", "https://a.example:443/p?x=1"}));
  EXPECT_EQ(signature_url_variants("http://a.example:8080/p"),
            (std::vector<std::string>{"http://a.example:8080/p", "http://a.example/p"}));
  EXPECT_EQ(signature_url_variants("https://u:p@[::1]:443/p"),
            (std::vector<std::string>{"https://u:p@[::1]:443/p", "https://u:p@[::1]/p"}));
}

TEST(TwilioSignature, ValidateRequestParsesTheFormBody) {
  const std::string body =
      "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212";
  EXPECT_EQ(validate_request(kToken, kUrl, "application/x-www-form-urlencoded; charset=utf-8", body,
                             "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
            SignatureVerdict::kValid);
  EXPECT_EQ(validate_request(kToken, kUrl, "application/x-www-form-urlencoded", body + "&Extra=1",
                             "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
            SignatureVerdict::kMismatch);
  EXPECT_EQ(validate_request(kToken, kUrl, "application/x-www-form-urlencoded", body, ""), SignatureVerdict::kMissing);
  EXPECT_EQ(validate_request(kToken, kUrl, "application/x-www-form-urlencoded", "a=%G1", "x"),
            SignatureVerdict::kMalformed);
}

TEST(TwilioSignature, ParseFormDecodesAndKeepsRepeats) {
  auto r = parse_form("A=1&B=a+b%21&A=2&&C");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (FormParams{{"A", "1"}, {"B", "a b!"}, {"A", "2"}, {"C", ""}}));
  auto bad = parse_form("ok=1&Digits=%4");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().details.at("field"), "Digits");
}

}  // namespace
}  // namespace outdial::telephony::twilio
