#pragma once
// Phone number normalization for import and dialing: raw text -> E.164 plus the reasons a
// number is refused. libphonenumber is the reference; a fast path handles the common NANP
// shapes ("(212) 555-0123", "212.555.0123", "+1 212 555 0123", "12125550123") and produces
// exactly the library's E.164 (tests/unit/phone/phone_differential_test.cpp).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "outdial/core/contact.hpp"
#include "outdial/core/result.hpp"
#include "outdial/phone/nanp_metadata.hpp"

namespace outdial::phone {

// Why a number was refused. Codes (to_code) are stable: they appear in import reports and API
// responses.
enum class PhoneReject : std::uint8_t {
  kNone,
  kUnparseable,         // libphonenumber cannot read it as a phone number at all
  kInvalid,             // parsed, but not a valid number for its country (or wrong length)
  kN11,                 // NANP area code N11 (211, 311, ... 911): service codes, not area codes
  kUnassignedAreaCode,  // NANP area code reserved/unassigned: 0XX, 1XX, N9X, 37X, 96X, 555
  kFictional555,        // 555-0100 .. 555-0199: reserved for fiction (NANPA)
  kNonUs,               // us_only and the number is not in US/PR/VI/GU/MP/AS
};
const char* to_code(PhoneReject r);
// Human text for a reject reason.
const char* describe(PhoneReject r);

struct NormalizedPhone {
  std::string e164;                  // "+12125550123"
  int country_code = 0;              // 1 for NANP
  std::uint64_t national_number = 0; // NANP: the 10 digits, e.g. 2125550123 (NationalRegistry key)
  std::string region;                // "US", "PR", "CA", ... ("ZZ" when unknown)
  NumberType number_type = NumberType::kUnknown;
  LineType line_type = LineType::kUnknown;  // only when the metadata tells mobile/fixed/voip apart
  bool fast_path = false;            // answered without calling libphonenumber
};

// Stateless after construction; const methods are thread-safe. Construction parses the library
// metadata (a few milliseconds): build one and share it.
class PhoneNormalizer {
 public:
  PhoneNormalizer();
  ~PhoneNormalizer();
  PhoneNormalizer(const PhoneNormalizer&) = delete;
  PhoneNormalizer& operator=(const PhoneNormalizer&) = delete;

  // E.164 or Error{kInvalidArgument, human message, details {"reason": to_code(..), "raw": raw}}.
  // default_region: ISO region used for numbers without "+CC" ("US").
  // us_only: refuse numbers outside the US and its territories with reason non_us.
  Result<NormalizedPhone> normalize(std::string_view raw, std::string_view default_region,
                                    bool us_only) const;

  // The hot path used by the importer: no allocation once `out` has grown. Returns kNone and
  // fills `out`, or the reject reason (out is then unspecified).
  PhoneReject normalize_into(std::string_view raw, std::string_view default_region, bool us_only,
                             NormalizedPhone& out) const;

  // Same contract, parsing always through libphonenumber (no fast path); +1 numbers then get
  // the same NANP checks. The fallback of normalize_into for shapes the fast path does not take.
  PhoneReject normalize_with_library(std::string_view raw, std::string_view default_region,
                                     bool us_only, NormalizedPhone& out) const;

  // True when +1 numbers are classified from compiled digit automata (false = library calls).
  bool fast_metadata() const { return nanp_.usable(); }

 private:
  // Common NANP rules on the 10 national digits (ASCII).
  PhoneReject check_nanp(const char* national, bool us_only, NormalizedPhone& out) const;

  NanpMetadata nanp_;
  std::vector<bool> us_region_;  // per NanpMetadata region index: US/PR/VI/GU/MP/AS
};

}  // namespace outdial::phone
