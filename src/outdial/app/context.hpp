#pragma once
// The composition root's object graph: the only place that builds concrete drivers
// (engineering.md §3). Commands build what they need through these factories.
#include <memory>
#include <string>

#include "outdial/accounts/credential_vault.hpp"
#include "outdial/api/api_deps.hpp"
#include "outdial/app/account_caller_ids.hpp"
#include "outdial/app/account_pacers.hpp"
#include "outdial/app/config.hpp"
#include "outdial/app/provider_factory.hpp"
#include "outdial/compliance/rule_gate.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/campaign_service_impl.hpp"
#include "outdial/dialer/facts_builder.hpp"
#include "outdial/dialer/file/file_dial_journal.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/importer/csv_import_service.hpp"
#include "outdial/net/http_client.hpp"
#include "outdial/net/router.hpp"
#include "outdial/net/server.hpp"
#include "outdial/phone/phone_normalizer.hpp"
#include "outdial/storage/database.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"

namespace outdial::app {

// What a process opens the database for: kBulkImport is `outdial import`, which mostly appends
// (see storage::sqlite::OpenOptions::bulk_load()).
enum class DatabaseUse { kGeneral, kBulkImport };
// Opens (and migrates) the configured database.
Result<std::unique_ptr<storage::Database>> open_database(const Config& cfg, DatabaseUse use = DatabaseUse::kGeneral);
// The national registry snapshot, or null when none is configured.
Result<std::unique_ptr<dnc::NationalRegistry>> open_registry(const Config& cfg);

// Everything `serve` and `demo` run: stores, gate, importer, campaign service, the simulated
// carrier, the runner, the HTTP API. Members are declared in construction order.
class Services {
 public:
  // `domain_clock` is the clock the dialer, carrier and services run on: the wall clock, or a
  // ManualClock for virtual/accelerated time. It must outlive the Services. `wall_clock` (null =
  // the domain clock) checks webhook signature timestamps: pass the real clock when the domain
  // clock is shifted from it (`outdial demo --provider`).
  static Result<std::unique_ptr<Services>> build(const Config& cfg, const Clock& domain_clock,
                                                 const Clock* wall_clock = nullptr);
  ~Services();

  storage::Database& db() { return *db_; }
  importer::ImportService& importer() { return *importer_; }
  dialer::CampaignService& campaigns() { return *campaign_service_; }
  dialer::CampaignRunner& runner() { return *runner_; }
  // The simulated carrier; only valid when the provider is "sim" (demo, virtual time).
  telephony::sim::SimCarrier& carrier() { return *providers_->sim(); }
  ProviderSet& providers() { return *providers_; }
  const compliance::Gate& gate() const { return gate_; }
  const phone::PhoneNormalizer& normalizer() const { return normalizer_; }

  // Starts the HTTP API on cfg.bind:cfg.port; returns the bound port.
  Result<std::uint16_t> start_http();
  void stop_http();

 private:
  Services(const Config& cfg, const Clock& clock) : cfg_(cfg), clock_(clock) {}

  Config cfg_;
  const Clock& clock_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<dnc::NationalRegistry> registry_;
  phone::PhoneNormalizer normalizer_;
  compliance::RuleGate gate_;
  std::unique_ptr<importer::CsvImportService> importer_;
  std::unique_ptr<dialer::CampaignServiceImpl> campaign_service_;
  // Provider-account credentials (issue #3 §3): null when no secret key is configured. Before
  // the providers, which open accounts' credentials with it.
  std::unique_ptr<accounts::CredentialVault> vault_;
  std::unique_ptr<ProviderSet> providers_;
  std::unique_ptr<AccountCallerIds> caller_ids_;  // per-call caller IDs from the tenant's numbers
  std::unique_ptr<dialer::FactsBuilder> facts_;
  std::unique_ptr<dialer::file::FileDialJournal> journal_;  // the runner's dial journal (null: none)
  std::unique_ptr<accounts::Pacer> pacer_;  // the configured account's limits (null for the sim)
  std::unique_ptr<AccountPacers> account_pacers_;  // each tenant account's limits (null for the sim)
  std::unique_ptr<dialer::CampaignRunner> runner_;
  std::unique_ptr<net::HttpClient> account_http_;
  std::unique_ptr<api::ApiDeps> api_deps_;
  std::unique_ptr<net::Router> router_;
  std::unique_ptr<net::HttpServer> http_;
};

}  // namespace outdial::app
