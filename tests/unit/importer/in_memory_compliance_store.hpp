#pragma once
// In-memory ComplianceStore for importer tests: keeps consents in order; the DNC and decision
// parts are not used by the importer and answer with empty results.
#include <string>
#include <vector>

#include "outdial/storage/compliance_store.hpp"

namespace outdial::importer::testing {

class InMemoryComplianceStore final : public storage::ComplianceStore {
 public:
  std::vector<ConsentRecord> consents;
  bool fail_consents = false;

  Result<ConsentRecord> add_consent(const ConsentRecord& c) override {
    if (fail_consents) return make_error(ErrorCode::kUnavailable, "consent table on fire");
    ConsentRecord copy = c;
    copy.id = static_cast<ConsentId>(consents.size() + 1);
    consents.push_back(copy);
    return copy;
  }
  Result<std::vector<ConsentRecord>> consents_for(TenantId tenant, const std::string& phone) override {
    std::vector<ConsentRecord> out;
    for (const auto& c : consents) {
      if (c.tenant_id == tenant && c.phone_e164 == phone) out.push_back(c);
    }
    return out;
  }
  Result<std::vector<ConsentRecord>> list_consents(TenantId tenant, std::int64_t offset,
                                                   std::int64_t limit) override {
    std::vector<ConsentRecord> out;
    std::int64_t skipped = 0;
    for (auto it = consents.rbegin(); it != consents.rend() && static_cast<std::int64_t>(out.size()) < limit;
         ++it) {
      if (it->tenant_id == tenant && skipped++ >= offset) out.push_back(*it);
    }
    return out;
  }
  Result<int> revoke_consents(TenantId, const std::string&, std::optional<Channel>, TimePoint) override {
    return 0;
  }
  Result<DncEntry> add_dnc(const DncEntry& e) override { return e; }
  Result<bool> remove_dnc(TenantId, const std::string&) override { return false; }
  Result<std::optional<DncEntry>> find_dnc(TenantId, const std::string&) override {
    return std::optional<DncEntry>();
  }
  Result<std::vector<DncEntry>> list_dnc(TenantId, std::int64_t, std::int64_t) override {
    return std::vector<DncEntry>();
  }
  Result<RejectedNumber> add_rejected(const RejectedNumber& r) override { return r; }
  Result<std::optional<RejectedNumber>> find_rejected(TenantId, const std::string&, Channel) override {
    return std::optional<RejectedNumber>();
  }
  Result<bool> remove_rejected(TenantId, const std::string&) override { return false; }
  Result<std::vector<RejectedNumber>> list_rejected(TenantId, std::int64_t, std::int64_t) override {
    return std::vector<RejectedNumber>();
  }
  Result<std::int64_t> record_decision(const storage::DecisionRecord&) override { return 0; }
  Result<std::vector<storage::DecisionRecord>> list_decisions(TenantId, std::int64_t, std::int64_t) override {
    return std::vector<storage::DecisionRecord>();
  }
};

}  // namespace outdial::importer::testing
