#pragma once
#include <map>
#include <set>
#include <string>

#include "outdial/compliance/attempt_facts.hpp"
#include "outdial/core/campaign.hpp"
#include "outdial/core/contact.hpp"
#include "outdial/core/result.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/storage/compliance_store.hpp"

namespace outdial::dialer {

// Caller IDs each tenant owns (v1: a per-tenant allow-list from configuration; later the
// provider's number inventory).
struct CallerIdDirectory {
  std::map<TenantId, std::set<std::string>> owned;
  bool owns(TenantId tenant, const std::string& number) const {
    auto it = owned.find(tenant);
    return it != owned.end() && it->second.count(number) > 0;
  }
};

// Gathers compliance::AttemptFacts for one (campaign, contact, instant) from the stores. The
// gate is pure; everything it needs to know is read here. Thread-safe if the stores are.
class FactsBuilder {
 public:
  // registry may be null (no national registry loaded: on_national_dnc comes from the
  // contact's import-time flag only and national_dnc_loaded_at stays empty).
  FactsBuilder(storage::ComplianceStore& compliance, storage::CallStore& calls, const dnc::NationalRegistry* registry,
               CallerIdDirectory caller_ids, int ring_timeout_seconds = 30);

  // Errors: whatever the stores return (kUnavailable, kInternal).
  Result<compliance::AttemptFacts> build(const Campaign& campaign, const Contact& contact, TimePoint at);

  int ring_timeout_seconds() const { return ring_timeout_seconds_; }

 private:
  storage::ComplianceStore& compliance_;
  storage::CallStore& calls_;
  const dnc::NationalRegistry* registry_;
  CallerIdDirectory caller_ids_;
  int ring_timeout_seconds_;
};

}  // namespace outdial::dialer
