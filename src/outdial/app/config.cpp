#include "outdial/app/config.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdlib>
#include <utility>
#include <string>
#include <string_view>

namespace outdial::app {
namespace {
const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : nullptr;
}
}  // namespace

Status apply_environment(Config& cfg) {
  if (const char* v = env("OUTDIAL_DB")) cfg.db_path = v;
  if (const char* v = env("OUTDIAL_BIND")) cfg.bind = v;
  if (const char* v = env("OUTDIAL_PORT")) cfg.port = static_cast<std::uint16_t>(std::strtoul(v, nullptr, 10));
  if (const char* v = env("OUTDIAL_NODE")) cfg.node_id = v;
  if (const char* v = env("OUTDIAL_DNC_INDEX")) cfg.dnc_index = v;
  if (const char* v = env("OUTDIAL_SIM_SEED")) cfg.sim_seed = std::strtoull(v, nullptr, 10);
  if (const char* v = env("OUTDIAL_LOG_LEVEL")) cfg.log_level = v;
  if (const char* v = env("OUTDIAL_PROVIDER")) cfg.provider = v;
  if (const char* v = env("OUTDIAL_TWILIO_ACCOUNT_SID")) cfg.twilio_account_sid = v;
  if (const char* v = env("OUTDIAL_TWILIO_AUTH_TOKEN")) cfg.twilio_auth_token = v;
  if (const char* v = env("OUTDIAL_TWILIO_API_BASE")) cfg.twilio_api_base = v;
  if (const char* v = env("OUTDIAL_PUBLIC_URL")) cfg.public_url = v;
  if (const char* v = env("OUTDIAL_TELNYX_API_KEY")) cfg.telnyx_api_key = v;
  if (const char* v = env("OUTDIAL_TELNYX_CONNECTION_ID")) cfg.telnyx_connection_id = v;
  if (const char* v = env("OUTDIAL_TELNYX_PUBLIC_KEY")) cfg.telnyx_public_key = v;
  if (const char* v = env("OUTDIAL_TELNYX_API_BASE")) cfg.telnyx_api_base = v;
  // A whole number in [min, 100000]; anything else names the variable.
  auto int_env = [](const char* name, int& out, int min) -> Status {
    const char* v = env(name);
    if (v == nullptr) return ok_status();
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > 100'000) {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(name) + " must be a whole number from " + std::to_string(min) +
                            " to 100000, got '" + v + "'",
                        {{"variable", name}});
    }
    out = static_cast<int>(n);
    return ok_status();
  };
  for (auto [name, field] : {std::pair{"OUTDIAL_PACE_CPS", &cfg.pace_cps},
                             std::pair{"OUTDIAL_PACE_WINDOW_SECONDS", &cfg.pace_window_seconds},
                             std::pair{"OUTDIAL_PACE_WINDOW_MAX", &cfg.pace_window_max},
                             std::pair{"OUTDIAL_PACE_MAX_CONCURRENCY", &cfg.pace_max_concurrency}}) {
    if (auto st = int_env(name, *field, 0); !st) return st;
  }
  if (const char* v = env("OUTDIAL_HEAP_HUGE_PAGES")) {
    const std::string_view w = v;
    if (w == "1" || w == "on" || w == "true") {
      cfg.heap_huge_pages = true;
    } else if (w == "0" || w == "off" || w == "false") {
      cfg.heap_huge_pages = false;
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string("OUTDIAL_HEAP_HUGE_PAGES must be 1, on, true, 0, off or false, got '") + v + "'",
                        {{"variable", "OUTDIAL_HEAP_HUGE_PAGES"}});
    }
  }
  if (cfg.provider != "sim") cfg.http_threads = 64;
  return int_env("OUTDIAL_HTTP_THREADS", cfg.http_threads, 1);
}

void init_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("outdial");
  // One JSON object per line: machine-readable, still legible.
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":"%v"})",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace outdial::app
