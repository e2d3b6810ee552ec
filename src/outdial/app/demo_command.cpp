// `outdial demo`: the whole product on embedded defaults. A demo tenant with a staff user and a
// client viewer, the sample contact list imported (every rejected or changed row shown), a
// reactivation campaign created and activated by the staff user, dialed to completion on the
// simulated carrier in accelerated virtual time, live progress in the terminal and over the API,
// and the final report.
#include <date/date.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "outdial/app/commands.hpp"
#include "outdial/app/context.hpp"
#include "outdial/app/report.hpp"
#include "outdial/app/signals.hpp"
#include "outdial/app/user_keys.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/dnc/compact_registry.hpp"
#include "outdial/dnc/flat_file_loader.hpp"

namespace outdial::app {
namespace {

constexpr const char* kDemoCallerId = "+13055550100";   // the campaign's dedicated number (fictional 555-01XX)
constexpr const char* kDemoAgent = "+13055550101";      // press 1 bridges here

void remove_database_files(const Config& cfg) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(cfg.db_path + suffix, ec);
  std::filesystem::remove(cfg.ledger_path(), ec);
  std::filesystem::remove(cfg.db_path + ".dnc-index", ec);
}

// Builds the national registry snapshot from the sample flat files, as a copy downloaded three
// days ago (fresh under DNC-STALE's 31 days), and points the configuration at it.
Status prepare_registry(Config& cfg, const std::string& dir, TimePoint now) {
  dnc::LoadReport report;
  auto reg = dnc::CompactRegistry::build_from_directory(dir, now - std::chrono::days(3), &report);
  if (!reg.ok()) return reg.error();
  cfg.dnc_index = cfg.db_path + ".dnc-index";
  if (auto st = reg.value()->save(cfg.dnc_index); !st.ok()) return st;
  std::cout << "0. National DNC registry: " << report.numbers_added << " numbers from " << report.files
            << " area-code files in " << dir << " (copy dated " << date::format("%F", now - std::chrono::days(3))
            << ")\n\n";
  return ok_status();
}

std::string minute_label(TimePoint t) {
  return date::format("%a %F %H:%MZ", std::chrono::floor<std::chrono::minutes>(t));
}

// Campaign names follow the policy's convention Reactivation_<MonthYear>_<ClientName>.
std::string reactivation_name(TimePoint now, const std::string& client) {
  std::string compact;
  for (char ch : client) {
    if (std::isalnum(static_cast<unsigned char>(ch))) compact += ch;
  }
  return "Reactivation_" + date::format("%b%Y", now) + "_" + compact;
}

struct DemoTenant {
  Tenant tenant;
  User staff;
  User viewer;
  std::string staff_key;
  std::string viewer_key;
};

Result<DemoTenant> create_demo_tenant(storage::Database& db, const Clock& clock) {
  DemoTenant d;
  d.tenant.name = "Sunburst Dental (demo)";
  d.tenant.help_text = "Sunburst Dental: call +1 305 555 0100. Reply STOP to opt out.";
  d.tenant.created_at = clock.now();
  auto t = db.tenants().create_tenant(d.tenant);
  if (!t.ok()) return t.error();
  d.tenant = t.value();
  auto make_user = [&](const std::string& email, Role role, User& out, std::string& key) -> Status {
    User u;
    u.tenant_id = d.tenant.id;
    u.email = email;
    u.name = email;
    u.role = role;
    u.created_at = clock.now();
    auto k = create_user_with_key(db.tenants(), u, clock);
    if (!k.ok()) return k.error();
    key = k.value();
    auto stored = db.tenants().find_user_by_email(d.tenant.id, email);
    if (!stored.ok()) return stored.error();
    out = stored.value().value_or(u);
    return ok_status();
  };
  if (auto st = make_user("staff@sunburst.example", Role::kOperatorStaff, d.staff, d.staff_key); !st.ok()) {
    return st.error();
  }
  if (auto st = make_user("owner@dental.example", Role::kClientViewer, d.viewer, d.viewer_key); !st.ok()) {
    return st.error();
  }
  return d;
}

Campaign demo_campaign(const DemoTenant& d, ListId list, TimePoint now) {
  Campaign c;
  c.tenant_id = d.tenant.id;
  c.name = reactivation_name(now, "SunburstDental");
  c.description = "Win back patients who have not booked in 12 months";
  c.script =
      "Hi, this is Sunburst Dental's assistant calling from +1 305 555 0100. It's been a while since your "
      "last visit. Press 1 to talk to our front desk, or press 2 and we will not call you again.";
  c.voicemail_text = "Hi, this is Sunburst Dental. Call us back at +1 305 555 0100. To opt out, call 1 800 555 0199.";
  c.purpose = Purpose::kReactivation;
  c.voice = VoiceType::kAi;
  c.list_id = list;
  c.caller_id = kDemoCallerId;
  c.agent_number = kDemoAgent;
  c.lines = 5;
  c.max_concurrency = 5;
  c.calls_per_minute = 20;
  c.max_attempts = 3;
  c.min_spacing_minutes = 60;
  c.daily_limit = 0;
  c.expires_at = now + std::chrono::days(14);
  c.created_by = d.staff.id;
  return c;
}

}  // namespace

int cmd_demo(const DemoOptions& o) {
  block_termination_signals();
  Config cfg = o.cfg;
  cfg.provider = "sim";  // the demo runs on the simulated carrier in virtual time
  if (cfg.owned_caller_ids.empty()) cfg.owned_caller_ids = {kDemoCallerId};
  if (!o.keep_db) remove_database_files(cfg);

  SystemClock wall;
  ManualClock clock(std::chrono::floor<std::chrono::minutes>(wall.now()));
  std::cout << "outdial demo: database " << cfg.db_path << ", simulated carrier (seed " << cfg.sim_seed
            << "), virtual time starting " << minute_label(clock.now()) << "\n\n";

  // The tenant must exist before Services reads the caller-ID directory, so set it up first.
  DemoTenant tenant;
  {
    auto db = open_database(cfg);
    if (!db.ok()) return fail(db.error());
    auto d = create_demo_tenant(*db.value(), clock);
    if (!d.ok()) return fail(d.error());
    tenant = d.value();
  }
  if (cfg.dnc_index.empty() && !o.registry_dir.empty()) {
    if (auto st = prepare_registry(cfg, o.registry_dir, clock.now()); !st.ok()) return fail(st.error());
  }
  auto built = Services::build(cfg, clock);
  if (!built.ok()) return fail(built.error());
  Services& s = *built.value();

  // 1. Import the contact list.
  std::ifstream csv(o.contacts_csv, std::ios::binary);
  if (!csv) return fail(make_error(ErrorCode::kNotFound, "cannot open " + o.contacts_csv, {{"file", o.contacts_csv}}));
  importer::ImportOptions io;
  io.tenant_id = tenant.tenant.id;
  io.list_name = "Past patients";
  auto report = s.importer().import_csv(csv, io);
  if (!report.ok()) return fail(report.error());
  std::cout << "1. Import " << o.contacts_csv << "\n" << import_text(report.value(), 40) << "\n";

  // 2. Create the campaign and 3. activate it as the staff user (manual, staff-only activation).
  Actor staff{tenant.staff.id, tenant.tenant.id, tenant.staff.role, "user:" + std::to_string(tenant.staff.id)};
  auto campaign = s.campaigns().create(staff, demo_campaign(tenant, report->list_id, clock.now()));
  if (!campaign.ok()) return fail(campaign.error());
  Actor viewer{tenant.viewer.id, tenant.tenant.id, tenant.viewer.role, "user:" + std::to_string(tenant.viewer.id)};
  auto refused = s.campaigns().activate(viewer, campaign->id);
  std::cout << "2. Campaign " << campaign->id << " \"" << campaign->name << "\" created (AI voice, reactivation)\n"
            << "   client viewer tries to start it: "
            << (refused.ok() ? std::string("ALLOWED (unexpected)") : refused.error().message) << "\n";
  auto active = s.campaigns().activate(staff, campaign->id);
  if (!active.ok()) return fail(active.error());
  std::cout << "3. Activated by staff user " << tenant.staff.email << "\n\n";

  // 4. Live progress over the API.
  auto port = s.start_http();
  if (!port.ok() && cfg.port != 0) {
    cfg.port = 0;  // the configured port is taken: any free port will do for a demo
    port = s.start_http();
  }
  if (port.ok()) {
    std::cout << "   Live over the API (client viewer key, read-only):\n"
              << "   curl -H 'Authorization: Bearer " << tenant.viewer_key << "' http://" << cfg.bind << ":"
              << port.value() << "/api/campaigns/" << campaign->id << "/progress\n\n";
  } else {
    std::cout << "   (HTTP API not started: " << port.error().message << ")\n\n";
  }

  // 5. Dial to completion in accelerated virtual time.
  std::cout << "4. Dialing (virtual time; calls outside a contact's calling window wait for it)\n";
  if (auto st = s.runner().recover(); !st.ok()) return fail(st.error());
  TimePoint next_print = clock.now();
  dialer::DriveResult drive;
  for (;;) {
    drive = dialer::run_until_idle(s.runner(), &s.carrier(), clock, std::chrono::hours(24 * 30), 200);
    if (clock.now() >= next_print || drive.all_complete) {
      auto p = s.campaigns().progress(staff, campaign->id);
      if (p.ok()) std::cout << progress_line(minute_label(clock.now()), p.value()) << std::endl;
      next_print = clock.now() + std::chrono::minutes(o.progress_minutes);
      std::this_thread::sleep_for(std::chrono::milliseconds(o.wall_ms_per_print));
    }
    if (drive.all_complete || drive.steps == 0) break;
  }

  auto final_progress = s.campaigns().progress(staff, campaign->id);
  if (!final_progress.ok()) return fail(final_progress.error());
  std::cout << report_text(campaign->name, final_progress.value());
  std::cout << "  simulated carrier dials: " << s.carrier().real_dials() << " (one per attempt; ledger "
            << cfg.ledger_path() << ")\n";
  if (o.serve_after && port.ok()) {
    std::cout << "\nAPI still serving on port " << port.value() << "; Ctrl-C to stop.\n";
    wait_for_termination();
  }
  return final_progress->status == "completed" ? 0 : 1;
}

}  // namespace outdial::app
