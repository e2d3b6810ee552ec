// Child process of ingest_kill_test: the benchmark's webhook server (signed Twilio status
// callbacks -> DurableInbox) on an inbox file; the sink appends each applied dedupe key to a log
// (flushed per event, so what was applied survives the process's SIGKILL). Prints "port <n>".
//   ingest_child --inbox PATH --applied-log PATH --token T [--shards N] [--sync]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "webhook_server.hpp"

namespace {

class LoggingSink final : public outdial::telephony::CallEventSink {
 public:
  explicit LoggingSink(const std::string& path) : f_(std::fopen(path.c_str(), "a")) {}
  ~LoggingSink() override {
    if (f_ != nullptr) std::fclose(f_);
  }
  void on_call_event(const outdial::CallEvent& event) override {
    std::lock_guard lock(mu_);
    std::fprintf(f_, "%s\n", event.dedupe_key.c_str());
    std::fflush(f_);
  }
  bool ok() const { return f_ != nullptr; }

 private:
  std::mutex mu_;
  std::FILE* f_;
};

std::string arg(int argc, char** argv, const char* name, const char* def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  outdial::webhook_bench::WebhookServerConfig cfg;
  cfg.inbox_path = arg(argc, argv, "--inbox", "");
  cfg.auth_token = arg(argc, argv, "--token", "");
  cfg.shards = std::stoi(arg(argc, argv, "--shards", "2"));
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--sync") == 0) {
      cfg.async = false;
      cfg.threads = 64;
    }
  }
  LoggingSink sink(arg(argc, argv, "--applied-log", ""));
  if (cfg.inbox_path.empty() || cfg.auth_token.empty() || !sink.ok()) {
    std::cerr << "usage: ingest_child --inbox PATH --applied-log PATH --token T [--shards N] [--sync]\n";
    return 2;
  }
  outdial::webhook_bench::WebhookServer server(cfg, sink);
  if (auto st = server.start(); !st.ok()) {
    std::cerr << "start failed: " << st.error().message << "\n";
    return 1;
  }
  std::cout << "port " << server.port() << std::endl;
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(60));
}
