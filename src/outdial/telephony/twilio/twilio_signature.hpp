#pragma once
// X-Twilio-Signature: computing and validating Twilio's webhook signature
// (docs/provider-contracts.md §3, as implemented by twilio-python's RequestValidator and
// twilio-node's webhooks.ts). Pure functions, no I/O; thread-safe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "outdial/core/result.hpp"

namespace outdial::telephony::twilio {

// Decoded form fields in arrival order; a name may repeat.
using FormParams = std::vector<std::pair<std::string, std::string>>;

// The signature Twilio sends for a request to `url` (exactly as given: no port or encoding
// normalization) with form `params`: base64(HMAC-SHA1(auth_token, url + name1 + value1 + ...)),
// names in byte order, a repeated name's values deduplicated and sorted. For a GET or a JSON
// body pass no params (the URL, with its bodySHA256, is all that is signed). The emulator signs
// its callbacks with this.
std::string compute_signature(std::string_view auth_token, std::string_view url, const FormParams& params);

// Lowercase hex SHA-256 of `body` (the bodySHA256 query parameter of JSON webhooks).
std::string body_sha256_hex(std::string_view body);

// The URLs a validator must try, because Twilio signs inconsistently: the URL with any port
// removed and with the scheme's default port added (a non-default port is kept in that one);
// each also in the WHATWG-serialized form twilio-node signs (query bytes such as ' become %27).
// Credentials in the URL are kept. Duplicates removed; the input's own variant comes first.
std::vector<std::string> signature_url_variants(std::string_view url);

enum class SignatureVerdict {
  kValid,
  kMissing,           // no X-Twilio-Signature header
  kMismatch,          // no URL variant produces the header's signature
  kBodyHashMismatch,  // bodySHA256 in the URL is not the SHA-256 of the body
  kBodyWithoutHash,   // a non-form body without bodySHA256 in the URL (twilio-node rejects it)
  kMalformed,         // the URL or the form body cannot be parsed
};
const char* to_string(SignatureVerdict verdict);

// Form POST (or GET with params = {}): true when `signature` matches any URL variant. Constant
// time in the signature comparison.
bool validate_signature(std::string_view auth_token, std::string_view url, const FormParams& params,
                        std::string_view signature);

// JSON body: `url` must carry bodySHA256 equal to sha256(body) and the signature is over the URL
// alone (any variant).
SignatureVerdict validate_json_signature(std::string_view auth_token, std::string_view url, std::string_view body,
                                         std::string_view signature);

// A whole request as a webhook handler sees it. `url` is the full public URL Twilio requested
// (scheme, host, path and query exactly as sent). With bodySHA256 in the query the body is
// checked against it and only the URL is signed; otherwise the body must be empty or
// application/x-www-form-urlencoded (by `content_type`) and its fields are signed.
SignatureVerdict validate_request(std::string_view auth_token, std::string_view url, std::string_view content_type,
                                  std::string_view body, std::string_view signature);

// Parses an application/x-www-form-urlencoded body ('+' is a space). kInvalidArgument on a bad
// percent escape, naming the field.
Result<FormParams> parse_form(std::string_view body);

}  // namespace outdial::telephony::twilio
