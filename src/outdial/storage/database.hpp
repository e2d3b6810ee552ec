#pragma once
#include "outdial/storage/audit_store.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "outdial/storage/compliance_store.hpp"
#include "outdial/storage/contact_store.hpp"
#include "outdial/storage/tenant_store.hpp"

namespace outdial::storage {

// One database: the set of stores over one connection pool. Built by app/ (the composition
// root) from configuration; everything else receives references to the stores it needs.
class Database {
 public:
  virtual ~Database() = default;
  // Applies pending versioned migrations; idempotent.
  virtual Status migrate() = 0;
  virtual int schema_version() = 0;
  virtual TenantStore& tenants() = 0;
  virtual ContactStore& contacts() = 0;
  virtual ComplianceStore& compliance() = 0;
  virtual CampaignStore& campaigns() = 0;
  virtual CallStore& calls() = 0;
  virtual AuditStore& audit() = 0;
};

}  // namespace outdial::storage
