#include "outdial/telephony/twilio/twilio_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "outdial/net/http_types.hpp"

namespace outdial::telephony::twilio {
namespace {

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // The length of a valid signature is public (28 base64 chars of a SHA-1); only the bytes are secret.
  if (a.size() != b.size() || a.empty()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct UrlParts {
  std::string prefix;    // "https://" (scheme as written)
  std::string scheme;    // lower-cased, without "://"
  std::string userinfo;  // "user:pass@" or ""
  std::string host;      // "example.com" or "[::1]"
  std::string port;      // "8443" or ""
  std::string rest;      // path, query, fragment
};

bool split_url(std::string_view url, UrlParts& out) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  out.prefix = std::string(url.substr(0, sep + 3));
  out.scheme = std::string(url.substr(0, sep));
  std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto auth_start = sep + 3;
  auto auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string_view::npos) auth_end = url.size();
  std::string_view authority = url.substr(auth_start, auth_end - auth_start);
  out.rest = std::string(url.substr(auth_end));
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    out.userinfo = std::string(authority.substr(0, at + 1));
    authority = authority.substr(at + 1);
  }
  std::size_t colon = std::string_view::npos;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return false;
      colon = close + 1;
    }
  } else {
    colon = authority.rfind(':');
  }
  if (colon != std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
    if (!std::all_of(out.port.begin(), out.port.end(), [](unsigned char c) { return std::isdigit(c); })) return false;
  } else {
    out.host = std::string(authority);
  }
  return !out.host.empty();
}

// twilio-node signs `new URL(url).toString()`: the WHATWG serializer percent-encodes these
// query bytes (the "special-query percent-encode set"), notably ' as %27.
std::string whatwg_query_form(std::string_view url) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return std::string(url);
  auto end = url.find('#', q);
  if (end == std::string_view::npos) end = url.size();
  static const char* hex = "0123456789ABCDEF";
  std::string out(url.substr(0, q + 1));
  for (std::size_t i = q + 1; i < end; ++i) {
    const auto c = static_cast<unsigned char>(url[i]);
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\'') {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.append(url.substr(end));
  return out;
}

// The value of `name` in the URL's query (decoded), if present.
std::optional<std::string> query_value(std::string_view url, std::string_view name) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  auto end = url.find('#', q);
  if (end == std::string_view::npos) end = url.size();
  std::string_view rest = url.substr(q + 1, end - q - 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    auto key = net::percent_decode(pair.substr(0, eq), true);
    if (key && *key == name) {
      return net::percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true)
          .value_or(std::string());
    }
  }
  return std::nullopt;
}

bool any_variant_matches(std::string_view auth_token, std::string_view url, const FormParams& params,
                         std::string_view signature) {
  bool match = false;
  // Every variant is computed and compared, so the time taken does not depend on which one matched.
  for (const auto& variant : signature_url_variants(url)) {
    match = constant_time_equal(compute_signature(auth_token, variant, params), signature) || match;
  }
  return match;
}

}  // namespace

std::string compute_signature(std::string_view auth_token, std::string_view url, const FormParams& params) {
  // name -> distinct values, both in byte order (std::string compares as unsigned char).
  std::map<std::string, std::set<std::string>> sorted;
  for (const auto& [k, v] : params) sorted[k].insert(v);
  std::string data(url);
  for (const auto& [name, values] : sorted) {
    for (const auto& value : values) {
      data += name;
      data += value;
    }
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return base64(mac, mac_len);
}

std::string body_sha256_hex(std::string_view body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char b : digest) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

std::vector<std::string> signature_url_variants(std::string_view url) {
  std::vector<std::string> out;
  auto add = [&out](std::string u) {
    if (std::find(out.begin(), out.end(), u) == out.end()) out.push_back(std::move(u));
  };
  UrlParts p;
  if (!split_url(url, p)) {
    add(std::string(url));
    add(whatwg_query_form(url));
    return out;
  }
  const std::string without_port = p.prefix + p.userinfo + p.host + p.rest;
  std::string with_port = std::string(url);
  if (p.port.empty()) {
    if (p.scheme == "https") with_port = p.prefix + p.userinfo + p.host + ":443" + p.rest;
    if (p.scheme == "http") with_port = p.prefix + p.userinfo + p.host + ":80" + p.rest;
  }
  add(std::string(url));
  add(without_port);
  add(with_port);
  add(whatwg_query_form(without_port));
  add(whatwg_query_form(with_port));
  return out;
}

const char* to_string(SignatureVerdict verdict) {
  switch (verdict) {
    case SignatureVerdict::kValid: return "valid";
    case SignatureVerdict::kMissing: return "missing X-Twilio-Signature";
    case SignatureVerdict::kMismatch: return "signature mismatch";
    case SignatureVerdict::kBodyHashMismatch: return "bodySHA256 does not match the body";
    case SignatureVerdict::kBodyWithoutHash: return "non-form body without bodySHA256";
    case SignatureVerdict::kMalformed: return "malformed URL or form body";
  }
  return "unknown";
}

bool validate_signature(std::string_view auth_token, std::string_view url, const FormParams& params,
                        std::string_view signature) {
  if (signature.empty()) return false;
  return any_variant_matches(auth_token, url, params, signature);
}

SignatureVerdict validate_json_signature(std::string_view auth_token, std::string_view url, std::string_view body,
                                         std::string_view signature) {
  if (signature.empty()) return SignatureVerdict::kMissing;
  const auto claimed = query_value(url, "bodySHA256");
  if (!claimed) return SignatureVerdict::kBodyWithoutHash;
  const bool sig_ok = any_variant_matches(auth_token, url, {}, signature);
  const bool hash_ok = constant_time_equal(body_sha256_hex(body), *claimed);
  if (!sig_ok) return SignatureVerdict::kMismatch;
  return hash_ok ? SignatureVerdict::kValid : SignatureVerdict::kBodyHashMismatch;
}

SignatureVerdict validate_request(std::string_view auth_token, std::string_view url, std::string_view content_type,
                                  std::string_view body, std::string_view signature) {
  if (signature.empty()) return SignatureVerdict::kMissing;
  if (query_value(url, "bodySHA256")) return validate_json_signature(auth_token, url, body, signature);
  std::string ct(content_type.substr(0, content_type.find(';')));
  std::transform(ct.begin(), ct.end(), ct.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  FormParams params;
  if (!body.empty()) {
    if (ct != "application/x-www-form-urlencoded") return SignatureVerdict::kBodyWithoutHash;
    auto parsed = parse_form(body);
    if (!parsed.ok()) return SignatureVerdict::kMalformed;
    params = std::move(parsed).value();
  }
  return any_variant_matches(auth_token, url, params, signature) ? SignatureVerdict::kValid
                                                                 : SignatureVerdict::kMismatch;
}

Result<FormParams> parse_form(std::string_view body) {
  FormParams out;
  std::size_t index = 0;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    ++index;
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = net::percent_decode(pair.substr(0, eq), true);
    auto value = net::percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value) {
      return make_error(ErrorCode::kInvalidArgument,
                        "malformed percent-encoding in form field " + std::to_string(index),
                        {{"field_index", std::to_string(index)},
                         {"field", std::string(pair.substr(0, std::min<std::size_t>(eq, 64)))}});
    }
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

}  // namespace outdial::telephony::twilio
