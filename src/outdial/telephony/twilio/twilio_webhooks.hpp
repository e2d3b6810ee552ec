#pragma once
// Twilio webhook routes (docs/provider-contracts.md §2). Every route first checks
// X-Twilio-Signature against the exact public URL Twilio requested (config.public_base_url +
// the path and query received) with the auth token of the account the request's AccountSid names
// (one of ours in the account directory, else the configured account): a missing or forged
// signature answers 403 and changes nothing. Parsing and mapping are the pure functions of
// twilio_events.hpp / twilio_twiml.hpp; the handlers only look up, store and render.
//
// Routes (all POST, form-encoded):
//   /twilio/voice/:attempt          TwiML on answer (greeting + one-digit gather)
//   /twilio/status/:attempt[?amd=1] call status callback -> CallEvents
//   /twilio/amd/:attempt            async AMD result -> answered event; machine -> voicemail redirect
//   /twilio/gather/:attempt/:try    digits -> kDigits; 2 -> internal DNC before the reply; 1 -> <Dial>
//   /twilio/dial/:attempt           <Dial> action: hang up, or "nobody available"
//   /twilio/voicemail/:attempt      TwiML of the voicemail drop
//   /twilio/recording/:attempt      recording status callback -> stored recording URL
//   /twilio/sms[/:tenant]           inbound SMS: opt-out / opt-in / HELP keywords
#include <functional>
#include <optional>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/net/router.hpp"
#include "outdial/storage/account_store.hpp"
#include "outdial/storage/call_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "outdial/storage/compliance_store.hpp"
#include "outdial/storage/tenant_store.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/twilio/twilio_config.hpp"
#include "outdial/telephony/twilio/twilio_provider.hpp"

namespace outdial::telephony::twilio {

// The Twilio accounts of ours besides the configured one (tenants' own accounts; implemented by
// the composition root over the account store and the credential vault). Twilio signs each
// callback with the auth token of the account that placed the call and names that account in the
// AccountSid form field. Thread-safe.
class TwilioAccountDirectory {
 public:
  virtual ~TwilioAccountDirectory() = default;
  // The auth token of our account with this SID, active or disabled (a disabled account's calls in
  // flight and its numbers' inbound texts are still signed with its token); nullopt when there is
  // none (the configured account's token is used). kPermissionDenied (the SID is ambiguous: accounts of
  // several tenants, or different tokens) answers 403; any other error (store unavailable) 503.
  virtual Result<std::optional<std::string>> auth_token(const std::string& account_sid) = 0;
  // The driver of that account (live-call redirect / hang-up); null: the configured one.
  virtual TwilioProvider* provider(const std::string& account_sid) = 0;
  // Whether the account with this SID (ours, or the configured one) is the one the attempt's call
  // goes out through; a callback about the attempt signed by another account answers 403.
  virtual Result<bool> placed_by(const CallAttempt& attempt, const std::string& account_sid) = 0;
};

struct TwilioWebhookDeps {
  TwilioConfig config;  // auth_token (signature key), public_base_url, voice
  EventIngress& ingress;
  storage::CallStore& calls;
  storage::CampaignStore& campaigns;
  storage::ComplianceStore& compliance;
  storage::TenantStore& tenants;
  TwilioProvider& provider;  // live-call redirect (AMD machine -> voicemail), hang-up (fax)
  const Clock& clock;
  // Optional: one line per rejected or failed webhook (never contains the auth token).
  std::function<void(const std::string&)> log_warning;
  // Optional: the tenants' numbers, so an inbound SMS to a number the dialer called from (caller
  // ID chosen per call) finds its tenant; null: campaign caller IDs only.
  storage::AccountStore* accounts = nullptr;
  // Optional: the other accounts of ours whose callbacks these routes take; null: only the
  // configured account's (config.auth_token) are accepted.
  TwilioAccountDirectory* account_directory = nullptr;
};

// Adds the routes above. `deps` is copied into the handlers; the stores, ingress, provider and
// clock it refers to must outlive the router. Handlers are thread-safe.
void register_twilio_routes(net::Router& router, const TwilioWebhookDeps& deps);

}  // namespace outdial::telephony::twilio
