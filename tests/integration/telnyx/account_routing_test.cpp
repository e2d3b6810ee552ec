// Telnyx calls go out through the Telnyx account that owns their From number (issue #3 §3): two
// tenants with their own Telnyx accounts (own API keys, connections and webhook signing keys, all
// served by one emulator that scopes calls per account) and the stack's tenant without accounts,
// which uses the install's configured account. The real dialer, the real webhook routes and
// app::TelnyxAccountRoutedProvider over loopback (telnyx_stack.hpp).
#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <nlohmann/json.hpp>
#include <set>

#include "integration/provider_accounts.hpp"
#include "integration/telnyx/telnyx_stack.hpp"
#include "outdial/accounts/credentials.hpp"
#include "outdial/app/telnyx_account_routed_provider.hpp"

namespace outdial {
namespace {

using nlohmann::json;
using namespace itest::telnyx;

const std::string kKeyA = "KEYA-telnyx-secret-of-tenant-a-0001";
const std::string kConnA = "conn-tenant-a";
const std::string kSeedA = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const std::string kNumA = "+13125550100";
const std::string kKeyB = "KEYB-telnyx-secret-of-tenant-b-0002";
const std::string kConnB = "conn-tenant-b";
const std::string kSeedB = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
const std::string kNumB = "+14155550100";
const std::string kRinging = "+16465550009";  // never answers (rings until the dial's timeout)

using itest::test_vault;

// Signs "<timestamp>|<body>" with the Ed25519 key of `seed_hex` (what that account's Telnyx would send).
std::string sign_with(const std::string& seed_hex, const std::string& timestamp, const std::string& body) {
  EXPECT_GE(sodium_init(), 0);
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i)
    seed[i] = static_cast<unsigned char>(std::stoi(seed_hex.substr(2 * i, 2), nullptr, 16));
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  const std::string message = timestamp + "|" + body;
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       sk.data());
  return tx::base64_encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
}

// Forwards to the routed provider once it exists (the routes are added before it).
class LateDirectory final : public tx::TelnyxAccountDirectory {
 public:
  Result<std::optional<tx::WebhookVerifier>> verifier_for(const tx::TelnyxEvent& ev) override {
    if (target == nullptr) return make_error(ErrorCode::kUnavailable, "not wired yet");
    return target->verifier_for(ev);
  }
  tx::TelnyxAccountDirectory* target = nullptr;
};

class TelnyxAccountRoutingTest : public ::testing::Test, protected TelnyxStack {
 protected:
  TelnyxAccountRoutingTest() : vault_(test_vault('k')) {}

  void SetUp() override {
    set_up();
    ASSERT_FALSE(HasFatalFailure());
    tenant_c_ = staff_.tenant_id;
  }
  void TearDown() override {
    if (server_) server_->stop();  // no webhook reaches the routed provider while it goes
    tear_down();
    runner_.reset();  // dials through routed_
    routed_.reset();
  }

  void configure(tools::telnyx::EmulatorOptions& o) override {
    o.accounts = {{kKeyA, kConnA, kSeedA, {kNumA}}, {kKeyB, kConnB, kSeedB, {kNumB}}};
    o.script.numbers[kRinging] = o.script.default_callee;
    o.script.numbers[kRinging].answer = "no_answer";
    // The tenants exist before the dialer's caller-ID directory is built.
    tenant_a_ = add_tenant("Bright Smiles");
    tenant_b_ = add_tenant("Clear Vision");
  }
  dialer::CallerIdDirectory caller_ids() override {
    return dialer::CallerIdDirectory{{{staff_.tenant_id, {kCallerId}}, {tenant_a_, {kNumA}}, {tenant_b_, {kNumB}}}};
  }
  void adjust_routes(tx::TelnyxWebhookDeps& deps) override {
    deps.account_directory = &directory_;
    deps.accounts = &db_->accounts();  // as app/ wires it: a text to a tenant's number finds the tenant
    deps.send_sms = [this](const telephony::SmsRequest& r) -> Status {
      auto sent = routed_->send_sms(r);
      return sent ? ok_status() : Status(sent.error());
    };
  }
  telephony::Provider& dialing_provider() override {
    account_a_ = add_account(tenant_a_, kConnA, kKeyA, emu_->public_key_base64(kConnA), kNumA);
    account_b_ = add_account(tenant_b_, kConnB, kKeyB, emu_->public_key_base64(kConnB), kNumB);
    routed_ = routed_with(&vault_);
    directory_.target = routed_.get();
    issuer_.target = routed_.get();
    return *routed_;
  }

  std::unique_ptr<app::TelnyxAccountRoutedProvider> routed_with(const accounts::CredentialVault* vault) {
    return std::make_unique<app::TelnyxAccountRoutedProvider>(*provider_, db_->accounts(), db_->calls(), vault,
                                                              *api_http_, &registry_, wall_, &db_->tenants());
  }

  TenantId add_tenant(const std::string& name) {
    auto t = db_->tenants().create_tenant(Tenant{0, name, "US", true, "", kStart});
    EXPECT_TRUE(t);
    return t ? t->id : 0;
  }

  // The tenant's Telnyx account on the emulator (API base without /v2, as accounts store it).
  ProviderAccountId add_account(TenantId tenant, const std::string& connection, const std::string& key,
                                const std::string& public_key, const std::string& number) {
    ProviderAccount a;
    a.tenant_id = tenant;
    a.provider = ProviderKind::kTelnyx;
    a.name = connection;
    a.connection_id = connection;
    a.api_base = "http://127.0.0.1:" + std::to_string(emu_->port());
    accounts::Credentials creds{{"api_key", key}};
    if (!public_key.empty()) creds["public_key"] = public_key;
    return itest::add_owned_account(*db_, vault_, a, creds, number, kStart);
  }

  CampaignId campaign_for(TenantId tenant, const std::string& name, const std::vector<std::string>& numbers,
                          const std::string& from) {
    staff_ = Actor{1, tenant, Role::kOperatorAdmin, "user:1"};
    return campaign(name, numbers, 4, [&](Campaign& c) { c.caller_id = from; });
  }

  std::vector<CallAttempt> attempts(TenantId tenant, CampaignId id) {
    auto all = db_->calls().list_attempts(tenant, id, 0, 100);
    EXPECT_TRUE(all);
    return all ? *all : std::vector<CallAttempt>{};
  }
  // Ticks the dialer until one of the campaign's attempts has its carrier call id (nullopt after
  // ~2 s without one).
  std::optional<CallAttempt> first_placed(TenantId tenant, CampaignId id) {
    for (int i = 0; i < 200; ++i) {
      ingress_.drain(runner_->sink());
      (void)runner_->tick();
      for (const auto& a : attempts(tenant, id))
        if (!a.provider_call_id.empty()) return a;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  // Ticks the dialer until every attempt of every campaign is terminal and the emulator is idle.
  bool run_all(const std::vector<std::pair<TenantId, CampaignId>>& campaigns, std::size_t expected) {
    for (int i = 0; i < 600; ++i) {
      ingress_.drain(runner_->sink());
      (void)runner_->tick();
      clock_.advance(std::chrono::seconds(1));
      std::size_t n = 0;
      bool done = true;
      for (const auto& [tenant, id] : campaigns) {
        for (const auto& a : attempts(tenant, id)) {
          ++n;
          done = done && is_terminal(a.state);
        }
      }
      if (done && n >= expected && emu_->wait_idle(2000)) {
        ingress_.drain(runner_->sink());
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  // POSTs `body` to our webhook URL signed by the account of `seed_hex`; returns the HTTP status.
  int post_signed(const std::string& seed_hex, const std::string& body) {
    const std::string ts = std::to_string(to_epoch_ms(wall_.now()) / 1000);
    net::ClientRequest req;
    req.method = "POST";
    req.url = webhook_url();
    req.headers = {{"Content-Type", "application/json"},
                   {tx::kSignatureHeader, sign_with(seed_hex, ts, body)},
                   {tx::kTimestampHeader, ts}};
    req.body = body;
    auto r = api_http_->send(req);
    EXPECT_TRUE(r) << r.error().message;
    if (r) last_response_ = r->body;
    return r ? r->status : 0;
  }

  // A Telnyx webhook envelope about call `ccid` with a client_state naming `attempt`: minted by
  // outdial (authenticated with the install's key) unless `minted` is false (what a tenant could write).
  std::string webhook(const std::string& type, const std::string& id, const std::string& ccid,
                      const CallAttempt& attempt, const std::string& connection, json extra = json::object(),
                      bool minted = true) {
    tx::ClientState cs;
    cs.idempotency_key = attempt.idempotency_key;
    cs.attempt_id = attempt.id;
    cs.tenant_id = attempt.tenant_id;
    cs.campaign_id = attempt.campaign_id;
    cs.step = "menu";
    json payload{{"call_control_id", ccid},       {"call_leg_id", "leg-x"},         {"call_session_id", "sess-x"},
                 {"connection_id", connection},   {"client_state", tx::encode_client_state(cs, minted ? state_key_.get() : nullptr)},
                 {"from", attempt.from_number},   {"to", attempt.to_number}};
    for (auto& [k, v] : extra.items()) payload[k] = v;
    return json{{"data", {{"record_type", "event"}, {"event_type", type}, {"id", id},
                          {"occurred_at", "2026-11-22T10:00:00.000000Z"}, {"payload", payload}}},
                {"meta", {{"attempt", 1}}}}
        .dump();
  }

  void expect_no_credentials(const std::string& text, const char* where) {
    for (const auto& secret : {kKeyA, kKeyB, kApiKey}) EXPECT_EQ(text.find(secret), std::string::npos) << where;
  }

  accounts::CredentialVault vault_;
  LateDirectory directory_;
  std::unique_ptr<app::TelnyxAccountRoutedProvider> routed_;
  TenantId tenant_a_ = 0, tenant_b_ = 0, tenant_c_ = 0;
  ProviderAccountId account_a_ = 0, account_b_ = 0;
  std::string last_response_;
};

TEST_F(TelnyxAccountRoutingTest, EachTenantsCallsGoThroughItsOwnAccountAndItsWebhooksAreVerifiedWithItsKey) {
  const CampaignId ca = campaign_for(tenant_a_, "a", {kPress1, kMachine}, kNumA);
  const CampaignId cb = campaign_for(tenant_b_, "b", {kPress2}, kNumB);
  const CampaignId cc = campaign_for(tenant_c_, "c", {kPress1}, kCallerId);
  ASSERT_TRUE(ca && cb && cc);
  ASSERT_TRUE(run_all({{tenant_a_, ca}, {tenant_b_, cb}, {tenant_c_, cc}}, 4)) << emu_->calls_json();

  // Each call was dialed with the API key and connection of its From number's account (the
  // emulator scopes calls per API key), and every webhook, signed by that account, was taken.
  const std::map<std::string, std::string> connection_of{{kNumA, kConnA}, {kNumB, kConnB}, {kCallerId, kConnection}};
  std::map<std::string, int> dialed;
  for (const auto& c : json::parse(emu_->calls_json())) {
    if (c["agent_leg"].get<bool>()) continue;
    const std::string from = c["from"];
    ASSERT_TRUE(connection_of.count(from)) << from;
    EXPECT_EQ(c["connection_id"], connection_of.at(from)) << c.dump();
    ++dialed[c["connection_id"].get<std::string>()];
    for (const auto& w : c["webhooks"]) {
      for (const auto& s : w["statuses"]) EXPECT_EQ(s.get<int>(), 200) << w.dump();
    }
  }
  EXPECT_EQ(dialed, (std::map<std::string, int>{{kConnA, 2}, {kConnB, 1}, {kConnection, 1}}));
  EXPECT_EQ(stats_->rejected_signature.load(), 0);
  EXPECT_EQ(routed_->account_drivers(), 2u);

  // The IVR's commands went to the account that placed each call (another account's key is 404
  // there): the greeting, the transfer (whose agent leg is the same account's) and the hang-ups.
  auto a1 = attempts(tenant_a_, ca);
  ASSERT_EQ(a1.size(), 2u);
  for (const auto& a : a1) {
    EXPECT_EQ(a.state, CallState::kCompleted) << a.to_number;
    EXPECT_EQ(a.from_number, kNumA);
    EXPECT_GT(event_count(a.provider_call_id), 0u);
    auto c = emulator_call(a.provider_call_id);
    ASSERT_FALSE(c.is_null());
    ASSERT_FALSE(c["commands"].empty()) << c.dump();
    if (a.to_number == kPress1) {
      EXPECT_EQ(c["commands"][0]["action"], "gather_using_speak");
      EXPECT_EQ(c["transferred_to"], kAgent);
      EXPECT_EQ(c["transfer_from"], kNumA);
      EXPECT_EQ(c["spoken"][0].get<std::string>().rfind("Hi, this is Bright Smiles.", 0), 0u) << c["spoken"].dump();
    } else {
      EXPECT_TRUE(a.answered_by_machine);
    }
  }
  for (const auto& c : json::parse(emu_->calls_json())) {
    if (c["agent_leg"].get<bool>()) {
      EXPECT_EQ(c["connection_id"], emulator_call(c["parent"])["connection_id"]);
    }
  }
  auto b1 = attempts(tenant_b_, cb);
  ASSERT_EQ(b1.size(), 1u);
  EXPECT_EQ(b1[0].state, CallState::kCompleted);
  EXPECT_EQ(b1[0].digits, "2");
  auto dnc = db_->compliance().find_dnc(tenant_b_, kPress2);
  ASSERT_TRUE(dnc && dnc->has_value());
  // The call from a number of no account (tenant C): the configured account, as before.
  auto c1 = attempts(tenant_c_, cc);
  ASSERT_EQ(c1.size(), 1u);
  EXPECT_EQ(c1[0].state, CallState::kCompleted);
  EXPECT_EQ(emulator_call(c1[0].provider_call_id)["transferred_to"], kAgent);

  expect_no_credentials(log_stream_->str(), "log");
}

TEST_F(TelnyxAccountRoutingTest, AWebhookAboutACallSignedByAnotherAccountChangesNothing) {
  const CampaignId ca = campaign_for(tenant_a_, "a", {kPress1}, kNumA);
  const CampaignId cb = campaign_for(tenant_b_, "b", {kPress1}, kNumB);
  ASSERT_TRUE(run_all({{tenant_a_, ca}, {tenant_b_, cb}}, 2)) << emu_->calls_json();
  const CallAttempt a = attempts(tenant_a_, ca).at(0);
  const CallAttempt b = attempts(tenant_b_, cb).at(0);
  const std::string ccid = a.provider_call_id;
  ASSERT_FALSE(ccid.empty());
  const std::size_t events_before = event_count(ccid);
  const auto rejected_before = stats_->rejected_signature.load();

  // Replays of A's own webhook signed by tenant B's account, or by the configured account.
  const auto call = emulator_call(ccid);
  const std::size_t answered = webhook_index(call, "call.answered");
  ASSERT_NE(answered, static_cast<std::size_t>(-1));
  auto r = emu_->redeliver_signed_by(ccid, answered, kConnB);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 403);
  r = emu_->redeliver_signed_by(ccid, answered, kConnection);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 403);

  // New events about A's call that would change something (press 2: the internal DNC list),
  // validly signed by B's account: by A's call id, by A's attempt under a call id nobody knows,
  // and naming A's attempt on B's call (each account's own key then, and still refused).
  const std::string press2 = webhook("call.gather.ended", "forged-1", ccid, a, kConnB, {{"digits", "2"}, {"status", "valid"}});
  EXPECT_EQ(post_signed(kSeedB, press2), 403);
  expect_no_credentials(last_response_, "403 response");
  EXPECT_EQ(post_signed(kSeedB, webhook("call.gather.ended", "forged-2", "v3:unknown-call", a, kConnB,
                                        {{"digits", "2"}, {"status", "valid"}})),
            403);
  const std::string crossed = webhook("call.hangup", "forged-3", b.provider_call_id, a, kConnB,
                                      {{"hangup_cause", "call_rejected"}, {"hangup_source", "callee"}});
  EXPECT_EQ(post_signed(kSeedB, crossed), 403);
  EXPECT_EQ(post_signed(kSeedA, crossed), 403);
  EXPECT_EQ(stats_->rejected_signature.load(), rejected_before + 6);

  EXPECT_EQ(event_count(ccid), events_before);
  auto dnc = db_->compliance().find_dnc(tenant_a_, kPress1);
  ASSERT_TRUE(dnc);
  EXPECT_FALSE(dnc->has_value());
  auto after = db_->calls().get_attempt(a.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state, a.state);

  // The controls: the same webhooks signed by the account that placed the call are taken.
  r = emu_->redeliver(ccid, answered);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 200);  // a duplicate data.id: nothing new
  EXPECT_EQ(post_signed(kSeedA, press2), 200);
}

TEST_F(TelnyxAccountRoutingTest, TextsToATenantsNumberAreVerifiedWithItsAccountsKeyAndAnsweredThroughIt) {
  const std::string contact = "+16465550777";
  auto on_dnc = [&] { return db_->compliance().find_dnc(tenant_a_, contact).value().has_value(); };
  auto outbound = [&] {
    std::vector<json> out;
    for (const auto& m : json::parse(emu_->messages_json()))
      if (m["direction"] == "outbound") out.push_back(m);
    return out;
  };
  // HELP to tenant A's number: signed by A's account, answered through A's account from that number.
  ASSERT_EQ(*emu_->inject_inbound_sms(webhook_url(), contact, kNumA, "HELP"), 200);
  auto replies = outbound();
  ASSERT_EQ(replies.size(), 1u) << emu_->messages_json();
  EXPECT_EQ(replies[0]["account"], kConnA);
  EXPECT_EQ(replies[0]["from"]["phone_number"], kNumA);
  EXPECT_EQ(replies[0]["text"], "Bright Smiles: reply STOP to stop messages and calls from us.");

  // A STOP to A's number signed by tenant B's account changes nothing.
  const json stop{{"data", {{"record_type", "event"}, {"event_type", "message.received"}, {"id", "forged-sms-1"},
                            {"occurred_at", "2026-11-22T10:00:00.000000Z"},
                            {"payload", {{"id", "msg-forged-1"}, {"direction", "inbound"}, {"text", "STOP"},
                                         {"from", {{"phone_number", contact}}},
                                         {"to", json::array({{{"phone_number", kNumA}}})}}}}},
                  {"meta", {{"attempt", 1}}}};
  EXPECT_EQ(post_signed(kSeedB, stop.dump()), 403);
  EXPECT_FALSE(on_dnc());
  // The same text signed by A's account is applied.
  EXPECT_EQ(post_signed(kSeedA, stop.dump()), 200);
  EXPECT_TRUE(on_dnc());
  EXPECT_EQ(stats_->messages.load(), 2);
  expect_no_credentials(log_stream_->str(), "log");
}

TEST_F(TelnyxAccountRoutingTest, AfterARestartLookupAndHangUpStillGoToTheAccountThatPlacedTheCall) {
  const CampaignId ca = campaign_for(tenant_a_, "a", {kRinging}, kNumA);
  std::optional<CallAttempt> live = first_placed(tenant_a_, ca);
  ASSERT_TRUE(live);
  const std::string ccid = live->provider_call_id;

  // A new process: no call -> account memory; the attempt's From number names the account again.
  auto fresh = routed_with(&vault_);
  telephony::CallLookup lookup(live->idempotency_key);
  lookup.to = live->to_number;
  lookup.from = live->from_number;
  lookup.placed_after = live->created_at;
  lookup.tenant_id = tenant_a_;
  auto found = fresh->find_call(lookup);  // A's connection's active calls
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, ccid);
  auto via_configured = provider_->find_call(lookup);  // the configured account does not have it
  ASSERT_TRUE(via_configured);
  EXPECT_FALSE(via_configured->has_value());

  auto restarted = routed_with(&vault_);
  ASSERT_TRUE(restarted->hangup(ccid));
  ASSERT_TRUE(emu_->wait_idle(5000));
  auto c = emulator_call(ccid);
  ASSERT_FALSE(c["commands"].empty()) << c.dump();
  EXPECT_EQ(c["commands"].back()["action"], "hangup");
  EXPECT_EQ(c["state"], "ended");
  EXPECT_EQ(c["hangup_source"], "caller");
  ASSERT_TRUE(run_all({{tenant_a_, ca}}, 1));
}

TEST_F(TelnyxAccountRoutingTest, AnAccountThatCannotBeVerifiedOrOpenedPlacesNoCallAnywhere) {
  // Tenant D's account has no webhook public key: none of its calls' webhooks could be verified.
  const TenantId tenant_d = add_tenant("Dim Lights");
  const std::string key_d = "KEYD-telnyx-secret-of-tenant-d-0004";
  const std::string num_d = "+17735550100";
  add_account(tenant_d, "conn-tenant-d", key_d, "", num_d);
  telephony::DialRequest req;
  req.idempotency_key = "manual:1";
  req.attempt_id = 999;
  req.tenant_id = tenant_d;
  req.from = num_d;
  req.to = kPress1;
  auto r = routed_->place_call(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(r.error().message.find("public_key"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find(key_d), std::string::npos);

  // Tenant A's credentials under another secret key: never opened, never replaced by the configured account.
  auto other_key = test_vault('x');
  auto wrong = routed_with(&other_key);
  req.tenant_id = tenant_a_;
  req.from = kNumA;
  auto w = wrong->place_call(req);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, ErrorCode::kFailedPrecondition);
  expect_no_credentials(w.error().message, "error message");
  for (const auto& [k, v] : w.error().details) expect_no_credentials(v, "error details");
  EXPECT_EQ(emu_->stats().dials, 0);
  EXPECT_EQ(json::parse(emu_->calls_json()).size(), 0u);
  expect_no_credentials(log_stream_->str(), "log");
}

// Recordings fetched on demand (issue #3 §1): the webhook's URLs are pre-signed and expire (the
// emulator's point nowhere reachable), so the recording is looked up again with the Bearer key of
// the account that placed the call and its fresh download URL fetched without the key.
TEST_F(TelnyxAccountRoutingTest, ARecordingIsFetchedFreshThroughThePlacingAccountAndDownloadedWithoutTheKey) {
  staff_ = Actor{1, tenant_a_, Role::kOperatorAdmin, "user:1"};
  const CampaignId ca = campaign("rec-a", {kPress2}, 4, [&](Campaign& c) {
    c.caller_id = kNumA;
    c.record_calls = true;
    c.recording_disclosure = true;
  });
  ASSERT_TRUE(ca);
  ASSERT_TRUE(run_all({{tenant_a_, ca}}, 1)) << emu_->calls_json();
  auto as = attempts(tenant_a_, ca);
  ASSERT_EQ(as.size(), 1u);
  std::vector<storage::CallRecording> recs;
  for (int i = 0; i < 100 && recs.empty(); ++i) {  // call.recording.saved follows call.hangup
    ASSERT_TRUE(emu_->wait_idle(2000));
    auto r = db_->calls().recordings_for_attempt(as[0].id);
    ASSERT_TRUE(r);
    recs = *r;
    if (recs.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(recs.size(), 1u);
  const auto& rec = recs[0];
  EXPECT_EQ(rec.provider, "telnyx");
  EXPECT_EQ(rec.url.rfind("https://recordings.telnyx-emulator.test/", 0), 0u) << rec.url;

  auto media = routed_->fetch_recording({rec.provider_call_id, rec.recording_id});
  ASSERT_TRUE(media) << media.error().message;
  EXPECT_EQ(media->bytes, tools::telnyx::recording_media(rec.recording_id));
  EXPECT_EQ(media->content_type, "audio/mpeg");
  auto st = emu_->stats();
  EXPECT_EQ(st.recordings_fetched, 1);
  EXPECT_EQ(st.media_downloads, 1);
  EXPECT_EQ(st.media_refused, 0);  // the download carried no Authorization header

  // After a restart (no call id -> account memory): found again from the attempt's From.
  auto fresh = routed_with(&vault_);
  media = fresh->fetch_recording({rec.provider_call_id, rec.recording_id});
  ASSERT_TRUE(media) << media.error().message;
  EXPECT_EQ(media->bytes, tools::telnyx::recording_media(rec.recording_id));
  // The configured account's key does not see tenant A's recording.
  auto other = provider_->fetch_recording({rec.provider_call_id, rec.recording_id});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(emu_->stats().media_downloads, 2);

  // The emulator: the recordings resource needs the account's key; a download URL is refused
  // with a key on it, or with a signature that does not match.
  net::ClientRequest req;
  req.url = emu_->base_url() + "/recordings/" + rec.recording_id;
  auto r = api_http_->send(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  req.headers = {{"Authorization", "Bearer " + kKeyA}};
  r = api_http_->send(req);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string url = json::parse(r->body)["data"]["download_urls"]["mp3"];
  req.url = url;
  r = api_http_->send(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  req.headers.clear();
  req.url = url.substr(0, url.size() - 1) + (url.back() == '0' ? "1" : "0");
  r = api_http_->send(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  req.url = url;
  r = api_http_->send(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, tools::telnyx::recording_media(rec.recording_id));
  expect_no_credentials(log_stream_->str(), "log");
}

}  // namespace
}  // namespace outdial

namespace outdial {
namespace {

// A tenant signs webhooks with its own Telnyx account's key (it owns the account, or registered a
// public key whose private half it holds). A client_state naming its own attempt but another
// tenant ("t") and any callee ("to"), about a call id nobody knows, must not reach the other
// tenant's do-not-call list or consents.
TEST_F(TelnyxAccountRoutingTest, AClientStateNamingAnotherTenantIsRefusedAndChangesNothing) {
  const CampaignId cb = campaign_for(tenant_b_, "b", {kPress1}, kNumB);
  ASSERT_TRUE(run_all({{tenant_b_, cb}}, 1)) << emu_->calls_json();
  const std::string victim = "+12025550123";
  ConsentRecord consent;
  consent.tenant_id = tenant_a_;
  consent.phone_e164 = victim;
  consent.source = "web form";
  consent.granted_at = kStart;
  ASSERT_TRUE(db_->compliance().add_consent(consent));
  auto unrevoked = [&] {
    auto all = db_->compliance().consents_for(tenant_a_, victim);
    EXPECT_TRUE(all);
    int n = 0;
    for (const auto& c : all.value()) n += c.revoked_at ? 0 : 1;
    return n;
  };
  CallAttempt forged = attempts(tenant_b_, cb).at(0);
  forged.tenant_id = tenant_a_;  // client_state "t": tenant A
  forged.to_number = victim;     // payload "to": any number
  const auto rejected_before = stats_->rejected_signature.load();
  const std::string body = webhook("call.gather.ended", "b-own-1", "v3:b-own-call", forged, kConnB,
                                   {{"digits", "2"}, {"status", "valid"}});
  EXPECT_EQ(post_signed(kSeedB, body), 403) << last_response_;
  EXPECT_EQ(stats_->rejected_signature.load(), rejected_before + 1);
  auto dnc = db_->compliance().find_dnc(tenant_a_, victim);
  ASSERT_TRUE(dnc);
  EXPECT_FALSE(dnc->has_value()) << "tenant B's key put " << victim << " on tenant A's DNC list";
  // Another campaign or key than the attempt's: refused too.
  CallAttempt other_key = attempts(tenant_b_, cb).at(0);
  other_key.idempotency_key += "x";
  EXPECT_EQ(post_signed(kSeedB, webhook("call.gather.ended", "b-own-2", "v3:b-own-call", other_key, kConnB,
                                        {{"digits", "2"}, {"status", "valid"}})),
            403);
  CallAttempt other_campaign = attempts(tenant_b_, cb).at(0);
  other_campaign.campaign_id += 1000;
  EXPECT_EQ(post_signed(kSeedB, webhook("call.gather.ended", "b-own-3", "v3:b-own-call", other_campaign, kConnB,
                                        {{"digits", "2"}, {"status", "valid"}})),
            403);
  EXPECT_FALSE(db_->compliance().find_dnc(tenant_a_, victim).value().has_value());
  EXPECT_EQ(unrevoked(), 1) << "tenant B's key revoked tenant A's consent";

  // B's own attempt's genuine client_state on a call id that is not that attempt's call, "to" any
  // number: no call of ours (acknowledged), and no number but the one dialed is ever opted out.
  CallAttempt own = attempts(tenant_b_, cb).at(0);
  own.to_number = victim;
  EXPECT_EQ(post_signed(kSeedB, webhook("call.gather.ended", "b-own-4", "v3:b-own-call", own, kConnB,
                                        {{"digits", "2"}, {"status", "valid"}})),
            200);
  for (TenantId t : {tenant_a_, tenant_b_}) EXPECT_FALSE(db_->compliance().find_dnc(t, victim).value().has_value());
}

// outdial authenticates the client_state it mints: one a tenant wrote itself (even naming its own
// attempt exactly, on its own call) is refused before any key is chosen.
TEST_F(TelnyxAccountRoutingTest, AClientStateATenantWroteItselfIsRefused) {
  const CampaignId cb = campaign_for(tenant_b_, "b", {kPress1}, kNumB);
  ASSERT_TRUE(run_all({{tenant_b_, cb}}, 1)) << emu_->calls_json();
  const CallAttempt b = attempts(tenant_b_, cb).at(0);
  const auto rejected_before = stats_->rejected_signature.load();
  EXPECT_EQ(post_signed(kSeedB, webhook("call.hangup", "b-self-1", "v3:b-self-call", b, kConnB,
                                        {{"hangup_cause", "normal_clearing"}, {"hangup_source", "callee"}}, false)),
            403);
  EXPECT_EQ(stats_->rejected_signature.load(), rejected_before + 1);
  // The same webhook with the state outdial minted goes on to the key and call checks (no call
  // of ours with that id: acknowledged, ignored).
  EXPECT_EQ(post_signed(kSeedB, webhook("call.hangup", "b-self-2", "v3:b-self-call", b, kConnB,
                                        {{"hangup_cause", "normal_clearing"}, {"hangup_source", "callee"}})),
            200);
  EXPECT_EQ(stats_->rejected_signature.load(), rejected_before + 1);
}

}  // namespace
}  // namespace outdial

namespace outdial {
namespace {
// Account A is disabled while its call is live; then a new process (no call -> account memory):
// A's call is still A's. Its webhooks are verified with A's key and find_call asks A (not the
// configured account, which would answer "no such call" and let a re-dial follow); a new call
// from A's number is refused instead of going out through another account.
TEST_F(TelnyxAccountRoutingTest, ADisabledAccountsLiveCallStaysWithItAfterARestart) {
  const CampaignId ca = campaign_for(tenant_a_, "a", {kRinging}, kNumA);
  std::optional<CallAttempt> live = first_placed(tenant_a_, ca);
  ASSERT_TRUE(live);
  auto acct = db_->accounts().get_account(tenant_a_, account_a_);
  ASSERT_TRUE(acct);
  acct->status = AccountStatus::kDisabled;
  ASSERT_TRUE(db_->accounts().update_account(*acct));
  auto fresh = routed_with(&vault_);
  const std::string body = webhook("call.hangup", "a-real-hangup", live->provider_call_id, *live, kConnA,
                                   {{"hangup_cause", "normal_clearing"}, {"hangup_source", "callee"}});
  auto ev = tx::parse_event(body);
  ASSERT_TRUE(ev);
  auto v = fresh->verifier_for(*ev);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->has_value()) << "A's call would be verified with the configured account's key: A's webhooks get 403";
  telephony::CallLookup lookup(live->idempotency_key);
  lookup.to = live->to_number;
  lookup.from = live->from_number;
  lookup.placed_after = live->created_at;
  lookup.tenant_id = tenant_a_;
  auto found = fresh->find_call(lookup);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value()) << "find_call asked the configured account: 'no such call' (a re-dial would follow)";
  EXPECT_EQ(**found, live->provider_call_id);
  telephony::DialRequest again;
  again.idempotency_key = "a-new-call-while-disabled";
  again.tenant_id = tenant_a_;
  again.from = kNumA;
  again.to = live->to_number;
  auto placed = fresh->place_call(again);
  ASSERT_FALSE(placed);
  EXPECT_EQ(placed.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(placed.error().message.find("disabled"), std::string::npos) << placed.error().message;
  acct->status = AccountStatus::kActive;
  ASSERT_TRUE(db_->accounts().update_account(*acct));
  ASSERT_TRUE(run_all({{tenant_a_, ca}}, 1));
}

// Restart recovery's reconcile() goes to the account that placed the call (the configured one
// does not know it: its 404 would end a live call), and every account driver, built after the
// ingress was set, delivers the end of a call whose call.hangup was lost into it.
TEST_F(TelnyxAccountRoutingTest, ReconcileAsksThePlacingAccountAndEndsACallWhoseHangupWasLost) {
  const CampaignId ca = campaign_for(tenant_a_, "a", {kRinging}, kNumA);
  std::optional<CallAttempt> live = first_placed(tenant_a_, ca);
  ASSERT_TRUE(live);
  const std::string ccid = live->provider_call_id;
  ingress_.refuse = [](const CallEvent& e) {  // outdial is down when the call ends
    const auto s = state_for(e.kind);
    return s && is_terminal(*s);
  };
  auto reconciled = [&] {
    std::lock_guard l(ingress_.mu);
    std::vector<std::string> keys;
    for (const auto& e : ingress_.queued)
      if (e.dedupe_key.find(":reconcile:") != std::string::npos) keys.push_back(e.dedupe_key);
    return keys;
  };

  // A new process: the ingress is set before any account driver exists.
  auto fresh = routed_with(&vault_);
  fresh->set_event_ingress(&ingress_);
  ASSERT_NE(emulator_call(ccid)["state"], "ended");
  ASSERT_TRUE(fresh->reconcile(ccid));  // asked A's account: still ringing
  EXPECT_TRUE(reconciled().empty());

  for (int i = 0; i < 400 && emulator_call(ccid)["state"] != "ended"; ++i) {
    ingress_.drain(runner_->sink());
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(emulator_call(ccid)["state"], "ended");
  ASSERT_TRUE(emu_->wait_idle(5000));
  ingress_.drain(runner_->sink());
  auto stuck = db_->calls().get_attempt(live->id);
  ASSERT_TRUE(stuck);
  EXPECT_FALSE(is_terminal(stuck->state)) << "its call.hangup was lost";

  auto restarted = routed_with(&vault_);
  restarted->set_event_ingress(&ingress_);
  ingress_.refuse = nullptr;
  auto st = restarted->reconcile(ccid);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(reconciled(), (std::vector<std::string>{ccid + ":reconcile:end:answered", ccid + ":reconcile:end"}));
  ASSERT_TRUE(run_all({{tenant_a_, ca}}, 1));
  auto ended = db_->calls().get_attempt(live->id);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->state, CallState::kFailed);
  EXPECT_EQ(ended->failure_reason, tx::kReconciledEndDetail);
}

// A number retired while its call is live: the restart's reconcile() asks the configured account
// (find_number skips retired numbers), whose "call not found" must not end the live call (it did
// before: the line was freed and the person would have been dialed again).
TEST_F(TelnyxAccountRoutingTest, ARetiredNumbersLiveCallIsNotEndedByAnotherAccountsNotFound) {
  const CampaignId ca = campaign_for(tenant_a_, "a", {kRinging}, kNumA);
  std::optional<CallAttempt> live = first_placed(tenant_a_, ca);
  ASSERT_TRUE(live);
  const std::string ccid = live->provider_call_id;
  auto nums = db_->accounts().list_numbers(tenant_a_, {});
  ASSERT_TRUE(nums);
  for (const auto& n : *nums) {
    if (n.e164 == kNumA) {
      ASSERT_TRUE(db_->accounts().set_number_status(tenant_a_, n.id, NumberStatus::kRetired, "spam", clock_.now()));
    }
  }
  auto restarted = routed_with(&vault_);
  restarted->set_event_ingress(&ingress_);
  ASSERT_NE(emulator_call(ccid)["state"], "ended");
  auto st = restarted->reconcile(ccid);
  std::vector<std::string> keys;
  {
    std::lock_guard l(ingress_.mu);
    for (const auto& e : ingress_.queued)
      if (e.dedupe_key.find(":reconcile:") != std::string::npos) keys.push_back(e.dedupe_key);
  }
  EXPECT_NE(emulator_call(ccid)["state"], "ended") << "the call is still live at Telnyx";
  EXPECT_TRUE(keys.empty()) << "reconcile ingested the end of a live call; status: "
                            << (st ? std::string("ok") : st.error().message);
  ingress_.drain(runner_->sink());
  auto after = db_->calls().get_attempt(live->id);
  ASSERT_TRUE(after);
  EXPECT_FALSE(is_terminal(after->state)) << "attempt now " << to_string(after->state) << " ("
                                          << after->failure_reason << ") while Telnyx call is "
                                          << emulator_call(ccid)["state"];
}
}  // namespace
}  // namespace outdial
