#pragma once
#include "outdial/storage/tenant_store.hpp"

namespace outdial::storage::sqlite {

class Connection;

class SqliteTenantStore final : public TenantStore {
 public:
  explicit SqliteTenantStore(Connection& conn) : conn_(conn) {}
  Result<Tenant> create_tenant(const Tenant& t) override;
  Result<Tenant> get_tenant(TenantId id) override;
  Result<std::optional<Tenant>> find_tenant_by_name(const std::string& name) override;
  Result<std::vector<Tenant>> list_tenants() override;
  Result<User> create_user(const User& u) override;
  Result<User> get_user(UserId id) override;
  Result<std::optional<User>> find_user_by_email(TenantId tenant, const std::string& email) override;
  Result<ApiKey> create_api_key(const ApiKey& k) override;
  Result<std::optional<User>> find_user_by_key_hash(const std::string& key_hash) override;

 private:
  Connection& conn_;
};

}  // namespace outdial::storage::sqlite
