// The Twilio webhook routes over loopback HTTP (the project's Beast server) against a real SQLite
// database and the dialer's real EventProcessor: signatures, replays, press 2, AMD, SMS.
#include "outdial/telephony/twilio/twilio_webhooks.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "outdial/dialer/event_processor.hpp"
#include "outdial/net/server.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/telephony/twilio/twilio_signature.hpp"
#include "unit/net/test_http_client.hpp"
#include "unit/twilio/fake_http_client.hpp"

namespace outdial::telephony::twilio {
namespace {

using outdial::testing::FakeHttpClient;
using outdial::testing::RawResponse;
using outdial::testing::TestHttpClient;

const std::string kToken = "webhook-test-token";
const std::string kBase = "https://dial.example";
const std::string kCallSid = "CA11111111111111111111111111111111";
const std::string kCustomer = "+16465550100";
const std::string kCallerId = "+15017122661";
const TimePoint kT0 = from_epoch_ms(1'790'000'000'000);

// Forwards to the dialer's processor, or (deferred) only queues the events, like a batching
// ingress that has stored them but not yet applied them.
class SwitchableIngress final : public EventIngress {
 public:
  explicit SwitchableIngress(CallEventSink& sink) : sink_(sink) {}
  Status ingest(const CallEvent& e) override {
    if (defer) {
      queued.push_back(e);
    } else {
      sink_.on_call_event(e);
    }
    return ok_status();
  }
  bool defer = false;
  std::vector<CallEvent> queued;

 private:
  CallEventSink& sink_;
};

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("twilio_webhooks_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    std::filesystem::remove(path_);
    auto db = storage::sqlite::SqliteDatabase::open(path_);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();

    auto t = db_->tenants().create_tenant(Tenant{0, "Sunburst Dental", "US", true, "Sunburst Dental help: 555-0100", kT0});
    ASSERT_TRUE(t.ok());
    tenant_ = t->id;
    Campaign c;
    c.tenant_id = tenant_;
    c.name = "Reactivation_Nov2026_Sunburst";
    c.script = "It has been a while since your last check-up.";
    c.voicemail_text = "Please call us to book.";
    c.caller_id = kCallerId;
    c.agent_number = "+15550001111";
    c.status = CampaignStatus::kActive;
    c.created_at = kT0;
    auto created = db_->campaigns().create_campaign(c);
    ASSERT_TRUE(created.ok()) << created.error().message;
    campaign_ = created->id;
    attempt_ = make_attempt(kCallSid, "1:1:1");

    processor_ = std::make_unique<dialer::EventProcessor>(db_->calls(), db_->campaigns(), db_->compliance(), clock_);
    ingress_ = std::make_unique<SwitchableIngress>(*processor_);
    TwilioConfig cfg;
    cfg.account_sid = "AC00000000000000000000000000000001";
    cfg.auth_token = kToken;
    cfg.api_base = "http://127.0.0.1:9";
    cfg.public_base_url = kBase;
    provider_ = std::make_unique<TwilioProvider>(cfg, api_, clock_);
    register_twilio_routes(router_, TwilioWebhookDeps{cfg, *ingress_, db_->calls(), db_->campaigns(), db_->compliance(),
                                                      db_->tenants(), *provider_, clock_,
                                                      [this](const std::string& l) { warnings_.push_back(l); },
                                                      &db_->accounts()});
    net::ServerOptions opts;
    opts.port = 0;
    server_ = std::make_unique<net::HttpServer>(opts, router_.as_handler());
    ASSERT_TRUE(server_->start().ok());
    client_ = std::make_unique<TestHttpClient>(server_->port());
  }
  void TearDown() override {
    server_->stop();
    db_.reset();
    std::filesystem::remove(path_);
    std::filesystem::remove(path_ + "-wal");
    std::filesystem::remove(path_ + "-shm");
  }

  AttemptId make_attempt(const std::string& sid, const std::string& key) {
    CallAttempt a;
    a.tenant_id = tenant_;
    a.campaign_id = campaign_;
    a.contact_id = 1;
    a.idempotency_key = key;
    a.state = CallState::kDialing;
    a.provider = "twilio";
    a.provider_call_id = sid;
    a.from_number = kCallerId;
    a.to_number = kCustomer;
    a.created_at = kT0;
    a.dialed_at = kT0;
    auto r = db_->calls().create_attempt(a);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->id : 0;
  }

  // POSTs a form signed the way Twilio signs it (full public URL + sorted params).
  RawResponse post(const std::string& target, const FormParams& params, const std::string& signature_override = "",
                   bool sign = true) {
    std::vector<std::pair<std::string, std::string>> fields(params.begin(), params.end());
    std::map<std::string, std::string> headers{{"Content-Type", "application/x-www-form-urlencoded"}};
    if (sign) {
      headers["X-Twilio-Signature"] =
          signature_override.empty() ? compute_signature(kToken, kBase + target, params) : signature_override;
    }
    return client_->request("POST", target, net::form_encode(fields), headers);
  }

  FormParams call_params(std::initializer_list<std::pair<std::string, std::string>> extra) const {
    FormParams p = {{"AccountSid", "AC00000000000000000000000000000001"},
                    {"CallSid", kCallSid},
                    {"From", kCallerId},
                    {"To", kCustomer},
                    {"Direction", "outbound-api"},
                    {"ApiVersion", "2010-04-01"}};
    p.insert(p.end(), extra.begin(), extra.end());
    return p;
  }

  RawResponse status(const std::string& call_status, int seq,
                     std::initializer_list<std::pair<std::string, std::string>> extra = {}, bool amd = true) {
    FormParams p = call_params(extra);
    p.emplace_back("CallStatus", call_status);
    p.emplace_back("SequenceNumber", std::to_string(seq));
    p.emplace_back("CallbackSource", "call-progress-events");
    return post("/twilio/status/" + std::to_string(attempt_) + (amd ? "?amd=1" : ""), p);
  }

  CallAttempt attempt() { return db_->calls().get_attempt(attempt_).value(); }
  std::size_t event_count() { return db_->calls().events_for_call("twilio", kCallSid).value().size(); }
  bool on_dnc() { return db_->compliance().find_dnc(tenant_, kCustomer).value().has_value(); }

  std::string path_;
  std::unique_ptr<storage::sqlite::SqliteDatabase> db_;
  ManualClock clock_{kT0 + std::chrono::minutes(1)};
  TenantId tenant_ = 0;
  CampaignId campaign_ = 0;
  AttemptId attempt_ = 0;
  std::unique_ptr<dialer::EventProcessor> processor_;
  std::unique_ptr<SwitchableIngress> ingress_;
  FakeHttpClient api_;
  std::unique_ptr<TwilioProvider> provider_;
  net::Router router_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<TestHttpClient> client_;
  std::vector<std::string> warnings_;
};

TEST_F(WebhooksTest, TwimlOnAnswerIsTheGreetingWithGather) {
  auto r = post("/twilio/voice/" + std::to_string(attempt_), call_params({{"CallStatus", "in-progress"}}));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/xml; charset=utf-8");
  EXPECT_NE(r.body.find(R"(<Gather input="dtmf" numDigits="1" timeout="6" action="https://dial.example/twilio/gather/)" +
                        std::to_string(attempt_) + R"(/1" method="POST">)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("Hi, this is Sunburst Dental. To stop calls from us, press 2 at any time."), std::string::npos);
  EXPECT_NE(r.body.find("It has been a while since your last check-up."), std::string::npos);
}

TEST_F(WebhooksTest, ForgedOrMissingSignatureIs403AndChangesNothing) {
  const auto before = attempt();
  FormParams p = call_params({{"CallStatus", "completed"}, {"SequenceNumber", "3"}, {"CallDuration", "40"}});
  const std::string target = "/twilio/status/" + std::to_string(attempt_);
  // Signed with another token.
  auto r = post(target, p, compute_signature("not-the-token", kBase + target, p));
  EXPECT_EQ(r.status, 403);
  // Missing header.
  r = post(target, p, "", false);
  EXPECT_EQ(r.status, 403);
  // Valid signature for other parameters (a tampered body).
  FormParams tampered = p;
  tampered.back().second = "4000";
  r = post(target, tampered, compute_signature(kToken, kBase + target, p));
  EXPECT_EQ(r.status, 403);
  // Signed for another host (the URL is part of what is signed).
  r = post(target, p, compute_signature(kToken, "https://evil.example" + target, p));
  EXPECT_EQ(r.status, 403);
  // Press 2, forged: no DNC row.
  r = post("/twilio/gather/" + std::to_string(attempt_) + "/1", call_params({{"Digits", "2"}}), "forged");
  EXPECT_EQ(r.status, 403);
  EXPECT_FALSE(on_dnc());
  // SMS STOP, forged: no DNC row.
  r = post("/twilio/sms", {{"From", kCustomer}, {"To", kCallerId}, {"Body", "STOP"}, {"MessageSid", "SM1"}}, "forged");
  EXPECT_EQ(r.status, 403);
  EXPECT_FALSE(on_dnc());

  EXPECT_EQ(event_count(), 0u);
  const auto after = attempt();
  EXPECT_EQ(after.state, before.state);
  EXPECT_EQ(after.digits, before.digits);
  EXPECT_EQ(warnings_.size(), 6u);
  for (const auto& w : warnings_) EXPECT_EQ(w.find(kToken), std::string::npos);
}

TEST_F(WebhooksTest, StatusCallbacksDriveTheAttemptAndReplaysChangeNothing) {
  ASSERT_EQ(status("initiated", 0).status, 200);
  ASSERT_EQ(status("ringing", 1).status, 200);
  EXPECT_EQ(attempt().state, CallState::kRinging);
  // Answered with async AMD pending: no state change until the AMD result.
  ASSERT_EQ(status("in-progress", 2).status, 200);
  EXPECT_EQ(attempt().state, CallState::kRinging);
  ASSERT_EQ(post("/twilio/amd/" + std::to_string(attempt_),
                 {{"AccountSid", "AC00000000000000000000000000000001"}, {"CallSid", kCallSid}, {"AnsweredBy", "human"},
                  {"MachineDetectionDuration", "2100"}})
                .status,
            200);
  EXPECT_EQ(attempt().state, CallState::kAnsweredHuman);
  EXPECT_TRUE(api_.requests.empty());  // a person: no redirect
  ASSERT_EQ(status("completed", 3, {{"CallDuration", "49"}, {"AnsweredBy", "human"}}).status, 200);
  const auto done = attempt();
  EXPECT_EQ(done.state, CallState::kCompleted);
  const auto events = event_count();

  // Replays of every callback, and a late out-of-order one: nothing changes.
  ASSERT_EQ(status("ringing", 1).status, 200);
  ASSERT_EQ(status("completed", 3, {{"CallDuration", "49"}, {"AnsweredBy", "human"}}).status, 200);
  ASSERT_EQ(status("in-progress", 2).status, 200);
  EXPECT_EQ(event_count(), events);
  const auto again = attempt();
  EXPECT_EQ(again.state, done.state);
  EXPECT_EQ(again.ended_at, done.ended_at);
  EXPECT_EQ(again.answered_at, done.answered_at);
}

TEST_F(WebhooksTest, OutOfOrderTerminalCallbackStillEndsCompleted) {
  // The terminal callback arrives first (it carries AnsweredBy): answered + completed.
  ASSERT_EQ(status("completed", 3, {{"CallDuration", "12"}, {"AnsweredBy", "machine_end_beep"}}).status, 200);
  ASSERT_EQ(status("ringing", 1).status, 200);
  ASSERT_EQ(status("initiated", 0).status, 200);
  const auto a = attempt();
  EXPECT_EQ(a.state, CallState::kCompleted);
  EXPECT_TRUE(a.answered_by_machine);
}

TEST_F(WebhooksTest, MachineAmdRedirectsTheLiveCallToTheVoicemailDrop) {
  ASSERT_EQ(status("ringing", 1).status, 200);
  ASSERT_EQ(status("in-progress", 2).status, 200);
  api_.reply(200, R"({"sid":")" + kCallSid + R"("})");
  ASSERT_EQ(post("/twilio/amd/" + std::to_string(attempt_),
                 {{"AccountSid", "AC00000000000000000000000000000001"}, {"CallSid", kCallSid},
                  {"AnsweredBy", "machine_end_beep"}, {"MachineDetectionDuration", "7000"}})
                .status,
            200);
  EXPECT_EQ(attempt().state, CallState::kAnsweredMachine);
  ASSERT_EQ(api_.requests.size(), 1u);
  EXPECT_EQ(api_.requests[0].url,
            "http://127.0.0.1:9/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls/" + kCallSid + ".json");
  EXPECT_NE(api_.requests[0].body.find("Url=https%3A%2F%2Fdial.example%2Ftwilio%2Fvoicemail%2F" + std::to_string(attempt_)),
            std::string::npos)
      << api_.requests[0].body;
  // Twilio then fetches the voicemail TwiML.
  auto vm = post("/twilio/voicemail/" + std::to_string(attempt_), call_params({{"CallStatus", "in-progress"}}));
  EXPECT_EQ(vm.status, 200);
  EXPECT_NE(vm.body.find("Please call us to book."), std::string::npos);
  EXPECT_TRUE(vm.body.ends_with("<Hangup/></Response>"));
  ASSERT_EQ(status("completed", 3, {{"CallDuration", "30"}, {"AnsweredBy", "machine_end_beep"}}).status, 200);
  EXPECT_EQ(attempt().state, CallState::kCompleted);
  EXPECT_TRUE(attempt().answered_by_machine);
}

TEST_F(WebhooksTest, PressTwoPutsTheNumberOnDncBeforeTheConfirmation) {
  ASSERT_EQ(status("in-progress", 2, {}, false).status, 200);
  EXPECT_EQ(attempt().state, CallState::kAnsweredHuman);
  ASSERT_FALSE(on_dnc());
  // The dialer has not applied the digits yet (a batching ingress): the handler itself must have
  // stored the entry before it answered.
  ingress_->defer = true;
  auto r = post("/twilio/gather/" + std::to_string(attempt_) + "/1", call_params({{"Digits", "2"}}));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  // The response has been produced: the row must already be there.
  auto dnc = db_->compliance().find_dnc(tenant_, kCustomer);
  ASSERT_TRUE(dnc.ok());
  ASSERT_TRUE(dnc->has_value());
  EXPECT_EQ((*dnc)->reason, "press 2");
  EXPECT_NE(r.body.find("You have been added to the do not call list of Sunburst Dental"), std::string::npos);
  EXPECT_TRUE(r.body.ends_with("<Hangup/></Response>"));
  ASSERT_EQ(ingress_->queued.size(), 1u);
  EXPECT_EQ(ingress_->queued[0].kind, CallEventKind::kDigits);
  ingress_->defer = false;
  processor_->on_call_event(ingress_->queued[0]);
  EXPECT_EQ(attempt().digits, "2");
  // Replayed gather: still one DNC entry, digits unchanged.
  r = post("/twilio/gather/" + std::to_string(attempt_) + "/1", call_params({{"Digits", "2"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(db_->compliance().list_dnc(tenant_, 0, 10).value().size(), 1u);
  EXPECT_EQ(attempt().digits, "2");
}

TEST_F(WebhooksTest, PressOneDialsTheAgentWithTheCampaignCallerId) {
  auto r = post("/twilio/gather/" + std::to_string(attempt_) + "/1", call_params({{"Digits", "1"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"(<Dial callerId="+15017122661" timeout="30" action="https://dial.example/twilio/dial/)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("<Number>+15550001111</Number>"), std::string::npos);
  EXPECT_FALSE(on_dnc());
  auto d = post("/twilio/dial/" + std::to_string(attempt_), call_params({{"DialCallStatus", "no-answer"}}));
  EXPECT_NE(d.body.find("nobody is available"), std::string::npos);
}

TEST_F(WebhooksTest, WrongKeyRepeatsTheMenuOnceThenSaysGoodbye) {
  auto r = post("/twilio/gather/" + std::to_string(attempt_) + "/1", call_params({{"Digits", "7"}}));
  EXPECT_NE(r.body.find("/twilio/gather/" + std::to_string(attempt_) + "/2\""), std::string::npos) << r.body;
  r = post("/twilio/gather/" + std::to_string(attempt_) + "/2", call_params({{"Digits", "7"}}));
  EXPECT_EQ(r.body.find("<Gather"), std::string::npos);
  EXPECT_NE(r.body.find("goodbye"), std::string::npos);
}

TEST_F(WebhooksTest, CallbackForAnotherCallOrUnknownAttemptIsRefused) {
  FormParams p = call_params({{"CallStatus", "ringing"}, {"SequenceNumber", "1"}});
  p[1].second = "CA99999999999999999999999999999999";
  auto r = post("/twilio/status/" + std::to_string(attempt_), p);
  EXPECT_EQ(r.status, 404);
  r = post("/twilio/status/999999", call_params({{"CallStatus", "ringing"}, {"SequenceNumber", "1"}}));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(event_count(), 0u);
  EXPECT_EQ(attempt().state, CallState::kDialing);
}

TEST_F(WebhooksTest, RecordingCallbackStoresTheUrlOnce) {
  const FormParams p = {{"AccountSid", "AC00000000000000000000000000000001"},
                        {"CallSid", kCallSid},
                        {"RecordingSid", "RE123"},
                        {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE123"},
                        {"RecordingStatus", "completed"},
                        {"RecordingDuration", "42"}};
  ASSERT_EQ(post("/twilio/recording/" + std::to_string(attempt_), p).status, 200);
  ASSERT_EQ(post("/twilio/recording/" + std::to_string(attempt_), p).status, 200);
  auto recs = db_->calls().recordings_for_attempt(attempt_);
  ASSERT_TRUE(recs.ok()) << recs.error().message;
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].url, "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE123");
  EXPECT_EQ((*recs)[0].duration_seconds, 42);
}

TEST_F(WebhooksTest, InboundSmsStopPutsTheNumberOnDncAtOnce) {
  auto r = post("/twilio/sms", {{"MessageSid", "SM1"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "Stop"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(on_dnc());
  EXPECT_EQ(r.body, R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)");  // Twilio confirms STOP itself
}

TEST_F(WebhooksTest, InboundSmsStopToANumberOfTheTenantsPoolFindsTheTenant) {
  // The dialer may call from any number of the tenant (caller ID chosen per call), not only a
  // campaign's caller ID: a STOP to such a number must still reach the tenant's DNC list.
  const std::string pool_number = "+14155550123";
  const FormParams stop = {
      {"MessageSid", "SM7"}, {"From", kCustomer}, {"To", pool_number}, {"Body", "STOP"}};
  EXPECT_EQ(post("/twilio/sms", stop).status, 503);  // nobody owns it yet: redeliver, never drop
  EXPECT_FALSE(on_dnc());
  ProviderAccount a;
  a.tenant_id = tenant_;
  a.provider = ProviderKind::kTwilio;
  a.name = "main";
  a.created_at = kT0;
  auto account = db_->accounts().create_account(a);
  ASSERT_TRUE(account.ok()) << account.error().message;
  PhoneNumber n;
  n.tenant_id = tenant_;
  n.account_id = account->id;
  n.e164 = pool_number;
  n.area_code = "415";
  n.state = "CA";
  n.created_at = kT0;
  ASSERT_TRUE(db_->accounts().add_number(n).ok());
  EXPECT_EQ(post("/twilio/sms", stop).status, 200);
  EXPECT_TRUE(on_dnc());
}

TEST_F(WebhooksTest, PlainLanguageOptOutIsConfirmedOnce) {
  auto r = post("/twilio/sms/" + std::to_string(tenant_),
                {{"MessageSid", "SM2"}, {"From", kCustomer}, {"To", "+15559999999"}, {"Body", "please stop calling me"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(on_dnc());
  EXPECT_NE(r.body.find("<Message>Sunburst Dental: you will not receive more calls or messages from us.</Message>"),
            std::string::npos);
}

TEST_F(WebhooksTest, StartAfterSmsStopRestoresSmsConsentButNotAPressTwo) {
  ASSERT_EQ(post("/twilio/sms", {{"MessageSid", "SM1"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "STOP"}}).status,
            200);
  ASSERT_TRUE(on_dnc());
  ASSERT_EQ(post("/twilio/sms", {{"MessageSid", "SM2"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "START"}}).status,
            200);
  EXPECT_FALSE(on_dnc());
  auto consents = db_->compliance().consents_for(tenant_, kCustomer).value();
  ASSERT_EQ(consents.size(), 1u);
  EXPECT_EQ(consents[0].channel, Channel::kSms);
  // Replayed START: no second consent.
  ASSERT_EQ(post("/twilio/sms", {{"MessageSid", "SM2"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "START"}}).status,
            200);
  EXPECT_EQ(db_->compliance().consents_for(tenant_, kCustomer).value().size(), 1u);
  // A press-2 entry is not lifted by a text.
  ASSERT_EQ(post("/twilio/gather/" + std::to_string(attempt_) + "/1", call_params({{"Digits", "2"}})).status, 200);
  ASSERT_EQ(post("/twilio/sms", {{"MessageSid", "SM3"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "unstop"}}).status,
            200);
  EXPECT_TRUE(on_dnc());
}

TEST_F(WebhooksTest, AdvancedOptOutTypeCountsForCustomKeywords) {
  auto r = post("/twilio/sms", {{"MessageSid", "SM5"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "ARRET"},
                                {"OptOutType", "STOP"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(on_dnc());
}

// One help reply per HELP text: Twilio answers HELP/INFO itself on long codes and toll-free
// numbers (provider-contracts §2.5) and whatever its Advanced Opt-Out matched (OptOutType), so
// we answer only what it does not: a short code, or a help request that is not its exact keyword.
TEST_F(WebhooksTest, HelpIsAnsweredOnceByTwilioOrByUs) {
  const std::string empty = R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)";
  auto r = post("/twilio/sms", {{"MessageSid", "SM4"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "help"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, empty);  // Twilio's own HELP reply is the one
  r = post("/twilio/sms", {{"MessageSid", "SM5"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "INFO"},
                           {"OptOutType", "HELP"}});
  EXPECT_EQ(r.body, empty);
  r = post("/twilio/sms", {{"MessageSid", "SM6"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "Help?"}});
  EXPECT_NE(r.body.find("<Message>Sunburst Dental help: 555-0100</Message>"), std::string::npos) << r.body;
  r = post("/twilio/sms/" + std::to_string(tenant_),
           {{"MessageSid", "SM7"}, {"From", kCustomer}, {"To", "55555"}, {"Body", "HELP"}});
  EXPECT_NE(r.body.find("<Message>Sunburst Dental help: 555-0100</Message>"), std::string::npos) << r.body;
  EXPECT_FALSE(on_dnc());
}

// "STOP ALL" is not one of Twilio's single-word keywords: Twilio sends nothing, we confirm once.
// A STOP to a short code (no default handling at Twilio) is confirmed by us as well.
TEST_F(WebhooksTest, OptOutsTwilioDoesNotAnswerGetOurOneConfirmation) {
  const std::string ours = "<Message>Sunburst Dental: you will not receive more calls or messages from us.</Message>";
  auto r = post("/twilio/sms", {{"MessageSid", "SM8"}, {"From", kCustomer}, {"To", kCallerId}, {"Body", "STOP ALL"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(on_dnc());
  EXPECT_NE(r.body.find(ours), std::string::npos) << r.body;
  r = post("/twilio/sms/" + std::to_string(tenant_),
           {{"MessageSid", "SM9"}, {"From", kCustomer}, {"To", "55555"}, {"Body", "STOP"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(ours), std::string::npos) << r.body;
}

TEST_F(WebhooksTest, ProxyPortVariantOfTheSignatureIsAccepted) {
  // Twilio may sign https://dial.example:443/... for a request to https://dial.example/...
  FormParams p = call_params({{"CallStatus", "ringing"}, {"SequenceNumber", "1"}});
  const std::string target = "/twilio/status/" + std::to_string(attempt_) + "?amd=1";
  auto r = post(target, p, compute_signature(kToken, "https://dial.example:443" + target, p));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(attempt().state, CallState::kRinging);
}

}  // namespace
}  // namespace outdial::telephony::twilio
