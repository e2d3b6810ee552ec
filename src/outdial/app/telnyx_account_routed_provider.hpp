#pragma once
// Telnyx calls go out through the Telnyx account that owns their From number (issue #3 §3; the
// routing itself is AccountRouter's): a call whose From is a number of an active Telnyx account
// of the call's tenant is placed through a TelnyxProvider built from that account's sealed
// credentials ({"api_key", "public_key"}) and public configuration (connection_id, API base);
// any other call through the install's configured account (OUTDIAL_TELNYX_*), as before. An
// account without a connection_id or a public_key (its webhooks could not be verified) places
// no calls: they wait (kFailedPrecondition), never going out through another account.
//
// Also the webhook routes' CommandIssuer (the IVR's commands for a call go to the account that
// placed it) and TelnyxAccountDirectory (a webhook about a call is verified with the public key of
// the account that placed it). All drivers share one CallRegistry (call_control_ids are unique
// across accounts). Credentials never appear in logs or errors. Part of the composition root.
// Thread-safe.
#include <atomic>
#include <optional>
#include <string>

#include "outdial/app/account_router.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/net/http_client.hpp"
#include "outdial/storage/tenant_store.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/telnyx/call_registry.hpp"
#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "outdial/telephony/telnyx/webhook_routes.hpp"

namespace outdial::app {

class TelnyxAccountRoutedProvider final : public AccountRouter<telephony::telnyx::TelnyxProvider>,
                                          public telephony::telnyx::CommandIssuer,
                                          public telephony::telnyx::TelnyxAccountDirectory {
 public:
  // `configured` is the install's account. The stores, vault (null: no secret key configured, so
  // no account's credentials can be opened), http client, registry (may be null) and
  // `signature_clock` (webhook timestamps: the real clock) must outlive this object. `tenants`
  // (optional) finds the account of one of our numbers without a tenant (messaging, below).
  TelnyxAccountRoutedProvider(telephony::telnyx::TelnyxProvider& configured, storage::AccountStore& accounts,
                              storage::CallStore& calls, const accounts::CredentialVault* vault,
                              net::HttpClient& http, telephony::telnyx::CallRegistry* registry,
                              const Clock& signature_clock, storage::TenantStore* tenants = nullptr);
  ~TelnyxAccountRoutedProvider() override;

  // An SMS without a tenant (the routes' reply to an inbound text) goes through the account that
  // owns its From number in whichever tenant has it (a live number belongs to one tenant).
  Result<std::string> send_sms(const telephony::SmsRequest& req) override;

  // CommandIssuer: through the driver of the account that placed the call (`state` names its
  // attempt when the call id is not known yet).
  Status issue(const std::string& call_control_id, const telephony::telnyx::FlowCommand& command,
               const telephony::telnyx::ClientState& state) override;

  // TelnyxAccountDirectory. Messaging webhooks (message.*) name no call: the account that owns
  // our number (the recipient of message.received, the sender of the others) signs them.
  Result<std::optional<telephony::telnyx::WebhookVerifier>> verifier_for(
      const telephony::telnyx::TelnyxEvent& unverified) override;

  // Where every driver's reconcile() delivers the end of a call whose call.hangup was missed
  // (the configured one's too, and each account driver built later).
  void set_event_ingress(telephony::EventIngress* ingress);

 private:
  void prepare(telephony::telnyx::TelnyxProvider& driver) override;

  // The account (0 = configured) a call goes out through, and its driver.
  struct Placer {
    ProviderAccountId account = 0;
    telephony::telnyx::TelnyxProvider* driver = nullptr;
  };
  // By the attempt's tenant and From number; nullopt when there is no such attempt. With
  // `claimed` (a webhook's still unverified client_state): kPermissionDenied unless its tenant,
  // key and campaign are the stored attempt's (a tenant's key must not vouch for a client_state
  // that names another tenant).
  Result<std::optional<Placer>> placer_of_attempt(AttemptId attempt,
                                                  const telephony::telnyx::ClientState* claimed = nullptr);
  // The account that placed the call with this id; nullopt when it is no call of ours.
  Result<std::optional<Placer>> placer_of_call(const std::string& call_control_id);
  Result<std::optional<Placer>> placer_by_number(TenantId tenant, const std::string& from);
  // The account of one of our numbers, in whichever tenant has it live; nullopt: none has it.
  Result<std::optional<Placer>> placer_of_our_number(const std::string& e164);

  telephony::telnyx::CallRegistry* registry_;
  const Clock& signature_clock_;
  storage::TenantStore* tenants_;
  std::atomic<telephony::EventIngress*> ingress_{nullptr};
};

}  // namespace outdial::app
