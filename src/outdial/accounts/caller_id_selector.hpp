#pragma once
// Caller-ID selection (issue #3 §3). Pure: no I/O, no clock. The dialer loads the tenant's
// numbers and the campaign's CallerIdPolicy once (AccountStore), then asks per call.
//
// Rules:
//   - Only a number the tenant owns can be a caller ID: a number is usable only when it is in
//     the tenant's list, belongs to the tenant, and is active (flagged and retired numbers are
//     never used).
//   - A number dedicated to one campaign is never used by another campaign.
//   - dedicated:      the campaign's dedicated number; none -> kFailedPrecondition.
//   - local_presence: an active number with the contact's area code, else one in the contact's
//                     state, else the policy's default number; none -> kFailedPrecondition.
//                     Among several candidates the choice is a stable hash of the contact's
//                     number, so one contact always sees the same caller ID and load spreads.
//   - static:         the policy's static number.
//   A static/default number that is not the tenant's (or not active) -> kPermissionDenied
//   naming the number ("tenant does not own ...").
//   - A number whose provider account cannot place calls (disabled, missing what its carrier
//     needs: `blocked_accounts`) is not usable either; a dedicated/static/default number of such
//     an account -> kFailedPrecondition naming the number and why.
#include <map>
#include <string>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/core/provider_account.hpp"
#include "outdial/core/result.hpp"

namespace outdial::accounts {

// Where the called contact is (the dialer knows it from the contact's number).
struct ContactLocation {
  std::string e164;       // the contact's number (used for the stable choice)
  std::string area_code;  // "415"; may be empty
  std::string state;      // "CA"; may be empty
};

struct CallerIdChoice {
  PhoneNumber number;  // the chosen number; number.account_id names the provider account (Pacer)
  // How it was chosen: "dedicated", "area_code", "state", "default", "static".
  std::string reason;
};

class CallerIdSelector {
 public:
  // `numbers`: the tenant's numbers (any status; the selector filters). Errors: kFailedPrecondition
  // when the strategy finds no usable number (details: campaign_id, strategy), kPermissionDenied
  // when a configured number is not an active number of the tenant (details: number),
  // kInvalidArgument when the policy is incomplete (static without static_number).
  // `blocked_accounts`: the accounts among the numbers' that cannot place calls, each with why.
  static Result<CallerIdChoice> select(TenantId tenant, const std::vector<PhoneNumber>& numbers,
                                       const CallerIdPolicy& policy, const ContactLocation& contact,
                                       const std::map<ProviderAccountId, std::string>& blocked_accounts = {});

  // True when `e164` is an active number of `tenant` in `numbers` (the ownership check used for
  // static/default numbers; also for validating a campaign's caller_id).
  static bool owns(TenantId tenant, const std::vector<PhoneNumber>& numbers, const std::string& e164);
};

// "Reactivation_<MonthYear>_<ClientName>" (seed "AI Outbound Call Policy"): MonthYear is the
// month and year of `month` in UTC ("Nov2026"); ClientName is the client's name with every
// character outside [A-Za-z0-9] removed and each word capitalised ("acme dental, llc" ->
// "AcmeDentalLlc"); "Client" when nothing is left.
std::string dedicated_number_label(TimePoint month, const std::string& client_name);

// Picks the number to dedicate to `campaign`: the campaign's current dedicated number if it has
// one (idempotent), else `preferred` (id) if given, else the tenant's first active number that
// is not dedicated to any campaign (lowest id). The caller stores the result with
// dedicated_campaign_id = campaign and label = dedicated_number_label(...).
// Errors: kFailedPrecondition when no free active number exists; kNotFound when `preferred` is
// not the tenant's; kFailedPrecondition when `preferred` is inactive or dedicated elsewhere.
Result<PhoneNumber> choose_dedicated_number(TenantId tenant, const std::vector<PhoneNumber>& numbers,
                                            CampaignId campaign, PhoneNumberId preferred = 0);

// The area code and state of a US number "+1NPANXXXXXX" (geo NPA table). kInvalidArgument for
// anything that is not a US geographic NANP number (non-US NANP, toll-free, malformed).
struct NumberLocation {
  std::string area_code;
  std::string state;
};
Result<NumberLocation> locate_us_number(const std::string& e164);

}  // namespace outdial::accounts
