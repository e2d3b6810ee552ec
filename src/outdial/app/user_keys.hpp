#pragma once
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"
#include "outdial/core/tenant.hpp"
#include "outdial/storage/tenant_store.hpp"

namespace outdial::app {

// "od_" + 48 hex characters from OpenSSL's CSPRNG; empty on RNG failure.
std::string generate_api_key();
// Creates the user and an API key for it; returns the plain key (only its hash is stored).
Result<std::string> create_user_with_key(storage::TenantStore& tenants, const User& u, const Clock& clock);

}  // namespace outdial::app
