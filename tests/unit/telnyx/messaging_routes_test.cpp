// The Telnyx route's non-call events on a real SQLite store: inbound SMS keywords
// (message.received, the shared classifier of telephony/sms) and recordings
// (call.recording.saved -> call_recordings, migration 8). Signed with the RFC 8032 test key.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "outdial/telephony/telnyx/webhook_routes.hpp"
#include "unit/storage/store_factories.hpp"
#include "unit/telnyx/event_builder.hpp"
#include "unit/telnyx/route_fakes.hpp"

namespace outdial::telephony::telnyx {
namespace {

using outdial::testing::telnyx::kRfcPublicKeyB64;
using outdial::testing::telnyx::post_signed;
using outdial::testing::telnyx::RecordingCommands;
using outdial::testing::telnyx::RecordingIngress;
using outdial::testing::telnyx::Signer;

const std::string kOurNumber = "+15017122661";
const std::string kContact = "+16465550100";

// message.received as Telnyx sends it (developers.telnyx.com, callbacks "inbound message").
std::string inbound_sms(const std::string& message_id, const std::string& text, const std::string& to = kOurNumber) {
  nlohmann::json payload{{"record_type", "message"},
                         {"direction", "inbound"},
                         {"id", message_id},
                         {"type", "SMS"},
                         {"messaging_profile_id", "0f512bda-ae1e-4597-8e11-e5f5686b97d3"},
                         {"from", {{"phone_number", kContact}, {"carrier", "T-MOBILE USA, INC."}, {"line_type", "Wireless"}}},
                         {"to", nlohmann::json::array({{{"phone_number", to}, {"status", "webhook_delivered"}}})},
                         {"text", text},
                         {"media", nlohmann::json::array()},
                         {"encoding", "GSM-7"},
                         {"parts", 1}};
  nlohmann::json j{{"data", {{"record_type", "event"}, {"event_type", "message.received"}, {"id", "ev-" + message_id},
                             {"occurred_at", "2026-11-22T10:00:00.000Z"}, {"payload", payload}}},
                   {"meta", {{"attempt", 1}, {"delivered_to", "http://127.0.0.1/webhooks/telnyx"}}}};
  return j.dump();
}

class MessagingRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = file_.create();  // a migrated SQLite file, removed with the fixture
    auto t = db_->tenants().create_tenant(Tenant{0, "Sunburst Dental", "US", true, "Sunburst Dental help: 555-0100", now()});
    ASSERT_TRUE(t.ok());
    tenant_ = t->id;
    Campaign c;
    c.tenant_id = tenant_;
    c.name = "Recall";
    c.caller_id = kOurNumber;  // how an inbound text to this number finds its tenant
    c.status = CampaignStatus::kActive;
    c.created_at = now();
    ASSERT_TRUE(db_->campaigns().create_campaign(c).ok());

    TelnyxWebhookDeps deps{WebhookVerifier::create(kRfcPublicKeyB64, clock_).value(), ingress_, db_->compliance(),
                           commands_, registry_, clock_, nullptr};
    deps.tenants = &db_->tenants();
    deps.campaigns = &db_->campaigns();
    deps.calls = &db_->calls();
    deps.send_sms = [this](const SmsRequest& r) -> Status {
      if (refuse_sends_) return make_error(ErrorCode::kPermissionDenied, "Telnyx send message failed: HTTP 403 code 40300");
      if (fail_sends_ > 0) {
        --fail_sends_;
        return make_error(ErrorCode::kUnavailable, "telnyx messaging down");
      }
      sent_.push_back(r);
      return ok_status();
    };
    stats_ = register_telnyx_routes(router_, std::move(deps));
  }
  TimePoint now() const { return clock_.now(); }
  net::Response post(const std::string& body, const std::string& sig = "") {
    return post_signed(router_, signer_, clock_, body, "", sig);
  }
  std::optional<DncEntry> dnc() { return db_->compliance().find_dnc(tenant_, kContact).value(); }
  std::vector<ConsentRecord> consents() { return db_->compliance().consents_for(tenant_, kContact).value(); }
  void grant_voice_consent() {
    ConsentRecord c;
    c.tenant_id = tenant_;
    c.phone_e164 = kContact;
    c.type = ConsentType::kPriorExpressWritten;
    c.granted_at = now() - std::chrono::hours(24);
    ASSERT_TRUE(db_->compliance().add_consent(c).ok());
  }

  ManualClock clock_{from_epoch_ms(1'790'000'000'000)};
  Signer signer_;
  storage::testing::SqliteFileFactory file_;
  std::unique_ptr<storage::Database> db_;
  TenantId tenant_ = 0;
  RecordingIngress ingress_;
  RecordingCommands commands_;
  CallRegistry registry_;
  net::Router router_;
  std::shared_ptr<const TelnyxWebhookStats> stats_;
  std::vector<SmsRequest> sent_;
  int fail_sends_ = 0;
  bool refuse_sends_ = false;
};

// Every opt-out keyword (and plain language) puts the sender on the internal list at once and
// revokes its consents; Telnyx itself confirms STOP, STOPALL, STOP ALL, UNSUBSCRIBE, CANCEL, END, QUIT, we
// confirm the others (one confirmation either way).
TEST_F(MessagingRoutesTest, OptOutKeywordsPutTheSenderOnTheInternalDncAtOnce) {
  struct Case {
    const char* text;
    bool we_confirm;
  };
  const Case cases[] = {{"STOP", false},   {"stopall", false},  {"STOP ALL", false},   {"stop  all!", false},
                        {"Unsubscribe", false},
                        {"CANCEL", false}, {"end", false},      {"QUIT", false},
                        {"REVOKE", true},  {"optout", true},    {"please stop calling me", true},
                        {"Take me off your list!", true}};
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    ASSERT_TRUE(db_->compliance().remove_dnc(tenant_, kContact).ok());
    grant_voice_consent();
    const auto sends_before = sent_.size();
    const std::string id = "msg-" + std::to_string(++n);
    EXPECT_EQ(post(inbound_sms(id, c.text)).status, 200);
    auto entry = dnc();
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->source, "telnyx-sms:" + id);
    for (const auto& consent : consents()) EXPECT_TRUE(consent.revoked_at.has_value());
    ASSERT_EQ(sent_.size(), sends_before + (c.we_confirm ? 1 : 0));
    if (c.we_confirm) {
      EXPECT_EQ(sent_.back().from, kOurNumber);
      EXPECT_EQ(sent_.back().to, kContact);
      EXPECT_EQ(sent_.back().body, "Sunburst Dental: you will not receive more calls or messages from us.");
    }
  }
  EXPECT_EQ(stats_->messages, n);
}

TEST_F(MessagingRoutesTest, StartRestoresSmsConsentAndLiftsOnlyAnSmsOptOut) {
  ASSERT_EQ(post(inbound_sms("m1", "STOP")).status, 200);
  ASSERT_TRUE(dnc().has_value());
  ASSERT_EQ(post(inbound_sms("m2", "START")).status, 200);
  EXPECT_FALSE(dnc().has_value());
  auto cs = consents();
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].channel, Channel::kSms);
  EXPECT_EQ(cs[0].evidence, "telnyx-sms:m2");
  EXPECT_TRUE(sent_.empty());  // Telnyx confirms STOP itself; START gets no reply
  // A press-2 entry (from a call) is not lifted by a text.
  DncEntry press2;
  press2.tenant_id = tenant_;
  press2.phone_e164 = kContact;
  press2.reason = "press 2";
  press2.source = "call:7:42:1";
  press2.created_at = now();
  ASSERT_TRUE(db_->compliance().add_dnc(press2).ok());
  ASSERT_EQ(post(inbound_sms("m3", "unstop")).status, 200);
  ASSERT_TRUE(dnc().has_value());
  EXPECT_EQ(dnc()->source, "call:7:42:1");
}

TEST_F(MessagingRoutesTest, HelpRepliesWithTheTenantHelpTextAndOtherTextsDoNothing) {
  ASSERT_EQ(post(inbound_sms("m1", "HELP")).status, 200);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].body, "Sunburst Dental help: 555-0100");
  EXPECT_EQ(sent_[0].to, kContact);
  ASSERT_EQ(post(inbound_sms("m2", "What time is my appointment?")).status, 200);
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_FALSE(dnc().has_value());
  EXPECT_TRUE(consents().empty());
}

TEST_F(MessagingRoutesTest, ForgedReplayedAndMalformedChangeNothing) {
  grant_voice_consent();
  const std::string stop = inbound_sms("m1", "please stop calling me");
  Signer other("0000000000000000000000000000000000000000000000000000000000000001");
  const std::string ts = std::to_string(to_epoch_ms(now()) / 1000);
  EXPECT_EQ(post_signed(router_, signer_, clock_, stop, ts, other.sign(ts, stop)).status, 403);
  EXPECT_EQ(post(stop, "<none>").status, 403);
  EXPECT_EQ(post_signed(router_, signer_, clock_, stop, std::to_string(to_epoch_ms(now()) / 1000 - 301)).status, 403);
  EXPECT_FALSE(dnc().has_value());
  EXPECT_FALSE(consents()[0].revoked_at.has_value());
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(stats_->rejected_signature, 3);

  ASSERT_EQ(post(stop).status, 200);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(post(stop).status, 200);  // replay: no second confirmation
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_EQ(stats_->duplicates, 1);

  auto no_from = nlohmann::json::parse(inbound_sms("m9", "STOP"));
  no_from["data"]["payload"].erase("from");
  EXPECT_EQ(post(no_from.dump()).status, 400);
}

TEST_F(MessagingRoutesTest, AnOptOutNoTenantOwnsOrThatCannotBeConfirmedIsRedelivered) {
  // To a number no campaign uses: the opt-out cannot be attributed, so Telnyx must retry (503)
  // rather than see it acknowledged and dropped; a HELP there is simply not answered.
  EXPECT_EQ(post(inbound_sms("m1", "STOP", "+15559999999")).status, 503);
  EXPECT_EQ(post(inbound_sms("m2", "HELP", "+15559999999")).status, 200);
  EXPECT_TRUE(sent_.empty());
  // The confirmation could not be sent yet: 503, the entry is stored already; the redelivery sends it.
  fail_sends_ = 1;
  const std::string stop = inbound_sms("m3", "REVOKE");
  EXPECT_EQ(post(stop).status, 503);
  EXPECT_TRUE(dnc().has_value());
  EXPECT_EQ(post(stop).status, 200);
  ASSERT_EQ(sent_.size(), 1u);
  // A final refusal (Telnyx blocks messages to a number that texted STOP: 40300) is not retried.
  refuse_sends_ = true;
  EXPECT_EQ(post(inbound_sms("m4", "HELP")).status, 200);
  EXPECT_EQ(sent_.size(), 1u);
}

// ---- call.recording.saved -----------------------------------------------------------------

class RecordingRoutesTest : public MessagingRoutesTest {
 protected:
  void SetUp() override {
    MessagingRoutesTest::SetUp();
    CallAttempt a;
    a.tenant_id = tenant_;
    a.campaign_id = 0;
    a.idempotency_key = "rec:1";
    a.state = CallState::kCompleted;
    a.provider = "telnyx";
    a.provider_call_id = "v3:rec-call";
    a.to_number = kContact;
    a.from_number = kOurNumber;
    a.created_at = now();
    auto made = db_->calls().create_attempt(a);
    ASSERT_TRUE(made.ok()) << made.error().message;
    attempt_ = made->id;
  }
  std::string saved(const std::string& event_id, const std::string& client_state) {
    return outdial::testing::telnyx::webhook_body(
        event_id, "call.recording.saved", "v3:rec-call", client_state,
        {{"recording_id", "10cd86ac-fef8-4765-b203-0f7511f9fc75"},
         {"channels", "single"},
         {"recording_started_at", "2026-11-22T10:00:01.000000Z"},
         {"recording_ended_at", "2026-11-22T10:00:43.400000Z"},
         {"recording_urls", {{"mp3", "https://s3.example/rec.mp3"}, {"wav", "https://s3.example/rec.wav"}}},
         {"public_recording_urls", nlohmann::json::object()}});
  }
  std::vector<storage::CallRecording> recordings() { return db_->calls().recordings_for_attempt(attempt_).value(); }
  AttemptId attempt_ = 0;
};

TEST_F(RecordingRoutesTest, TheRecordingUrlIsStoredOnceForTheAttempt) {
  // Without client_state (recording started by a command that set none): found by the call id.
  const std::string body = saved("ev-rec-1", "");
  ASSERT_EQ(post(body).status, 200);
  auto recs = recordings();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].provider, "telnyx");
  EXPECT_EQ(recs[0].provider_call_id, "v3:rec-call");
  EXPECT_EQ(recs[0].recording_id, "10cd86ac-fef8-4765-b203-0f7511f9fc75");
  EXPECT_EQ(recs[0].url, "https://s3.example/rec.mp3");
  EXPECT_EQ(recs[0].duration_seconds, 42);
  EXPECT_EQ(recs[0].status, "completed");
  // A redelivery, and the same recording reported again under another event id: one row.
  ASSERT_EQ(post(body).status, 200);
  ASSERT_EQ(post(saved("ev-rec-2", "")).status, 200);
  EXPECT_EQ(recordings().size(), 1u);
  EXPECT_EQ(stats_->recordings, 1);
}

TEST_F(RecordingRoutesTest, ClientStateNamesTheAttemptEvenBeforeItsCallIdIsStored) {
  CallAttempt a;
  a.tenant_id = tenant_;
  a.idempotency_key = "rec:2";
  a.state = CallState::kDialing;  // place_call has not returned the call id yet
  a.created_at = now();
  auto pending = db_->calls().create_attempt(a);
  ASSERT_TRUE(pending.ok());
  ClientState cs;
  cs.idempotency_key = "rec:2";
  cs.attempt_id = pending->id;
  cs.tenant_id = tenant_;
  const std::string body = outdial::testing::telnyx::webhook_body(
      "ev-rec-9", "call.recording.saved", "v3:not-stored-yet", encode_client_state(cs),
      {{"public_recording_urls", {{"wav", "https://s3.example/public.wav"}}}});
  ASSERT_EQ(post(body).status, 200);
  EXPECT_TRUE(recordings().empty());
  auto recs = db_->calls().recordings_for_attempt(pending->id).value();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].url, "https://s3.example/public.wav");
  EXPECT_EQ(recs[0].recording_id, "ev-rec-9");  // no recording_id: the event id keeps it once
}

TEST_F(RecordingRoutesTest, ClientStateNamingAnUnknownAttemptFallsBackToTheCallId) {
  ClientState cs;
  cs.attempt_id = attempt_ + 1000;  // no such attempt: not trusted, the call id decides
  ASSERT_EQ(post(outdial::testing::telnyx::webhook_body("ev-rec-7", "call.recording.saved", "v3:rec-call",
                                                       encode_client_state(cs),
                                                       {{"recording_urls", {{"mp3", "https://s3.example/a.mp3"}}}}))
                .status,
            200);
  ASSERT_EQ(recordings().size(), 1u);  // found by v3:rec-call
}

TEST_F(RecordingRoutesTest, ForgedOrForeignRecordingsStoreNothing) {
  const std::string body = saved("ev-rec-1", "");
  Signer other("0000000000000000000000000000000000000000000000000000000000000001");
  const std::string ts = std::to_string(to_epoch_ms(now()) / 1000);
  EXPECT_EQ(post_signed(router_, signer_, clock_, body, ts, other.sign(ts, body)).status, 403);
  EXPECT_TRUE(recordings().empty());
  // A call that is not ours (no client_state, unknown call id): acknowledged, nothing stored.
  const std::string foreign = outdial::testing::telnyx::webhook_body(
      "ev-rec-3", "call.recording.saved", "v3:someone-else", "", {{"recording_urls", {{"mp3", "https://x/y.mp3"}}}});
  EXPECT_EQ(post(foreign).status, 200);
  EXPECT_TRUE(recordings().empty());
  EXPECT_EQ(stats_->recordings, 0);
}

// ---- the call flow of a call the registry does not know (placed before a restart) ----------

class RestartedCallRoutesTest : public MessagingRoutesTest {
 protected:
  void SetUp() override {
    MessagingRoutesTest::SetUp();
    other_tenant_ = db_->tenants().create_tenant(Tenant{0, "Other", "US", true, "", now()}).value().id;
    CallAttempt a;
    a.tenant_id = tenant_;
    a.campaign_id = 0;
    a.idempotency_key = "live:1";
    a.state = CallState::kRinging;
    a.provider = "telnyx";
    a.provider_call_id = "v3:live-call";
    a.to_number = kContact;
    a.from_number = kOurNumber;
    a.created_at = now();
    auto made = db_->calls().create_attempt(a);
    ASSERT_TRUE(made.ok()) << made.error().message;
    attempt_ = *made;
  }
  ClientState state_of(const CallAttempt& a) const {
    ClientState cs;
    cs.idempotency_key = a.idempotency_key;
    cs.attempt_id = a.id;
    cs.tenant_id = a.tenant_id;
    cs.campaign_id = a.campaign_id;
    return cs;
  }
  std::string event(const std::string& id, const std::string& type, const std::string& ccid, const ClientState& cs,
                    nlohmann::json extra = nlohmann::json::object()) {
    extra["to"] = kVictim;  // the payload's "to" is never what gets opted out
    return outdial::testing::telnyx::webhook_body(id, type, ccid, encode_client_state(cs), extra);
  }
  bool on_dnc(TenantId t, const std::string& phone) { return db_->compliance().find_dnc(t, phone).value().has_value(); }

  const std::string kVictim = "+12025550123";
  TenantId other_tenant_ = 0;
  CallAttempt attempt_;
};

TEST_F(RestartedCallRoutesTest, PressTwoOptsOutTheStoredAttemptsTenantAndNumber) {
  grant_voice_consent();
  const ClientState cs = state_of(attempt_);
  ASSERT_EQ(post(event("r1", "call.answered", "v3:live-call", cs)).status, 200);
  ASSERT_EQ(post(event("r2", "call.gather.ended", "v3:live-call", cs, {{"digits", "2"}, {"status", "valid"}})).status,
            200);
  EXPECT_TRUE(on_dnc(tenant_, kContact));
  EXPECT_FALSE(on_dnc(tenant_, kVictim));
  ASSERT_EQ(consents().size(), 1u);
  EXPECT_TRUE(consents()[0].revoked_at.has_value());
}

TEST_F(RestartedCallRoutesTest, AClientStateThatIsNotTheStoredAttemptsIsNoCallOfOurs) {
  // Another tenant, key or campaign than the attempt's; the attempt's own state on a call id that
  // is not its call: all acknowledged and ignored, nothing ingested, commanded or opted out.
  ClientState other_tenant = state_of(attempt_);
  other_tenant.tenant_id = other_tenant_;
  ClientState other_key = state_of(attempt_);
  other_key.idempotency_key = "live:2";
  ClientState other_campaign = state_of(attempt_);
  other_campaign.campaign_id = 77;
  const std::pair<std::string, ClientState> cases[] = {{"v3:forged-1", other_tenant},
                                                       {"v3:forged-2", other_key},
                                                       {"v3:forged-3", other_campaign},
                                                       {"v3:forged-4", state_of(attempt_)}};
  int n = 0;
  for (const auto& [ccid, cs] : cases) {
    SCOPED_TRACE(ccid);
    const std::string id = "f" + std::to_string(++n);
    ASSERT_EQ(post(event(id + "a", "call.answered", ccid, cs)).status, 200);
    ASSERT_EQ(post(event(id + "b", "call.gather.ended", ccid, cs, {{"digits", "2"}, {"status", "valid"}})).status, 200);
  }
  EXPECT_TRUE(ingress_.events.empty());
  EXPECT_TRUE(commands_.issued.empty());
  for (TenantId t : {tenant_, other_tenant_}) {
    EXPECT_FALSE(on_dnc(t, kVictim));
    EXPECT_FALSE(on_dnc(t, kContact));
  }
  EXPECT_EQ(stats_->ignored, 8);
}

}  // namespace
}  // namespace outdial::telephony::telnyx
