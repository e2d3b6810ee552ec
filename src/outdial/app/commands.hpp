#pragma once
// The `outdial` subcommands. Each returns the process exit code: 0 success, 1 a failure that was
// reported on stderr, 2 bad usage.
#include <cstdint>
#include <string>
#include <vector>

#include "outdial/app/config.hpp"
#include "outdial/core/result.hpp"

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
};
int cmd_demo(const DemoOptions& o);

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
