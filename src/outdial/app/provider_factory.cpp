#include "outdial/app/provider_factory.hpp"

#include <spdlog/spdlog.h>

#include "outdial/app/account_routed_provider.hpp"
#include "outdial/app/telnyx_account_routed_provider.hpp"
#include "outdial/ingest/sqlite/webhook_ingest.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"
#include "outdial/telephony/telnyx/script_lookup.hpp"
#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "outdial/telephony/telnyx/webhook_routes.hpp"
#include "outdial/telephony/twilio/twilio_provider.hpp"
#include "outdial/telephony/twilio/twilio_webhooks.hpp"

namespace outdial::app {
namespace {

bool is_http_url(const std::string& s) { return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0; }

Error missing(const std::string& var, const std::string& why, const std::string& provider = "twilio") {
  return make_error(ErrorCode::kInvalidArgument, var + " " + why + " (OUTDIAL_PROVIDER=" + provider + ")",
                    {{"variable", var}});
}

}  // namespace

Result<std::unique_ptr<ProviderSet>> ProviderSet::create(const Config& cfg, const Clock& domain_clock,
                                                         const Clock* signature_clock) {
  std::unique_ptr<ProviderSet> p(
      new ProviderSet(cfg, domain_clock, signature_clock != nullptr ? *signature_clock : domain_clock));
  p->name_ = cfg.provider.empty() ? std::string("sim") : cfg.provider;
  if (p->name_ == "sim") {
    auto carrier = telephony::sim::SimCarrier::create(domain_clock, telephony::sim::SimProfile{}, cfg.sim_seed,
                                                      cfg.ledger_path());
    if (!carrier.ok()) return carrier.error();
    p->sim_ = std::move(carrier).value();
    return p;
  }
  if (p->name_ == "twilio") {
    if (cfg.twilio_account_sid.size() != 34 || cfg.twilio_account_sid.rfind("AC", 0) != 0) {
      return missing("OUTDIAL_TWILIO_ACCOUNT_SID", "must be the account SID (AC + 32 hex)");
    }
    if (cfg.twilio_auth_token.empty()) return missing("OUTDIAL_TWILIO_AUTH_TOKEN", "is not set");
    if (!is_http_url(cfg.twilio_api_base)) return missing("OUTDIAL_TWILIO_API_BASE", "must be an http(s) URL");
    if (!is_http_url(cfg.public_url)) {
      return missing("OUTDIAL_PUBLIC_URL", "must be the http(s) URL where Twilio reaches this server");
    }
    if (cfg.speed != 1.0) {
      return make_error(ErrorCode::kInvalidArgument, "a real carrier runs in real time: --speed must be 1 with twilio",
                        {{"variable", "speed"}});
    }
    telephony::twilio::TwilioConfig tc;
    tc.account_sid = cfg.twilio_account_sid;
    tc.auth_token = cfg.twilio_auth_token;
    tc.api_base = cfg.twilio_api_base;
    tc.public_base_url = cfg.public_url;
    p->http_ = net::make_curl_client();
    p->twilio_ = std::make_unique<telephony::twilio::TwilioProvider>(tc, *p->http_, domain_clock);
    return p;
  }
  if (p->name_ == "telnyx") {
    if (cfg.telnyx_api_key.empty()) return missing("OUTDIAL_TELNYX_API_KEY", "is not set", "telnyx");
    if (cfg.telnyx_connection_id.empty()) return missing("OUTDIAL_TELNYX_CONNECTION_ID", "is not set", "telnyx");
    // Checked here so a bad key fails at start-up, not at the first webhook.
    if (auto v = telephony::telnyx::WebhookVerifier::create(cfg.telnyx_public_key, p->signature_clock_); !v.ok())
      return missing("OUTDIAL_TELNYX_PUBLIC_KEY", "must be the base64 Ed25519 public key (32 bytes)", "telnyx");
    if (!is_http_url(cfg.telnyx_api_base)) return missing("OUTDIAL_TELNYX_API_BASE", "must be an http(s) URL", "telnyx");
    if (!is_http_url(cfg.public_url))
      return missing("OUTDIAL_PUBLIC_URL", "must be the http(s) URL where Telnyx reaches this server", "telnyx");
    if (cfg.speed != 1.0) {
      return make_error(ErrorCode::kInvalidArgument, "a real carrier runs in real time: --speed must be 1 with telnyx",
                        {{"variable", "speed"}});
    }
    telephony::telnyx::TelnyxConfig tc;
    tc.api_key = cfg.telnyx_api_key;
    tc.connection_id = cfg.telnyx_connection_id;
    tc.public_key = cfg.telnyx_public_key;
    tc.api_base = cfg.telnyx_api_base;
    tc.webhook_url = cfg.public_url + "/webhooks/telnyx";
    p->http_ = net::make_curl_client();
    p->telnyx_calls_ = std::make_unique<telephony::telnyx::CallRegistry>();
    p->telnyx_ = std::make_unique<telephony::telnyx::TelnyxProvider>(*p->http_, tc, p->telnyx_calls_.get(),
                                                                     &domain_clock);
    return p;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown provider '" + p->name_ + "' (OUTDIAL_PROVIDER: sim | twilio | telnyx)",
                    {{"variable", "OUTDIAL_PROVIDER"}});
}

ProviderSet::ProviderSet(const Config& cfg, const Clock& clock, const Clock& signature_clock)
    : cfg_(cfg), clock_(clock), signature_clock_(signature_clock) {}

ProviderSet::~ProviderSet() { stop(); }

void ProviderSet::route_by_account(storage::Database& db, const accounts::CredentialVault* vault) {
  if (twilio_ && !routed_) {
    routed_ = std::make_unique<AccountRoutedProvider>(*twilio_, db.accounts(), db.calls(), vault, *http_, clock_);
  }
  if (telnyx_ && !telnyx_routed_) {
    // Tenants' accounts can sign webhooks (their own keys): the client_state outdial mints is
    // authenticated with a key derived from the install's secret key, so no tenant can mint one.
    // Without a secret key no tenant account's credentials open (only the configured key signs).
    if (vault != nullptr) {
      telnyx_->set_client_state_key(
          telephony::telnyx::ClientStateKey::from_raw(vault->derive_key(1, "txclstat")).value());
    }
    telnyx_routed_ = std::make_unique<TelnyxAccountRoutedProvider>(*telnyx_, db.accounts(), db.calls(), vault,
                                                                   *http_, telnyx_calls_.get(), signature_clock_,
                                                                   &db.tenants());
  }
}

telephony::Provider& ProviderSet::provider() {
  if (routed_) return *routed_;
  if (twilio_) return *twilio_;
  if (telnyx_routed_) return *telnyx_routed_;
  if (telnyx_) return *telnyx_;
  return *sim_;
}

telephony::ScheduledEvents* ProviderSet::scheduled_events() { return sim_.get(); }

Status ProviderSet::connect(telephony::CallEventSink& sink, storage::Database& db, net::Router& router) {
  if (sim_) {
    sim_->set_sink(&sink);
    return ok_status();
  }
  ingest::WebhookIngestConfig ic;
  ic.inbox_path = ingest::default_inbox_path(cfg_.db_path);
  auto inbox = ingest::open_webhook_ingest(ic, sink);
  if (!inbox.ok()) return inbox.error();
  inbox_ = std::move(inbox).value();
  if (twilio_) {
    if (routed_) {
      routed_->set_event_ingress(inbox_.get());
    } else {
      twilio_->set_event_ingress(inbox_.get());
    }
    telephony::twilio::TwilioWebhookDeps deps{twilio_->config(), *inbox_, db.calls(), db.campaigns(),
                                              db.compliance(), db.tenants(), *twilio_, clock_,
                                              [](const std::string& line) { spdlog::warn("{}", line); },
                                              &db.accounts()};
    deps.account_directory = routed_.get();
    telephony::twilio::register_twilio_routes(router, deps);
    spdlog::info("twilio: webhooks at {}/twilio/..., REST API {}", cfg_.public_url, cfg_.twilio_api_base);
  }
  if (telnyx_) {
    namespace tx = telephony::telnyx;
    // reconcile() (restart recovery) ends calls whose call.hangup was missed through the inbox.
    if (telnyx_routed_) {
      telnyx_routed_->set_event_ingress(inbox_.get());
    } else {
      telnyx_->set_event_ingress(inbox_.get());
    }
    telnyx_->set_business_name([&db](TenantId t) {
      auto tenant = db.tenants().get_tenant(t);
      return tenant.ok() ? tenant->name : std::string();
    });
    // Signature timestamps are the carrier's real time; everything else runs on the domain clock.
    auto verifier = tx::WebhookVerifier::create(cfg_.telnyx_public_key, signature_clock_);
    if (!verifier.ok()) return verifier.error();
    // Each call's commands go to the account that placed it, its webhooks are verified with that
    // account's key (the configured account's when not routed).
    tx::CommandIssuer& commands = telnyx_routed_ ? static_cast<tx::CommandIssuer&>(*telnyx_routed_) : *telnyx_;
    tx::TelnyxWebhookDeps deps{std::move(verifier).value(), *inbox_, db.compliance(), commands, *telnyx_calls_, clock_,
                               tx::store_script_lookup(db.calls(), db.campaigns(), db.tenants())};
    deps.account_directory = telnyx_routed_.get();
    deps.client_state_key = telnyx_->config().client_state_key;
    // The same URL takes the messaging profile's webhooks (inbound SMS keywords) and recordings.
    deps.tenants = &db.tenants();
    deps.campaigns = &db.campaigns();
    deps.accounts = &db.accounts();
    deps.calls = &db.calls();
    telephony::Provider* sms = telnyx_routed_ ? static_cast<telephony::Provider*>(telnyx_routed_.get()) : telnyx_.get();
    deps.send_sms = [provider = sms](const telephony::SmsRequest& r) -> Status {
      auto sent = provider->send_sms(r);
      if (!sent) return sent.error();
      return ok_status();
    };
    tx::register_telnyx_routes(router, std::move(deps));
    spdlog::info("telnyx: webhooks at {}/webhooks/telnyx, REST API {}", cfg_.public_url, cfg_.telnyx_api_base);
  }
  return ok_status();
}

bool ProviderSet::routes_through(const ProviderAccount& account) const {
  // Through the routers' base (their overrides are private): the same rule place_call applies.
  if (routed_) return static_cast<const AccountRouter<telephony::twilio::TwilioProvider>&>(*routed_).routes_through(account);
  if (telnyx_routed_) {
    return static_cast<const AccountRouter<telephony::telnyx::TelnyxProvider>&>(*telnyx_routed_).routes_through(account);
  }
  return false;
}

Status ProviderSet::check_account(const ProviderAccount& account) {
  if (auto st = accounts::check_can_place_calls(account); !st) return st;
  if (routed_ && account.provider == ProviderKind::kTwilio) {
    return static_cast<AccountRouter<telephony::twilio::TwilioProvider>&>(*routed_).check_account(account);
  }
  if (telnyx_routed_ && account.provider == ProviderKind::kTelnyx) {
    return static_cast<AccountRouter<telephony::telnyx::TelnyxProvider>&>(*telnyx_routed_).check_account(account);
  }
  return ok_status();
}

void ProviderSet::stop() {
  if (routed_) routed_->set_event_ingress(nullptr);
  if (twilio_) twilio_->set_event_ingress(nullptr);
  if (telnyx_routed_) telnyx_routed_->set_event_ingress(nullptr);
  if (telnyx_) telnyx_->set_event_ingress(nullptr);
  if (inbox_) inbox_->stop();
}

}  // namespace outdial::app
