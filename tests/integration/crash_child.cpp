// A dialer process for the kill-and-restart test: opens the SQLite file and the sim ledger,
// recovers, and runs every active campaign to completion in virtual time. Exit 0 = complete.
//   crash_child <db path> <ledger path> [<dial journal path>]
// With a journal the runner commits in groups of turns (CampaignRunner::group), its dials
// journaled before they go out; without one every turn commits on its own.
// Kill hooks (the process SIGKILLs itself, like kill -9 at that instant):
//   OUTDIAL_CRASH_BEFORE_DIAL=K  just before the K-th place_call reaches the carrier
//   OUTDIAL_CRASH_AFTER_DIAL=K   after the K-th place_call was accepted (ledger fsync'd) but
//                                before the runner stored the provider call id
//   OUTDIAL_CRASH_AFTER_EVENT=K  after the K-th carrier event was processed
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "integration/campaign_setup.hpp"
#include "outdial/dialer/campaign_runner.hpp"
#include "outdial/dialer/file/file_dial_journal.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/sim/sim_carrier.hpp"
#include "testing/fake_gate.hpp"

namespace {

using namespace outdial;  // NOLINT: a small main file

long env_int(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? 0 : std::strtol(v, nullptr, 10);
}

[[noreturn]] void die() {
  std::raise(SIGKILL);
  std::abort();
}

class CrashingProvider final : public telephony::Provider {
 public:
  explicit CrashingProvider(telephony::Provider& inner)
      : inner_(inner), before_(env_int("OUTDIAL_CRASH_BEFORE_DIAL")), after_(env_int("OUTDIAL_CRASH_AFTER_DIAL")) {}
  std::string name() const override { return inner_.name(); }
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest& r) override {
    ++dials_;
    if (before_ > 0 && dials_ == before_) die();
    auto out = inner_.place_call(r);
    if (after_ > 0 && dials_ == after_) die();
    return out;
  }
  Status hangup(const std::string& id) override { return inner_.hangup(id); }
  Result<std::string> send_sms(const telephony::SmsRequest& r) override { return inner_.send_sms(r); }
  Result<std::optional<std::string>> find_call(const telephony::CallLookup& k) override { return inner_.find_call(k); }
  Status reconcile(const std::string& id) override { return inner_.reconcile(id); }

 private:
  telephony::Provider& inner_;
  long before_;
  long after_;
  long dials_ = 0;
};

class CrashingSink final : public telephony::CallEventSink {
 public:
  explicit CrashingSink(telephony::CallEventSink& inner) : inner_(inner), after_(env_int("OUTDIAL_CRASH_AFTER_EVENT")) {}
  void on_call_event(const CallEvent& e) override {
    inner_.on_call_event(e);
    if (after_ > 0 && ++events_ == after_) die();
  }

 private:
  telephony::CallEventSink& inner_;
  long after_;
  long events_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: crash_child <db> <ledger> [<journal>]\n");
    return 2;
  }
  auto db = storage::sqlite::SqliteDatabase::open(argv[1]);
  if (!db) {
    std::fprintf(stderr, "open db: %s\n", db.error().message.c_str());
    return 3;
  }
  ManualClock clock(itest::kStart);
  auto sim = telephony::sim::SimCarrier::create(clock, itest::crash_profile(), itest::kSimSeed, argv[2]);
  if (!sim) return 4;
  // Resume virtual time where the dead process left it (never before its last dial).
  if (auto last = (*sim)->last_activity(); last && *last > clock.now()) clock.set(*last);
  CrashingProvider provider(**sim);
  testing::FakeGate gate;
  auto tenants = (*db)->tenants().list_tenants();
  if (!tenants || tenants->empty()) return 5;
  dialer::FactsBuilder facts((*db)->compliance(), (*db)->calls(), (*db)->campaigns(), nullptr,
                             dialer::CallerIdDirectory{{{tenants->front().id, {itest::kCallerId}}}});
  dialer::RunnerConfig config{"crash-node"};
  std::unique_ptr<dialer::file::FileDialJournal> journal;
  if (argc == 4) {
    auto j = dialer::file::FileDialJournal::open(argv[3], dialer::file::JournalSync::kNone);
    if (!j) {
      std::fprintf(stderr, "open journal: %s\n", j.error().message.c_str());
      return 8;
    }
    journal = std::move(*j);
    config.journal = journal.get();
    config.group_max_turns = 64;  // several groups per run, so kills land inside one
  }
  dialer::CampaignRunner runner(**db, provider, gate, facts, clock, config);
  CrashingSink sink(runner.sink());
  (*sim)->set_sink(&sink);
  if (auto st = runner.recover(); !st) {
    std::fprintf(stderr, "recover: %s\n", st.error().message.c_str());
    return 6;
  }
  auto r = dialer::run_until_idle(runner, sim->get(), clock);
  return r.all_complete ? 0 : 7;
}
