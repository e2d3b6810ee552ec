#include "outdial/telephony/telnyx/webhook_routes.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/in_memory_database.hpp"
#include "unit/telnyx/event_builder.hpp"
#include "unit/telnyx/route_fakes.hpp"
#include "unit/telnyx/signing.hpp"

namespace outdial::telephony::telnyx {
namespace {

using outdial::testing::telnyx::client_state;
using outdial::testing::telnyx::kRfcPublicKeyB64;
using outdial::testing::telnyx::post_signed;
using outdial::testing::telnyx::RecordingCommands;
using outdial::testing::telnyx::RecordingIngress;
using outdial::testing::telnyx::Signer;
using outdial::testing::telnyx::webhook_body;

class RoutesTest : public ::testing::Test {
 protected:
  RoutesTest() {
    DialRequest req;
    req.tenant_id = 3;
    req.from = "+15550001111";
    req.agent_number = "+15559990000";
    req.script = "Hi from Sunburst.";
    ClientState cs = *decode_client_state(client_state(false));
    registry.put("v3:call", RegisteredCall{script_for(req, "Sunburst"), cs, "+16465551234"});
    stats = register_telnyx_routes(
        router, TelnyxWebhookDeps{WebhookVerifier::create(kRfcPublicKeyB64, clock).value(), ingress, db.compliance(),
                                  commands, registry, clock, nullptr});
  }

  net::Response post(const std::string& body, std::string ts = "", std::string sig = "") {
    return post_signed(router, signer, clock, body, ts, sig);
  }
  std::string body(const std::string& id, const std::string& type, nlohmann::json extra = nlohmann::json::object()) {
    return webhook_body(id, type, "v3:call", client_state(false), extra);
  }

  ManualClock clock{from_epoch_ms(1'790'000'000'000)};
  Signer signer;
  net::Router router;
  RecordingIngress ingress;
  RecordingCommands commands;
  CallRegistry registry;
  outdial::testing::InMemoryDatabase db;
  std::shared_ptr<const TelnyxWebhookStats> stats;
};

TEST_F(RoutesTest, AnsweredStartsTheMenu) {
  auto r = post(body("e1", "call.answered"));
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(ingress.events.size(), 1u);
  EXPECT_EQ(ingress.events[0].kind, CallEventKind::kAnsweredHuman);
  EXPECT_EQ(ingress.events[0].dedupe_key, "e1");
  ASSERT_EQ(commands.issued.size(), 1u);
  EXPECT_EQ(commands.issued[0].command.action, "gather_using_speak");
  EXPECT_NE(commands.issued[0].command.payload.find("Hi from Sunburst."), std::string::npos);
}

TEST_F(RoutesTest, ForgedSignatureIs403AndChangesNothing) {
  const auto b = body("e1", "call.gather.ended", {{"digits", "2"}, {"status", "valid"}});
  Signer other("0000000000000000000000000000000000000000000000000000000000000001");
  const std::string ts = std::to_string(to_epoch_ms(clock.now()) / 1000);
  EXPECT_EQ(post(b, ts, other.sign(ts, b)).status, 403);
  EXPECT_EQ(post(b, ts, "<none>").status, 403);
  EXPECT_TRUE(ingress.events.empty());
  EXPECT_TRUE(commands.issued.empty());
  EXPECT_FALSE(db.compliance().find_dnc(3, "+16465551234").value());
  EXPECT_EQ(stats->rejected_signature, 2);
}

TEST_F(RoutesTest, StaleTimestampIs403) {
  const auto b = body("e1", "call.answered");
  const std::string ts = std::to_string(to_epoch_ms(clock.now()) / 1000 - 301);
  EXPECT_EQ(post(b, ts).status, 403);
  EXPECT_TRUE(ingress.events.empty());
}

TEST_F(RoutesTest, SignedButMalformedIs400) {
  EXPECT_EQ(post(R"({"data":{}})").status, 400);
  EXPECT_EQ(post("[").status, 400);
}

TEST_F(RoutesTest, PressTwoAddsDncBeforeConfirmingAndReplayChangesNothing) {
  ConsentRecord consent;
  consent.tenant_id = 3;
  consent.phone_e164 = "+16465551234";
  consent.granted_at = clock.now() - std::chrono::hours(24);
  ASSERT_TRUE(db.compliance().add_consent(consent));
  ASSERT_EQ(post(body("e1", "call.answered")).status, 200);
  const auto press = body("e2", "call.gather.ended", {{"digits", "2"}, {"status", "valid"}});
  ASSERT_EQ(post(press).status, 200);
  auto dnc = db.compliance().find_dnc(3, "+16465551234");
  ASSERT_TRUE(dnc && dnc->has_value());
  EXPECT_EQ((*dnc)->reason, "press 2");
  auto consents = db.compliance().consents_for(3, "+16465551234");
  ASSERT_TRUE(consents);
  ASSERT_EQ(consents->size(), 1u);
  EXPECT_TRUE((*consents)[0].revoked_at.has_value());
  ASSERT_EQ(commands.issued.size(), 2u);
  EXPECT_EQ(commands.issued[1].command.step, "optout.0");
  const auto n_events = ingress.events.size();
  EXPECT_EQ(post(press).status, 200);  // replay
  EXPECT_EQ(ingress.events.size(), n_events);
  EXPECT_EQ(commands.issued.size(), 2u);
  EXPECT_EQ(stats->duplicates, 1);
}

// The number a press 2 opts out is the one we dialed (the registry's), never the webhook's "to".
TEST_F(RoutesTest, PressTwoOptsOutTheNumberDialedNotThePayloadsTo) {
  ASSERT_EQ(post(body("e1", "call.answered", {{"to", "+12025550123"}})).status, 200);
  ASSERT_EQ(post(body("e2", "call.gather.ended", {{"digits", "2"}, {"status", "valid"}, {"to", "+12025550123"}}))
                .status,
            200);
  EXPECT_FALSE(db.compliance().find_dnc(3, "+12025550123").value().has_value());
  auto dnc = db.compliance().find_dnc(3, "+16465551234");
  ASSERT_TRUE(dnc && dnc->has_value());
  EXPECT_EQ((*dnc)->source, "call:7:42:1");
}

TEST_F(RoutesTest, IngestFailureIs503AndRedeliveryRedoesTheStep) {
  ingress.fail = true;
  EXPECT_EQ(post(body("e1", "call.answered")).status, 503);
  EXPECT_TRUE(commands.issued.empty());
  ingress.fail = false;
  EXPECT_EQ(post(body("e1", "call.answered")).status, 200);
  EXPECT_EQ(ingress.events.size(), 1u);
  EXPECT_EQ(commands.issued.size(), 1u);
}

TEST_F(RoutesTest, CommandFailureIs503AndRetriedWithTheSameCommandId) {
  commands.fail = true;
  EXPECT_EQ(post(body("e1", "call.answered")).status, 503);
  commands.fail = false;
  EXPECT_EQ(post(body("e1", "call.answered")).status, 200);
  ASSERT_EQ(commands.issued.size(), 1u);
  EXPECT_EQ(commands.issued[0].command.command_id, "v3:call:menu");
}

TEST_F(RoutesTest, ForeignLegIsIgnored) {
  auto b = webhook_body("e9", "call.answered", "v3:agent-leg", "");
  EXPECT_EQ(post(b).status, 200);
  EXPECT_TRUE(ingress.events.empty());
  EXPECT_TRUE(commands.issued.empty());
}

TEST_F(RoutesTest, UnknownCallWithOurClientStateUsesTheFallbackScript) {
  auto b = webhook_body("e7", "call.answered", "v3:after-restart", client_state(false));
  EXPECT_EQ(post(b).status, 200);
  ASSERT_EQ(ingress.events.size(), 1u);
  EXPECT_EQ(ingress.events[0].attempt_id, 99);
  ASSERT_EQ(commands.issued.size(), 1u);
  EXPECT_NE(commands.issued[0].command.payload.find("press 2"), std::string::npos);
}

// With tenants' accounts, choosing the key reads the stores: a request without a well-formed,
// fresh signature is refused before anything is looked up.
class CountingDirectory final : public TelnyxAccountDirectory {
 public:
  Result<std::optional<WebhookVerifier>> verifier_for(const TelnyxEvent&) override {
    ++calls;
    return std::optional<WebhookVerifier>();
  }
  int calls = 0;
};

TEST(RoutesWithAccounts, UnsignedStaleOrMalformedSignaturesAreRefusedBeforeAnyKeyIsChosen) {
  ManualClock clock{from_epoch_ms(1'790'000'000'000)};
  Signer signer;
  net::Router router;
  RecordingIngress ingress;
  RecordingCommands commands;
  CallRegistry registry;
  outdial::testing::InMemoryDatabase db;
  CountingDirectory directory;
  TelnyxWebhookDeps deps{WebhookVerifier::create(kRfcPublicKeyB64, clock).value(), ingress, db.compliance(),
                         commands, registry, clock, nullptr};
  deps.account_directory = &directory;
  auto stats = register_telnyx_routes(router, deps);
  const std::string b = webhook_body("e1", "call.gather.ended", "v3:call", client_state(false),
                                     {{"digits", "2"}, {"status", "valid"}});
  const std::string now = std::to_string(to_epoch_ms(clock.now()) / 1000);
  const std::string stale = std::to_string(to_epoch_ms(clock.now()) / 1000 - 301);
  EXPECT_EQ(post_signed(router, signer, clock, b, now, "<none>").status, 403);          // no signature
  EXPECT_EQ(post_signed(router, signer, clock, b, stale, signer.sign(stale, b)).status, 403);
  EXPECT_EQ(post_signed(router, signer, clock, b, "tomorrow").status, 403);             // not Unix seconds
  EXPECT_EQ(post_signed(router, signer, clock, b, now, "c2hvcnQ=").status, 403);        // base64 of 5 bytes
  EXPECT_EQ(post_signed(router, signer, clock, b, now, "not base64!").status, 403);
  EXPECT_EQ(directory.calls, 0);
  EXPECT_EQ(stats->rejected_signature, 5);
  // A well-formed signature (valid or not) is worth choosing the key for.
  EXPECT_EQ(post_signed(router, signer, clock, b).status, 200);
  EXPECT_EQ(directory.calls, 1);
  EXPECT_FALSE(ingress.events.empty());
}

// With a client_state key, a client_state of ours must be one outdial minted (signed webhooks
// from a tenant's own account cannot carry a state it wrote itself).
TEST(RoutesWithStateKey, AClientStateNotMintedByUsIsRefused) {
  ManualClock clock{from_epoch_ms(1'790'000'000'000)};
  Signer signer;
  net::Router router;
  RecordingIngress ingress;
  RecordingCommands commands;
  CallRegistry registry;
  outdial::testing::InMemoryDatabase db;
  auto key = ClientStateKey::from_raw(std::string(32, 'k')).value();
  ClientState cs = *decode_client_state(client_state(false));
  DialRequest req;
  req.tenant_id = 3;
  registry.put("v3:call", RegisteredCall{script_for(req, "Sunburst"), cs, "+16465551234"});
  TelnyxWebhookDeps deps{WebhookVerifier::create(kRfcPublicKeyB64, clock).value(), ingress, db.compliance(),
                         commands, registry, clock, nullptr};
  deps.client_state_key = key;
  auto stats = register_telnyx_routes(router, deps);
  auto post = [&](const std::string& id, const std::string& state) {
    return post_signed(router, signer, clock,
                       webhook_body(id, "call.gather.ended", "v3:call", state, {{"digits", "2"}, {"status", "valid"}}))
        .status;
  };
  EXPECT_EQ(post("e1", encode_client_state(cs)), 403);  // unsigned
  ClientState other = cs;
  other.tenant_id = 4;
  std::string raw;
  ASSERT_TRUE(base64_decode(encode_client_state(cs, key.get()), raw));
  auto j = nlohmann::json::parse(raw);
  j["t"] = 4;  // our MAC, another tenant
  EXPECT_EQ(post("e2", base64_encode(j.dump())), 403);
  EXPECT_EQ(post("e3", encode_client_state(other, ClientStateKey::from_raw(std::string(32, 'x')).value().get())), 403);
  EXPECT_EQ(stats->rejected_signature, 3);
  EXPECT_TRUE(ingress.events.empty());
  EXPECT_FALSE(db.compliance().find_dnc(3, "+16465551234").value().has_value());
  // Minted by us: taken. A webhook without client_state (a leg we did not set it on) still is.
  EXPECT_EQ(post("e4", encode_client_state(cs, key.get())), 200);
  EXPECT_FALSE(ingress.events.empty());
  EXPECT_TRUE(db.compliance().find_dnc(3, "+16465551234").value().has_value());
  EXPECT_EQ(post("e5", ""), 200);
}

}  // namespace
}  // namespace outdial::telephony::telnyx
