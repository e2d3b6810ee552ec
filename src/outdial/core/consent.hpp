#pragma once
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/core/ids.hpp"

namespace outdial {

enum class Channel { kVoice, kSms };
const char* to_string(Channel c);
std::optional<Channel> parse_channel(const std::string& s);

// compliance-rules.md: PEWC, prior express consent, EBR (purchase: 18 months, inquiry: 3 months).
enum class ConsentType { kPriorExpressWritten, kPriorExpress, kEstablishedBusinessRelationship };
const char* to_string(ConsentType t);
std::optional<ConsentType> parse_consent_type(const std::string& s);

enum class EbrKind { kNone, kPurchase, kInquiry };
const char* to_string(EbrKind k);
std::optional<EbrKind> parse_ebr_kind(const std::string& s);

struct ConsentRecord {
  ConsentId id = 0;
  TenantId tenant_id = 0;
  std::string phone_e164;
  ConsentType type = ConsentType::kPriorExpress;
  EbrKind ebr_kind = EbrKind::kNone;
  std::optional<TimePoint> ebr_start;  // purchase or inquiry date for EBR
  std::optional<Channel> channel;      // nullopt = every channel
  bool covers_artificial_voice = false;  // written consent that names AI/prerecorded calls
  std::string source;                  // where it came from (web form, CSV column, call)
  std::string evidence;                // URL, recording id, signed-form id
  TimePoint granted_at{};
  std::optional<TimePoint> revoked_at;
};

// Internal (company) do-not-call entry: blocks every channel at once (DNC-INTERNAL, POLICY).
struct DncEntry {
  std::int64_t id = 0;
  TenantId tenant_id = 0;
  std::string phone_e164;
  std::string reason;   // "press 2", "STOP", "manual", ...
  std::string source;
  TimePoint created_at{};
};

// A number a carrier refused to call (CARRIER-REJECTED, POLICY): invalid, unassigned or not
// callable (Twilio 21211/21214/21217, Telnyx 10015/10016), or outside the account's geographic
// permissions. The tenant's later attempts on that channel are blocked by the gate until staff
// remove the entry: re-dialing a number the carrier called invalid only repeats the failure.
struct RejectedNumber {
  TenantId tenant_id = 0;
  std::string phone_e164;
  Channel channel = Channel::kVoice;
  std::string reason;         // the carrier's words: "twilio place_call: HTTP 400 code 21211 (...)"
  std::string provider;       // "twilio", "telnyx", ...
  std::string provider_code;  // "21211"; empty when the carrier gave none
  TimePoint rejected_at{};
};

}  // namespace outdial
