#pragma once
// The `outdial` subcommands. Each returns the process exit code: 0 success, 1 a failure that was
// reported on stderr, 2 bad usage.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "outdial/app/config.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"
#include "outdial/dialer/campaign_service.hpp"

namespace outdial::app {

struct ServeOptions {
  Config cfg;
};
int cmd_serve(const ServeOptions& o);

struct DemoOptions {
  Config cfg;
  std::string contacts_csv = "examples/sample_contacts.csv";
  std::string registry_dir = "examples/dnc-registry";  // national DNC flat files (one per area code)
  bool keep_db = false;        // reuse an existing demo database instead of starting fresh
  bool serve_after = false;    // keep the API up after the campaign completes (Ctrl-C to end)
  int progress_minutes = 60;   // print progress every N virtual minutes
  int wall_ms_per_print = 150; // wall pause per progress line, so the run reads as live
  // The carrier: "sim" (the simulated carrier in accelerated virtual time; README command one) or
  // "twilio" / "telnyx": the real driver in real time, configured as for `serve` (OUTDIAL_TWILIO_*
  // / OUTDIAL_TELNYX_*; OUTDIAL_PUBLIC_URL defaults to http://<bind>:<port>).
  std::string provider = "sim";
  int progress_ms = 2000;      // webhook carriers: wall milliseconds between progress lines
  int timeout_seconds = 600;   // webhook carriers: give up waiting for completion after this long
};
int cmd_demo(const DemoOptions& o);

// What the demo through a webhook carrier ended with.
struct DemoOutcome {
  std::int64_t tenant_id = 0;
  std::int64_t campaign_id = 0;
  std::string campaign_name;
  dialer::Progress progress;             // the final report's figures
  std::vector<std::string> opted_out;    // numbers put on the internal DNC by pressing 2
};
// The demo story (tenant, import, staff activation, live progress, final report) through the real
// Twilio or Telnyx driver: Services::build with the provider set, the HTTP server taking the signed
// webhooks, RealtimeDriver on a domain clock that starts at a fixed in-window instant and runs at
// wall speed. Writes the story to `out`; `wait_or_stop(d)` waits up to d and returns true to stop
// early (Ctrl-C). kInvalidArgument for a bad provider or its settings (named).
Result<DemoOutcome> run_carrier_demo(const DemoOptions& o, std::ostream& out,
                                     const std::function<bool(Millis)>& wait_or_stop);

int cmd_tenant_create(const Config& cfg, const std::string& name);
int cmd_tenant_list(const Config& cfg);
int cmd_user_create(const Config& cfg, std::int64_t tenant, const std::string& email, const std::string& name,
                    const std::string& role);
int cmd_import(const Config& cfg, std::int64_t tenant, const std::string& list, const std::string& file,
               bool validate_only, bool json);
int cmd_dnc_add(const Config& cfg, std::int64_t tenant, const std::string& phone, const std::string& reason);
int cmd_dnc_remove(const Config& cfg, std::int64_t tenant, const std::string& phone);
int cmd_dnc_list(const Config& cfg, std::int64_t tenant);
int cmd_dnc_load(const std::string& dir, const std::string& date, const std::string& out);
int cmd_check(const std::string& file);

struct ConsentCommand {
  std::int64_t tenant = 0;
  std::string phone;
  std::string type = "prior_express_written";  // prior_express_written | prior_express | ebr
  std::string ebr_kind = "none";                // purchase | inquiry for ebr
  std::string channel;                          // voice | sms | empty = every channel
  bool covers_ai = false;                       // written consent names AI/prerecorded calls
  std::string granted;                          // YYYY-MM-DD or ISO-8601; empty = now
  std::string source = "cli";
  std::string evidence;
};
int cmd_consent_add(const Config& cfg, const ConsentCommand& c);
int cmd_consent_list(const Config& cfg, std::int64_t tenant, const std::string& phone);

struct CampaignCommand {
  std::string action;  // create | list | start | pause | resume | stop | progress
  std::int64_t tenant = 0;
  std::int64_t user = 0;
  std::int64_t id = 0;
  std::string file;    // create: campaign JSON (the POST /api/campaigns body)
};
int cmd_campaign(const Config& cfg, const CampaignCommand& c);
int cmd_report(const Config& cfg, std::int64_t tenant, std::int64_t campaign, bool json);

// Prints an Error as "outdial: <message> (code; key=value ...)" on stderr; returns 1.
int fail(const Error& e);

}  // namespace outdial::app
