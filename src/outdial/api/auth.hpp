#pragma once
// API-key authentication: "Authorization: Bearer <key>" or "X-Api-Key: <key>" ->
// SHA-256 hex -> TenantStore::find_user_by_key_hash -> Actor.
#include <string>

#include "outdial/core/actor.hpp"
#include "outdial/core/result.hpp"
#include "outdial/net/http_types.hpp"
#include "outdial/storage/tenant_store.hpp"

namespace outdial::api {

// Lower-case hex SHA-256 of `data` (the stored form of an API key).
std::string sha256_hex(const std::string& data);

// kUnauthenticated when no key is presented or the key is unknown/revoked; store errors pass
// through (kUnavailable -> 503).
Result<Actor> authenticate(const net::Request& req, storage::TenantStore& tenants);

// Role checks. client_viewer: read only. agent: read, add DNC entries (a called party's
// do-not-call request must be recordable by whoever hears it). operator_admin/operator_staff:
// everything. kPermissionDenied names the needed role in details {"required": ...}.
Status require_write(const Actor& actor);
Status require_staff(const Actor& actor);

}  // namespace outdial::api
