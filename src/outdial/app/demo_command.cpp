// `outdial demo`: the whole product on embedded defaults. A demo tenant with a staff user and a
// client viewer, the sample contact list imported (every rejected or changed row shown), a
// reactivation campaign created and activated by the staff user, dialed to completion on the
// simulated carrier in accelerated virtual time, live progress in the terminal and over the API,
// and the final report. With --provider twilio|telnyx the same story runs through the real
// driver (REST over libcurl, signed webhooks into this process's HTTP server and the durable
// inbox: the `serve` wiring) in real time against a carrier or its emulator.
#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <fstream>
#include <iostream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "outdial/app/commands.hpp"
#include "outdial/app/context.hpp"
#include "outdial/app/report.hpp"
#include "outdial/app/signals.hpp"
#include "outdial/app/user_keys.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/dnc/compact_registry.hpp"
#include "outdial/dnc/flat_file_loader.hpp"
#include "outdial/geo/holidays.hpp"

namespace outdial::app {
namespace {

constexpr const char* kDemoCallerId = "+13055550100";   // the campaign's dedicated number (fictional 555-01XX)
constexpr const char* kDemoAgent = "+13055550101";      // press 1 bridges here

void remove_database_files(const Config& cfg) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(cfg.db_path + suffix, ec);
  std::filesystem::remove(cfg.ledger_path(), ec);
  std::filesystem::remove(cfg.db_path + ".dnc-index", ec);
  if (const std::string journal = cfg.dial_journal_path(); !journal.empty()) std::filesystem::remove(journal, ec);
}

// Builds the national registry snapshot from the sample flat files, as a copy downloaded three
// days ago (fresh under DNC-STALE's 31 days), and points the configuration at it.
Status prepare_registry(Config& cfg, const std::string& dir, TimePoint now, std::ostream& out) {
  dnc::LoadReport report;
  auto reg = dnc::CompactRegistry::build_from_directory(dir, now - std::chrono::days(3), &report);
  if (!reg.ok()) return reg.error();
  cfg.dnc_index = cfg.db_path + ".dnc-index";
  if (auto st = reg.value()->save(cfg.dnc_index); !st.ok()) return st;
  out << "0. National DNC registry: " << report.numbers_added << " numbers from " << report.files
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

// Steps 1-3 and the API, shared by both carriers: import the list, create the campaign, let the
// client viewer try (and fail) to start it, activate it as staff, start the HTTP server.
struct Story {
  Actor staff;
  Campaign campaign;
  Result<std::uint16_t> port = make_error(ErrorCode::kInternal, "not started");
};

Result<Story> tell_setup(Services& s, Config& cfg, const DemoOptions& o, const DemoTenant& tenant,
                         const Campaign& draft_template, bool port_fixed, std::ostream& out) {
  Story story;
  std::ifstream csv(o.contacts_csv, std::ios::binary);
  if (!csv) return make_error(ErrorCode::kNotFound, "cannot open " + o.contacts_csv, {{"file", o.contacts_csv}});
  importer::ImportOptions io;
  io.tenant_id = tenant.tenant.id;
  io.list_name = "Past patients";
  auto report = s.importer().import_csv(csv, io);
  if (!report.ok()) return report.error();
  out << "1. Import " << o.contacts_csv << "\n" << import_text(report.value(), 40) << "\n";

  // 2. Create the campaign and 3. activate it as the staff user (manual, staff-only activation).
  story.staff = Actor{tenant.staff.id, tenant.tenant.id, tenant.staff.role, "user:" + std::to_string(tenant.staff.id)};
  Campaign draft = draft_template;
  draft.list_id = report->list_id;
  auto campaign = s.campaigns().create(story.staff, draft);
  if (!campaign.ok()) return campaign.error();
  Actor viewer{tenant.viewer.id, tenant.tenant.id, tenant.viewer.role, "user:" + std::to_string(tenant.viewer.id)};
  auto refused = s.campaigns().activate(viewer, campaign->id);
  out << "2. Campaign " << campaign->id << " \"" << campaign->name << "\" created (AI voice, reactivation)\n"
      << "   client viewer tries to start it: "
      << (refused.ok() ? std::string("ALLOWED (unexpected)") : refused.error().message) << "\n";
  auto active = s.campaigns().activate(story.staff, campaign->id);
  if (!active.ok()) return active.error();
  story.campaign = active.value();
  out << "3. Activated by staff user " << tenant.staff.email << "\n\n";

  // 4. Live progress over the API.
  story.port = s.start_http();
  if (!story.port.ok() && cfg.port != 0 && !port_fixed) {
    cfg.port = 0;  // the configured port is taken: any free port will do for a demo
    story.port = s.start_http();
  }
  if (story.port.ok()) {
    out << "   Live over the API (client viewer key, read-only):\n"
        << "   curl -H 'Authorization: Bearer " << tenant.viewer_key << "' http://" << cfg.bind << ":"
        << story.port.value() << "/api/campaigns/" << campaign->id << "/progress\n\n";
  } else {
    out << "   (HTTP API not started: " << story.port.error().message << ")\n\n";
  }
  return story;
}

// --- the demo through a webhook carrier -------------------------------------------------------

// The domain clock's start for a webhook carrier: 20:00 UTC on the latest Tuesday, Wednesday or
// Thursday at or before today (UTC) that is no legal holiday in a HOLIDAY-BAN state. 20:00 UTC is
// inside every US calling window (15:00/16:00 Eastern, even Rhode Island's 18:00 end; 10:00 in
// Hawaii; Kentucky's 10:00 start) with two hours to spare, and no Sunday ban applies, so the
// demo dials at any wall-clock hour. Real carriers are never told this instant.
TimePoint in_window_start(TimePoint wall) {
  using namespace std::chrono;
  auto day = floor<days>(wall);
  for (int i = 0; i < 21; ++i, day -= days(1)) {
    const date::weekday wd{day};
    if (wd != date::Tuesday && wd != date::Wednesday && wd != date::Thursday) continue;
    const date::year_month_day ymd{day};
    bool holiday = false;
    for (const char* st : {"AL", "LA", "RI", "UT", "PA"}) holiday = holiday || geo::is_state_holiday(st, ymd);
    if (!holiday) return TimePoint(day) + hours(20);
  }
  return TimePoint(floor<days>(wall)) + hours(20);  // unreachable: three weeks hold a plain weekday
}

// A free TCP port on `bind` (IPv4): `preferred` when it is free, else one the kernel picks. The
// webhook URL names the port before the server starts (the carrier's config is built first).
Result<std::uint16_t> free_port(const std::string& bind, std::uint16_t preferred) {
  in_addr addr{};
  if (inet_pton(AF_INET, bind.c_str(), &addr) != 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "cannot derive OUTDIAL_PUBLIC_URL from bind address '" + bind + "': set OUTDIAL_PUBLIC_URL",
                      {{"variable", "OUTDIAL_PUBLIC_URL"}});
  }
  auto try_bind = [&](std::uint16_t port) -> std::optional<std::uint16_t> {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr = addr;
    sa.sin_port = htons(port);
    std::optional<std::uint16_t> out;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
      socklen_t len = sizeof sa;
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0) out = ntohs(sa.sin_port);
    }
    ::close(fd);
    return out;
  };
  if (preferred != 0) {
    if (auto p = try_bind(preferred)) return *p;
  }
  if (auto p = try_bind(0)) return *p;
  return make_error(ErrorCode::kUnavailable, "no free TCP port on " + bind, {{"bind", bind}});
}

std::string second_label(TimePoint t) {
  return date::format("%a %F %H:%M:%SZ", std::chrono::floor<std::chrono::seconds>(t));
}

std::string carrier_api_base(const Config& cfg) {
  return cfg.provider == "twilio" ? cfg.twilio_api_base : cfg.telnyx_api_base;
}

}  // namespace

Result<DemoOutcome> run_carrier_demo(const DemoOptions& o, std::ostream& out,
                                     const std::function<bool(Millis)>& wait_or_stop) {
  Config cfg = o.cfg;
  cfg.provider = o.provider;
  if (cfg.provider != "twilio" && cfg.provider != "telnyx") {
    return make_error(ErrorCode::kInvalidArgument, "--provider must be sim, twilio or telnyx, got '" + o.provider + "'",
                      {{"flag", "--provider"}});
  }
  if (cfg.speed != 1.0) {
    return make_error(ErrorCode::kInvalidArgument, "a webhook carrier runs in real time: speed must be 1",
                      {{"variable", "speed"}});
  }
  if (cfg.owned_caller_ids.empty()) cfg.owned_caller_ids = {kDemoCallerId};
  // Concurrent webhooks share one durable inbox commit only as far as threads let them wait
  // together (what OUTDIAL_PROVIDER=twilio|telnyx gives `serve`).
  cfg.http_threads = std::max(cfg.http_threads, 16);
  if (!o.keep_db) remove_database_files(cfg);
  // The carrier posts its webhooks back to this process: unless told where (a tunnel, a proxy),
  // that is http://<bind>:<port>, the port chosen now because the carrier's config names it.
  if (cfg.public_url.empty()) {
    auto port = free_port(cfg.bind, cfg.port);
    if (!port.ok()) return port.error();
    cfg.port = port.value();
    cfg.public_url = "http://" + cfg.bind + ":" + std::to_string(cfg.port);
  }

  // Two clocks. The domain clock (gate, dialer, campaign service, event stamps) starts at a fixed
  // in-window instant and advances with the wall clock (RealtimeDriver, speed 1), so calling
  // windows let the demo dial at any hour. Webhook signature timestamps (Telnyx, ±300 s) are the
  // carrier's real time and are checked against the wall clock.
  SystemClock wall;
  ManualClock clock(in_window_start(wall.now()));
  out << "outdial demo: database " << cfg.db_path << ", carrier " << cfg.provider << " at " << carrier_api_base(cfg)
      << " (real driver: REST over libcurl, signed webhooks to " << cfg.public_url << ")\n"
      << "   domain clock starts " << minute_label(clock.now())
      << " (inside every calling window) and runs at wall speed; signatures are checked on the real clock\n\n";

  DemoTenant tenant;
  {
    auto db = open_database(cfg);
    if (!db.ok()) return db.error();
    auto d = create_demo_tenant(*db.value(), clock);
    if (!d.ok()) return d.error();
    tenant = d.value();
  }
  if (cfg.dnc_index.empty() && !o.registry_dir.empty()) {
    if (auto st = prepare_registry(cfg, o.registry_dir, clock.now(), out); !st.ok()) return st.error();
  }
  auto built = Services::build(cfg, clock, &wall);  // the `serve` wiring: ProviderSet, inbox, routes
  if (!built.ok()) return built.error();
  Services& s = *built.value();

  // Real time: every contact gets one call (busy/no-answer are not retried an hour later), more
  // lines than the simulated run so the list finishes in a minute or two within the carrier
  // account's pacing (OUTDIAL_PACE_*).
  Campaign draft = demo_campaign(tenant, 0, clock.now());
  draft.max_attempts = 1;
  draft.lines = 10;
  draft.max_concurrency = 10;
  draft.calls_per_minute = 600;
  // The port is part of the webhook URL: no falling back to another one.
  auto story = tell_setup(s, cfg, o, tenant, draft, /*port_fixed=*/true, out);
  if (!story.ok()) return story.error();
  if (!story->port.ok()) return story->port.error();  // webhooks need the server

  out << "4. Dialing through " << cfg.provider << " (real time; webhooks to " << cfg.public_url << "/"
      << (cfg.provider == "twilio" ? "twilio/..." : "webhooks/telnyx") << ")\n";
  dialer::RealtimeDriver driver(s.runner(), s.providers().scheduled_events(), wall, &clock, 1.0,
                                Millis(200));
  driver.start();
  const TimePoint deadline = wall.now() + std::chrono::seconds(o.timeout_seconds);
  TimePoint next_print = wall.now();
  DemoOutcome outcome;
  outcome.tenant_id = tenant.tenant.id;
  outcome.campaign_id = story->campaign.id;
  outcome.campaign_name = story->campaign.name;
  bool stopped = false;
  for (;;) {
    auto p = s.campaigns().progress(story->staff, story->campaign.id);
    if (!p.ok()) {
      driver.stop();
      return p.error();
    }
    outcome.progress = p.value();
    const bool done = p->status == "completed";
    if (done || wall.now() >= next_print) {
      out << progress_line(second_label(clock.now()), p.value()) << std::endl;
      next_print = wall.now() + Millis(o.progress_ms);
    }
    if (done) break;
    if (wall.now() >= deadline) {
      out << "   timed out after " << o.timeout_seconds << " s: stopping with calls unfinished\n";
      break;
    }
    if (wait_or_stop(Millis(250))) {
      stopped = true;
      out << "   interrupted: stopping\n";
      break;
    }
  }
  driver.stop();
  if (auto p = s.campaigns().progress(story->staff, story->campaign.id); p.ok()) outcome.progress = p.value();

  out << report_text(story->campaign.name, outcome.progress);
  auto dnc = s.db().compliance().list_dnc(tenant.tenant.id, 0, 100'000);
  if (!dnc.ok()) return dnc.error();
  for (const auto& e : dnc.value()) {
    if (e.reason == "press 2") outcome.opted_out.push_back(e.phone_e164);
  }
  out << fmt::format("  {:<28}{:>8}\n", "pressed 2 -> internal DNC", outcome.opted_out.size());
  out << "  carrier: " << cfg.provider << " at " << carrier_api_base(cfg) << " (one call per attempt)\n";
  if (o.serve_after && !stopped) {
    out << "\nAPI still serving on port " << story->port.value() << "; Ctrl-C to stop.\n";
    while (!wait_or_stop(Millis(1000))) {
    }
  }
  return outcome;
}

int cmd_demo(const DemoOptions& o) {
  block_termination_signals();
  if (o.provider != "sim") {
    auto r = run_carrier_demo(o, std::cout, [](Millis d) { return poll_termination(d) != 0; });
    if (!r.ok()) return fail(r.error());
    return r->progress.status == "completed" ? 0 : 1;
  }
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
    if (auto st = prepare_registry(cfg, o.registry_dir, clock.now(), std::cout); !st.ok()) return fail(st.error());
  }
  auto built = Services::build(cfg, clock);
  if (!built.ok()) return fail(built.error());
  Services& s = *built.value();

  // 1. Import, 2.-3. campaign created and activated, 4. the API.
  auto story = tell_setup(s, cfg, o, tenant, demo_campaign(tenant, 0, clock.now()), false, std::cout);
  if (!story.ok()) return fail(story.error());
  const Actor& staff = story->staff;
  const Campaign& campaign = story->campaign;
  const auto& port = story->port;

  // 5. Dial to completion in accelerated virtual time.
  std::cout << "4. Dialing (virtual time; calls outside a contact's calling window wait for it)\n";
  if (auto st = s.runner().recover(); !st.ok()) return fail(st.error());
  TimePoint next_print = clock.now();
  dialer::DriveResult drive;
  for (;;) {
    drive = dialer::run_until_idle(s.runner(), &s.carrier(), clock, std::chrono::hours(24 * 30), 200);
    if (clock.now() >= next_print || drive.all_complete) {
      auto p = s.campaigns().progress(staff, campaign.id);
      if (p.ok()) std::cout << progress_line(minute_label(clock.now()), p.value()) << std::endl;
      next_print = clock.now() + std::chrono::minutes(o.progress_minutes);
      std::this_thread::sleep_for(std::chrono::milliseconds(o.wall_ms_per_print));
    }
    if (drive.all_complete || drive.steps == 0) break;
  }

  auto final_progress = s.campaigns().progress(staff, campaign.id);
  if (!final_progress.ok()) return fail(final_progress.error());
  std::cout << report_text(campaign.name, final_progress.value());
  std::cout << "  simulated carrier dials: " << s.carrier().real_dials() << " (one per attempt; ledger "
            << cfg.ledger_path() << ")\n";
  if (o.serve_after && port.ok()) {
    std::cout << "\nAPI still serving on port " << port.value() << "; Ctrl-C to stop.\n";
    wait_for_termination();
  }
  return final_progress->status == "completed" ? 0 : 1;
}

}  // namespace outdial::app
