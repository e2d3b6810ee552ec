#pragma once
// Hand-written in-memory fakes of every store (engineering.md §9). One mutex guards everything,
// so the fakes are thread-safe and behave like a single serialized database.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "outdial/storage/database.hpp"

namespace outdial::testing {

struct MemoryState;  // shared tables

class InMemoryDatabase final : public storage::Database {
 public:
  InMemoryDatabase();
  ~InMemoryDatabase() override;
  Status migrate() override { return ok_status(); }
  int schema_version() override { return 1; }
  storage::TenantStore& tenants() override { return *tenants_; }
  storage::ContactStore& contacts() override { return *contacts_; }
  storage::ComplianceStore& compliance() override { return *compliance_; }
  storage::CampaignStore& campaigns() override { return *campaigns_; }
  storage::CallStore& calls() override { return *calls_; }
  storage::AuditStore& audit() override { return *audit_; }

  // Failure injection: the next N calls to update_attempt return kConflict after writing
  // nothing (exercises CAS retry paths).
  void fail_next_attempt_updates(int n);
  // Failure injection: the next N outermost with_transaction() calls run fn, then roll every
  // table back to where it was before fn and return kUnavailable (a failed COMMIT).
  void fail_next_transactions(int n);
  int failed_transactions() const { return failed_transactions_; }
  Status with_transaction(const std::function<Status()>& fn) override;

 private:
  std::shared_ptr<MemoryState> state_;
  int fail_transactions_ = 0;
  int failed_transactions_ = 0;
  int tx_depth_ = 0;
  std::unique_ptr<storage::TenantStore> tenants_;
  std::unique_ptr<storage::ContactStore> contacts_;
  std::unique_ptr<storage::ComplianceStore> compliance_;
  std::unique_ptr<storage::CampaignStore> campaigns_;
  std::unique_ptr<storage::CallStore> calls_;
  std::unique_ptr<storage::AuditStore> audit_;
};

}  // namespace outdial::testing
