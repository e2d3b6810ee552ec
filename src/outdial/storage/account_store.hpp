#pragma once
// Provider accounts, their phone numbers and each campaign's caller-ID policy (issue #3 §3).
// Every lookup is tenant-scoped: an id of another tenant is kNotFound, never its row.
// Credentials are stored only as the sealed blob (accounts::CredentialVault); this store never
// sees a plaintext secret.
//
// All methods thread-safe. Errors: kUnavailable/kInternal on database failure; kAlreadyExists on
// a uniqueness clash (account name per tenant; a live number belongs to one tenant only; one live
// dedicated number per campaign); kNotFound on an unknown or other tenant's id.
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/provider_account.hpp"
#include "outdial/core/result.hpp"

namespace outdial::storage {

struct NumberFilter {
  ProviderAccountId account_id = 0;  // 0 = every account of the tenant
  std::optional<NumberStatus> status;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Returns the account with id set. kNotFound when the tenant does not exist.
  virtual Result<ProviderAccount> create_account(const ProviderAccount& a) = 0;
  virtual Result<ProviderAccount> get_account(TenantId tenant, ProviderAccountId id) = 0;
  virtual Result<std::vector<ProviderAccount>> list_accounts(TenantId tenant) = 0;
  // Every tenant's accounts of `provider` whose public account_sid is `account_sid`, ordered by id
  // (webhooks name the carrier account that sent them, not our tenant).
  virtual Result<std::vector<ProviderAccount>> accounts_with_sid(ProviderKind provider,
                                                                 const std::string& account_sid) = 0;
  // Overwrites name, public config, credential_blob, limits and status of (a.tenant_id, a.id).
  virtual Result<ProviderAccount> update_account(const ProviderAccount& a) = 0;

  // Returns the number with id set. kNotFound when n.account_id is not an account of
  // n.tenant_id; kAlreadyExists when the E.164 number is live (not retired) anywhere.
  virtual Result<PhoneNumber> add_number(const PhoneNumber& n) = 0;
  virtual Result<PhoneNumber> get_number(TenantId tenant, PhoneNumberId id) = 0;
  // The tenant's live (not retired) number with this E.164 value.
  virtual Result<std::optional<PhoneNumber>> find_number(TenantId tenant, const std::string& e164) = 0;
  // Ordered by id.
  virtual Result<std::vector<PhoneNumber>> list_numbers(TenantId tenant, const NumberFilter& filter) = 0;
  // The tenant's active numbers in `state` (USPS code), ordered by id: the caller-ID candidates
  // of local presence for a contact in that state (numbers in the contact's area code are among
  // them). Read per dial, so its cost follows the candidates, not the pool (SQLite: migration 10).
  virtual Result<std::vector<PhoneNumber>> active_numbers_in_state(TenantId tenant, const std::string& state) = 0;
  // active <-> flagged, and either -> retired (terminal: kFailedPrecondition when retired).
  virtual Result<PhoneNumber> set_number_status(TenantId tenant, PhoneNumberId id, NumberStatus status,
                                                const std::string& reason, TimePoint at) = 0;
  // Dedicates an active number to a campaign of the same tenant and sets its label. Idempotent
  // for the same campaign. kFailedPrecondition when the number is not active or is dedicated to
  // another campaign; kNotFound when the number or the campaign is not the tenant's;
  // kAlreadyExists when the campaign already has another live dedicated number.
  virtual Result<PhoneNumber> dedicate_number(TenantId tenant, PhoneNumberId id, CampaignId campaign,
                                              const std::string& label) = 0;
  // The campaign's live dedicated number, if any.
  virtual Result<std::optional<PhoneNumber>> dedicated_number(TenantId tenant, CampaignId campaign) = 0;

  // Creates or replaces the campaign's policy. kNotFound when the campaign is not the tenant's.
  virtual Status set_caller_id_policy(const CallerIdPolicy& p) = 0;
  // nullopt when the campaign has none (callers then use the campaign's static caller_id).
  virtual Result<std::optional<CallerIdPolicy>> get_caller_id_policy(TenantId tenant, CampaignId campaign) = 0;

  // One sample per call attempt of the tenant created in [from, to) whose outcome is known
  // (answered or finished; queued/dialing/ringing/canceled attempts are left out), for number
  // health. answered = a person answered (answered_at set, not a machine).
  virtual Result<std::vector<AnswerSample>> answer_samples(TenantId tenant, TimePoint from, TimePoint to) = 0;
};

// For drivers without account support (test fakes): every call fails with kFailedPrecondition.
class UnsupportedAccountStore final : public AccountStore {
 public:
  Result<ProviderAccount> create_account(const ProviderAccount&) override { return unsupported(); }
  Result<ProviderAccount> get_account(TenantId, ProviderAccountId) override { return unsupported(); }
  Result<std::vector<ProviderAccount>> list_accounts(TenantId) override { return unsupported(); }
  Result<std::vector<ProviderAccount>> accounts_with_sid(ProviderKind, const std::string&) override {
    return unsupported();
  }
  Result<ProviderAccount> update_account(const ProviderAccount&) override { return unsupported(); }
  Result<PhoneNumber> add_number(const PhoneNumber&) override { return unsupported(); }
  Result<PhoneNumber> get_number(TenantId, PhoneNumberId) override { return unsupported(); }
  Result<std::optional<PhoneNumber>> find_number(TenantId, const std::string&) override { return unsupported(); }
  Result<std::vector<PhoneNumber>> list_numbers(TenantId, const NumberFilter&) override { return unsupported(); }
  Result<std::vector<PhoneNumber>> active_numbers_in_state(TenantId, const std::string&) override {
    return unsupported();
  }
  Result<PhoneNumber> set_number_status(TenantId, PhoneNumberId, NumberStatus, const std::string&,
                                        TimePoint) override {
    return unsupported();
  }
  Result<PhoneNumber> dedicate_number(TenantId, PhoneNumberId, CampaignId, const std::string&) override {
    return unsupported();
  }
  Result<std::optional<PhoneNumber>> dedicated_number(TenantId, CampaignId) override { return unsupported(); }
  Status set_caller_id_policy(const CallerIdPolicy&) override { return unsupported(); }
  Result<std::optional<CallerIdPolicy>> get_caller_id_policy(TenantId, CampaignId) override {
    return unsupported();
  }
  Result<std::vector<AnswerSample>> answer_samples(TenantId, TimePoint, TimePoint) override {
    return unsupported();
  }

 private:
  static Error unsupported() {
    return make_error(ErrorCode::kFailedPrecondition, "provider accounts are not supported by this storage driver");
  }
};

}  // namespace outdial::storage
