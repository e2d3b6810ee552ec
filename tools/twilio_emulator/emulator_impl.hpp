#pragma once
// Internals of TwilioEmulator shared by its .cpp files (rest_api.cpp, call_engine.cpp,
// webhooks.cpp, inspection.cpp). Not part of the library's interface.
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "emulator.hpp"
#include "outdial/net/router.hpp"
#include "outdial/net/server.hpp"
#include "twiml.hpp"

namespace outdial::twilio_emulator {

// RFC 2822 as Twilio writes it: "Tue, 31 Aug 2010 20:36:28 +0000".
std::string rfc2822(TimePoint t);
// "+15551230001" shaped: '+', 8 to 15 digits, no leading zero.
bool is_e164(const std::string& s);
// `ref` resolved against `base` (RFC 3986 §5 for the shapes TwiML uses: absolute, "/path",
// "relative", "?query").
std::string resolve_url(const std::string& base, const std::string& ref);
bool is_http_url(const std::string& s);
std::string twilio_error_json(int code, const std::string& message, int http_status);

// A webhook waiting to go out.
struct Outgoing {
  WebhookRecord rec;
  std::string idempotency_token;  // I-Twilio-Idempotency-Token: the same on duplicates and retries
  int retries_left = 0;
  bool terminal = false;          // a call's final status callback (never held back)
};

struct TwilioEmulator::Impl {
  Impl(EmulatorOptions o, Scheduler& s, net::HttpClient& h, Script sc);

  EmulatorOptions opts;
  Scheduler& sched;
  net::HttpClient& http;

  mutable std::mutex mu;  // guards everything below
  Script script;
  std::mt19937_64 rng;
  std::map<std::string, EmulatedCall> calls;
  std::vector<std::string> call_order;                  // sids in creation order
  std::map<std::string, std::size_t> calls_per_number;  // for CalleeBehaviour sequences
  std::deque<std::string> cps_queue;                    // created, waiting for a CPS/concurrency slot
  TimePoint next_slot{};
  int active = 0;                                       // calls holding a CPS/concurrency slot
  std::set<std::string> holding;                        // their sids
  struct Flow {
    std::shared_ptr<const TwimlNode> doc;
    std::string url;       // where the document came from ("" = inline Twiml)
    std::size_t pc = 0;    // next verb
  };
  std::map<std::string, Flow> flows;
  std::vector<EmulatedMessage> messages;
  std::set<std::string> opted_out;  // "<our number>|<their number>"
  std::vector<WebhookRecord> webhooks;
  std::vector<LogEntry> log_entries;
  std::size_t create_requests = 0;
  std::size_t media_requests = 0;  // recording media served (authorized, known recording)
  std::map<std::string, std::deque<Outgoing>> outbox;  // ordered delivery per call / message
  std::set<std::string> outbox_busy;
  std::map<std::string, Outgoing> held;                // reorder fault: waits for the next one

  net::Router router;
  std::unique_ptr<net::HttpServer> server;

  // ---- helpers (callers hold mu unless noted) ----
  std::string new_sid(const char* prefix);
  void log_line(const std::string& sid, const std::string& text);
  double uniform();  // [0, 1)
  int max_starts() const;  // takes mu
  Result<int> inbound_sms(const std::string& from, const std::string& to, const std::string& body);  // takes mu

  // ---- REST (rest_api.cpp) ----
  void add_routes();
  bool authorized(const net::Request& r, net::Response& denied) const;  // no lock needed
  net::Response create_call(const net::Request& r);
  net::Response list_calls(const net::Request& r);
  net::Response get_call(const net::Request& r);
  net::Response update_call(const net::Request& r);
  net::Response create_message(const net::Request& r);
  net::Response get_message(const net::Request& r);
  net::Response get_recording(const net::Request& r);  // Recordings/{RE…}.mp3|.wav
  // Pops the first REST fault matching (resource, to); nullopt when none.
  std::optional<RestFault> take_fault(const std::string& resource, const std::string& to);
  std::string call_json(const EmulatedCall& c) const;
  std::string message_json(const EmulatedMessage& m) const;

  // ---- call engine (call_engine.cpp) ----
  void enqueue_call(const std::string& sid);  // into the CPS queue, then pump()
  void pump();                                // start what CPS + concurrency allow
  void start_call(const std::string& sid);    // task: "initiated"
  void ring(const std::string& sid);          // task: "ringing"
  void answer(const std::string& sid);        // task: callee picks up
  // gen: the flow at the answer; a sync result starts the TwiML only if nothing redirected it.
  void on_amd(const std::string& sid, const std::string& result, Millis took, std::uint64_t gen);
  // Fetches TwiML (url via method, with params) and runs it; on failure tries the fallback,
  // then ends the call. Runs without mu. kind: "twiml", "gather", "dial", "redirect", "record".
  void fetch_and_run(const std::string& sid, std::uint64_t gen, const std::string& kind, std::string url,
                     std::string method, Params extra, bool use_fallback);
  void run_inline(const std::string& sid, std::uint64_t gen, const std::string& twiml);
  void run_next(const std::string& sid, std::uint64_t gen);  // task: the next verb
  void run_gather(EmulatedCall& c, const Flow& f, const TwimlNode& verb);
  void run_dial(EmulatedCall& c, const Flow& f, const TwimlNode& verb);
  void start_twiml(const std::string& sid, std::uint64_t gen, Params extra);  // the call's Url / Twiml
  // Records a <Say>/<Play>/<Pause> starting at `at`; returns its length.
  Millis play_prompt(EmulatedCall& c, const TwimlNode& verb, TimePoint at);
  // Ends the call (idempotent) and sends the final status callback. Holds mu.
  void end_call(EmulatedCall& c, const std::string& status, int sip_code, const std::string& reason);
  // Schedules `fn` for this call's flow at `when`; dropped if the call moved on (generation).
  void flow_at(const std::string& sid, std::uint64_t gen, TimePoint when, std::function<void()> fn);
  Params voice_params(const EmulatedCall& c) const;
  void emit_status(EmulatedCall& c, const std::string& event, const std::string& call_status);
  Millis since_answer(const EmulatedCall& c) const;
  void redirect_call(EmulatedCall& c, const std::string& url, const std::string& method, const std::string& twiml);

  // ---- webhooks (webhooks.cpp) ----
  // Signs and sends one request now (no mu held); records it. For TwiML fetches and actions.
  Result<net::ClientResponse> send_now(WebhookRecord rec, const std::string& idempotency_token);
  // Queues an asynchronous callback (status, AMD, SMS) with the configured faults. Holds mu.
  void post_async(Outgoing o);
  void drain(const std::string& key);  // task: delivers a key's queue in order
  void deliver_unordered(Outgoing o);  // task: one delivery (delayed, retried)
  void release_held(const std::string& key);
  std::string new_token();
};

}  // namespace outdial::twilio_emulator
