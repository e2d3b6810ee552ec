// telnyx-emulator: a stand-alone Telnyx Call Control v2 emulator (see emulator.hpp).
//   telnyx-emulator --port 8089 --api-key KEY --connection-id CONN [--script FILE] [--speed X]
//                   [--seed N] [--concurrency N] [--rate-limit N] [--webhook-url URL]
//                   [--account CONN=KEY_ENV_VAR[:SEED_HEX64][@NUM,...]]...
// The API key may come from TELNYX_EMULATOR_API_KEY instead of --api-key (never printed).
// --account adds another Telnyx account (a tenant's own): connection id CONN, API key read from
// the environment variable KEY_ENV_VAR (kept out of `ps`), optional signing seed and numbers
// (texts to them are signed with that account's key; it sends only from them).
// Prints "telnyx-emulator listening on http://127.0.0.1:<port>/v2 public_key=<base64>", then
// "account <connection id> public_key=<base64>" per further account, and runs until
// SIGINT/SIGTERM. Point outdial at it with OUTDIAL_TELNYX_API_BASE and
// OUTDIAL_TELNYX_PUBLIC_KEY.
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "emulator.hpp"
#include "outdial/net/curl/curl_http_client.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: telnyx-emulator [--port N] [--address A] [--api-key K] [--connection-id C] [--script FILE]\n"
               "                       [--speed X] [--seed N] [--signing-seed HEX64] [--concurrency N]\n"
               "                       [--rate-limit N] [--webhook-url URL] [--speak-ms N]\n"
               "                       [--account CONN=KEY_ENV_VAR[:SEED_HEX64][@NUM,...]]...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using outdial::tools::telnyx::EmulatorOptions;
  EmulatorOptions o;
  o.port = 8089;
  // The API key from the environment keeps it out of `ps` (the flag still overrides it).
  if (const char* k = std::getenv("TELNYX_EMULATOR_API_KEY"); k != nullptr && *k != '\0') o.api_key = k;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--port") o.port = static_cast<std::uint16_t>(std::stoul(next()));
      else if (a == "--address") o.address = next();
      else if (a == "--api-key") o.api_key = next();
      else if (a == "--connection-id") o.connection_id = next();
      else if (a == "--speed") o.speed = std::stod(next());
      else if (a == "--seed") o.seed = std::stoull(next());
      else if (a == "--signing-seed") o.signing_seed_hex = next();
      else if (a == "--concurrency") o.concurrency_limit = std::stoi(next());
      else if (a == "--rate-limit") o.rate_limit_per_5s = std::stoi(next());
      else if (a == "--webhook-url") o.default_webhook_url = next();
      else if (a == "--speak-ms") o.speak_ms = std::stoi(next());
      else if (a == "--account") {
        const std::string spec = next();
        const auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0) throw std::invalid_argument("--account needs CONN=KEY_ENV_VAR[:SEED]");
        outdial::tools::telnyx::EmulatorAccount acct;
        acct.connection_id = spec.substr(0, eq);
        std::string var = spec.substr(eq + 1);
        if (const auto at = var.find('@'); at != std::string::npos) {
          std::stringstream numbers(var.substr(at + 1));
          for (std::string n; std::getline(numbers, n, ',');)
            if (!n.empty()) acct.numbers.push_back(n);
          var.resize(at);
        }
        if (const auto colon = var.find(':'); colon != std::string::npos) {
          acct.signing_seed_hex = var.substr(colon + 1);
          var.resize(colon);
        }
        const char* key = std::getenv(var.c_str());
        if (key == nullptr || *key == '\0') throw std::invalid_argument("--account: environment variable " + var + " is not set");
        acct.api_key = key;
        o.accounts.push_back(std::move(acct));
      }
      else if (a == "--script") {
        const std::string path = next();
        std::ifstream in(path);
        if (!in) throw std::invalid_argument("cannot read --script " + path);
        std::stringstream ss;
        ss << in.rdbuf();
        auto s = outdial::tools::telnyx::parse_script(ss.str());
        if (!s) throw std::invalid_argument(path + ": " + s.error().message);
        o.script = *s;
      } else if (a == "--help" || a == "-h") {
        return usage();
      } else {
        throw std::invalid_argument("unknown flag " + a);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "telnyx-emulator: %s\n", e.what());
    return usage();
  }
  if (o.speed <= 0) {
    std::fprintf(stderr, "telnyx-emulator: --speed must be > 0\n");
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // threads started below inherit the mask
  auto http = outdial::net::make_curl_client();
  outdial::tools::telnyx::TelnyxEmulator emu(o, *http);
  if (auto st = emu.start(); !st) {
    std::fprintf(stderr, "telnyx-emulator: %s\n", st.error().message.c_str());
    return 1;
  }
  std::printf("telnyx-emulator listening on %s public_key=%s\n", emu.base_url().c_str(), emu.public_key_base64().c_str());
  for (const auto& acct : o.accounts)
    std::printf("account %s public_key=%s\n", acct.connection_id.c_str(), emu.public_key_base64(acct.connection_id).c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  emu.stop();
  return 0;
}
