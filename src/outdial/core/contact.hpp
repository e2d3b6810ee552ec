#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/ids.hpp"

namespace outdial {

enum class LineType { kUnknown, kWireless, kLandline, kVoip };
const char* to_string(LineType t);
std::optional<LineType> parse_line_type(const std::string& s);

struct ContactList {
  ListId id = 0;
  TenantId tenant_id = 0;
  std::string name;
  TimePoint created_at{};
};

struct Contact {
  ContactId id = 0;
  TenantId tenant_id = 0;
  ListId list_id = 0;
  std::string phone_e164;          // normalized, unique per list
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string timezone;            // stated IANA zone, may be empty
  std::string state;               // stated residence state (USPS code), may be empty
  std::vector<std::string> tags;
  std::map<std::string, std::string> custom_fields;  // unmapped CSV columns, kept verbatim
  LineType line_type = LineType::kUnknown;
  bool national_dnc = false;       // flagged against the national registry at import
  TimePoint created_at{};
};

}  // namespace outdial
