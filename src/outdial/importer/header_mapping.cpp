#include "outdial/importer/header_mapping.hpp"

#include <array>
#include <utility>

namespace outdial::importer {
namespace {

struct Alias {
  std::string_view key;
  ContactField field;
};

constexpr std::array kAliases = {
    Alias{"phone", ContactField::kPhone},          Alias{"phonenumber", ContactField::kPhone},
    Alias{"mobile", ContactField::kPhone},         Alias{"mobilephone", ContactField::kPhone},
    Alias{"mobilenumber", ContactField::kPhone},   Alias{"cell", ContactField::kPhone},
    Alias{"cellphone", ContactField::kPhone},      Alias{"cellnumber", ContactField::kPhone},
    Alias{"telephone", ContactField::kPhone},      Alias{"tel", ContactField::kPhone},
    Alias{"number", ContactField::kPhone},         Alias{"firstname", ContactField::kFirstName},
    Alias{"givenname", ContactField::kFirstName},  Alias{"first", ContactField::kFirstName},
    Alias{"lastname", ContactField::kLastName},    Alias{"surname", ContactField::kLastName},
    Alias{"familyname", ContactField::kLastName},  Alias{"last", ContactField::kLastName},
    Alias{"name", ContactField::kFullName},        Alias{"fullname", ContactField::kFullName},
    Alias{"email", ContactField::kEmail},          Alias{"emailaddress", ContactField::kEmail},
    Alias{"timezone", ContactField::kTimezone},    Alias{"tz", ContactField::kTimezone},
    Alias{"state", ContactField::kState},          Alias{"province", ContactField::kState},
    Alias{"region", ContactField::kState},         Alias{"tags", ContactField::kTags},
    Alias{"tag", ContactField::kTags},             Alias{"consent", ContactField::kConsent},
    Alias{"consenttype", ContactField::kConsent},  Alias{"optin", ContactField::kConsent},
    Alias{"consentdate", ContactField::kConsent},  Alias{"consentsource", ContactField::kConsent},
    Alias{"optindate", ContactField::kConsent},    Alias{"consentchannel", ContactField::kConsent},
    Alias{"consentai", ContactField::kConsent},    Alias{"aiconsent", ContactField::kConsent},
    Alias{"artificialvoice", ContactField::kConsent},
};

// Which consent column a header key is (see ColumnMapping::consent_*); nullptr for the others
// (consent_source is kept as a custom field only).
int ColumnMapping::*consent_role(std::string_view key) {
  if (key == "consent" || key == "consenttype" || key == "optin") return &ColumnMapping::consent_value;
  if (key == "consentdate" || key == "optindate") return &ColumnMapping::consent_date;
  if (key == "consentchannel") return &ColumnMapping::consent_channel;
  if (key == "consentai" || key == "aiconsent" || key == "artificialvoice") return &ColumnMapping::consent_ai;
  return nullptr;
}

// USPS codes: 50 states, DC, territories, and military (AA/AE/AP).
constexpr std::array<std::string_view, 62> kUspsCodes = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "VI", "GU", "MP", "AS", "AA", "AE", "AP", "FM", "MH", "PW"};

}  // namespace

const char* to_string(ContactField f) {
  switch (f) {
    case ContactField::kPhone: return "phone";
    case ContactField::kFirstName: return "first_name";
    case ContactField::kLastName: return "last_name";
    case ContactField::kFullName: return "name";
    case ContactField::kEmail: return "email";
    case ContactField::kTimezone: return "timezone";
    case ContactField::kState: return "state";
    case ContactField::kTags: return "tags";
    case ContactField::kConsent: return "consent";
    case ContactField::kCustom: return "custom";
  }
  return "custom";
}

std::string header_key(std::string_view header) {
  std::string key;
  key.reserve(header.size());
  for (char c : header) {
    if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    key.push_back(c);
  }
  return key;
}

ContactField classify_header(std::string_view header) {
  std::string key = header_key(header);
  for (const auto& a : kAliases) {
    if (a.key == key) return a.field;
  }
  return ContactField::kCustom;
}

Result<ColumnMapping> map_headers(const std::vector<std::string>& headers) {
  ColumnMapping m;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    ContactField f = classify_header(headers[i]);
    int col = static_cast<int>(i);
    auto claim = [&](int& slot) {
      if (slot < 0) {
        slot = col;
      } else {
        f = ContactField::kCustom;  // a second "phone" column is kept, not used
      }
    };
    switch (f) {
      case ContactField::kPhone: claim(m.phone); break;
      case ContactField::kFirstName: claim(m.first_name); break;
      case ContactField::kLastName: claim(m.last_name); break;
      case ContactField::kFullName: claim(m.full_name); break;
      case ContactField::kEmail: claim(m.email); break;
      case ContactField::kTimezone: claim(m.timezone); break;
      case ContactField::kState: claim(m.state); break;
      case ContactField::kTags: claim(m.tags); break;
      case ContactField::kConsent:
        m.consent.push_back(col);
        m.custom.push_back(col);
        if (auto role = consent_role(header_key(headers[i])); role != nullptr && m.*role < 0) {
          m.*role = col;
        }
        break;
      case ContactField::kCustom: break;
    }
    if (f == ContactField::kCustom) m.custom.push_back(col);
    m.fields.push_back(f);
  }
  if (m.phone < 0) {
    std::string seen;
    for (const auto& h : headers) {
      if (!seen.empty()) seen += ",";
      seen += h;
    }
    return make_error(ErrorCode::kInvalidArgument,
                      "no phone column (expected one of: phone, phone number, mobile, cell, "
                      "telephone, tel, number); headers seen: " + seen,
                      {{"headers", seen}, {"field", "phone"}});
  }
  return m;
}

bool is_valid_timezone_name(std::string_view tz) {
  if (tz.empty()) return true;
  if (tz.find('/') == std::string_view::npos || tz.front() == '/' || tz.back() == '/') return false;
  for (char c : tz) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> normalize_state_code(std::string_view state) {
  if (state.size() != 2) return std::nullopt;
  std::string up(state);
  for (char& c : up) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  for (auto code : kUspsCodes) {
    if (code == up) return up;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace outdial::importer
