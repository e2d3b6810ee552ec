#pragma once
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/result.hpp"
#include "outdial/core/tenant.hpp"

namespace outdial::storage {

// Tenants, users and API keys. All methods thread-safe; errors: kUnavailable/kInternal on
// database failure, kAlreadyExists on a uniqueness clash, kNotFound on missing ids.
class TenantStore {
 public:
  virtual ~TenantStore() = default;
  virtual Result<Tenant> create_tenant(const Tenant& t) = 0;  // returns with id set
  virtual Result<Tenant> get_tenant(TenantId id) = 0;
  virtual Result<std::optional<Tenant>> find_tenant_by_name(const std::string& name) = 0;
  virtual Result<std::vector<Tenant>> list_tenants() = 0;

  virtual Result<User> create_user(const User& u) = 0;
  virtual Result<User> get_user(UserId id) = 0;
  virtual Result<std::optional<User>> find_user_by_email(TenantId tenant, const std::string& email) = 0;

  // key_hash = hex SHA-256 of the presented key; the plain key is never stored.
  virtual Result<ApiKey> create_api_key(const ApiKey& k) = 0;
  // The user owning a non-revoked key with this hash, if any.
  virtual Result<std::optional<User>> find_user_by_key_hash(const std::string& key_hash) = 0;
};

}  // namespace outdial::storage
