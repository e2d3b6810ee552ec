#pragma once
#include "outdial/storage/account_store.hpp"

namespace outdial::storage::sqlite {

class Connection;

// Tables of migration 7 (provider_accounts, phone_numbers, campaign_caller_ids); answer samples
// read call_attempts.
class SqliteAccountStore final : public AccountStore {
 public:
  explicit SqliteAccountStore(Connection& conn) : conn_(conn) {}
  Result<ProviderAccount> create_account(const ProviderAccount& a) override;
  Result<ProviderAccount> get_account(TenantId tenant, ProviderAccountId id) override;
  Result<std::vector<ProviderAccount>> list_accounts(TenantId tenant) override;
  Result<std::vector<ProviderAccount>> accounts_with_sid(ProviderKind provider, const std::string& account_sid) override;
  Result<ProviderAccount> update_account(const ProviderAccount& a) override;
  Result<PhoneNumber> add_number(const PhoneNumber& n) override;
  Result<PhoneNumber> get_number(TenantId tenant, PhoneNumberId id) override;
  Result<std::optional<PhoneNumber>> find_number(TenantId tenant, const std::string& e164) override;
  Result<std::vector<PhoneNumber>> list_numbers(TenantId tenant, const NumberFilter& filter) override;
  Result<std::vector<PhoneNumber>> active_numbers_in_state(TenantId tenant, const std::string& state) override;
  Result<PhoneNumber> set_number_status(TenantId tenant, PhoneNumberId id, NumberStatus status,
                                        const std::string& reason, TimePoint at) override;
  Result<PhoneNumber> dedicate_number(TenantId tenant, PhoneNumberId id, CampaignId campaign,
                                      const std::string& label) override;
  Result<std::optional<PhoneNumber>> dedicated_number(TenantId tenant, CampaignId campaign) override;
  Status set_caller_id_policy(const CallerIdPolicy& p) override;
  Result<std::optional<CallerIdPolicy>> get_caller_id_policy(TenantId tenant, CampaignId campaign) override;
  Result<std::vector<AnswerSample>> answer_samples(TenantId tenant, TimePoint from, TimePoint to) override;

 private:
  Result<PhoneNumber> get_number_locked(TenantId tenant, PhoneNumberId id);
  Connection& conn_;
};

}  // namespace outdial::storage::sqlite
