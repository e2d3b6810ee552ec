#pragma once
// Phone numbers at the API boundary. v1 accepts E.164 only ("+" then 8-15 digits, no leading 0
// after the "+"); normalizing free-form input is the importer's job (libphonenumber in phone/).
#include <string>

#include "outdial/core/result.hpp"

namespace outdial::api {

// Returns the E.164 value or kInvalidArgument {"field": field}. A leading space is read as "+":
// an unencoded "+" in a query string decodes to a space (form encoding), e.g. ?phone=+1555...
Result<std::string> require_e164(const std::string& raw, const std::string& field);

}  // namespace outdial::api
