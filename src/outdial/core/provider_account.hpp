#pragma once
// Provider accounts, the phone numbers they own, and a campaign's caller-ID policy (issue #3 §3).
// Plain domain types in core, like Campaign, so the store interfaces keep depending on core only;
// the behaviour (credential vault, caller-ID selection, number health, pacing) lives in accounts/.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "outdial/core/clock.hpp"
#include "outdial/core/enum_table.hpp"
#include "outdial/core/ids.hpp"

namespace outdial {

using ProviderAccountId = std::int64_t;
using PhoneNumberId = std::int64_t;

enum class ProviderKind { kTwilio, kTelnyx, kVapi, kSim };
inline constexpr std::pair<ProviderKind, const char*> kProviderKindNames[] = {
    {ProviderKind::kTwilio, "twilio"},
    {ProviderKind::kTelnyx, "telnyx"},
    {ProviderKind::kVapi, "vapi"},
    {ProviderKind::kSim, "sim"},
};
inline const char* to_string(ProviderKind k) { return detail::name_of(kProviderKindNames, k); }
inline std::optional<ProviderKind> parse_provider_kind(const std::string& s) {
  return detail::parse_name(kProviderKindNames, s);
}

// The account's own limits (provider-contracts.md §7). 0 = no limit of that kind.
struct ProviderLimits {
  int calls_per_second = 0;  // Twilio CPS: at most this many call starts in ANY 1-second window
  int window_seconds = 0;    // a rolling window (Telnyx: 5 s) ...
  int window_max = 0;        // ... holding at most this many call starts
  int max_concurrency = 0;   // calls in flight at once (Twilio/Telnyx account-wide, Vapi slots)
  bool operator==(const ProviderLimits&) const = default;
};

enum class AccountStatus { kActive, kDisabled };
inline constexpr std::pair<AccountStatus, const char*> kAccountStatusNames[] = {
    {AccountStatus::kActive, "active"},
    {AccountStatus::kDisabled, "disabled"},
};
inline const char* to_string(AccountStatus s) { return detail::name_of(kAccountStatusNames, s); }
inline std::optional<AccountStatus> parse_account_status(const std::string& s) {
  return detail::parse_name(kAccountStatusNames, s);
}

struct ProviderAccount {
  ProviderAccountId id = 0;
  TenantId tenant_id = 0;
  ProviderKind provider = ProviderKind::kSim;
  std::string name;
  // Public configuration (may be shown): Twilio account SID, Telnyx connection id, API base URL.
  std::string account_sid;
  std::string connection_id;
  std::string api_base;
  // The credentials, sealed by accounts::CredentialVault ("v1." + base64(nonce || box)). Never
  // the plaintext; never returned by the API or logged.
  std::string credential_blob;
  ProviderLimits limits;
  AccountStatus status = AccountStatus::kActive;
  TimePoint created_at{};
};

// active: usable as a caller ID. flagged: kept but not used (e.g. a low answer rate suggests
// carrier spam labelling); can be reactivated. retired: never used again (terminal).
enum class NumberStatus { kActive, kFlagged, kRetired };
inline constexpr std::pair<NumberStatus, const char*> kNumberStatusNames[] = {
    {NumberStatus::kActive, "active"},
    {NumberStatus::kFlagged, "flagged"},
    {NumberStatus::kRetired, "retired"},
};
inline const char* to_string(NumberStatus s) { return detail::name_of(kNumberStatusNames, s); }
inline std::optional<NumberStatus> parse_number_status(const std::string& s) {
  return detail::parse_name(kNumberStatusNames, s);
}

struct PhoneNumber {
  PhoneNumberId id = 0;
  TenantId tenant_id = 0;
  ProviderAccountId account_id = 0;
  std::string e164;
  std::string area_code;  // "415"
  std::string state;      // USPS code, "CA"
  // Free text; for a campaign's dedicated number "Reactivation_<MonthYear>_<ClientName>".
  std::string label;
  NumberStatus status = NumberStatus::kActive;
  std::string status_reason;     // why flagged/retired
  CampaignId dedicated_campaign_id = 0;  // 0 = not dedicated to a campaign
  TimePoint created_at{};
  std::optional<TimePoint> status_changed_at;
};

// How a campaign picks the caller ID of each call (accounts::CallerIdSelector).
//   dedicated:      the campaign's own number (seed "AI Outbound Call Policy": one dedicated
//                   number per reactivation campaign, shown to the client, never handed over)
//   local_presence: a number in the contact's area code, else in its state, else the default
//   static:         always `static_number`
enum class CallerIdStrategy { kDedicated, kLocalPresence, kStatic };
inline constexpr std::pair<CallerIdStrategy, const char*> kCallerIdStrategyNames[] = {
    {CallerIdStrategy::kDedicated, "dedicated"},
    {CallerIdStrategy::kLocalPresence, "local_presence"},
    {CallerIdStrategy::kStatic, "static"},
};
inline const char* to_string(CallerIdStrategy s) { return detail::name_of(kCallerIdStrategyNames, s); }
inline std::optional<CallerIdStrategy> parse_caller_id_strategy(const std::string& s) {
  return detail::parse_name(kCallerIdStrategyNames, s);
}

struct CallerIdPolicy {
  TenantId tenant_id = 0;
  CampaignId campaign_id = 0;
  CallerIdStrategy strategy = CallerIdStrategy::kDedicated;
  std::string static_number;   // E.164; required for kStatic
  std::string default_number;  // E.164; local presence's last fallback (optional)
  TimePoint updated_at{};
};

// One finished call attempt placed from `from_e164`: the input of number health
// (accounts/number_health.hpp), read from the call attempts by AccountStore::answer_samples.
struct AnswerSample {
  std::string from_e164;
  TimePoint at{};         // when the attempt was created
  bool answered = false;  // a person answered (machine answers do not count)
};

}  // namespace outdial
