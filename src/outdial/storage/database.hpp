#pragma once
#include <functional>

#include "outdial/storage/account_store.hpp"
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
  // Provider accounts, numbers, caller-ID policies. The default (drivers without support, test
  // fakes) fails every call with kFailedPrecondition.
  virtual AccountStore& accounts() {
    static UnsupportedAccountStore unsupported;
    return unsupported;
  }

  // Runs `fn` as one atomic unit: every store write made by `fn` on this thread commits together
  // if it returns ok, and is rolled back otherwise (also for errors from the commit itself).
  // Lets callers batch many small writes (event persistence) into one commit. Other threads'
  // store calls wait while `fn` runs, so keep it short. May nest. The default runs `fn` without
  // atomicity, for drivers that cannot offer it.
  virtual Status with_transaction(const std::function<Status()>& fn) { return fn(); }
  // For units whose writes are each complete on their own (nothing to undo if a later one
  // fails): outside a transaction exactly with_transaction(fn); inside one this thread already
  // has open, fn runs as part of it with no savepoint of its own (a savepoint makes SQLite copy
  // every page fn changes into its statement journal), so fn's writes stay if fn fails and the
  // enclosing transaction decides. Other threads' store calls wait while fn runs either way.
  virtual Status with_batched_writes(const std::function<Status()>& fn) { return with_transaction(fn); }
};

}  // namespace outdial::storage
