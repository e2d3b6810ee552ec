#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "outdial/core/result.hpp"

namespace outdial::app {

// Everything outdial reads from its environment, in one place (the composition root is the only
// reader of configuration). Flags override the environment; the environment overrides defaults.
struct Config {
  std::string db_path = "outdial.db";          // OUTDIAL_DB
  std::string bind = "127.0.0.1";              // OUTDIAL_BIND
  std::uint16_t port = 8080;                   // OUTDIAL_PORT (0 = any free port)
  // OUTDIAL_HTTP_THREADS. With a webhook carrier, concurrent webhooks share one durable commit
  // only as far as threads let them wait together: 64 unless set (the sim needs few).
  int http_threads = 2;
  // OUTDIAL_HEAP_HUGE_PAGES=0 keeps the heap on 4 KiB pages (outdial/heap/huge_pages.hpp).
  bool heap_huge_pages = true;
  std::string node_id = "node-1";              // OUTDIAL_NODE: lease owner name
  std::string dnc_index;                       // OUTDIAL_DNC_INDEX: registry snapshot, optional
  std::string sim_ledger = "";                 // defaults to <db_path>.sim-ledger
  std::uint64_t sim_seed = 42;                 // OUTDIAL_SIM_SEED
  double speed = 1.0;                          // virtual seconds per wall second (serve); 1 = real time
  std::vector<std::string> owned_caller_ids;   // numbers the tenant may present (CID-VALID)
  std::string log_level = "info";              // OUTDIAL_LOG_LEVEL
  // The carrier (app/provider_factory.hpp): "sim", "twilio" or "telnyx".
  std::string provider = "sim";                // OUTDIAL_PROVIDER
  std::string twilio_account_sid;              // OUTDIAL_TWILIO_ACCOUNT_SID
  std::string twilio_auth_token;               // OUTDIAL_TWILIO_AUTH_TOKEN: never logged or echoed
  std::string twilio_api_base = "https://api.twilio.com";  // OUTDIAL_TWILIO_API_BASE (an emulator in tests)
  std::string public_url;                      // OUTDIAL_PUBLIC_URL: where carriers reach this server
  std::string telnyx_api_key;                  // OUTDIAL_TELNYX_API_KEY: never logged or echoed
  std::string telnyx_connection_id;            // OUTDIAL_TELNYX_CONNECTION_ID (Call Control App)
  std::string telnyx_public_key;               // OUTDIAL_TELNYX_PUBLIC_KEY: base64 Ed25519 webhook key
  std::string telnyx_api_base = "https://api.telnyx.com/v2";  // OUTDIAL_TELNYX_API_BASE (an emulator in tests)
  // The carrier account's limits, paced by the dialer (accounts::Pacer). -1 = the provider's
  // documented default (accounts::default_limits: Twilio 1 CPS / 2 concurrent, Telnyx 5 per
  // 5 s / 2 concurrent); 0 = no limit of that kind. Ignored for the simulated carrier.
  int pace_cps = -1;              // OUTDIAL_PACE_CPS
  int pace_window_seconds = -1;   // OUTDIAL_PACE_WINDOW_SECONDS
  int pace_window_max = -1;       // OUTDIAL_PACE_WINDOW_MAX
  int pace_max_concurrency = -1;  // OUTDIAL_PACE_MAX_CONCURRENCY

  std::string ledger_path() const { return sim_ledger.empty() ? db_path + ".sim-ledger" : sim_ledger; }
  // This node's dial journal (dialer::RunnerConfig::journal), next to the database; none for an
  // in-memory database.
  std::string dial_journal_path() const {
    return db_path == ":memory:" ? std::string() : db_path + "." + node_id + ".dial-journal";
  }
};

// Applies OUTDIAL_* environment variables onto `cfg`.
// kInvalidArgument naming the variable (details["variable"]) when a numeric setting is not a
// whole number in its range: a typo must not silently turn pacing off.
Status apply_environment(Config& cfg);

// JSON-lines structured logs on stderr (spdlog), level from cfg.log_level.
void init_logging(const std::string& level);

}  // namespace outdial::app
