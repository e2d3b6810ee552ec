#include "outdial/phone/phone_normalizer.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <array>

namespace outdial::phone {
namespace lpn = i18n::phonenumbers;

namespace {

constexpr std::array<std::string_view, 6> kUsRegions = {"US", "PR", "VI", "GU", "MP", "AS"};

bool is_us_region(std::string_view r) {
  for (auto u : kUsRegions) {
    if (u == r) return true;
  }
  return false;
}

NumberType from_library(lpn::PhoneNumberUtil::PhoneNumberType t) {
  using T = lpn::PhoneNumberUtil;
  switch (t) {
    case T::FIXED_LINE: return NumberType::kFixedLine;
    case T::MOBILE: return NumberType::kMobile;
    case T::FIXED_LINE_OR_MOBILE: return NumberType::kFixedLineOrMobile;
    case T::TOLL_FREE: return NumberType::kTollFree;
    case T::PREMIUM_RATE: return NumberType::kPremiumRate;
    case T::SHARED_COST: return NumberType::kSharedCost;
    case T::VOIP: return NumberType::kVoip;
    case T::PERSONAL_NUMBER: return NumberType::kPersonalNumber;
    case T::PAGER: return NumberType::kPager;
    case T::UAN: return NumberType::kUan;
    case T::VOICEMAIL: return NumberType::kVoicemail;
    case T::UNKNOWN: return NumberType::kUnknown;
  }
  return NumberType::kUnknown;
}

LineType line_type_of(NumberType t) {
  switch (t) {
    case NumberType::kFixedLine: return LineType::kLandline;
    case NumberType::kMobile: return LineType::kWireless;
    case NumberType::kVoip: return LineType::kVoip;
    default: return LineType::kUnknown;  // US metadata cannot tell mobile from fixed
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Separators the fast path accepts between digits. Anything else (letters, "x"/"ext", '#', '*',
// full-width forms, '+' in the middle) goes to libphonenumber.
bool is_separator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t';
}

}  // namespace

const char* to_code(PhoneReject r) {
  switch (r) {
    case PhoneReject::kNone: return "ok";
    case PhoneReject::kUnparseable: return "unparseable";
    case PhoneReject::kInvalid: return "invalid";
    case PhoneReject::kN11: return "n11";
    case PhoneReject::kUnassignedAreaCode: return "unassigned_area_code";
    case PhoneReject::kFictional555: return "fictional_555";
    case PhoneReject::kNonUs: return "non_us";
  }
  return "invalid";
}

const char* describe(PhoneReject r) {
  switch (r) {
    case PhoneReject::kNone: return "valid";
    case PhoneReject::kUnparseable: return "not a phone number";
    case PhoneReject::kInvalid: return "not a valid number for its country";
    case PhoneReject::kN11: return "N11 service code used as an area code";
    case PhoneReject::kUnassignedAreaCode: return "area code is reserved or not assigned";
    case PhoneReject::kFictional555: return "555-0100..555-0199 numbers are reserved for fiction";
    case PhoneReject::kNonUs: return "not a US number (US-only tenant)";
  }
  return "invalid";
}

PhoneNormalizer::PhoneNormalizer() {
  for (const auto& r : nanp_.region_codes()) us_region_.push_back(is_us_region(r));
}

PhoneNormalizer::~PhoneNormalizer() = default;

Result<NormalizedPhone> PhoneNormalizer::normalize(std::string_view raw,
                                                   std::string_view default_region,
                                                   bool us_only) const {
  NormalizedPhone out;
  PhoneReject r = normalize_into(raw, default_region, us_only, out);
  if (r == PhoneReject::kNone) return out;
  return make_error(ErrorCode::kInvalidArgument,
                    std::string(describe(r)) + ": '" + std::string(raw) + "'",
                    {{"reason", to_code(r)}, {"raw", std::string(raw)}});
}

PhoneReject PhoneNormalizer::check_nanp(const char* d, bool us_only, NormalizedPhone& out) const {
  // NANP plan rules (NANPA "NPA allocation"): NPA and NXX are [2-9]XX; N11 are service codes;
  // N9X, 37X and 96X are reserved for expansion; 555 is not an area code;
  // 555-0100..0199 is the fictional range.
  if (d[0] == '0' || d[0] == '1') return PhoneReject::kUnassignedAreaCode;
  if (d[1] == '1' && d[2] == '1') return PhoneReject::kN11;
  if (d[1] == '9' || (d[0] == '3' && d[1] == '7') || (d[0] == '9' && d[1] == '6') ||
      (d[0] == '5' && d[1] == '5' && d[2] == '5')) {
    return PhoneReject::kUnassignedAreaCode;
  }
  if (d[3] == '5' && d[4] == '5' && d[5] == '5' && d[6] == '0' && d[7] == '1') {
    return PhoneReject::kFictional555;
  }
  std::string_view national(d, 10);
  bool us = false;
  if (nanp_.usable()) {
    NanpClass c = nanp_.classify(national);
    if (!c.valid()) return PhoneReject::kInvalid;
    const auto idx = static_cast<std::size_t>(c.region);
    out.region = nanp_.region_codes()[idx];
    out.number_type = c.type;
    us = us_region_[idx];
  } else {
    auto* util = lpn::PhoneNumberUtil::GetInstance();
    lpn::PhoneNumber pn;
    pn.set_country_code(1);
    std::uint64_t v = 0;
    for (char ch : national) v = v * 10 + static_cast<std::uint64_t>(ch - '0');
    pn.set_national_number(v);
    if (!util->IsValidNumber(pn)) return PhoneReject::kInvalid;
    util->GetRegionCodeForNumber(pn, &out.region);
    out.number_type = from_library(util->GetNumberType(pn));
    us = is_us_region(out.region);
  }
  if (us_only && !us) return PhoneReject::kNonUs;
  std::uint64_t v = 0;
  for (char ch : national) v = v * 10 + static_cast<std::uint64_t>(ch - '0');
  out.national_number = v;
  out.country_code = 1;
  out.line_type = line_type_of(out.number_type);
  out.e164.assign("+1");
  out.e164.append(national);
  return PhoneReject::kNone;
}

PhoneReject PhoneNormalizer::normalize_into(std::string_view raw, std::string_view default_region,
                                            bool us_only, NormalizedPhone& out) const {
  // Fast path: [+] digits and simple separators only, 10 or 11 (leading 1) digits.
  std::size_t i = 0;
  while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t')) ++i;
  bool plus = i < raw.size() && raw[i] == '+';
  if (plus) ++i;
  std::array<char, 16> digits{};
  std::size_t n = 0;
  bool simple = true;
  for (; i < raw.size(); ++i) {
    char c = raw[i];
    if (is_digit(c)) {
      if (n == digits.size()) {
        simple = false;
        break;
      }
      digits[n++] = c;
    } else if (!is_separator(c)) {
      simple = false;
      break;
    }
  }
  if (simple) {
    const char* national = nullptr;
    if (plus) {
      // "+44 ...": another country calling code. A US-only tenant refuses it whatever the rest
      // is; libphonenumber would only decide between non_us and invalid.
      if (us_only && n > 0 && digits[0] >= '2') return PhoneReject::kNonUs;
      if (n == 11 && digits[0] == '1') national = digits.data() + 1;
    } else if (default_region == "US") {
      if (n == 10) {
        national = digits.data();
      } else if (n == 11 && digits[0] == '1') {
        national = digits.data() + 1;  // national prefix / country code "1" (same for US)
      }
    }
    // NPA or NXX starting 0/1 parse differently in the library (prefix stripping); let it decide.
    if (national != nullptr && national[0] >= '2' && national[3] >= '2') {
      out.fast_path = true;
      return check_nanp(national, us_only, out);
    }
    // Cheap refusals of shapes the library could only refuse too (same codes where it matters;
    // where the library would say unparseable for a too-short number we may say invalid).
    if (n == 0) return PhoneReject::kUnparseable;  // only separators
    if (!plus && default_region == "US") {
      // "011 44 ...": the US international dialling prefix, then another country code.
      if (us_only && n >= 4 && digits[0] == '0' && digits[1] == '1' && digits[2] == '1' &&
          digits[3] >= '2') {
        return PhoneReject::kNonUs;
      }
      // 3..9 digits without "+": no US number is that short.
      if (n >= 3 && n <= 9 && digits[0] != '0') return PhoneReject::kInvalid;
    }
  } else {
    // No digit at all in plain ASCII text ("n/a", "unknown", "call me"): the library needs a
    // digit (or '+' and digits) to start a number. Non-ASCII text may hold other digit scripts.
    bool ascii_without_digits = true;
    for (char c : raw) {
      if (is_digit(c) || static_cast<unsigned char>(c) >= 0x80) {
        ascii_without_digits = false;
        break;
      }
    }
    if (ascii_without_digits) return PhoneReject::kUnparseable;
  }
  return normalize_with_library(raw, default_region, us_only, out);
}

PhoneReject PhoneNormalizer::normalize_with_library(std::string_view raw,
                                                    std::string_view default_region, bool us_only,
                                                    NormalizedPhone& out) const {
  out.fast_path = false;
  auto* util = lpn::PhoneNumberUtil::GetInstance();
  lpn::PhoneNumber pn;
  if (util->Parse(std::string(raw), std::string(default_region), &pn) !=
      lpn::PhoneNumberUtil::NO_PARSING_ERROR) {
    return PhoneReject::kUnparseable;
  }
  if (pn.country_code() == 1) {
    std::string nsn;
    util->GetNationalSignificantNumber(pn, &nsn);
    if (nsn.size() != 10) return PhoneReject::kInvalid;
    return check_nanp(nsn.data(), us_only, out);
  }
  if (us_only) return PhoneReject::kNonUs;
  if (!util->IsValidNumber(pn)) return PhoneReject::kInvalid;
  out.country_code = static_cast<int>(pn.country_code());
  out.national_number = pn.national_number();
  util->GetRegionCodeForNumber(pn, &out.region);
  out.number_type = from_library(util->GetNumberType(pn));
  out.line_type = line_type_of(out.number_type);
  util->Format(pn, lpn::PhoneNumberUtil::E164, &out.e164);
  return PhoneReject::kNone;
}

}  // namespace outdial::phone
