#pragma once
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "outdial/core/audit.hpp"
#include "outdial/core/call.hpp"
#include "outdial/core/campaign.hpp"
#include "outdial/core/consent.hpp"
#include "outdial/core/contact.hpp"
#include "outdial/core/tenant.hpp"
#include "outdial/storage/compliance_store.hpp"

namespace outdial::testing {

// The tables behind InMemoryDatabase (copyable: a transaction's rollback snapshot). Internal to
// the testing library.
struct MemoryTables {
  std::int64_t next_id = 1;
  std::map<TenantId, Tenant> tenants;
  std::map<UserId, User> users;
  std::vector<ApiKey> keys;
  std::map<ListId, ContactList> lists;
  std::map<ContactId, Contact> contacts;
  std::map<std::pair<ListId, std::string>, ContactId> contact_by_phone;
  std::vector<ConsentRecord> consents;
  std::vector<DncEntry> dnc;
  std::vector<RejectedNumber> rejected;
  std::vector<storage::DecisionRecord> decisions;
  std::map<CampaignId, Campaign> campaigns;
  std::map<std::pair<CampaignId, ContactId>, CampaignTarget> targets;
  std::map<AttemptId, CallAttempt> attempts;
  std::map<std::string, AttemptId> attempt_by_key;
  std::map<std::pair<std::string, std::string>, AttemptId> attempt_by_provider;
  std::set<AttemptId> live;  // non-terminal attempts (index for live_attempts)
  std::vector<CallEvent> events;
  std::set<std::pair<std::string, std::string>> event_keys;
  std::vector<AuditEntry> audit;
  int fail_attempt_updates = 0;
};

struct MemoryState : MemoryTables {
  std::mutex mu;
};

}  // namespace outdial::testing
