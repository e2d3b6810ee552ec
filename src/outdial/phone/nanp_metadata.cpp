#include "outdial/phone/nanp_metadata.hpp"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <list>
#include <map>
#include <optional>

// Exported by libphonenumber (metadata.h, not installed): the serialized PhoneMetadataCollection
// the library itself loads at start-up. Reading it keeps our tables identical to the library's.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace outdial::phone {
namespace lpn = i18n::phonenumbers;

namespace {

std::optional<DigitDfa> compile_desc(const lpn::PhoneNumberDesc& d) {
  return DigitDfa::compile(d.national_number_pattern());
}

}  // namespace

bool NanpMetadata::Desc::matches(std::string_view n) const {
  // Same order as PhoneNumberUtil::IsNumberMatchingDesc: possible lengths first, then pattern.
  if (!lengths.empty() &&
      std::find(lengths.begin(), lengths.end(), static_cast<int>(n.size())) == lengths.end()) {
    return false;
  }
  return dfa.full_match(n);
}

NanpMetadata::NanpMetadata() {
  lpn::PhoneMetadataCollection collection;
  if (!collection.ParseFromArray(lpn::metadata_get(), lpn::metadata_size())) return;
  std::map<std::string, const lpn::PhoneMetadata*> by_id;
  for (const auto& m : collection.metadata()) {
    if (m.country_code() == 1) by_id[m.id()] = &m;
  }
  std::list<std::string> order;
  lpn::PhoneNumberUtil::GetInstance()->GetRegionCodesForCountryCallingCode(1, &order);
  bool ok = !order.empty();
  for (const auto& id : order) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      ok = false;
      break;
    }
    const lpn::PhoneMetadata& m = *it->second;
    Region r;
    auto load = [&ok](Desc& out, const lpn::PhoneNumberDesc& d) {
      auto dfa = compile_desc(d);
      if (!dfa) {
        ok = false;
        return;
      }
      out.dfa = std::move(*dfa);
      out.lengths.assign(d.possible_length().begin(), d.possible_length().end());
    };
    if (m.has_leading_digits()) {
      auto dfa = DigitDfa::compile(m.leading_digits());
      if (!dfa) {
        ok = false;
        break;
      }
      r.has_leading_digits = true;
      r.leading = std::move(*dfa);
    }
    r.same_mobile_and_fixed = m.same_mobile_and_fixed_line_pattern();
    load(r.general, m.general_desc());
    load(r.premium, m.premium_rate());
    load(r.toll_free, m.toll_free());
    load(r.shared_cost, m.shared_cost());
    load(r.voip, m.voip());
    load(r.personal, m.personal_number());
    load(r.pager, m.pager());
    load(r.uan, m.uan());
    load(r.voicemail, m.voicemail());
    load(r.fixed, m.fixed_line());
    load(r.mobile, m.mobile());
    if (!ok) break;
    regions_.push_back(std::move(r));
    region_codes_.push_back(id);
  }
  usable_ = ok;
  if (!ok) {
    regions_.clear();
    region_codes_.clear();
  }
}

// PhoneNumberUtil::GetNumberTypeHelper, step for step.
NumberType NanpMetadata::type_for(const Region& r, std::string_view n) const {
  if (!r.general.matches(n)) return NumberType::kUnknown;
  if (r.premium.matches(n)) return NumberType::kPremiumRate;
  if (r.toll_free.matches(n)) return NumberType::kTollFree;
  if (r.shared_cost.matches(n)) return NumberType::kSharedCost;
  if (r.voip.matches(n)) return NumberType::kVoip;
  if (r.personal.matches(n)) return NumberType::kPersonalNumber;
  if (r.pager.matches(n)) return NumberType::kPager;
  if (r.uan.matches(n)) return NumberType::kUan;
  if (r.voicemail.matches(n)) return NumberType::kVoicemail;
  if (r.fixed.matches(n)) {
    if (r.same_mobile_and_fixed) return NumberType::kFixedLineOrMobile;
    if (r.mobile.matches(n)) return NumberType::kFixedLineOrMobile;
    return NumberType::kFixedLine;
  }
  if (!r.same_mobile_and_fixed && r.mobile.matches(n)) return NumberType::kMobile;
  return NumberType::kUnknown;
}

NanpClass NanpMetadata::classify(std::string_view national) const {
  NanpClass out;
  // GetRegionCodeForNumberFromRegionList.
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    const Region& r = regions_[i];
    if (r.has_leading_digits) {
      if (!r.leading.prefix_match(national)) continue;
      out.region = static_cast<int>(i);
      // IsValidNumberForRegion / GetNumberType for the claiming region.
      out.type = type_for(r, national);
      return out;
    }
    NumberType t = type_for(r, national);
    if (t != NumberType::kUnknown) {
      out.region = static_cast<int>(i);
      out.type = t;
      return out;
    }
  }
  return out;
}

}  // namespace outdial::phone
