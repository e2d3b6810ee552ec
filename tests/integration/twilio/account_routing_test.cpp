// Calls go out through the Twilio account that owns their From number (issue #3 §3): two
// tenants with their own Twilio accounts, each an in-process emulator with its own SID and auth
// token, and a third tenant without accounts that uses the install's configured account (a third
// emulator). The real dialer, the real routes and app::AccountRoutedProvider, over loopback.
#include <gtest/gtest.h>

#include <set>

#include "integration/provider_accounts.hpp"
#include "integration/twilio/routed_stack.hpp"

namespace outdial {
namespace {

using namespace outdial::twilio_emulator;
using namespace outdial::twilio_emulator::testing;
using itest::twilio::kCallerId;

const char* kSidA = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";
const char* kTokenA = "token-of-tenant-a-0001";
const char* kSidB = "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2";
const char* kTokenB = "token-of-tenant-b-0002";
const char* kNumA = "+13125550100";
const char* kNumB = "+14155550100";

const std::string kHumanA = "+12125550301";
const std::string kMachineA = "+12125550302";
const std::string kHumanB = "+12125550401";
const std::string kHumanC = "+12125550201";

using itest::test_vault;

class AccountRoutingTest : public ::testing::Test, protected itest::twilio::RoutedTwilioStack {
 protected:
  AccountRoutingTest() : RoutedTwilioStack('k') {}

  void SetUp() override {
    set_up();
    ASSERT_FALSE(HasFatalFailure());
    // The configured account (tenant C, no accounts of its own) owns only the configured caller ID.
    emu_->stop();
    auto opts = test_options();
    opts.owned_numbers = {kCallerId};
    emu_ = std::make_unique<TwilioEmulator>(opts, sched_, *http_, Script{});
    ASSERT_TRUE(emu_->start().ok());
    config_.api_base = emu_->base_url();
    emu_a_ = start_emulator(kSidA, kTokenA, kNumA, 11);
    emu_b_ = start_emulator(kSidB, kTokenB, kNumB, 12);
    ASSERT_TRUE(emu_a_ && emu_b_);
    tenant_c_ = tenant_;
    tenant_a_ = add_tenant_with_account("Bright Smiles", kSidA, kTokenA, emu_a_->base_url(), kNumA);
    tenant_b_ = add_tenant_with_account("Clear Vision", kSidB, kTokenB, emu_b_->base_url(), kNumB);
  }
  void TearDown() override {
    if (emu_a_) emu_a_->stop();
    if (emu_b_) emu_b_->stop();
    tear_down();
    routed_.reset();
  }

  std::unique_ptr<TwilioEmulator> start_emulator(const std::string& sid, const std::string& token,
                                                 const std::string& owned, std::uint64_t seed) {
    EmulatorOptions o = test_options();
    o.account_sid = sid;
    o.auth_token = token;
    o.owned_numbers = {owned};
    o.seed = seed;
    auto emu = std::make_unique<TwilioEmulator>(o, sched_, *http_, Script{});
    EXPECT_TRUE(emu->start().ok());
    return emu;
  }

  TenantId add_tenant_with_account(const std::string& name, const std::string& sid, const std::string& token,
                                   const std::string& api_base, const std::string& number) {
    auto t = db_->tenants().create_tenant(Tenant{0, name, "US", true, "", t0()});
    EXPECT_TRUE(t);
    ProviderAccount a;
    a.tenant_id = t->id;
    a.provider = ProviderKind::kTwilio;
    a.name = name + " Twilio";
    a.account_sid = sid;
    a.api_base = api_base;
    itest::add_owned_account(*db_, vault_, a, {{"auth_token", token}}, number, t0());
    return t->id;
  }

  CampaignId campaign_for(TenantId tenant, const std::vector<std::string>& numbers, const std::string& from) {
    tenant_ = tenant;
    staff_ = Actor{1, tenant, Role::kOperatorAdmin, "user:1"};
    list_ = 0;
    return make_campaign(numbers, [&](Campaign& d) {
      d.caller_id = from;
      d.retry.machine = RetryRule{1, 240};
    });
  }

  void wire_routed() {
    dialer::CallerIdDirectory dir;
    dir.owned = {{tenant_a_, {kNumA}}, {tenant_b_, {kNumB}}, {tenant_c_, {kCallerId}}};
    wire_routed_dialer(std::move(dir));
    finish_wiring();
  }

  // Tenant A's one-contact campaign dialed to its end through A's account; `out` = its attempt.
  void dial_one_call_of_a(CallAttempt& out) {
    const CampaignId ca = campaign_for(tenant_a_, {kHumanA}, kNumA);
    wire_routed();
    ASSERT_FALSE(HasFatalFailure());
    drive_all();
    tenant_ = tenant_a_;
    auto as = attempts(ca);
    ASSERT_EQ(as.size(), 1u);
    out = as[0];
    ASSERT_FALSE(out.provider_call_id.empty());
  }

  void drive_all(Millis limit = std::chrono::hours(8)) { drive_over({emu_.get(), emu_a_.get(), emu_b_.get()}, limit); }

  static void expect_webhooks_accepted(const TwilioEmulator& emu, const char* which) {
    EXPECT_FALSE(emu.webhooks().empty()) << which;
    for (const auto& w : emu.webhooks()) EXPECT_LT(w.http_status, 300) << which << ": " << w.kind << " " << w.url;
  }

  std::unique_ptr<TwilioEmulator> emu_a_;
  std::unique_ptr<TwilioEmulator> emu_b_;
  TenantId tenant_a_ = 0;
  TenantId tenant_b_ = 0;
  TenantId tenant_c_ = 0;
};

TEST_F(AccountRoutingTest, EachTenantsCallsGoThroughItsOwnAccountAndItsWebhooksAreAccepted) {
  emu_a_->set_behaviour(kMachineA, {CalleeBehaviour{.answer = Answer::kMachine, .greeting_seconds = 7}});
  const CampaignId ca = campaign_for(tenant_a_, {kHumanA, kMachineA}, kNumA);
  const CampaignId cb = campaign_for(tenant_b_, {kHumanB}, kNumB);
  const CampaignId cc = campaign_for(tenant_c_, {kHumanC}, kCallerId);
  wire_routed();
  ASSERT_FALSE(HasFatalFailure());
  drive_all();

  // Each account's emulator accepted (Basic auth with that account's SID and token, From owned
  // by that account) exactly its tenant's calls.
  auto calls_a = emu_a_->calls();
  auto calls_b = emu_b_->calls();
  auto calls_c = emu_->calls();
  ASSERT_EQ(calls_a.size(), 2u);
  ASSERT_EQ(calls_b.size(), 1u);
  ASSERT_EQ(calls_c.size(), 1u);
  std::set<std::string> to_a;
  for (const auto& c : calls_a) {
    EXPECT_EQ(c.from, kNumA);
    to_a.insert(c.to);
  }
  EXPECT_EQ(to_a, (std::set<std::string>{kHumanA, kMachineA}));
  EXPECT_EQ(calls_b[0].from, kNumB);
  EXPECT_EQ(calls_b[0].to, kHumanB);
  EXPECT_EQ(calls_c[0].from, kCallerId);
  EXPECT_EQ(calls_c[0].to, kHumanC);
  EXPECT_EQ(routed_->account_drivers(), 2u);

  // Every callback (signed by its own account) was accepted and stored.
  expect_webhooks_accepted(*emu_a_, "tenant A's account");
  expect_webhooks_accepted(*emu_b_, "tenant B's account");
  expect_webhooks_accepted(*emu_, "the configured account");
  for (const auto& w : warnings()) EXPECT_EQ(w.find("rejected"), std::string::npos) << w;

  auto check = [&](CampaignId c, TenantId t, const std::vector<EmulatedCall>& calls) {
    tenant_ = t;
    auto as = attempts(c);
    ASSERT_EQ(as.size(), calls.size());
    for (const auto& a : as) {
      EXPECT_TRUE(is_terminal(a.state)) << a.to_number;
      bool found = false;
      for (const auto& call : calls) found = found || call.sid == a.provider_call_id;
      EXPECT_TRUE(found) << a.to_number << " " << a.provider_call_id;
      EXPECT_GT(events_of(a.provider_call_id), 0u);
      if (a.to_number == kMachineA) {
        EXPECT_TRUE(a.answered_by_machine);
      } else {
        EXPECT_EQ(a.state, CallState::kCompleted) << a.to_number;
      }
    }
  };
  check(ca, tenant_a_, calls_a);
  check(cb, tenant_b_, calls_b);
  check(cc, tenant_c_, calls_c);
  // The machine's call was redirected to the voicemail drop through tenant A's account.
  for (const auto& c : calls_a) {
    if (c.to == kMachineA) {
      EXPECT_NE(c.voicemail().find("Bright Smiles"), std::string::npos) << c.voicemail();
    }
  }
}

TEST_F(AccountRoutingTest, ACallbackSignedWithAnotherAccountsTokenIsRefused) {
  CallAttempt a;
  dial_one_call_of_a(a);
  ASSERT_FALSE(HasFatalFailure());
  const std::size_t events_before = events_of(a.provider_call_id);
  const std::string url = config_.public_base_url + "/twilio/status/" + std::to_string(a.id);
  auto params = [&](const std::string& sid) {
    return Params{{"AccountSid", sid}, {"CallSid", a.provider_call_id}, {"CallStatus", "busy"},
                  {"SequenceNumber", "9"}};
  };
  auto post = [&](const std::string& sid, const std::string& token) {
    auto p = params(sid);
    auto r = post_to_outdial(url, p, telephony::twilio::compute_signature(token, url, p));
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->status : 0;
  };
  EXPECT_EQ(post(kSidA, kTokenB), 403);  // tenant A's SID, tenant B's token
  EXPECT_EQ(post(kSidA, kToken), 403);   // tenant A's SID, the configured account's token
  EXPECT_EQ(post(kSidB, kTokenA), 403);  // tenant B's SID, tenant A's token
  EXPECT_EQ(post("AC0000000000000000000000000000dead", "some-token"), 403);  // not an account of ours
  EXPECT_EQ(post("AC0000000000000000000000000000dead", kTokenA), 403);
  // Validly signed, but by accounts that did not place this call.
  EXPECT_EQ(post(kSidB, kTokenB), 403);  // tenant B's own account
  EXPECT_EQ(post(kSid, kToken), 403);    // the configured account
  EXPECT_EQ(events_of(a.provider_call_id), events_before);
  auto after = db_->calls().get_attempt(a.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state, a.state);
  // The control: the same callback signed with the right account's token is taken (a duplicate
  // the dialer folds harmlessly: the attempt has already ended).
  EXPECT_EQ(post(kSidA, kTokenA), 200);
}

// A SID registered by two tenants (possible before the API refused it): the first one by id used
// to verify every callback naming it, so a tenant registering another's SID with its own token
// before the other onboarded could sign that tenant's callbacks. Now no callback naming an
// ambiguous SID verifies (403) until an operator removes the duplicate.
TEST_F(AccountRoutingTest, ASidRegisteredByTwoTenantsVerifiesNoCallback) {
  const char* kSidE = "ACeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee5";
  add_tenant_with_account("Early Bird", kSidE, "token-of-the-early-copycat", emu_a_->base_url(), "+13125550901");
  add_tenant_with_account("Late Owner", kSidE, "token-of-the-real-owner", emu_a_->base_url(), "+13125550902");
  add_tenant_with_account("Copycat", kSidA, "token-of-copycat-of-a", emu_a_->base_url(), "+13125550903");
  const CampaignId ca = campaign_for(tenant_a_, {kHumanA}, kNumA);
  wire_routed();
  ASSERT_FALSE(HasFatalFailure());
  for (const char* sid : {kSidE, kSidA}) {
    auto token = routed_->auth_token(sid);
    ASSERT_FALSE(token) << sid << ": verified with " << token->value_or("(none)");
    EXPECT_EQ(token.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(token.error().message.find("token-of"), std::string::npos);
  }
  auto b = routed_->auth_token(kSidB);  // unambiguous: unchanged
  ASSERT_TRUE(b && b->has_value());
  EXPECT_EQ(**b, kTokenB);

  drive_all();
  tenant_ = tenant_a_;
  auto as = attempts(ca);
  ASSERT_EQ(as.size(), 1u);
  const CallAttempt a = as[0];
  const std::size_t events_before = events_of(a.provider_call_id);
  const std::string url = config_.public_base_url + "/twilio/status/" + std::to_string(a.id);
  Params p{{"AccountSid", kSidA}, {"CallSid", a.provider_call_id}, {"CallStatus", "busy"}, {"SequenceNumber", "9"}};
  for (const char* token : {"token-of-copycat-of-a", kTokenA}) {
    auto r = post_to_outdial(url, p, telephony::twilio::compute_signature(token, url, p));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 403) << token;
  }
  EXPECT_EQ(events_of(a.provider_call_id), events_before);
}

TEST_F(AccountRoutingTest, AfterARestartCallControlStillGoesToTheAccountThatPlacedTheCall) {
  CallAttempt placed;
  dial_one_call_of_a(placed);
  ASSERT_FALSE(HasFatalFailure());
  const std::string sid = placed.provider_call_id;

  // A new process: no call -> account memory; the attempt's From number names the account.
  app::AccountRoutedProvider fresh(*provider_, db_->accounts(), db_->calls(), &vault_, *http_, sched_);
  fresh.set_event_ingress(&ingress_);
  EXPECT_TRUE(fresh.reconcile(sid)) << "the call is only known to tenant A's account";
  EXPECT_TRUE(fresh.hangup(sid));  // already completed: success on the account that has it
  telephony::CallLookup lookup(placed.idempotency_key);
  lookup.to = placed.to_number;
  lookup.from = placed.from_number;
  lookup.placed_after = placed.created_at;
  lookup.tenant_id = tenant_a_;
  auto found = fresh.find_call(lookup);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, sid);
  // The configured account does not know that call.
  EXPECT_FALSE(provider_->reconcile(sid));
  fresh.set_event_ingress(nullptr);
}

TEST_F(AccountRoutingTest, AnAccountWhoseCredentialsCannotBeOpenedIsNeverReplacedByTheConfiguredOne) {
  wire_routed();
  ASSERT_FALSE(HasFatalFailure());
  auto other_key = test_vault('x');
  app::AccountRoutedProvider wrong_key(*provider_, db_->accounts(), db_->calls(), &other_key, *http_, sched_);
  telephony::DialRequest req;
  req.idempotency_key = "manual:1";
  req.attempt_id = 999;
  req.tenant_id = tenant_a_;
  req.from = kNumA;
  req.to = kHumanA;
  auto r = wrong_key.place_call(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.error().message.find(kTokenA), std::string::npos);
  EXPECT_TRUE(emu_->calls().empty());
  EXPECT_TRUE(emu_a_->calls().empty());
  // Its webhooks are not ours either: the configured token is the only key then.
  auto token = wrong_key.auth_token(kSidA);
  ASSERT_TRUE(token);
  EXPECT_FALSE(token->has_value());
  auto right = routed_->auth_token(kSidA);
  ASSERT_TRUE(right);
  ASSERT_TRUE(right->has_value());
}

// Staff disable tenant A's account: no new call goes out through it, but Twilio still signs the
// callbacks of the calls it placed, and the texts its numbers receive, with A's token. Those were
// verified with the configured account's token instead (403), so a live call's outcome waited for
// reconcile and a STOP texted to A's number was lost (Twilio does not retry inbound SMS).
TEST_F(AccountRoutingTest, ADisabledAccountsCallbacksAndInboundTextsStillVerify) {
  CallAttempt a;
  dial_one_call_of_a(a);
  ASSERT_FALSE(HasFatalFailure());

  auto accounts = db_->accounts().list_accounts(tenant_a_);
  ASSERT_TRUE(accounts);
  ASSERT_EQ(accounts->size(), 1u);
  ProviderAccount acct = (*accounts)[0];
  acct.status = AccountStatus::kDisabled;
  ASSERT_TRUE(db_->accounts().update_account(acct));

  auto token = routed_->auth_token(kSidA);
  ASSERT_TRUE(token) << token.error().message;
  ASSERT_TRUE(token->has_value()) << "a disabled account's callbacks would be checked against the configured token";
  EXPECT_EQ(**token, kTokenA);

  const std::string status_url = config_.public_base_url + "/twilio/status/" + std::to_string(a.id);
  Params st{{"AccountSid", kSidA}, {"CallSid", a.provider_call_id}, {"CallStatus", "completed"},
            {"SequenceNumber", "9"}};
  auto r = post_to_outdial(status_url, st, telephony::twilio::compute_signature(kTokenA, status_url, st));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  // Still only A's own token: another tenant's token for A's SID is refused.
  r = post_to_outdial(status_url, st, telephony::twilio::compute_signature(kTokenB, status_url, st));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 403);

  const std::string sms_url = config_.public_base_url + "/twilio/sms";
  Params stop{{"AccountSid", kSidA}, {"MessageSid", "SM0000000000000000000000000000stop"}, {"From", kHumanA},
              {"To", kNumA}, {"Body", "STOP"}};
  Params forged{{"AccountSid", kSidA}, {"MessageSid", "SM000000000000000000000000000forged"}, {"From", kHumanA},
                {"To", kNumA}, {"Body", "STOP"}};
  r = post_to_outdial(sms_url, forged, telephony::twilio::compute_signature(kTokenB, sms_url, forged));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 403);
  auto dnc = db_->compliance().find_dnc(tenant_a_, kHumanA);
  ASSERT_TRUE(dnc);
  EXPECT_FALSE(dnc->has_value()) << "a forged STOP changed nothing";
  r = post_to_outdial(sms_url, stop, telephony::twilio::compute_signature(kTokenA, sms_url, stop));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  dnc = db_->compliance().find_dnc(tenant_a_, kHumanA);
  ASSERT_TRUE(dnc);
  EXPECT_TRUE(dnc->has_value()) << "the STOP texted to the disabled account's number was not honoured";
}


// A tenant rotates A's token by adding a new account with the same SID and disabling the old one:
// the active account's token signs (the disabled one's old token made the SID ambiguous: every
// callback and inbound text 403).
TEST_F(AccountRoutingTest, ARotatedTokenWithTheOldAccountDisabledVerifiesWithTheNewToken) {
  wire_routed();
  ASSERT_FALSE(HasFatalFailure());
  auto accounts = db_->accounts().list_accounts(tenant_a_);
  ASSERT_TRUE(accounts);
  ASSERT_EQ(accounts->size(), 1u);
  ProviderAccount old = (*accounts)[0];
  ProviderAccount fresh;
  fresh.tenant_id = tenant_a_;
  fresh.provider = ProviderKind::kTwilio;
  fresh.name = "Bright Smiles Twilio (rotated)";
  fresh.account_sid = kSidA;
  fresh.api_base = old.api_base;
  itest::add_owned_account(*db_, vault_, fresh, {{"auth_token", "rotated-token-of-a"}}, "+13125550904", t0());
  old.status = AccountStatus::kDisabled;
  ASSERT_TRUE(db_->accounts().update_account(old));
  auto token = routed_->auth_token(kSidA);
  ASSERT_TRUE(token) << token.error().message;
  ASSERT_TRUE(token->has_value());
  EXPECT_EQ(**token, "rotated-token-of-a");
}
}  // namespace
}  // namespace outdial
