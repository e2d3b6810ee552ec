#pragma once
// The Telnyx Call Control emulator (issue #3 §4): a stand-in for api.telnyx.com/v2 that places
// no real calls. It answers the REST API the driver uses (POST /v2/calls, the command actions,
// GET /v2/calls, GET /v2/connections/{id}/active_calls, POST /v2/messages, GET
// /v2/recordings/{id} with pre-signed download_urls the emulator serves itself), plays each callee's
// scripted behaviour and sends Ed25519-signed webhooks (provider-contracts.md §5.4, the real
// algorithm) to the call's webhook_url, with fault injection. GET /_emulator/calls and
// /_emulator/stats expose what happened for tests.
//
// Accounts: the options' api_key / connection_id / signing key, plus EmulatorOptions::accounts.
//
// Time: every scripted duration is carrier milliseconds; real delay = carrier ms / speed.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/result.hpp"
#include "outdial/net/http_client.hpp"

namespace outdial::tools::telnyx {

// How one callee behaves.
struct CalleeBehaviour {
  // human | machine | busy | no_answer | failed | reject | invalid (the dial itself is refused:
  // 422 / 10015 on /to, no call is created)
  std::string answer = "human";
  int ring_ms = 1000;            // until answered / busy / failed
  // Keys pressed, one entry per menu (gather) in order; "" = no input at that menu.
  std::vector<std::string> digits;
  int digits_after_ms = 300;     // after the gather's prompt ends
  int hangup_after_ms = 0;       // callee hangs up this long after answering; 0 = never
  int amd_ms = 800;              // AMD verdict after the answer
  std::string amd_result;        // override: human | machine | not_sure ("" = from `answer`)
  int greeting_ms = 1500;        // machine greeting until the beep (after the AMD verdict)
};

struct AgentBehaviour {
  bool answers = true;
  int ring_ms = 500;
  int hangup_after_ms = 0;  // agent hangs up after the bridge; 0 = never
};

struct Faults {
  double duplicate_rate = 0;      // each webhook sent twice with this probability
  bool out_of_order = false;      // hold each call's webhooks back one place (pairs swap)
  int hold_ms = 200;              // how long a held webhook waits for the next one
  int delay_ms = 0;               // every webhook delivered this much later
  int max_retries = 5;            // redeliveries after a non-2xx / transport error (Telnyx: <= 5)
  int retry_backoff_ms = 200;
  int rate_limit_first_dials = 0; // the first N POST /v2/calls answer 429 / 10011
};

struct EmulatorScript {
  CalleeBehaviour default_callee;
  std::map<std::string, CalleeBehaviour> numbers;  // by E.164 "to"
  AgentBehaviour agent;
  Faults faults;
};

// Parses the --script JSON file format (tools/telnyx_emulator/README in docs/api.md):
// {"default":{...}, "numbers":{"+1...":{...}}, "agent":{...}, "faults":{...}}.
// kInvalidArgument naming the offending key.
Result<EmulatorScript> parse_script(const std::string& json_text);

// A further Telnyx account served by the same emulator (tenants' own accounts, issue #3 §3): its
// own API key, Call Control connection and webhook signing key. As on Telnyx, a call belongs to
// the account whose key dialed it: its commands and lookups with another account's key answer
// 404, its webhooks name its connection and are signed with its account's key, and the
// concurrency and rate limits count per account.
struct EmulatorAccount {
  std::string api_key;
  std::string connection_id;
  // 32-byte Ed25519 seed in hex; empty = derived from the emulator's seed and the connection id.
  std::string signing_seed_hex;
  // The account's phone numbers: texts to them arrive signed with this account's key, and it
  // sends messages only from them (else 422 / 40305). Empty: no messaging checks.
  std::vector<std::string> numbers;
};

struct EmulatorOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::string api_key = "test-api-key";
  std::string connection_id = "emulator-connection";
  double speed = 1.0;
  std::uint64_t seed = 1;
  // 32-byte Ed25519 seed in hex; empty = derived from `seed`.
  std::string signing_seed_hex;
  int concurrency_limit = 2;     // §7: default 2 concurrent outbound calls; over it -> SIP 403
  int rate_limit_per_5s = 0;     // POST /v2/calls per rolling 5 s (carrier time); 0 = unlimited
  int speak_ms = 400;            // how long a speak/prompt lasts
  std::string default_webhook_url;  // when a dial carries none
  EmulatorScript script;
  // Accounts besides the one above (api_key, connection_id, signing_seed_hex); connection ids and
  // API keys must all differ.
  std::vector<EmulatorAccount> accounts;
};

struct EmulatorStats {
  std::int64_t dials = 0;
  std::int64_t duplicate_dials = 0;     // same command_id again: same call returned
  std::int64_t rate_limited = 0;        // 429 answers
  std::int64_t concurrency_rejections = 0;
  std::int64_t max_active = 0;
  std::int64_t max_dials_in_5s = 0;     // rolling window, carrier time
  std::int64_t webhooks_sent = 0;       // deliveries attempted (incl. retries, duplicates)
  std::int64_t webhooks_failed = 0;     // non-2xx or transport errors
  std::int64_t messages = 0;
  std::int64_t unauthorized = 0;
  std::int64_t recordings_fetched = 0;       // GET /v2/recordings/{id} answered 200
  std::int64_t media_downloads = 0;          // recording files served from a pre-signed URL
  std::int64_t media_refused = 0;            // downloads refused (bad/expired signature, or an Authorization header)
};

// The audio the emulator serves for a recording it announced: a few KB derived from the
// recording id alone (every byte value occurs), so a test can compare them.
std::string recording_media(const std::string& recording_id);

class TelnyxEmulator {
 public:
  // `http` delivers the webhooks (the curl driver in the executable); it must outlive this.
  TelnyxEmulator(EmulatorOptions options, net::HttpClient& http);
  ~TelnyxEmulator();
  TelnyxEmulator(const TelnyxEmulator&) = delete;
  TelnyxEmulator& operator=(const TelnyxEmulator&) = delete;

  Status start();
  void stop();
  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>/v2"
  std::string public_key_base64() const;
  // The webhook public key of the account with this connection id ("" when there is none).
  std::string public_key_base64(const std::string& connection_id) const;

  // JSON views (also served at /_emulator/calls and /_emulator/stats).
  std::string calls_json() const;
  EmulatorStats stats() const;
  // Re-sends webhook `index` (in send order) of the call as it was first sent, optionally with
  // the timestamp moved by `timestamp_offset_s` and/or signed with a wrong key. Returns the
  // receiver's HTTP status (a test's replay / stale / forged webhook).
  Result<int> redeliver(const std::string& call_control_id, std::size_t index, std::int64_t timestamp_offset_s = 0,
                        bool forge = false);
  // Re-sends webhook `index` of the call as it was first sent, validly signed by the account with
  // connection id `signer` (another account's key: a webhook that account could produce about a
  // call that is not its own). kNotFound for an unknown call, webhook or account.
  Result<int> redeliver_signed_by(const std::string& call_control_id, std::size_t index, const std::string& signer);
  // A text from `from` (a contact) to `to` (our number), as Telnyx delivers it: its default
  // keyword handling first (STOP, STOPALL, STOP ALL, UNSUBSCRIBE, CANCEL, END, QUIT block later
  // messages to the contact with 403 / 40300; START, UNSTOP lift the block), then the signed
  // message.received webhook to `url` (`forge`: signed with a wrong key). Returns the receiver's
  // HTTP status. Signed with the key of the account in EmulatorOptions::accounts that has `to`
  // among its numbers, else the options' own account. The text appears in messages_json() (direction "inbound", with "autoresponse":
  // "opt_out" / "opt_in" / "" for what Telnyx itself answered).
  Result<int> inject_inbound_sms(const std::string& url, const std::string& from, const std::string& to,
                                 const std::string& text, bool forge = false);
  // Every message: sent through POST /v2/messages (direction "outbound") and injected inbound.
  std::string messages_json() const;
  // Blocks until every scheduled event and delivery is done (or `timeout_ms` real time passes).
  bool wait_idle(int timeout_ms);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace outdial::tools::telnyx
