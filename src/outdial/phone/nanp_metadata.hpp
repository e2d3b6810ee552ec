#pragma once
// Validity, region and number type of +1 (NANP) national numbers, answered from
// libphonenumber's own compiled-in metadata but evaluated with digit DFAs (digit_dfa.hpp).
//
// It reproduces PhoneNumberUtil::GetRegionCodeForNumber / GetNumberType / IsValidNumber for
// country code 1 exactly (same metadata, same algorithm: regions in the library's order, a region
// with leading_digits claims a number by prefix, otherwise by GetNumberTypeHelper != UNKNOWN).
// tests/unit/phone/nanp_metadata_test.cpp checks it against the library on random numbers.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "outdial/phone/digit_dfa.hpp"

namespace outdial::phone {

// Mirrors i18n::phonenumbers::PhoneNumberUtil::PhoneNumberType without including the library.
enum class NumberType : std::uint8_t {
  kFixedLine,
  kMobile,
  kFixedLineOrMobile,
  kTollFree,
  kPremiumRate,
  kSharedCost,
  kVoip,
  kPersonalNumber,
  kPager,
  kUan,
  kVoicemail,
  kUnknown,
};

struct NanpClass {
  int region = -1;  // index into NanpMetadata::region_codes(), -1 = no region ("ZZ")
  NumberType type = NumberType::kUnknown;
  bool valid() const { return region >= 0 && type != NumberType::kUnknown; }
};

class NanpMetadata {
 public:
  // Loads the +1 regions from the library. usable() is false if any pattern could not be
  // compiled; callers must then ask libphonenumber itself.
  NanpMetadata();

  bool usable() const { return usable_; }
  // `national` = the national significant number as ASCII digits (10 for a NANP number).
  NanpClass classify(std::string_view national) const;
  const std::vector<std::string>& region_codes() const { return region_codes_; }

 private:
  struct Desc {
    DigitDfa dfa;
    std::vector<int> lengths;
    bool matches(std::string_view n) const;
  };
  struct Region {
    bool has_leading_digits = false;
    DigitDfa leading;
    bool same_mobile_and_fixed = false;
    Desc general, premium, toll_free, shared_cost, voip, personal, pager, uan, voicemail, fixed,
        mobile;
  };
  NumberType type_for(const Region& r, std::string_view n) const;

  std::vector<Region> regions_;
  std::vector<std::string> region_codes_;
  bool usable_ = false;
};

}  // namespace outdial::phone
