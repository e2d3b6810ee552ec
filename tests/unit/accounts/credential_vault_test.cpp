#include "outdial/accounts/credential_vault.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "outdial/accounts/credentials.hpp"

namespace outdial::accounts {
namespace {

// NaCl / libsodium secretbox test vector (libsodium test/default/secretbox_easy.c + .exp; the
// same vector as in Bernstein's "Cryptography in NaCl", §10).
constexpr const char* kKeyHex = "1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389";
constexpr const char* kNonceHex = "69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37";
constexpr const char* kMessageHex =
    "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c61296cdc3c01"
    "233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd49"
    "24ca1c60902e52f0a089bc76897040e082f937763848645e0705";
constexpr const char* kBoxHex =  // MAC (16 bytes) || ciphertext (131 bytes)
    "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186ac0dfc17c98"
    "dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6b"
    "b3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5";

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string b64(const std::string& bin) {
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bin.data()), bin.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

std::string unb64(const std::string& text) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                              nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL),
            0);
  out.resize(len);
  return out;
}

CredentialVault vault_from_hex(const std::string& hex) {
  auto v = CredentialVault::from_key_text(hex, "test");
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message);
  return std::move(v).value();
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("outdial_vault_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

TEST(CredentialVault, SealsThePublishedSecretboxVector) {
  const CredentialVault vault = vault_from_hex(kKeyHex);
  std::array<unsigned char, CredentialVault::kNonceBytes> nonce{};
  const std::string nonce_bytes = unhex(kNonceHex);
  std::copy(nonce_bytes.begin(), nonce_bytes.end(), nonce.begin());
  auto sealed = vault.seal_with_nonce(unhex(kMessageHex), nonce);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(*sealed, "v1." + b64(nonce_bytes + unhex(kBoxHex)));
}

TEST(CredentialVault, OpensThePublishedSecretboxVector) {
  const CredentialVault vault = vault_from_hex(kKeyHex);
  auto plain = vault.open("v1." + b64(unhex(kNonceHex) + unhex(kBoxHex)));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(*plain, unhex(kMessageHex));
}

TEST(CredentialVault, RoundTripUsesAFreshNonceEachTime) {
  const CredentialVault vault = vault_from_hex(kKeyHex);
  const std::string secret = "auth-token-0123456789abcdef";
  auto a = vault.seal(secret);
  auto b = vault.seal(secret);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->find(secret), std::string::npos);
  EXPECT_EQ(unb64(a->substr(3)).size(), CredentialVault::kNonceBytes + CredentialVault::kMacBytes + secret.size());
  EXPECT_EQ(*vault.open(*a), secret);
  EXPECT_EQ(*vault.open(*b), secret);
  auto empty = vault.seal("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*vault.open(*empty), "");
}

TEST(CredentialVault, WrongKeyIsUnauthenticatedAndRevealsNothing) {
  const CredentialVault vault = vault_from_hex(kKeyHex);
  const CredentialVault other = vault_from_hex(std::string(64, 'a'));
  const std::string secret = "super-secret-token";
  auto sealed = vault.seal(secret);
  ASSERT_TRUE(sealed.ok());
  auto r = other.open(*sealed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.error().message.find(secret), std::string::npos);
  EXPECT_EQ(r.error().message.find(*sealed), std::string::npos);
}

TEST(CredentialVault, EveryTamperedByteIsRejected) {
  const CredentialVault vault = vault_from_hex(kKeyHex);
  auto sealed = vault.seal("token-xyz");
  ASSERT_TRUE(sealed.ok());
  const std::string raw = unb64(sealed->substr(3));
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string bad = raw;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto r = vault.open("v1." + b64(bad));
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << "byte " << i;
  }
  // Truncated and extended boxes fail too.
  EXPECT_FALSE(vault.open("v1." + b64(raw.substr(0, raw.size() - 1))).ok());
  EXPECT_FALSE(vault.open("v1." + b64(raw + "x")).ok());
}

TEST(CredentialVault, MalformedBlobsAreInvalidArgument) {
  const CredentialVault vault = vault_from_hex(kKeyHex);
  for (const std::string& blob :
       {std::string(), std::string("plain-text-token"), std::string("v2.AAAA"), std::string("v1.!!!"),
        "v1." + b64("short")}) {
    auto r = vault.open(blob);
    ASSERT_FALSE(r.ok()) << blob;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << blob;
  }
}

TEST(CredentialVault, KeyTextAcceptsHexAndBase64) {
  const std::string key = unhex(kKeyHex);
  auto from_hex = CredentialVault::from_key_text(std::string("  ") + kKeyHex + "\n", "k");
  auto from_b64 = CredentialVault::from_key_text(b64(key), "k");
  std::string unpadded = b64(key);
  while (unpadded.back() == '=') unpadded.pop_back();
  auto from_b64_nopad = CredentialVault::from_key_text(unpadded, "k");
  auto from_raw = CredentialVault::from_raw_key(key);
  ASSERT_TRUE(from_hex.ok() && from_b64.ok() && from_b64_nopad.ok() && from_raw.ok());
  auto sealed = from_hex->seal("x");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(*from_b64->open(*sealed), "x");
  EXPECT_EQ(*from_b64_nopad->open(*sealed), "x");
  EXPECT_EQ(*from_raw->open(*sealed), "x");
}

TEST(CredentialVault, WrongKeyLengthsAreClearErrors) {
  for (const std::string& text : {std::string(62, 'a'), std::string(66, 'a'), b64(std::string(16, 'k')),
                                  b64(std::string(33, 'k')), std::string("not a key!"), std::string("   ")}) {
    auto r = CredentialVault::from_key_text(text, kSecretKeyEnv);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(kSecretKeyEnv), std::string::npos) << r.error().message;
    if (text.size() > 4) {
      EXPECT_EQ(r.error().message.find(text), std::string::npos) << "key echoed";
    }
  }
  auto raw = CredentialVault::from_raw_key("short");
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.error().code, ErrorCode::kInvalidArgument);
}

// derive_key is libsodium's crypto_kdf: keyed BLAKE2b-256 of nothing, salt = the subkey id
// (little-endian, zero-padded to 16 bytes), personalization = the 8-byte context (zero-padded).
TEST(CredentialVault, DerivedKeysAreTheKdfsAndIndependentPerPurpose) {
  const std::string master(32, 'm');
  auto v = CredentialVault::from_raw_key(master);
  ASSERT_TRUE(v.ok());
  const std::string k = v->derive_key(1, "txclstat");
  ASSERT_EQ(k.size(), 32u);
  std::array<unsigned char, 16> salt{};
  salt[0] = 1;
  std::array<unsigned char, 16> personal{};
  const std::string ctx = "txclstat";
  std::copy(ctx.begin(), ctx.end(), personal.begin());
  std::string expected(32, '\0');
  ASSERT_EQ(crypto_generichash_blake2b_salt_personal(reinterpret_cast<unsigned char*>(expected.data()), 32, nullptr, 0,
                                                     reinterpret_cast<const unsigned char*>(master.data()), 32,
                                                     salt.data(), personal.data()),
            0);
  EXPECT_EQ(k, expected);
  EXPECT_EQ(v->derive_key(1, "txclstat"), k);
  EXPECT_NE(v->derive_key(2, "txclstat"), k);
  EXPECT_NE(v->derive_key(1, "otherctx"), k);
  EXPECT_NE(CredentialVault::from_raw_key(std::string(32, 'n'))->derive_key(1, "txclstat"), k);
  EXPECT_EQ(k.find(master.substr(0, 8)), std::string::npos);
}

TEST(CredentialVault, KeyFromEnvironment) {
  auto v = CredentialVault::from_environment(env_of({{kSecretKeyEnv, kKeyHex}}));
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto sealed = vault_from_hex(kKeyHex).seal("abc");
  EXPECT_EQ(*v->open(*sealed), "abc");

  auto missing = CredentialVault::from_environment(env_of({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(missing.error().message.find(kSecretKeyEnv), std::string::npos);
  EXPECT_NE(missing.error().message.find(kSecretKeyFileEnv), std::string::npos);

  auto both = CredentialVault::from_environment(env_of({{kSecretKeyEnv, kKeyHex}, {kSecretKeyFileEnv, "/x"}}));
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code, ErrorCode::kInvalidArgument);

  auto bad = CredentialVault::from_environment(env_of({{kSecretKeyEnv, "abcd"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);

  // The real process environment too.
  ::setenv(kSecretKeyEnv, kKeyHex, 1);
  auto real = CredentialVault::from_environment();
  ::unsetenv(kSecretKeyEnv);
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(*real->open(*sealed), "abc");
}

TEST(CredentialVault, KeyFromFile) {
  const std::string text_path = temp_path("text.key");
  const std::string raw_path = temp_path("raw.key");
  {
    std::ofstream(text_path) << b64(unhex(kKeyHex)) << "\n";
    std::ofstream(raw_path, std::ios::binary) << unhex(kKeyHex);
  }
  auto sealed = vault_from_hex(kKeyHex).seal("from-file");
  auto a = CredentialVault::from_environment(env_of({{kSecretKeyFileEnv, text_path}}));
  auto b = CredentialVault::from_key_file(raw_path);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(*a->open(*sealed), "from-file");
  EXPECT_EQ(*b->open(*sealed), "from-file");

  auto missing = CredentialVault::from_key_file(temp_path("absent.key"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(missing.error().message.find("absent.key"), std::string::npos);

  { std::ofstream(text_path) << "0123"; }
  auto short_key = CredentialVault::from_key_file(text_path);
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().code, ErrorCode::kInvalidArgument);
  std::filesystem::remove(text_path);
  std::filesystem::remove(raw_path);
}

TEST(Credentials, SealedPerProviderWithRequiredFields) {
  const CredentialVault vault = vault_from_hex(kKeyHex);
  auto ok = seal_credentials(vault, ProviderKind::kTwilio, {{"auth_token", "tok-123"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->find("tok-123"), std::string::npos);
  auto opened = open_credentials(vault, *ok);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->at("auth_token"), "tok-123");

  auto missing = seal_credentials(vault, ProviderKind::kTwilio, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().details.at("field"), "credentials.auth_token");
  auto empty = seal_credentials(vault, ProviderKind::kTelnyx, {{"api_key", ""}});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().details.at("field"), "credentials.api_key");
  auto unknown = seal_credentials(vault, ProviderKind::kTelnyx, {{"api_key", "k"}, {"pasword", "secret-value"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().details.at("field"), "credentials.pasword");
  EXPECT_EQ(unknown.error().message.find("secret-value"), std::string::npos);
  EXPECT_TRUE(seal_credentials(vault, ProviderKind::kSim, {}).ok());
}

TEST(Credentials, TelnyxTakesTheAccountsWebhookPublicKeyOptionally) {
  const CredentialVault vault = vault_from_hex(kKeyHex);
  // RFC 8032 §7.1 TEST 1 public key (provider-contracts.md §5.4).
  const std::string pk = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
  auto ok = seal_credentials(vault, ProviderKind::kTelnyx, {{"api_key", "KEY-1"}, {"public_key", pk}});
  ASSERT_TRUE(ok.ok());
  auto opened = open_credentials(vault, *ok);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->at("public_key"), pk);
  EXPECT_TRUE(seal_credentials(vault, ProviderKind::kTelnyx, {{"api_key", "KEY-1"}}).ok());
  for (const std::string& bad : {std::string("not base64!"), pk.substr(0, 40), std::string("AAAA"), pk + "AAAA"}) {
    auto r = seal_credentials(vault, ProviderKind::kTelnyx, {{"api_key", "KEY-SECRET-9"}, {"public_key", bad}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().details.at("field"), "credentials.public_key");
    EXPECT_EQ(r.error().message.find("KEY-SECRET-9"), std::string::npos);
  }
  // Only Telnyx accounts have one.
  auto twilio = seal_credentials(vault, ProviderKind::kTwilio, {{"auth_token", "t"}, {"public_key", pk}});
  ASSERT_FALSE(twilio.ok());
  EXPECT_EQ(twilio.error().details.at("field"), "credentials.public_key");
}

}  // namespace
}  // namespace outdial::accounts
