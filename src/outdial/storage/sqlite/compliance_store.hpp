#pragma once
#include "outdial/storage/compliance_store.hpp"

namespace outdial::storage::sqlite {

class Connection;

class SqliteComplianceStore final : public ComplianceStore {
 public:
  explicit SqliteComplianceStore(Connection& conn) : conn_(conn) {}
  Result<ConsentRecord> add_consent(const ConsentRecord& c) override;
  Result<std::vector<ConsentRecord>> consents_for(TenantId tenant, const std::string& phone) override;
  Result<std::vector<ConsentRecord>> list_consents(TenantId tenant, std::int64_t offset, std::int64_t limit) override;
  Result<int> revoke_consents(TenantId tenant, const std::string& phone, std::optional<Channel> channel,
                              TimePoint at) override;
  Result<DncEntry> add_dnc(const DncEntry& e) override;
  Result<bool> remove_dnc(TenantId tenant, const std::string& phone) override;
  Result<std::optional<DncEntry>> find_dnc(TenantId tenant, const std::string& phone) override;
  Result<std::vector<DncEntry>> list_dnc(TenantId tenant, std::int64_t offset, std::int64_t limit) override;
  Result<RejectedNumber> add_rejected(const RejectedNumber& r) override;
  Result<std::optional<RejectedNumber>> find_rejected(TenantId tenant, const std::string& phone,
                                                      Channel channel) override;
  Result<bool> remove_rejected(TenantId tenant, const std::string& phone) override;
  Result<std::vector<RejectedNumber>> list_rejected(TenantId tenant, std::int64_t offset,
                                                    std::int64_t limit) override;
  Result<std::int64_t> record_decision(const DecisionRecord& d) override;
  Result<std::vector<DecisionRecord>> list_decisions(TenantId tenant, std::int64_t campaign_id,
                                                     std::int64_t limit) override;

 private:
  // Deletes the tenant's rows of `table` for the number; false if there were none.
  Result<bool> remove_number(const char* table, TenantId tenant, const std::string& phone);
  Connection& conn_;
};

}  // namespace outdial::storage::sqlite
