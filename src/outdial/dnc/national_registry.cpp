#include "outdial/dnc/national_registry.hpp"

#include "outdial/dnc/nanp.hpp"

namespace outdial::dnc {

bool NationalRegistry::contains_e164(std::string_view e164) const {
  // Only NANP numbers (+1 and ten national digits) can be on the US National DNC Registry.
  if (e164.size() != 12 || e164[0] != '+' || e164[1] != '1') return false;
  const std::optional<std::uint64_t> number = parse_ten_digits(e164.substr(2));
  if (!number) return false;
  return contains(*number);
}

}  // namespace outdial::dnc
