#pragma once
// What an inbound SMS does to the stores, the same for every carrier (the Twilio and Telnyx
// webhook routes verify, parse and classify, then call apply_inbound_sms):
//   opt-out  -> the sender goes on the tenant's internal do-not-call list at once and every
//               consent of the number is revoked (compliance-rules REVOKE, DNC-INTERNAL);
//   opt-in   -> (START/UNSTOP) an SMS consent; a do-not-call entry that came from an SMS opt-out
//               is lifted with it, one from a call (press 2) or staff stays;
//   help     -> the tenant's help text as the reply (unless the carrier answered HELP itself).
// Replays are no-ops: the DNC add is idempotent, an opt-in with the same message id adds nothing.
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/core/ids.hpp"
#include "outdial/storage/account_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "outdial/storage/compliance_store.hpp"
#include "outdial/storage/tenant_store.hpp"
#include "outdial/telephony/sms/keywords.hpp"

namespace outdial::telephony::sms {

struct InboundSms {
  std::string provider;    // "twilio", "telnyx": the evidence is "<provider>-sms:<message_id>"
  std::string message_id;  // the carrier's message id (MessageSid, data.payload.id)
  std::string from;        // the contact (E.164)
  std::string to;          // our number
  // The tenant the webhook URL names; nullopt: the tenant that owns `to` (one of its live
  // numbers: the dialer may have called from any of them, e.g. local presence) or whose
  // campaigns use it as caller ID (a number two tenants share is ambiguous and resolves to none).
  std::optional<TenantId> tenant;
};

struct InboundSmsStores {
  storage::ComplianceStore& compliance;
  storage::TenantStore& tenants;
  storage::CampaignStore& campaigns;
  const Clock& clock;
  // The tenants' numbers (AccountStore); null: campaign caller IDs only.
  storage::AccountStore* accounts = nullptr;
};

struct InboundSmsOutcome {
  // 200: done (or nothing to do); 503: not stored, the carrier should redeliver (store down, or
  // an opt-out no tenant can be found for: never drop one silently); 404: the URL's tenant is unknown.
  int status = 200;
  std::string reply;    // text to send back to the contact ("" = none)
  std::string warning;  // one line for the log ("" = none); never holds message text
};

// `carrier_answered`: the carrier already answered this keyword text itself (its opt-out
// confirmation or help reply: carrier_answers() with the provider's CarrierKeywords), so the
// stores change as usual but no reply comes from us: one confirmation / one help reply per text.
InboundSmsOutcome apply_inbound_sms(const InboundSmsStores& stores, const InboundSms& sms, const SmsClassification& cls,
                                    bool carrier_answered);

// True for a do-not-call entry source written by an SMS opt-out ("<provider>-sms:<id>").
bool is_sms_opt_out_source(const std::string& source);

}  // namespace outdial::telephony::sms
