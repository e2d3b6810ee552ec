#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "outdial/telephony/telnyx/telnyx_event.hpp"

#include <cstdio>
#include <ctime>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "unit/telnyx/fake_http_client.hpp"

namespace outdial::telephony::telnyx {
namespace {

using nlohmann::json;
using outdial::testing::telnyx::FakeHttpClient;

const std::string kKey = "KEY0123456789SECRET";

TelnyxConfig config() {
  TelnyxConfig c;
  c.api_key = kKey;
  c.connection_id = "conn-1";
  c.api_base = "http://telnyx.test/v2";
  c.webhook_url = "http://app.test/webhooks/telnyx";
  return c;
}

DialRequest dial() {
  DialRequest r;
  r.idempotency_key = "7:42:1";
  r.attempt_id = 99;
  r.tenant_id = 3;
  r.campaign_id = 7;
  r.from = "+15550001111";
  r.to = "+16465551234";
  r.ring_timeout_seconds = 10;
  r.script = "Hi";
  r.agent_number = "+15559990000";
  return r;
}

std::string error_body(const std::string& code, const std::string& detail, const std::string& pointer = "") {
  json e{{"code", code}, {"title", "Error"}, {"detail", detail}};
  if (!pointer.empty()) e["source"] = {{"pointer", pointer}};
  return json{{"errors", json::array({e})}}.dump();
}

TEST(TelnyxProvider, DialSendsTheContractFields) {
  FakeHttpClient http;
  CallRegistry reg;
  http.answer(200, R"({"data":{"call_control_id":"v3:abc","call_leg_id":"l","call_session_id":"s","is_alive":false,"record_type":"call"}})");
  TelnyxProvider p(http, config(), &reg);
  auto r = p.place_call(dial());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->provider_call_id, "v3:abc");
  ASSERT_EQ(http.requests.size(), 1u);
  const auto& req = http.requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://telnyx.test/v2/calls");
  EXPECT_EQ(req.headers[0].first, "Authorization");
  EXPECT_EQ(req.headers[0].second, "Bearer " + kKey);
  const auto b = json::parse(req.body);
  EXPECT_EQ(b["connection_id"], "conn-1");
  EXPECT_EQ(b["to"], "+16465551234");
  EXPECT_EQ(b["from"], "+15550001111");
  EXPECT_EQ(b["command_id"], "7:42:1");
  EXPECT_EQ(b["timeout_secs"], 15);  // RING-MIN: never below 15
  EXPECT_EQ(b["answering_machine_detection"], "detect_beep");
  EXPECT_EQ(b["webhook_url"], "http://app.test/webhooks/telnyx");
  auto cs = decode_client_state(b["client_state"].get<std::string>());
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->idempotency_key, "7:42:1");
  EXPECT_EQ(cs->attempt_id, 99);
  EXPECT_EQ(cs->tenant_id, 3);
  ASSERT_TRUE(reg.get("v3:abc"));
  EXPECT_EQ(reg.get("v3:abc")->script.flow.agent_number, "+15559990000");
}

TEST(TelnyxProvider, ErrorMapping) {
  struct Case {
    int status;
    std::string body;
    ErrorCode code;
  } cases[] = {
      {429, error_body("10011", "Too many requests"), ErrorCode::kRateLimited},
      {400, error_body("10011", "Rate limited"), ErrorCode::kRateLimited},
      {422, error_body("10015", "The 'to' number is not valid", "/to"), ErrorCode::kInvalidArgument},
      {400, error_body("10016", "Invalid phone number format"), ErrorCode::kInvalidArgument},
      {422, error_body("10015", "connection_id is invalid", "/connection_id"), ErrorCode::kFailedPrecondition},
      {401, error_body("10009", "Authentication failed"), ErrorCode::kUnauthenticated},
      {403, error_body("10010", "Destination not allowed"), ErrorCode::kPermissionDenied},
      {403, error_body("90041", "Outbound concurrency limit reached"), ErrorCode::kRateLimited},
      {500, "oops", ErrorCode::kUnavailable},
      {503, "", ErrorCode::kUnavailable},
  };
  for (const auto& c : cases) {
    FakeHttpClient http;
    http.answer(c.status, c.body);
    TelnyxProvider p(http, config());
    auto r = p.place_call(dial());
    ASSERT_FALSE(r) << c.status << " " << c.body;
    EXPECT_EQ(r.error().code, c.code) << c.status << " " << c.body << " -> " << r.error().message;
    EXPECT_EQ(r.error().details.at("http_status"), std::to_string(c.status));
    EXPECT_EQ(r.error().message.find(kKey), std::string::npos);
  }
}

TEST(TelnyxProvider, InvalidToNamesTheField) {
  FakeHttpClient http;
  http.answer(422, error_body("10015", "Invalid 'to'", "/to"));
  TelnyxProvider p(http, config());
  auto r = p.place_call(dial());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details.at("field"), "to");
  EXPECT_EQ(r.error().details.at("telnyx_code"), "10015");
}

TEST(TelnyxProvider, TransportTimeoutIsUnavailableAndMayExist) {
  FakeHttpClient http;
  http.fail(make_error(ErrorCode::kUnavailable, "time-out after 10000 ms", {{"timeout", "true"}}));
  TelnyxProvider p(http, config());
  auto r = p.place_call(dial());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().details.at("timeout"), "true");
}

TEST(TelnyxProvider, AcceptedWithoutIdIsUnavailable) {
  FakeHttpClient http;
  http.answer(200, R"({"data":{}})");
  TelnyxProvider p(http, config());
  auto r = p.place_call(dial());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

TEST(TelnyxProvider, FindCallMatchesClientStateAcrossPages) {
  FakeHttpClient http;
  ClientState other;
  other.idempotency_key = "7:41:1";
  ClientState mine;
  mine.idempotency_key = "7:42:1";
  http.answer(200, json{{"data", json::array({{{"call_control_id", "v3:x"}, {"client_state", encode_client_state(other)}},
                                               {{"call_control_id", "v3:y"}, {"client_state", ""}}})},
                        {"meta", {{"cursors", {{"after", "c2"}}}}}}
                       .dump());
  http.answer(200, json{{"data", json::array({{{"call_control_id", "v3:z"}, {"client_state", encode_client_state(mine)}}})},
                        {"meta", {{"cursors", json::object()}}}}
                       .dump());
  TelnyxProvider p(http, config());
  auto r = p.find_call(CallLookup("7:42:1"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, "v3:z");
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(http.requests[0].method, "GET");
  EXPECT_NE(http.requests[0].url.find("/connections/conn-1/active_calls"), std::string::npos);
  EXPECT_NE(http.requests[1].url.find("page%5Bafter%5D=c2"), std::string::npos);
}

TEST(TelnyxProvider, FindCallNotFound) {
  FakeHttpClient http;
  http.answer(200, R"({"data":[],"meta":{}})");
  TelnyxProvider p(http, config());
  auto r = p.find_call(CallLookup("7:42:1"));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
}

TEST(TelnyxProvider, CommandsCarryCommandIdAndClientState) {
  FakeHttpClient http;
  TelnyxProvider p(http, config());
  ClientState cs;
  cs.idempotency_key = "7:42:1";
  FlowCommand c{"gather_using_speak", "menu", "v3:abc:menu", "Press 1", "", "", 6000};
  ASSERT_TRUE(p.issue("v3:abc", c, cs));
  FlowCommand t{"transfer", "transfer", "v3:abc:transfer", "", "+15559990000", "+15550001111", 30000};
  ASSERT_TRUE(p.issue("v3:abc", t, cs));
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(http.requests[0].url, "http://telnyx.test/v2/calls/v3%3Aabc/actions/gather_using_speak");
  auto b = json::parse(http.requests[0].body);
  EXPECT_EQ(b["command_id"], "v3:abc:menu");
  EXPECT_EQ(b["payload"], "Press 1");
  EXPECT_EQ(b["voice"], "female");
  EXPECT_EQ(b["valid_digits"], "0123456789*#");
  EXPECT_EQ(b["timeout_millis"], 6000);
  EXPECT_EQ(decode_client_state(b["client_state"].get<std::string>())->step, "menu");
  auto tb = json::parse(http.requests[1].body);
  EXPECT_EQ(tb["to"], "+15559990000");
  EXPECT_EQ(tb["from"], "+15550001111");
  EXPECT_EQ(tb["timeout_secs"], 30);
  auto agent = decode_client_state(tb["target_leg_client_state"].get<std::string>());
  ASSERT_TRUE(agent);
  EXPECT_EQ(agent->step, "agent");
  EXPECT_EQ(agent->parent_call_control_id, "v3:abc");
}

TEST(TelnyxProvider, CommandOnEndedCallIsSuccess) {
  FakeHttpClient http;
  http.answer(422, error_body("90018", "Call has already ended"));
  http.answer(404, error_body("20000", "not found"));
  http.answer(500, "");
  TelnyxProvider p(http, config());
  EXPECT_TRUE(p.hangup("v3:gone"));
  EXPECT_TRUE(p.hangup("v3:gone"));
  auto r = p.hangup("v3:gone");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(json::parse(http.requests[0].body)["command_id"], "v3:gone:hangup");
}

TEST(TelnyxProvider, SendSms) {
  FakeHttpClient http;
  http.answer(200, R"({"data":{"id":"msg-1","record_type":"message"}})");
  TelnyxProvider p(http, config());
  auto r = p.send_sms(SmsRequest{"k", 3, "+15550001111", "+16465551234", "Reply STOP to opt out"});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "msg-1");
  EXPECT_EQ(http.requests[0].url, "http://telnyx.test/v2/messages");
  auto b = json::parse(http.requests[0].body);
  EXPECT_EQ(b["text"], "Reply STOP to opt out");
  EXPECT_EQ(b["to"], "+16465551234");
}

// --- fetch_recording ---

TEST(TelnyxProvider, FetchRecordingAsksForFreshUrlsWithTheKeyAndDownloadsWithoutIt) {
  FakeHttpClient http;
  http.answer(200, json{{"data", {{"record_type", "recording"},
                                  {"id", "rec-1"},
                                  {"download_urls", {{"mp3", "https://s3.example/rec-1.mp3?X-Amz-Signature=abc"},
                                                     {"wav", "https://s3.example/rec-1.wav?X-Amz-Signature=def"}}}}}}
                       .dump());
  http.answers.push_back(net::ClientResponse{200, {{"content-type", "audio/mpeg"}}, std::string("ID3\0\xff", 5)});
  TelnyxProvider p(http, config());
  auto media = p.fetch_recording({"v3:call", "rec-1"});
  ASSERT_TRUE(media) << media.error().message;
  EXPECT_EQ(media->bytes, std::string("ID3\0\xff", 5));
  EXPECT_EQ(media->content_type, "audio/mpeg");
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(http.requests[0].method, "GET");
  EXPECT_EQ(http.requests[0].url, "http://telnyx.test/v2/recordings/rec-1");
  EXPECT_EQ(http.requests[0].headers[0].second, "Bearer " + kKey);
  EXPECT_EQ(http.requests[1].url, "https://s3.example/rec-1.mp3?X-Amz-Signature=abc");
  for (const auto& [k, v] : http.requests[1].headers) {
    EXPECT_NE(k, "Authorization");
    EXPECT_EQ(v.find(kKey), std::string::npos);
  }
  EXPECT_TRUE(http.requests[1].basic_password.empty());
}

TEST(TelnyxProvider, FetchRecordingErrors) {
  {
    FakeHttpClient http;
    TelnyxProvider p(http, config());
    for (const std::string& bad : std::vector<std::string>{"", "../calls/x", "a/b", "rec 1", std::string(129, 'a')}) {
      auto m = p.fetch_recording({"v3:call", bad});
      ASSERT_FALSE(m) << bad;
      EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument) << bad;
    }
    EXPECT_TRUE(http.requests.empty());
  }
  struct Case {
    int status;
    ErrorCode code;
  };
  for (const auto& c : {Case{404, ErrorCode::kNotFound}, Case{401, ErrorCode::kUnavailable},
                        Case{403, ErrorCode::kUnavailable}, Case{500, ErrorCode::kUnavailable}}) {
    FakeHttpClient http;
    http.answer(c.status, error_body("10005", "nope"));
    TelnyxProvider p(http, config());
    auto m = p.fetch_recording({"v3:call", "rec-1"});
    ASSERT_FALSE(m) << c.status;
    EXPECT_EQ(m.error().code, c.code) << c.status;
    EXPECT_EQ(m.error().details.at("carrier_status"), std::to_string(c.status));
    EXPECT_EQ(m.error().message.find(kKey), std::string::npos);
  }
  {
    FakeHttpClient http;  // no usable download URL (none yet, or not http)
    http.answer(200, R"({"data":{"id":"rec-1","download_urls":{"mp3":"ftp://x/rec-1.mp3"}}})");
    TelnyxProvider p(http, config());
    auto m = p.fetch_recording({"v3:call", "rec-1"});
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(http.requests.size(), 1u);
  }
  {
    FakeHttpClient http;  // the pre-signed URL expired in between / the download failed
    http.answer(200, R"({"data":{"id":"rec-1","download_urls":{"wav":"https://s3.example/rec-1.wav"}}})");
    http.answer(403, "AccessDenied");
    TelnyxProvider p(http, config());
    auto m = p.fetch_recording({"v3:call", "rec-1"});
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(http.requests[1].url, "https://s3.example/rec-1.wav");
  }
}


// reconcile(): GET /v2/calls/{id}; an ended (or forgotten) call's end goes to the event ingress.
class RecordingIngress final : public EventIngress {
 public:
  Status ingest(const CallEvent& e) override {
    if (fail) return make_error(ErrorCode::kUnavailable, "inbox down");
    events.push_back(e);
    return ok_status();
  }
  std::vector<CallEvent> events;
  bool fail = false;
};

const TimePoint kNow = from_epoch_ms(1'790'000'000'000);

// RFC 3339 UTC with milliseconds, as Telnyx writes end_time.
std::string format_telnyx_time_for_test(TimePoint t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string status_body(const json& data) { return json{{"data", data}}.dump(); }

// What the event processor does with a call's events (dedupe by key, fold in sequence order
// through the core state machine from the attempt's state; illegal transitions change nothing).
struct Applied {
  CallState state;
  std::string failure_reason;
  int changes = 0;
};
Applied apply(CallState from, std::vector<CallEvent> events) {
  std::set<std::string> keys;
  std::vector<CallEvent> unique;
  for (const auto& e : events)
    if (keys.insert(e.dedupe_key).second) unique.push_back(e);
  std::stable_sort(unique.begin(), unique.end(), [](const CallEvent& a, const CallEvent& b) { return a.sequence < b.sequence; });
  Applied out{from, "", 0};
  for (const auto& e : unique) {
    const auto target = state_for(e.kind);
    if (!target) continue;
    auto next = transition(out.state, *target);
    if (!next) continue;
    out.state = *next;
    ++out.changes;
    if (is_terminal(out.state) && out.state != CallState::kCompleted) out.failure_reason = e.detail;
  }
  return out;
}

// A Telnyx driver on a fake HTTP client, dating its events by a manual clock at kNow and
// delivering them to a recording ingress.
struct ReconcileRig {
  FakeHttpClient http;
  RecordingIngress ingress;
  ManualClock clock{kNow};
  TelnyxProvider p{http, config(), nullptr, &clock};
  ReconcileRig() { p.set_event_ingress(&ingress); }
};

TEST(TelnyxReconcile, AnEndedCallsEndIsIngestedWithReconcileKeysAfterEveryWebhook) {
  ReconcileRig r;
  r.http.answer(200, status_body({{"call_control_id", "v3:ended"}, {"is_alive", false}, {"call_duration", 42},
                                  {"start_time", "2026-09-21T10:00:00.000Z"}, {"end_time", "2026-09-21T10:00:42.500Z"},
                                  {"record_type", "call"}}));
  auto st = r.p.reconcile("v3:ended");
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_EQ(r.http.requests.size(), 1u);
  EXPECT_EQ(r.http.requests[0].method, "GET");
  EXPECT_EQ(r.http.requests[0].url, "http://telnyx.test/v2/calls/v3%3Aended");
  EXPECT_EQ(r.http.requests[0].headers[0].second, "Bearer " + kKey);
  ASSERT_EQ(r.ingress.events.size(), 2u);
  const CallEvent& completed = r.ingress.events[0];
  const CallEvent& failed = r.ingress.events[1];
  EXPECT_EQ(completed.kind, CallEventKind::kCompleted);
  EXPECT_EQ(completed.dedupe_key, "v3:ended:reconcile:end:answered");
  EXPECT_EQ(completed.duration_seconds, 42);
  EXPECT_EQ(failed.kind, CallEventKind::kFailed);
  EXPECT_EQ(failed.dedupe_key, "v3:ended:reconcile:end");
  EXPECT_EQ(failed.detail, kReconciledEndDetail);
  std::int64_t end_us = 0;
  ASSERT_TRUE(parse_telnyx_time("2026-09-21T10:00:42.500Z", end_us));
  // After any real webhook of the call (sequence = occurred_at in microseconds).
  std::int64_t far_future = 0;
  ASSERT_TRUE(parse_telnyx_time("9999-12-31T23:59:59.999999Z", far_future));
  for (const auto& e : r.ingress.events) {
    EXPECT_EQ(e.provider, "telnyx");
    EXPECT_EQ(e.provider_call_id, "v3:ended");
    EXPECT_EQ(e.at, from_epoch_ms(end_us / 1000));  // dated by Telnyx's end_time, not the clock
    EXPECT_GT(e.sequence, far_future);
  }

  // Reconciled again (a second restart): the same keys, so the store keeps the first ones only.
  r.http.answer(200, status_body({{"call_control_id", "v3:ended"}, {"is_alive", false}}));
  ASSERT_TRUE(r.p.reconcile("v3:ended"));
  ASSERT_EQ(r.ingress.events.size(), 4u);
  EXPECT_EQ(r.ingress.events[2].dedupe_key, r.ingress.events[0].dedupe_key);
  EXPECT_EQ(r.ingress.events[3].dedupe_key, r.ingress.events[1].dedupe_key);
  EXPECT_EQ(r.ingress.events[2].at, kNow);  // no end_time: the clock's now
}

TEST(TelnyxReconcile, TheStateMachineKeepsExactlyOneOutcomeWhicheverStateTheAttemptIsIn) {
  const auto end = reconciled_end_events("v3:c", 30, kNow);
  auto twice = end;
  twice.insert(twice.end(), end.begin(), end.end());
  // Never seen answered: failed, with the reason saying why.
  for (CallState from : {CallState::kQueued, CallState::kDialing, CallState::kRinging}) {
    const Applied a = apply(from, twice);
    EXPECT_EQ(a.state, CallState::kFailed) << to_string(from);
    EXPECT_EQ(a.failure_reason, kReconciledEndDetail) << to_string(from);
    EXPECT_EQ(a.changes, 1) << to_string(from);
  }
  // Seen answered (by a human or a machine): completed.
  for (CallState from : {CallState::kAnsweredHuman, CallState::kAnsweredMachine}) {
    const Applied a = apply(from, twice);
    EXPECT_EQ(a.state, CallState::kCompleted) << to_string(from);
    EXPECT_EQ(a.changes, 1) << to_string(from);
  }
  // Already ended by its real call.hangup: stays as it is.
  for (CallState from : {CallState::kBusy, CallState::kNoAnswer, CallState::kCompleted, CallState::kCanceled}) {
    const Applied a = apply(from, twice);
    EXPECT_EQ(a.state, from) << to_string(from);
    EXPECT_EQ(a.changes, 0) << to_string(from);
  }
  // The answer arrives among the stored events (its webhook was delivered before the outage).
  CallEvent answered;
  answered.provider = "telnyx";
  answered.provider_call_id = "v3:c";
  answered.kind = CallEventKind::kAnsweredHuman;
  answered.sequence = 1'790'000'000'000'000;
  answered.dedupe_key = "real-answer";
  auto with_answer = end;
  with_answer.push_back(answered);
  EXPECT_EQ(apply(CallState::kDialing, with_answer).state, CallState::kCompleted);
  // A real call.hangup delivered later sorts before the reconciled end: once the attempt ended,
  // it changes nothing (and had it come first, the reconciled end would have changed nothing).
  CallEvent hangup = answered;
  hangup.kind = CallEventKind::kBusy;
  hangup.sequence = 1'790'000'000'000'500;
  hangup.dedupe_key = "real-hangup";
  auto late = end;
  late.push_back(hangup);
  EXPECT_EQ(apply(CallState::kFailed, late).state, CallState::kFailed);
  EXPECT_EQ(apply(CallState::kDialing, late).state, CallState::kBusy);
}

TEST(TelnyxReconcile, ALiveCallIngestsNothing) {
  FakeHttpClient http;
  http.answer(200, status_body({{"call_control_id", "v3:live"}, {"is_alive", true}, {"call_duration", 12}}));
  RecordingIngress ingress;
  TelnyxProvider p(http, config());
  p.set_event_ingress(&ingress);
  ASSERT_TRUE(p.reconcile("v3:live"));
  EXPECT_TRUE(ingress.events.empty());
  EXPECT_EQ(http.requests.size(), 1u);
}

TEST(TelnyxReconcile, ACallTelnyxSaysHasAlreadyEndedHasEnded) {
  ReconcileRig r;
  r.http.answer(422, error_body("90018", "This call is no longer active."));
  auto st = r.p.reconcile("v3:gone");
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_EQ(r.ingress.events.size(), 2u);
  EXPECT_EQ(r.ingress.events[0].kind, CallEventKind::kCompleted);
  EXPECT_EQ(r.ingress.events[0].duration_seconds, 0);
  EXPECT_EQ(r.ingress.events[1].kind, CallEventKind::kFailed);
  EXPECT_EQ(r.ingress.events[1].dedupe_key, "v3:gone:reconcile:end");
  EXPECT_EQ(r.ingress.events[1].at, kNow);
}

// "Call not found" may come from an account that did not place the call (after a restart the
// call's account is found again from its From number, which may have been retired or moved):
// it must not end a call that may be live (the line would be freed and the person dialed again).
TEST(TelnyxReconcile, ACallNotFoundEndsNothing) {
  ReconcileRig r;
  r.http.answer(404, error_body("10005", "Call not found."));
  auto st = r.p.reconcile("v3:elsewhere");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(r.ingress.events.empty());
}

// Ended less than kWebhookRetryWindow ago: Telnyx may still be retrying the real call.answered,
// so only the answered ending goes in (it applies only to an attempt whose answer is stored); an
// answered call is never recorded failed and dialed again. Later, both endings go in.
TEST(TelnyxReconcile, ARecentlyEndedCallGetsOnlyTheAnsweredEnding) {
  ReconcileRig r;
  const std::string ended_30s_ago = format_telnyx_time_for_test(kNow - std::chrono::seconds(30));
  r.http.answer(200, status_body({{"call_control_id", "v3:recent"}, {"is_alive", false}, {"end_time", ended_30s_ago}}));
  ASSERT_TRUE(r.p.reconcile("v3:recent"));
  ASSERT_EQ(r.ingress.events.size(), 1u);
  EXPECT_EQ(r.ingress.events[0].kind, CallEventKind::kCompleted);
  r.clock.advance(std::chrono::seconds(61));  // 91 s after the end: Telnyx has stopped retrying
  r.http.answer(200, status_body({{"call_control_id", "v3:recent"}, {"is_alive", false}, {"end_time", ended_30s_ago}}));
  ASSERT_TRUE(r.p.reconcile("v3:recent"));
  ASSERT_EQ(r.ingress.events.size(), 3u);
  EXPECT_EQ(r.ingress.events[2].kind, CallEventKind::kFailed);
}

TEST(TelnyxReconcile, UnreadableAnswersAndErrorsIngestNothing) {
  struct Case {
    int status;
    std::string body;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {200, "not json", ErrorCode::kUnavailable},
      {200, "[]", ErrorCode::kUnavailable},
      {200, "{}", ErrorCode::kUnavailable},
      {200, R"({"data":"v3:x"})", ErrorCode::kUnavailable},
      {200, R"({"data":{"call_control_id":"v3:x"}})", ErrorCode::kUnavailable},
      {200, R"({"data":{"is_alive":"false"}})", ErrorCode::kUnavailable},
      {200, R"({"data":{"is_alive":0}})", ErrorCode::kUnavailable},
      // A 404 that is not Telnyx's own (a wrong API base, a proxy): no call is ended on it.
      {404, "<html>Not Found</html>", ErrorCode::kNotFound},
      {404, "", ErrorCode::kNotFound},
      {500, error_body("10007", "Unexpected error"), ErrorCode::kUnavailable},
      {401, error_body("10009", "Authentication failed"), ErrorCode::kUnauthenticated},
      {429, error_body("10011", "Too many requests"), ErrorCode::kRateLimited},
      {422, error_body("10015", "Bad request"), ErrorCode::kFailedPrecondition},
  };
  for (const auto& c : cases) {
    FakeHttpClient http;
    http.answer(c.status, c.body);
    RecordingIngress ingress;
    TelnyxProvider p(http, config());
    p.set_event_ingress(&ingress);
    auto st = p.reconcile("v3:x");
    ASSERT_FALSE(st) << c.status << " " << c.body;
    EXPECT_EQ(st.error().code, c.code) << c.status << " " << c.body;
    EXPECT_TRUE(ingress.events.empty()) << c.status << " " << c.body;
    EXPECT_EQ(st.error().message.find(kKey), std::string::npos);
  }
  {
    FakeHttpClient http;  // not answered at all
    http.fail(make_error(ErrorCode::kUnavailable, "time-out after 10000 ms", {{"timeout", "true"}}));
    RecordingIngress ingress;
    TelnyxProvider p(http, config());
    p.set_event_ingress(&ingress);
    auto st = p.reconcile("v3:x");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
    EXPECT_TRUE(ingress.events.empty());
  }
  {
    FakeHttpClient http;  // an empty id is refused before anything is sent
    TelnyxProvider p(http, config());
    auto st = p.reconcile("");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(http.requests.empty());
  }
}

TEST(TelnyxReconcile, AnEndedCallWithNowhereToDeliverItsEndIsAnError) {
  FakeHttpClient http;
  http.answer(200, status_body({{"is_alive", false}}));
  TelnyxProvider p(http, config());  // no event ingress set
  auto st = p.reconcile("v3:ended");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kFailedPrecondition);
  // The ingress refusing it (inbox down) is the ingress's error: reconcile is retried later.
  FakeHttpClient http2;
  http2.answer(200, status_body({{"is_alive", false}}));
  RecordingIngress down;
  down.fail = true;
  TelnyxProvider p2(http2, config());
  p2.set_event_ingress(&down);
  auto st2 = p2.reconcile("v3:ended");
  ASSERT_FALSE(st2);
  EXPECT_EQ(st2.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace outdial::telephony::telnyx
