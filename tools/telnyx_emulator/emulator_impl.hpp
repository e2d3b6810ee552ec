#pragma once
// Internals of TelnyxEmulator shared by engine.cpp (calls, scheduling, webhooks) and
// rest_api.cpp (the HTTP surface). One mutex guards all state; HTTP sends happen outside it.
#include <sodium.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <queue>
#include <random>
#include <set>
#include <thread>

#include "emulator.hpp"
#include "outdial/net/router.hpp"
#include "outdial/net/server.hpp"

namespace outdial::tools::telnyx {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

struct SentWebhook {
  std::string event_type;
  std::string id;
  json envelope;                // meta.attempt is set per delivery
  std::string first_body;       // as first sent (for redeliver)
  std::vector<int> statuses;    // receiver's answers per delivery (0 = transport error)
};

// "2026-11-22T10:00:00.123456Z" for microseconds since the epoch (engine.cpp).
std::string iso_micro(std::int64_t us);

struct Call {
  std::size_t account = 0;  // index into Impl::accounts: the account whose key dialed it
  std::string id, leg_id, session_id, to, from, client_state, webhook_url, amd, command_id;
  bool agent_leg = false;
  std::string parent;  // agent leg: the call it was transferred from
  CalleeBehaviour behaviour;
  int timeout_secs = 30;
  std::string state = "initiated";  // initiated | answered | ended
  bool answered = false;
  bool ended = false;
  bool machine = false;
  bool gather_active = false;
  int gather_gen = 0;
  std::string gather_client_state;
  std::size_t menus = 0;
  std::string hangup_cause, hangup_source;
  std::set<std::string> command_ids;
  json commands = json::array();
  std::vector<std::string> spoken, played, digits_sent;
  std::string transferred_to, transfer_from, bridged_with;
  std::vector<SentWebhook> webhooks;
  std::int64_t held = -1;  // out-of-order fault: index of the webhook held back
  std::int64_t start_epoch_ms = 0;
  bool record = false;                 // dialed with record=record-from-answer
  std::int64_t answered_epoch_us = 0;  // when the recording starts
  std::string recording_id;            // set when call.recording.saved was sent
  std::int64_t recording_ended_epoch_us = 0;
};

// One Telnyx account: its API key, connection, signing keys and limits' state.
struct Account {
  std::string api_key;
  std::string connection_id;
  std::vector<std::string> numbers;  // empty: any (no messaging checks)
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
  std::deque<std::int64_t> dial_times;  // carrier ms, last 5 s
};

struct TelnyxEmulator::Impl {
  Impl(EmulatorOptions o, net::HttpClient& h);

  // --- engine.cpp ---
  void at(int carrier_ms, std::function<void()> fn);  // schedule (carrier time)
  void scheduler_loop();
  void delivery_loop();
  std::string new_id(const char* prefix = "");
  std::int64_t carrier_now_ms() const;  // since start, carrier time
  Call* find(const std::string& id);
  // Builds, records and queues a webhook for `c` (lock held).
  void emit(Call& c, const std::string& type, json extra = json::object(), const std::string& client_state = "");
  void enqueue(const std::string& call_id, std::size_t index, int attempt);
  void deliver(const std::string& call_id, std::size_t index, int attempt);
  // Signed with the account's key (index into `accounts`), or with the forger's key.
  std::string sign(const std::string& timestamp, const std::string& body, std::size_t account, bool forge) const;
  // The account whose API key the request carries (nullopt: counted as unauthorized).
  std::optional<std::size_t> account_of(const net::Request& r);
  std::optional<std::size_t> account_named(const std::string& connection_id) const;
  Call& create_call(const json& req, const CalleeBehaviour& b, std::size_t account);
  void start_call(Call& c, bool over_limit);
  void answer(const std::string& id);
  void end_call(Call& c, const std::string& cause, const std::string& source, const std::string& sip);
  json command(Call& c, const std::string& action, const json& body);
  std::int64_t active_calls(std::size_t account) const;
  json call_view(const Call& c) const;
  // An inbound text (the public inject_inbound_sms): Telnyx's default keyword handling, then the
  // signed message.received webhook, sent now on the caller's thread.
  Result<int> inbound_sms(const std::string& url, const std::string& from, const std::string& to,
                          const std::string& text, bool forge);

  // --- rest_api.cpp ---
  void add_routes();
  // A pre-signed download URL of a recording file ("mp3" / "wav"), valid for 10 minutes: the
  // signature is a keyed BLAKE2b of "<id>.<ext>|<expires>" with media_key.
  std::string signed_media_url(const std::string& recording_id, const std::string& ext) const;
  std::string media_signature(const std::string& file, std::int64_t expires) const;

  EmulatorOptions opt;
  net::HttpClient& http;
  net::Router router;
  std::unique_ptr<net::HttpServer> server;
  std::vector<Account> accounts;  // [0]: the options' own account
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> forge_sk{};
  std::array<unsigned char, crypto_generichash_KEYBYTES> media_key{};  // signs download URLs

  mutable std::mutex mu;
  std::condition_variable cv_sched, cv_deliver;
  struct Task {
    Steady::time_point due;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Task& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };
  std::priority_queue<Task, std::vector<Task>, std::greater<>> tasks;
  std::uint64_t task_seq = 0;
  struct Delivery {
    std::string call_id;
    std::size_t index;
    int attempt;
  };
  std::deque<Delivery> deliveries;
  int in_flight = 0;
  int running_tasks = 0;
  bool stopping = false;
  std::thread scheduler, deliverer;
  Steady::time_point started = Steady::now();
  std::mt19937_64 rng;
  std::map<std::string, Call> calls;                  // by call_control_id
  std::vector<std::string> order;                     // creation order
  std::map<std::string, std::string> by_command_id;   // "<account>|<dial command_id>" -> call_control_id
  json messages = json::array();
  // Telnyx's default block rules: "<our number>|<contact>" after the contact texted a default
  // opt-out keyword (STOP ...); START/UNSTOP lift it. A message to a blocked contact: 403 / 40300.
  std::set<std::string> blocked;
  EmulatorStats st;
  std::uint64_t counter = 0;
};

}  // namespace outdial::tools::telnyx
