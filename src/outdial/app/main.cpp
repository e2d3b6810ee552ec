// outdial: one binary, subcommands (CLI11). Parses flags into Config/options and dispatches to
// the command functions; nothing else happens here.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "outdial/app/commands.hpp"
#include "outdial/app/config.hpp"
#include "outdial/heap/huge_pages.hpp"

int main(int argc, char** argv) {
  using namespace outdial::app;  // NOLINT: the entry point only
  Config cfg;
  if (auto st = apply_environment(cfg); !st) {
    std::fprintf(stderr, "outdial: %s\n", st.error().message.c_str());
    return 2;
  }
  // Before the heap grows (an import touches ~230 MB): see outdial/heap/huge_pages.hpp.
  if (cfg.heap_huge_pages) (void)outdial::heap::back_heap_with_huge_pages();

  CLI::App app{"outdial: outbound calling campaigns with a compliance gate"};
  app.require_subcommand(1);
  app.add_option("--db", cfg.db_path, "SQLite database file (env OUTDIAL_DB)");
  app.add_option("--log-level", cfg.log_level, "trace|debug|info|warn|error (env OUTDIAL_LOG_LEVEL)");
  app.add_option("--dnc-index", cfg.dnc_index, "national DNC registry snapshot (outdial dnc load)");

  int rc = 0;

  auto* serve = app.add_subcommand("serve", "run the HTTP API and the dialer");
  serve->add_option("--bind", cfg.bind, "listen address");
  serve->add_option("--port", cfg.port, "listen port (0 = any free port)");
  serve->add_option("--node", cfg.node_id, "node id (lease owner; stable across restarts)");
  serve->add_option("--speed", cfg.speed, "time factor for the dialer and simulated carrier (1 = real time)");
  serve->add_option("--caller-id", cfg.owned_caller_ids, "a caller ID the tenants own (repeatable)");
  serve->add_option("--sim-seed", cfg.sim_seed, "simulated carrier seed");
  serve->callback([&] { cfg.speed = cfg.speed <= 0 ? 1.0 : cfg.speed; rc = cmd_serve({cfg}); });

  DemoOptions demo;
  auto* demo_cmd = app.add_subcommand("demo", "run the whole product on SQLite and the simulated carrier (or a real driver)");
  demo_cmd->add_option("--provider", demo.provider,
                       "sim (default, virtual time) | twilio | telnyx: the real driver in real time, configured by "
                       "OUTDIAL_TWILIO_* / OUTDIAL_TELNYX_* (e.g. against an emulator)")
      ->check(CLI::IsMember({"sim", "twilio", "telnyx"}));
  demo_cmd->add_option("--timeout", demo.timeout_seconds, "twilio/telnyx: seconds to wait for the campaign to finish");
  demo_cmd->add_option("--bind", cfg.bind, "API listen address (webhooks come here with twilio/telnyx)");
  demo_cmd->add_option("--contacts", demo.contacts_csv, "contact CSV to import");
  demo_cmd->add_option("--registry-dir", demo.registry_dir, "national DNC flat files ('' to run without a registry)");
  demo_cmd->add_option("--port", cfg.port, "API port (falls back to any free port when taken)");
  demo_cmd->add_option("--sim-seed", cfg.sim_seed, "simulated carrier seed");
  demo_cmd->add_option("--progress-minutes", demo.progress_minutes, "virtual minutes between progress lines");
  demo_cmd->add_option("--wall-ms", demo.wall_ms_per_print, "wall milliseconds per progress line");
  demo_cmd->add_flag("--keep-db", demo.keep_db, "reuse the demo database instead of starting fresh");
  demo_cmd->add_flag("--serve-after", demo.serve_after, "keep the API up after the campaign completes");
  demo_cmd->callback([&] {
    if (!app.get_option("--db")->count()) cfg.db_path = "outdial-demo.db";
    demo.cfg = cfg;
    rc = cmd_demo(demo);
  });

  auto* tenant = app.add_subcommand("tenant", "manage tenants")->require_subcommand(1);
  std::string tenant_name;
  auto* tenant_create = tenant->add_subcommand("create", "create a tenant");
  tenant_create->add_option("--name", tenant_name, "business name")->required();
  tenant_create->callback([&] { rc = cmd_tenant_create(cfg, tenant_name); });
  tenant->add_subcommand("list", "list tenants")->callback([&] { rc = cmd_tenant_list(cfg); });

  std::int64_t tenant_id = 0;
  std::string email, user_name, role;
  auto* user = app.add_subcommand("user", "manage users")->require_subcommand(1);
  auto* user_create = user->add_subcommand("create", "create a user and print its API key");
  user_create->add_option("--tenant", tenant_id, "tenant id")->required();
  user_create->add_option("--email", email, "email")->required();
  user_create->add_option("--name", user_name, "display name");
  user_create->add_option("--role", role, "operator_admin|operator_staff|agent|client_viewer")->required();
  user_create->callback([&] { rc = cmd_user_create(cfg, tenant_id, email, user_name, role); });

  std::string list_name = "Imported", file;
  bool validate_only = false, json = false;
  auto* import = app.add_subcommand("import", "import a contact CSV into a list");
  import->add_option("--tenant", tenant_id, "tenant id")->required();
  import->add_option("--list", list_name, "list name (created when missing)");
  import->add_option("file", file, "CSV file")->required();
  import->add_flag("--validate-only", validate_only, "check the file, write nothing");
  import->add_flag("--json", json, "print the full report as JSON");
  import->callback([&] { rc = cmd_import(cfg, tenant_id, list_name, file, validate_only, json); });

  CampaignCommand cc;
  auto* campaign = app.add_subcommand("campaign", "create and control campaigns")->require_subcommand(1);
  for (const char* action : {"create", "list", "start", "pause", "resume", "stop", "progress"}) {
    auto* sub = campaign->add_subcommand(action, std::string(action) + " a campaign");
    sub->add_option("--tenant", cc.tenant, "tenant id")->required();
    sub->add_option("--user", cc.user, "acting user id (required for start)");
    if (std::string(action) == "create") {
      sub->add_option("--file", cc.file, "campaign JSON (same body as POST /api/campaigns)")->required();
    } else if (std::string(action) != "list") {
      sub->add_option("--id", cc.id, "campaign id")->required();
    }
    sub->callback([&, action] {
      cc.action = action;
      rc = cmd_campaign(cfg, cc);
    });
  }

  std::string phone, reason = "manual", dir, date, out;
  auto* dnc = app.add_subcommand("dnc", "internal do-not-call list and the national registry")->require_subcommand(1);
  auto* dnc_add = dnc->add_subcommand("add", "add a number to the internal list");
  dnc_add->add_option("--tenant", tenant_id, "tenant id")->required();
  dnc_add->add_option("phone", phone, "phone number")->required();
  dnc_add->add_option("--reason", reason, "why");
  dnc_add->callback([&] { rc = cmd_dnc_add(cfg, tenant_id, phone, reason); });
  auto* dnc_remove = dnc->add_subcommand("remove", "remove a number from the internal list");
  dnc_remove->add_option("--tenant", tenant_id, "tenant id")->required();
  dnc_remove->add_option("phone", phone, "phone number")->required();
  dnc_remove->callback([&] { rc = cmd_dnc_remove(cfg, tenant_id, phone); });
  auto* dnc_list = dnc->add_subcommand("list", "list the internal do-not-call list");
  dnc_list->add_option("--tenant", tenant_id, "tenant id")->required();
  dnc_list->callback([&] { rc = cmd_dnc_list(cfg, tenant_id); });
  auto* dnc_load = dnc->add_subcommand("load", "build a registry snapshot from the registry's flat files");
  dnc_load->add_option("--dir", dir, "directory of per-area-code files")->required();
  dnc_load->add_option("--date", date, "download date of this copy, YYYY-MM-DD")->required();
  dnc_load->add_option("--out", out, "snapshot file to write")->required();
  dnc_load->callback([&] { rc = cmd_dnc_load(dir, date, out); });

  ConsentCommand consent;
  auto* consent_cmd = app.add_subcommand("consent", "consent records")->require_subcommand(1);
  auto* consent_add = consent_cmd->add_subcommand("add", "record a consent");
  consent_add->add_option("--tenant", consent.tenant, "tenant id")->required();
  consent_add->add_option("phone", consent.phone, "phone number")->required();
  consent_add->add_option("--type", consent.type, "prior_express_written|prior_express|ebr");
  consent_add->add_option("--ebr-kind", consent.ebr_kind, "purchase|inquiry (with --type ebr)");
  consent_add->add_option("--channel", consent.channel, "voice|sms (default: every channel)");
  consent_add->add_flag("--ai", consent.covers_ai, "the written consent names AI/prerecorded calls");
  consent_add->add_option("--granted", consent.granted, "when it was given, YYYY-MM-DD (default: now)");
  consent_add->add_option("--source", consent.source, "where it came from");
  consent_add->add_option("--evidence", consent.evidence, "form id, recording, URL");
  consent_add->callback([&] { rc = cmd_consent_add(cfg, consent); });
  auto* consent_list = consent_cmd->add_subcommand("list", "list a number's consent records");
  consent_list->add_option("--tenant", tenant_id, "tenant id")->required();
  consent_list->add_option("phone", phone, "phone number")->required();
  consent_list->callback([&] { rc = cmd_consent_list(cfg, tenant_id, phone); });

  auto* check = app.add_subcommand("check", "what-if compliance check of one attempt (JSON as POST /api/compliance/check)");
  check->add_option("--file", file, "attempt JSON")->required();
  check->callback([&] { rc = cmd_check(file); });

  std::int64_t campaign_id = 0;
  auto* report = app.add_subcommand("report", "campaign report");
  report->add_option("--tenant", tenant_id, "tenant id")->required();
  report->add_option("--campaign", campaign_id, "campaign id")->required();
  report->add_flag("--json", json, "JSON output");
  report->callback([&] { rc = cmd_report(cfg, tenant_id, campaign_id, json); });

  app.parse_complete_callback([&] { init_logging(cfg.log_level); });
  CLI11_PARSE(app, argc, argv);
  return rc;
}
