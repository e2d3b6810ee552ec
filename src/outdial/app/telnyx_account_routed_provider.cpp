#include "outdial/app/telnyx_account_routed_provider.hpp"

#include "outdial/accounts/health_check.hpp"

namespace outdial::app {
namespace tx = telephony::telnyx;

namespace {

// The account's API base as the driver wants it: the account stores the host part
// (https://api.telnyx.com, as for the health check); the driver's paths are under /v2.
std::string driver_api_base(const ProviderAccount& account) {
  std::string base = account.api_base.empty() ? accounts::default_api_base(ProviderKind::kTelnyx) : account.api_base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/v2";
}

std::string field(const accounts::Credentials& creds, const char* name) {
  auto it = creds.find(name);
  return it == creds.end() ? std::string() : it->second;
}

}  // namespace

TelnyxAccountRoutedProvider::TelnyxAccountRoutedProvider(tx::TelnyxProvider& configured,
                                                         storage::AccountStore& accounts, storage::CallStore& calls,
                                                         const accounts::CredentialVault* vault, net::HttpClient& http,
                                                         tx::CallRegistry* registry, const Clock& signature_clock,
                                                         storage::TenantStore* tenants)
    : AccountRouter(configured, ProviderKind::kTelnyx, accounts, calls, vault,
                    [&configured, &http, registry, &signature_clock](
                        const ProviderAccount& account,
                        const accounts::Credentials& creds) -> Result<std::unique_ptr<tx::TelnyxProvider>> {
                      if (account.connection_id.empty()) {
                        return make_error(ErrorCode::kFailedPrecondition, "no connection_id configured",
                                          {{"field", "connection_id"}});
                      }
                      tx::TelnyxConfig cfg = configured.config();  // webhook URL, voice, AMD, time-out
                      cfg.api_key = field(creds, "api_key");
                      cfg.public_key = field(creds, "public_key");
                      if (cfg.api_key.empty()) {
                        return make_error(ErrorCode::kFailedPrecondition, "no api_key in its credentials",
                                          {{"field", "credentials.api_key"}});
                      }
                      // Without the account's key none of its webhooks could be verified.
                      if (!tx::WebhookVerifier::create(cfg.public_key, signature_clock)) {
                        return make_error(ErrorCode::kFailedPrecondition,
                                          "no usable public_key in its credentials (its webhooks could not be verified)",
                                          {{"field", "credentials.public_key"}});
                      }
                      cfg.connection_id = account.connection_id;
                      cfg.api_base = driver_api_base(account);
                      // The configured driver's clock dates reconcile()'s events (the domain clock).
                      return std::make_unique<tx::TelnyxProvider>(http, std::move(cfg), registry, &configured.clock());
                    }),
      registry_(registry),
      signature_clock_(signature_clock),
      tenants_(tenants) {}

TelnyxAccountRoutedProvider::~TelnyxAccountRoutedProvider() = default;

void TelnyxAccountRoutedProvider::prepare(tx::TelnyxProvider& driver) { driver.set_event_ingress(ingress_.load()); }

void TelnyxAccountRoutedProvider::set_event_ingress(telephony::EventIngress* ingress) {
  ingress_.store(ingress);
  for_each_driver([ingress](tx::TelnyxProvider& d) { d.set_event_ingress(ingress); });
}

Result<std::optional<TelnyxAccountRoutedProvider::Placer>> TelnyxAccountRoutedProvider::placer_by_number(
    TenantId tenant, const std::string& from) {
  Placer p;
  auto driver = for_number(tenant, from, &p.account);
  if (!driver) return driver.error();
  p.driver = *driver;
  return std::optional<Placer>(p);
}

Result<std::optional<TelnyxAccountRoutedProvider::Placer>> TelnyxAccountRoutedProvider::placer_of_attempt(
    AttemptId attempt, const tx::ClientState* claimed) {
  auto a = calls_.get_attempt(attempt);
  if (!a) {
    if (a.error().code == ErrorCode::kNotFound) return std::optional<Placer>();
    return a.error();
  }
  if (claimed != nullptr && (claimed->tenant_id != a->tenant_id || claimed->idempotency_key != a->idempotency_key ||
                             claimed->campaign_id != a->campaign_id)) {
    return make_error(ErrorCode::kPermissionDenied, "client_state does not match the attempt it names",
                      {{"attempt_id", std::to_string(attempt)}});
  }
  return placer_by_number(a->tenant_id, a->from_number);
}

Result<std::optional<TelnyxAccountRoutedProvider::Placer>> TelnyxAccountRoutedProvider::placer_of_call(
    const std::string& call_control_id) {
  if (auto known = remembered(call_control_id)) {
    auto driver = for_call(call_control_id);
    if (!driver) return driver.error();
    return std::optional<Placer>(Placer{*known, *driver});
  }
  auto attempt = calls_.find_by_provider_id(name(), call_control_id);
  if (!attempt) return attempt.error();
  if (!*attempt) return std::optional<Placer>();
  return placer_by_number((*attempt)->tenant_id, (*attempt)->from_number);
}

Result<std::optional<TelnyxAccountRoutedProvider::Placer>> TelnyxAccountRoutedProvider::placer_of_our_number(
    const std::string& e164) {
  if (tenants_ == nullptr || e164.empty()) return std::optional<Placer>();
  auto tenants = tenants_->list_tenants();
  if (!tenants) return tenants.error();
  for (const auto& t : *tenants) {
    auto number = accounts_.find_number(t.id, e164);
    if (!number) return number.error();
    if (*number) return placer_by_number(t.id, e164);
  }
  return std::optional<Placer>();
}

Result<std::string> TelnyxAccountRoutedProvider::send_sms(const telephony::SmsRequest& req) {
  if (req.tenant_id != 0) return AccountRouter::send_sms(req);
  auto placer = placer_of_our_number(req.from);
  if (!placer) return placer.error();
  if (!*placer) return configured_.send_sms(req);
  return (*placer)->driver->send_sms(req);
}

Status TelnyxAccountRoutedProvider::issue(const std::string& call_control_id, const tx::FlowCommand& command,
                                          const tx::ClientState& state) {
  // A webhook may race ahead of place_call's return (the call id is not remembered yet): the
  // attempt in the call's client_state names the account then.
  if (!remembered(call_control_id) && state.attempt_id != 0) {
    auto placer = placer_of_attempt(state.attempt_id);
    if (!placer) return placer.error();
    if (*placer) remember(call_control_id, (*placer)->account);
  }
  auto driver = for_call(call_control_id);
  if (!driver) return driver.error();
  return (*driver)->issue(call_control_id, command, state);
}

Result<std::optional<tx::WebhookVerifier>> TelnyxAccountRoutedProvider::verifier_for(const tx::TelnyxEvent& ev) {
  // The leg we dialed: the agent leg of a transfer belongs to its parent call.
  const bool agent_leg =
      ev.client_state && ev.client_state->step == "agent" && !ev.client_state->parent_call_control_id.empty();
  const std::string call_id = agent_leg ? ev.client_state->parent_call_control_id : ev.call_control_id;
  std::optional<Placer> by_call, by_state;
  if (ev.event_type.rfind("message.", 0) == 0) {
    auto p = placer_of_our_number(ev.event_type == "message.received" ? ev.to : ev.from);
    if (!p) return p.error();
    by_call = *p;
  } else if (!call_id.empty()) {
    auto p = placer_of_call(call_id);
    if (!p) return p.error();
    by_call = *p;
  }
  // A call this process placed names its attempt in the registry: the same attempt as the
  // client_state's needs no second look-up (the common case, no store access at all).
  const bool same_as_placed = by_call && ev.client_state && registry_ != nullptr && remembered(call_id) && [&] {
    auto placed = registry_->get(call_id);
    if (!placed) return false;
    const auto& ours = placed->state;
    const auto& claimed = *ev.client_state;
    return ours.attempt_id == claimed.attempt_id && ours.tenant_id == claimed.tenant_id &&
           ours.idempotency_key == claimed.idempotency_key && ours.campaign_id == claimed.campaign_id;
  }();
  if (same_as_placed) {
    by_state = by_call;
  } else if (ev.client_state && ev.client_state->attempt_id != 0) {
    // Named by the (unverified) client_state: it must be that attempt's own (tenant, key, campaign).
    auto p = placer_of_attempt(ev.client_state->attempt_id, &*ev.client_state);
    if (!p) return p.error();
    by_state = *p;
  }
  if (by_call && by_state && by_call->account != by_state->account) {
    return make_error(ErrorCode::kPermissionDenied,
                      "client_state and call_control_id name calls of different accounts",
                      {{"call_control_id", call_id}});
  }
  const std::optional<Placer> placer = by_call ? by_call : by_state;
  if (!placer || placer->account == 0) return std::optional<tx::WebhookVerifier>();  // the configured account's
  auto verifier = tx::WebhookVerifier::create(placer->driver->config().public_key, signature_clock_);
  if (!verifier) {
    return make_error(ErrorCode::kFailedPrecondition, "the call's account has no usable public key",
                      {{"account_id", std::to_string(placer->account)}});
  }
  return std::optional<tx::WebhookVerifier>(std::move(verifier).value());
}

}  // namespace outdial::app
