#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/consent.hpp"
#include "outdial/core/result.hpp"

namespace outdial::storage {

// A stored gate decision (issue #2 §4: every decision is stored).
struct DecisionRecord {
  std::int64_t id = 0;
  TenantId tenant_id = 0;
  std::int64_t campaign_id = 0;  // 0 when not campaign-bound (what-if, ad-hoc)
  std::int64_t contact_id = 0;
  std::string phone_e164;
  std::string channel;           // "voice" | "sms"
  std::string verdict;           // "allow" | "block" | "defer"
  std::string rule;              // rule id from compliance-rules.md, "OK" on allow
  std::string reason;
  std::optional<TimePoint> allowed_at;
  TimePoint decided_at{};
};

// Consent records, the internal do-not-call list, SMS opt-outs, stored decisions.
class ComplianceStore {
 public:
  virtual ~ComplianceStore() = default;

  virtual Result<ConsentRecord> add_consent(const ConsentRecord& c) = 0;
  virtual Result<std::vector<ConsentRecord>> consents_for(TenantId tenant, const std::string& phone) = 0;
  // Newest first; `offset` rows skipped, at most `limit` returned.
  virtual Result<std::vector<ConsentRecord>> list_consents(TenantId tenant, std::int64_t offset,
                                                           std::int64_t limit) = 0;
  // Sets revoked_at on every unrevoked consent for the number (REVOKE: at once, any channel
  // when channel is nullopt). Returns how many were revoked.
  virtual Result<int> revoke_consents(TenantId tenant, const std::string& phone,
                                      std::optional<Channel> channel, TimePoint at) = 0;

  // Adding a number already on the list is not an error: the existing entry is returned.
  virtual Result<DncEntry> add_dnc(const DncEntry& e) = 0;
  virtual Result<bool> remove_dnc(TenantId tenant, const std::string& phone) = 0;  // false if absent
  virtual Result<std::optional<DncEntry>> find_dnc(TenantId tenant, const std::string& phone) = 0;
  virtual Result<std::vector<DncEntry>> list_dnc(TenantId tenant, std::int64_t offset, std::int64_t limit) = 0;

  // Numbers a carrier refused (CARRIER-REJECTED). Adding one already there for the channel keeps
  // the first entry and returns it.
  virtual Result<RejectedNumber> add_rejected(const RejectedNumber& r) = 0;
  virtual Result<std::optional<RejectedNumber>> find_rejected(TenantId tenant, const std::string& phone,
                                                              Channel channel) = 0;
  // Every channel's entry for the number; false if there was none.
  virtual Result<bool> remove_rejected(TenantId tenant, const std::string& phone) = 0;
  // Oldest first.
  virtual Result<std::vector<RejectedNumber>> list_rejected(TenantId tenant, std::int64_t offset,
                                                            std::int64_t limit) = 0;

  virtual Result<std::int64_t> record_decision(const DecisionRecord& d) = 0;
  virtual Result<std::vector<DecisionRecord>> list_decisions(TenantId tenant, std::int64_t campaign_id,
                                                             std::int64_t limit) = 0;
};

}  // namespace outdial::storage
