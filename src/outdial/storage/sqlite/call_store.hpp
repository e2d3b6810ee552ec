#pragma once
#include <string>

#include "outdial/storage/call_store.hpp"

namespace outdial::storage::sqlite {

class Connection;

class SqliteCallStore final : public CallStore {
 public:
  // The live-attempts query. Migration 12's partial index call_attempts_live is only usable if
  // this WHERE repeats the index's state list exactly; a storage test checks the plan.
  static const std::string& live_attempts_sql();
  explicit SqliteCallStore(Connection& conn);
  Result<CallAttempt> create_attempt(const CallAttempt& a) override;
  Result<bool> restore_attempt(const CallAttempt& a) override;
  Result<CallAttempt> get_attempt(AttemptId id) override;
  Result<std::optional<CallAttempt>> find_by_provider_id(const std::string& provider,
                                                         const std::string& provider_call_id) override;
  Status update_attempt(const CallAttempt& a, CallState expected) override;
  Result<std::vector<CallAttempt>> live_attempts(CampaignId campaign) override;
  Result<std::vector<CallAttempt>> list_attempts(TenantId tenant, CampaignId campaign, std::int64_t offset,
                                                 std::int64_t limit) override;
  Result<std::vector<CallAttempt>> attempts_for_contact(CampaignId campaign, ContactId contact) override;
  Result<std::vector<CallAttempt>> attempts_to_number(TenantId tenant, const std::string& phone_e164,
                                                      TimePoint since) override;
  Result<std::vector<AttemptTally>> tally_attempts(CampaignId campaign) override;
  Result<std::map<std::string, std::int64_t>> count_by_state(CampaignId campaign) override;
  Result<std::int64_t> count_created_between(CampaignId campaign, TimePoint from, TimePoint to) override;
  Result<bool> append_event(const CallEvent& e) override;
  Result<bool> has_unattached_events(const std::string& provider, const std::string& provider_call_id) override;
  Result<std::vector<CallEvent>> events_for_call(const std::string& provider,
                                                 const std::string& provider_call_id) override;
  Result<bool> add_recording(const CallRecording& r) override;
  Result<std::vector<CallRecording>> recordings_for_attempt(AttemptId attempt) override;
  Result<Disposition> add_disposition(const Disposition& d) override;
  Result<std::vector<Disposition>> dispositions_for_attempt(AttemptId attempt) override;

 private:
  Connection& conn_;
};

}  // namespace outdial::storage::sqlite
