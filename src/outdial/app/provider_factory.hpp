#pragma once
// Builds the carrier chosen by configuration (Config::provider): "sim" (the simulated carrier,
// default), "twilio" or "telnyx" (REST driver over libcurl + signed webhook routes + the durable
// webhook inbox). Part of the composition root; the only place that knows the concrete drivers.
#include <memory>
#include <string>

#include "outdial/app/config.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/net/router.hpp"
#include "outdial/storage/database.hpp"
#include "outdial/telephony/provider.hpp"
#include "outdial/telephony/scheduled_events.hpp"

namespace outdial::ingest {
class DurableInbox;
}
namespace outdial::net {
class HttpClient;
}
namespace outdial::telephony::sim {
class SimCarrier;
}
namespace outdial::telephony::twilio {
class TwilioProvider;
}
namespace outdial::telephony::telnyx {
class TelnyxProvider;
class CallRegistry;
}

namespace outdial::accounts {
class CredentialVault;
}

namespace outdial::app {

class AccountRoutedProvider;
class TelnyxAccountRoutedProvider;

class ProviderSet {
 public:
  // kInvalidArgument naming the variable when the chosen provider's settings are missing or
  // malformed (e.g. OUTDIAL_TWILIO_AUTH_TOKEN unset), or for an unknown provider name.
  // `domain_clock` stamps events and drives the simulated carrier; `signature_clock` (null = the
  // domain clock) is what webhook signature timestamps are checked against (Telnyx: ±300 s). It
  // must be the real clock whenever the domain clock is shifted (`outdial demo --provider`).
  static Result<std::unique_ptr<ProviderSet>> create(const Config& cfg, const Clock& domain_clock,
                                                     const Clock* signature_clock = nullptr);
  ~ProviderSet();
  ProviderSet(const ProviderSet&) = delete;
  ProviderSet& operator=(const ProviderSet&) = delete;

  const std::string& name() const { return name_; }
  // Twilio and Telnyx: calls from a number of a tenant's own active account of that carrier go
  // out through that account (AccountRoutedProvider, TelnyxAccountRoutedProvider), and the
  // webhook routes accept that account's signatures for its calls. Call before provider() is
  // handed out and before connect(). `vault` may be null (no secret key: such calls wait, see
  // AccountRouter). No effect for the simulated carrier.
  void route_by_account(storage::Database& db, const accounts::CredentialVault* vault);
  // Whether a call from a number of `account` goes out through that account (route_by_account's
  // rule; false before it and for the simulated carrier): that account's limits pace it.
  bool routes_through(const ProviderAccount& account) const;
  // Whether calls from a number of `account` can be placed (a caller-ID usability check):
  // accounts::check_can_place_calls, and when this install routes the account's carrier, the
  // router's check_account (its credentials open and hold what its driver needs).
  // kFailedPrecondition naming what is missing.
  Status check_account(const ProviderAccount& account);
  // What the dialer places calls through.
  telephony::Provider& provider();
  // The simulated carrier (null for real carriers) and its scheduled events (virtual time).
  telephony::sim::SimCarrier* sim() { return sim_.get(); }
  telephony::ScheduledEvents* scheduled_events();

  // Connects the provider's events to the dialer's sink. For webhook carriers: opens the durable
  // webhook inbox (next to the database) and adds the carrier's signed webhook routes to `router`.
  Status connect(telephony::CallEventSink& sink, storage::Database& db, net::Router& router);
  // Stops the webhook inbox (its applier calls the sink): before the sink is destroyed. Idempotent.
  void stop();

 private:
  // Out of line: the members' types are incomplete here.
  ProviderSet(const Config& cfg, const Clock& clock, const Clock& signature_clock);

  Config cfg_;
  const Clock& clock_;
  const Clock& signature_clock_;
  std::string name_;
  std::unique_ptr<telephony::sim::SimCarrier> sim_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<telephony::twilio::TwilioProvider> twilio_;
  std::unique_ptr<AccountRoutedProvider> routed_;  // over twilio_ (null until route_by_account)
  std::unique_ptr<telephony::telnyx::CallRegistry> telnyx_calls_;
  std::unique_ptr<telephony::telnyx::TelnyxProvider> telnyx_;
  std::unique_ptr<TelnyxAccountRoutedProvider> telnyx_routed_;  // over telnyx_ (null until route_by_account)
  std::unique_ptr<ingest::DurableInbox> inbox_;
};

}  // namespace outdial::app
