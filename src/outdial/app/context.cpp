#include "outdial/app/context.hpp"

#include <spdlog/spdlog.h>

#include "outdial/api/routes.hpp"
#include "outdial/dnc/compact_registry.hpp"
#include "outdial/net/curl/curl_http_client.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"

namespace outdial::app {

Result<std::unique_ptr<storage::Database>> open_database(const Config& cfg, DatabaseUse use) {
  auto db = storage::sqlite::SqliteDatabase::open(cfg.db_path, use == DatabaseUse::kBulkImport
                                                                   ? storage::sqlite::OpenOptions::bulk_load()
                                                                   : storage::sqlite::OpenOptions{});
  if (!db.ok()) return db.error();
  std::unique_ptr<storage::Database> out = std::move(db).value();
  if (auto m = out->migrate(); !m.ok()) return m.error();
  return out;
}

Result<std::unique_ptr<dnc::NationalRegistry>> open_registry(const Config& cfg) {
  if (cfg.dnc_index.empty()) return std::unique_ptr<dnc::NationalRegistry>();
  auto reg = dnc::CompactRegistry::load(cfg.dnc_index);
  if (!reg.ok()) return reg.error();
  spdlog::info("national DNC registry loaded: {} numbers from {}", reg.value()->size(), cfg.dnc_index);
  return std::unique_ptr<dnc::NationalRegistry>(std::move(reg).value());
}

Result<std::unique_ptr<Services>> Services::build(const Config& cfg, const Clock& domain_clock,
                                                  const Clock* wall_clock) {
  std::unique_ptr<Services> s(new Services(cfg, domain_clock));
  auto db = open_database(cfg);
  if (!db.ok()) return db.error();
  s->db_ = std::move(db).value();
  auto reg = open_registry(cfg);
  if (!reg.ok()) return reg.error();
  s->registry_ = std::move(reg).value();

  s->importer_ = std::make_unique<importer::CsvImportService>(
      s->db_->contacts(), s->normalizer_, s->registry_.get(), &domain_clock, &s->db_->compliance());
  s->campaign_service_ = std::make_unique<dialer::CampaignServiceImpl>(
      s->db_->campaigns(), s->db_->contacts(), s->db_->calls(), s->db_->audit(), domain_clock);

  // Provider-account credentials are sealed under a key from OUTDIAL_SECRET_KEY or
  // OUTDIAL_SECRET_KEY_FILE. Without one the server still runs (accounts with credentials answer
  // 409 until a key is configured); a malformed key stops the start.
  auto vault = accounts::CredentialVault::from_environment();
  if (vault.ok()) {
    s->vault_ = std::make_unique<accounts::CredentialVault>(std::move(vault).value());
  } else if (vault.error().code == ErrorCode::kFailedPrecondition) {
    spdlog::info("provider-account credentials disabled: {}", vault.error().message);
  } else {
    return vault.error();
  }
  auto providers = ProviderSet::create(cfg, domain_clock, wall_clock);
  if (!providers.ok()) return providers.error();
  s->providers_ = std::move(providers).value();
  // Each call goes out through the account owning its From number (Twilio, Telnyx; issue #3 §3).
  s->providers_->route_by_account(*s->db_, s->vault_.get());

  dialer::CallerIdDirectory caller_ids;
  // v1: the configured caller IDs are owned by every tenant of this (single-operator) install,
  // including tenants created while the server runs.
  caller_ids.shared.insert(cfg.owned_caller_ids.begin(), cfg.owned_caller_ids.end());
  // Per call: a campaign with a caller-ID policy dials from the tenant's numbers (local
  // presence, dedicated, static); one without keeps its caller_id (owned if configured above or
  // an active number of the tenant).
  // A number whose account cannot place calls (disabled, no connection_id, credentials that
  // cannot be opened or lack a key its driver needs) is not usable: CID-VALID says why.
  s->caller_ids_ = std::make_unique<AccountCallerIds>(
      s->db_->accounts(), caller_ids,
      [providers = s->providers_.get()](const ProviderAccount& a) { return providers->check_account(a); });
  s->facts_ = std::make_unique<dialer::FactsBuilder>(s->db_->compliance(), s->db_->calls(),
                                                     s->db_->campaigns(), s->registry_.get(),
                                                     std::move(caller_ids));
  s->facts_->set_caller_id_source(s->caller_ids_.get());
  dialer::RunnerConfig rc;
  rc.node_id = cfg.node_id;
  if (s->providers_->name() != "sim") {
    // One carrier account per install (v1): its limits pace every campaign.
    ProviderLimits limits = accounts::default_limits(
        s->providers_->name() == "twilio" ? ProviderKind::kTwilio : ProviderKind::kTelnyx);
    if (cfg.pace_cps >= 0) limits.calls_per_second = cfg.pace_cps;
    if (cfg.pace_window_seconds >= 0) limits.window_seconds = cfg.pace_window_seconds;
    if (cfg.pace_window_max >= 0) limits.window_max = cfg.pace_window_max;
    if (cfg.pace_max_concurrency >= 0) limits.max_concurrency = cfg.pace_max_concurrency;
    if (auto st = accounts::validate_limits(limits); !st.ok()) return st.error();
    // Evenly spaced starts with 3% headroom: what bench/origination found keeps the carrier's
    // own windows (which see our starts after network jitter) within the limit too.
    const accounts::PacerOptions paced{true, 0.03};
    s->pacer_ = std::make_unique<accounts::Pacer>(limits, paced);
    rc.pacer = s->pacer_.get();
    // The install's pacer above governs the calls through the configured account; a call whose
    // From is a number of a tenant's account that places its own calls (route_by_account) is
    // paced by that account's stored limits instead, one pacer per account.
    // The routing's own rule decides which accounts place their own calls.
    s->account_pacers_ = std::make_unique<AccountPacers>(
        s->db_->accounts(), domain_clock,
        [providers = s->providers_.get()](const ProviderAccount& a) { return providers->routes_through(a); }, paced);
    rc.pacers = s->account_pacers_.get();
  }
  if (const std::string path = cfg.dial_journal_path(); !path.empty()) {
    // The virtual-time driver (`outdial demo`) commits in groups of turns, each round's attempts
    // journaled before their dials; `serve`'s real-time driver commits every turn and only reads
    // it back at restart. Written without fsync, like the database at synchronous=NORMAL: a
    // killed process loses nothing; a power cut may lose both alike.
    auto journal = dialer::file::FileDialJournal::open(path, dialer::file::JournalSync::kNone);
    if (!journal) return journal.error();
    s->journal_ = std::move(*journal);
    rc.journal = s->journal_.get();
  }
  s->runner_ = std::make_unique<dialer::CampaignRunner>(*s->db_, s->providers_->provider(), s->gate_, *s->facts_,
                                                        domain_clock, rc);

  s->account_http_ = net::make_curl_client();
  s->api_deps_ = std::unique_ptr<api::ApiDeps>(
      new api::ApiDeps{*s->db_, *s->importer_, *s->campaign_service_, s->gate_, domain_clock});
  s->api_deps_->vault = s->vault_.get();
  s->api_deps_->http = s->account_http_.get();
  s->api_deps_->recordings = &s->providers_->provider();
  s->router_ = std::make_unique<net::Router>();
  api::register_routes(*s->router_, *s->api_deps_);
  if (auto st = s->providers_->connect(s->runner_->sink(), *s->db_, *s->router_); !st.ok()) return st.error();
  return s;
}

Services::~Services() {
  stop_http();
  if (providers_) providers_->stop();  // its webhook inbox feeds the runner, destroyed before it
}

Result<std::uint16_t> Services::start_http() {
  net::ServerOptions opts;
  opts.address = cfg_.bind;
  opts.port = cfg_.port;
  opts.threads = cfg_.http_threads;
  http_ = std::make_unique<net::HttpServer>(opts, router_->as_handler());
  if (auto st = http_->start(); !st.ok()) return st.error();
  return http_->port();
}

void Services::stop_http() {
  if (http_) http_->stop();
}

}  // namespace outdial::app
