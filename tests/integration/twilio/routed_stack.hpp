#pragma once
// TwilioStack with the dialer placing calls through app::AccountRoutedProvider (each tenant's own
// Twilio account for its numbers, else the configured account) and the Twilio routes verifying
// callbacks through it (TwilioAccountDirectory): the wiring the account-routing and recording
// tests share.
#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "integration/provider_accounts.hpp"
#include "integration/twilio/twilio_stack.hpp"
#include "outdial/accounts/credentials.hpp"
#include "outdial/app/account_routed_provider.hpp"

namespace outdial::itest::twilio {

class RoutedTwilioStack : public TwilioStack {
 protected:
  explicit RoutedTwilioStack(char vault_seed) : vault_(test_vault(vault_seed)) {}

  // The routed provider, the dialer (caller IDs owned per tenant: `owned`) and the Twilio routes
  // on router_. The server does not take requests yet: add more routes, then finish_wiring().
  void wire_routed_dialer(dialer::CallerIdDirectory owned) {
    provider_ = std::make_unique<telephony::twilio::TwilioProvider>(config_, *http_, sched_);
    routed_ = std::make_unique<app::AccountRoutedProvider>(*provider_, db_->accounts(), db_->calls(), &vault_, *http_,
                                                           sched_);
    facts_ = std::make_unique<dialer::FactsBuilder>(db_->compliance(), db_->calls(), db_->campaigns(), &registry_,
                                                     std::move(owned));
    runner_ = std::make_unique<dialer::CampaignRunner>(*db_, *routed_, gate_, *facts_, sched_);
    ingress_.set(&runner_->sink());
    routed_->set_event_ingress(&ingress_);
    telephony::twilio::TwilioWebhookDeps deps{config_,          ingress_,       db_->calls(), db_->campaigns(),
                                              db_->compliance(), db_->tenants(), *provider_,  sched_,
                                              [this](const std::string& line) {
                                                std::lock_guard lock(warn_mu_);
                                                warnings_.push_back(line);
                                              },
                                              &db_->accounts()};
    deps.account_directory = routed_.get();
    telephony::twilio::register_twilio_routes(router_, deps);
  }
  // Opens the server to requests and runs the dialer's restart recovery.
  void finish_wiring() {
    ready_.store(true, std::memory_order_release);
    ASSERT_TRUE(runner_->recover());
  }

  // TwilioStack::drive over several emulators: ticks the dialer and runs the scheduler until no
  // campaign is active, nothing is in flight and no call is live at any of `emulators` (or
  // `limit` of scheduler time has passed), then one more tick a minute later.
  void drive_over(std::initializer_list<const te::TwilioEmulator*> emulators, Millis limit = std::chrono::hours(8)) {
    const TimePoint stop = sched_.now() + limit;
    for (int step = 0; step < 200'000; ++step) {
      const auto tr = runner_->tick();
      bool live = false;
      for (const auto* e : emulators) {
        for (const auto& c : e->calls()) live = live || !c.ended();
      }
      if (tr.active_campaigns == 0 && tr.in_flight == 0 && !live) break;
      TimePoint next = std::min(stop, sched_.now() + std::chrono::seconds(5));
      if (tr.next_due) next = std::min(next, *tr.next_due);
      TimePoint due;
      if (sched_.next_due(due)) next = std::min(next, due);
      if (next >= stop) break;
      sched_.run_until(std::max(next, sched_.now()));
    }
    sched_.advance(std::chrono::minutes(1));
    (void)runner_->tick();
  }

  accounts::CredentialVault vault_;
  std::unique_ptr<app::AccountRoutedProvider> routed_;
};

}  // namespace outdial::itest::twilio
