// `outdial serve`: the HTTP API and the dialer on real or accelerated time until SIGINT/SIGTERM.
#include <csignal>
#include <iostream>

#include <spdlog/spdlog.h>

#include "outdial/app/commands.hpp"
#include "outdial/app/context.hpp"
#include "outdial/app/signals.hpp"

namespace outdial::app {

int cmd_serve(const ServeOptions& o) {
  block_termination_signals();  // before any thread starts, so only wait_for_termination sees them
  SystemClock wall;
  const bool accelerated = o.cfg.speed != 1.0;
  ManualClock virtual_clock(wall.now());
  const Clock& domain_clock = accelerated ? static_cast<const Clock&>(virtual_clock) : wall;

  auto services = Services::build(o.cfg, domain_clock);
  if (!services.ok()) return fail(services.error());
  auto& s = *services.value();
  if (accelerated) {
    // After a restart, resume virtual time where the previous process left it (the carrier's
    // ledger holds the latest instant it acted at), so recorded times are never in the future.
    if (auto* sim = s.providers().sim()) {
      if (auto last = sim->last_activity(); last && *last > virtual_clock.now()) virtual_clock.set(*last);
    }
  }
  auto port = s.start_http();
  if (!port.ok()) return fail(port.error());
  dialer::RealtimeDriver driver(s.runner(), s.providers().scheduled_events(), wall, accelerated ? &virtual_clock : nullptr,
                                accelerated ? o.cfg.speed : 1.0);
  driver.start();
  spdlog::info("outdial serving on http://{}:{} (database {}, node {}, speed {}x, provider {})", o.cfg.bind,
               port.value(), o.cfg.db_path, o.cfg.node_id, o.cfg.speed, s.providers().name());
  std::cout << "outdial serving on http://" << o.cfg.bind << ":" << port.value() << std::endl;
  int sig = wait_for_termination();
  spdlog::info("signal {} received: stopping", sig);
  driver.stop();
  s.stop_http();
  return 0;
}

}  // namespace outdial::app
