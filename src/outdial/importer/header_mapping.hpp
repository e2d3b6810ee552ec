#pragma once
// Maps CSV header names to contact fields. Matching ignores case, spaces, underscores, hyphens
// and dots: "Phone Number", "phone_number" and "PHONE-NUMBER" are the same column.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outdial/core/result.hpp"

namespace outdial::importer {

enum class ContactField {
  kPhone,
  kFirstName,
  kLastName,
  kFullName,   // split into first/last when those columns are absent
  kEmail,
  kTimezone,
  kState,
  kTags,
  kConsent,    // consent, consent_type, opt_in, consent_date, consent_source, consent_channel,
               // consent_ai / ai_consent / artificial_voice: kept, reported, and (when the
               // importer has a ComplianceStore) turned into consent records
  kCustom,     // anything else: kept verbatim in Contact::custom_fields under the original header
};
const char* to_string(ContactField f);

// "Phone Number" -> "phonenumber".
std::string header_key(std::string_view header);
// The field a header names, or kCustom.
ContactField classify_header(std::string_view header);

struct ColumnMapping {
  std::vector<ContactField> fields;  // per column
  int phone = -1;                    // column index of the phone number
  int first_name = -1;
  int last_name = -1;
  int full_name = -1;
  int email = -1;
  int timezone = -1;
  int state = -1;
  int tags = -1;
  std::vector<int> custom;           // columns kept as custom fields (consent columns included)
  std::vector<int> consent;          // consent columns
  // The consent columns the importer reads to build ConsentRecords (first column of each role
  // wins; every consent column stays in `consent` and `custom`):
  int consent_value = -1;            // consent, consent_type, opt_in: the consent kind
  int consent_date = -1;             // consent_date, opt_in_date: when it was granted
  int consent_channel = -1;          // consent_channel: voice | sms (absent = every channel)
  int consent_ai = -1;               // consent_ai, ai_consent, artificial_voice: yes | no
};

// Maps a header row. The first column claiming a field wins; later duplicates become custom
// fields. Error kInvalidArgument when no column is a phone number (details["headers"] lists the
// headers seen, comma-separated).
Result<ColumnMapping> map_headers(const std::vector<std::string>& headers);

// Field checks used at import (engineering: stated values are validated, never trusted).
// IANA-style zone name: "America/New_York", "Etc/GMT+5". Empty is valid (not stated).
bool is_valid_timezone_name(std::string_view tz);
// USPS two-letter state/territory code, case-insensitive; returns the upper-case code.
std::optional<std::string> normalize_state_code(std::string_view state);
// Trims ASCII spaces and tabs.
std::string_view trim(std::string_view s);

}  // namespace outdial::importer
