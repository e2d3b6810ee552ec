// Cross-provider conformance (issue #3 §5): the same scripted callees, dialed by the real dialer
// through the real Twilio driver + routes (against tools/twilio_emulator) and through the real
// Telnyx driver + routes (against tools/telnyx_emulator), over loopback on SQLite, must give the
// same normalized CallEvents, the same stored attempt outcome, the same do-not-call state and
// recordings, and what the callee heard must agree (bridged, voicemail after the beep, goodbye,
// opt-out confirmation). A second test sends the same inbound texts through both.
//
// What is normalized away, and why (inherent differences, not driver bugs):
//  - provider call ids, dedupe keys, sequence numbers and timestamps: each carrier's own
//    identifiers (Twilio SequenceNumber vs Telnyx occurred_at in microseconds);
//  - `detail` / failure_reason text: the carrier's own cause vocabulary ("sip:486" or
//    "twilio:<ErrorCode>" from Twilio's callback, "user_busy sip:486" from Telnyx's hangup_cause,
//    the REST error message of a refused dial); only its presence on an unanswered call is
//    compared;
//  - the pre-answer progress events: Twilio reports `ringing` (a status callback), Telnyx Call
//    Control has no ringing webhook for an outbound leg (call.initiated, then call.answered or
//    call.hangup), so `ringing` is dropped from both sequences before comparing. Every other
//    kind, and the order of the kinds, must match.
//  - time: the Twilio emulator runs in virtual time, the Telnyx emulator in (accelerated) real
//    time; the callee scripts are written per emulator so that the same things happen in the
//    same order (the AMD verdict before the callee's key or hang-up, and so on).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "integration/telnyx/telnyx_stack.hpp"
#include "integration/twilio/twilio_stack.hpp"
#include "outdial/telephony/sms/inbound_sms.hpp"

namespace outdial {
namespace {

// The callee's side of a scenario, provider-neutral.
enum class Callee {
  kPress1,
  kPress2,
  kWrongKeyThen2,
  kNoInput,
  kAmdUnsure,
  kMachine,
  kBusy,
  kNoAnswer,
  kFailed,
  kInvalid,
  kHangUp
};

struct Scenario {
  const char* name;
  Callee callee;
  std::string number;
};

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {
      {"press 1: bridged to the agent", Callee::kPress1, "+12125550201"},
      {"press 2: internal DNC, never called again", Callee::kPress2, "+12125550202"},
      {"wrong key, then 2 at the repeated menu", Callee::kWrongKeyThen2, "+12125550210"},
      {"no input: goodbye", Callee::kNoInput, "+12125550203"},
      {"AMD unsure: treated as a person", Callee::kAmdUnsure, "+12125550211"},
      {"answering machine: voicemail after the beep", Callee::kMachine, "+12125550204"},
      {"busy", Callee::kBusy, "+12125550205"},
      {"no answer", Callee::kNoAnswer, "+12125550206"},
      {"failed (number not found)", Callee::kFailed, "+12125550207"},
      {"invalid number (the dial is refused)", Callee::kInvalid, "+12125550209"},
      {"hang-up mid-call", Callee::kHangUp, "+12125550208"},
  };
  return all;
}

std::vector<std::string> all_numbers() {
  std::vector<std::string> out;
  for (const auto& s : scenarios()) out.push_back(s.number);
  return out;
}

const Scenario& scenario(Callee c) {
  for (const auto& s : scenarios())
    if (s.callee == c) return s;
  throw std::logic_error("no such scenario");
}

// What the callee experienced, as each emulator recorded it.
struct CalleeView {
  bool bridged_to_agent = false;
  bool voicemail_after_beep = false;   // the voicemail text started after the beep
  bool heard_goodbye = false;          // the no-input goodbye
  bool heard_opt_out_confirmation = false;
};

// One scenario's outcome through one provider, in provider-neutral terms.
struct Outcome {
  std::vector<std::string> events;  // normalized kinds in order (digits as "digits:<d>")
  std::string state;                // the stored attempt's final state
  std::string digits;
  bool machine = false;
  bool has_failure_reason = false;
  bool on_internal_dnc = false;
  bool carrier_rejected = false;    // on the tenant's list of numbers a carrier refused
  CalleeView callee;
  int calls_placed = 0;             // over both campaigns
  bool attempted_again = false;     // the second campaign made an attempt for the number
  int recordings = 0;               // call_recordings rows of the (recorded) first attempt
  bool recording_has_url = false;

  std::string str() const {
    std::ostringstream o;
    o << "events=[";
    for (std::size_t i = 0; i < events.size(); ++i) o << (i ? "," : "") << events[i];
    o << "] state=" << state << " digits='" << digits << "' machine=" << machine << " reason=" << has_failure_reason
      << " dnc=" << on_internal_dnc << " rejected=" << carrier_rejected << " bridged=" << callee.bridged_to_agent
      << " vm_after_beep=" << callee.voicemail_after_beep << " goodbye=" << callee.heard_goodbye
      << " optout_confirmed=" << callee.heard_opt_out_confirmation << " calls=" << calls_placed
      << " again=" << attempted_again << " recordings=" << recordings << " recording_url=" << recording_has_url;
    return o.str();
  }
};

// Inbound texts from one contact, in this order, through each carrier's messaging webhook.
const char* const kSmsContact = "+12125550300";
const std::vector<std::string>& sms_steps() {
  static const std::vector<std::string> steps = {"What time is my appointment?", "HELP", "please stop calling me",
                                                 "START", "STOP", "UNSTOP", "REVOKE",
                                                 "START", "STOP ALL"};
  return steps;
}

// What one inbound text did, provider-neutral. `confirmations`: opt-out confirmations the contact
// gets for this text, the carrier's own auto-reply (Twilio for its single-word keywords, Telnyx
// for its default list, "STOP ALL" included) plus ours: exactly one for every opt-out.
// `help_replies`: the same for HELP (Twilio answers it itself on long codes, Telnyx does not):
// exactly one. Our own help text is compared when we send it.
struct SmsOutcome {
  int status = 0;
  bool on_dnc = false;
  bool dnc_from_sms = false;
  int sms_consents = 0;  // unrevoked SMS consent records
  int confirmations = 0;
  int help_replies = 0;
  std::string our_help_reply;

  std::string str() const {
    std::ostringstream o;
    o << "status=" << status << " dnc=" << on_dnc << " dnc_from_sms=" << dnc_from_sms << " sms_consents=" << sms_consents
      << " confirmations=" << confirmations << " help_replies=" << help_replies;
    return o.str();
  }
};

std::vector<std::string> normalize(std::vector<CallEvent> events) {
  std::stable_sort(events.begin(), events.end(),
                   [](const CallEvent& a, const CallEvent& b) { return a.sequence < b.sequence; });
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e.kind == CallEventKind::kRinging) continue;  // Twilio only (see the header)
    out.push_back(e.kind == CallEventKind::kDigits ? "digits:" + e.digits : to_string(e.kind));
  }
  return out;
}

// One provider's stack behind the few operations the scenarios need.
class Rig {
 public:
  virtual ~Rig() = default;
  virtual std::string provider() const = 0;
  // Starts the stack with the scenarios' callees scripted.
  virtual void start() = 0;
  virtual void stop() = 0;
  // Creates and runs a campaign over `numbers` until its `attempts` attempts are terminal;
  // `recorded`: the campaign records its calls (record_calls).
  virtual CampaignId run_campaign(const std::vector<std::string>& numbers, int attempts, bool recorded) = 0;
  virtual storage::Database& db() = 0;
  virtual TenantId tenant() const = 0;
  virtual CalleeView callee(const std::string& provider_call_id) = 0;
  virtual int calls_to(const std::string& number) = 0;
  struct Texted {
    int status = 0;
    std::string our_reply;          // what outdial answered ("" = nothing)
    bool carrier_confirmed = false; // the carrier auto-confirmed an opt-out keyword
    bool carrier_helped = false;    // the carrier auto-answered a help keyword
  };
  // The contact texts `text` to the campaigns' caller ID.
  virtual Texted text(const std::string& from, const std::string& text) = 0;

  std::vector<SmsOutcome> run_sms() {
    std::vector<SmsOutcome> out;
    for (const auto& step : sms_steps()) {
      const Texted t = text(kSmsContact, step);
      SmsOutcome o;
      o.status = t.status;
      auto dnc = db().compliance().find_dnc(tenant(), kSmsContact);
      EXPECT_TRUE(dnc);
      o.on_dnc = dnc && dnc->has_value();
      o.dnc_from_sms = o.on_dnc && telephony::sms::is_sms_opt_out_source((**dnc).source);
      auto consents = db().compliance().consents_for(tenant(), kSmsContact);
      EXPECT_TRUE(consents);
      for (const auto& c : consents ? *consents : std::vector<ConsentRecord>{})
        o.sms_consents += (c.channel == Channel::kSms && !c.revoked_at) ? 1 : 0;
      const bool confirms = t.our_reply.find("you will not receive more calls or messages") != std::string::npos;
      o.confirmations = (t.carrier_confirmed ? 1 : 0) + (confirms ? 1 : 0);
      if (!confirms) o.our_help_reply = t.our_reply;
      o.help_replies = (t.carrier_helped ? 1 : 0) + (o.our_help_reply.empty() ? 0 : 1);
      // Each stack has its own tenant: its name is not what is compared.
      if (auto tn = db().tenants().get_tenant(tenant()); tn && !tn->name.empty()) {
        for (auto pos = o.our_help_reply.find(tn->name); pos != std::string::npos; pos = o.our_help_reply.find(tn->name))
          o.our_help_reply.replace(pos, tn->name.size(), "<business>");
      }
      out.push_back(o);
    }
    return out;
  }

  std::map<Callee, Outcome> collect(CampaignId first, CampaignId again) {
    std::map<Callee, Outcome> out;
    auto first_attempts = db().calls().list_attempts(tenant(), first, 0, 1000);
    auto again_attempts = db().calls().list_attempts(tenant(), again, 0, 1000);
    EXPECT_TRUE(first_attempts && again_attempts);
    if (!first_attempts || !again_attempts) return out;
    for (const auto& s : scenarios()) {
      Outcome o;
      for (const auto& a : *first_attempts) {
        if (a.to_number != s.number) continue;
        auto events = db().calls().events_for_call(provider(), a.provider_call_id);
        EXPECT_TRUE(events) << provider() << " " << s.name;
        if (events) o.events = normalize(*events);
        o.state = to_string(a.state);
        o.digits = a.digits;
        o.machine = a.answered_by_machine;
        o.has_failure_reason = !a.failure_reason.empty();
        o.callee = callee(a.provider_call_id);
        auto recs = db().calls().recordings_for_attempt(a.id);
        EXPECT_TRUE(recs) << provider() << " " << s.name;
        for (const auto& r : recs ? *recs : std::vector<storage::CallRecording>{}) {
          ++o.recordings;
          o.recording_has_url = o.recording_has_url || r.url.rfind("https://", 0) == 0;
        }
      }
      auto dnc = db().compliance().find_dnc(tenant(), s.number);
      EXPECT_TRUE(dnc);
      o.on_internal_dnc = dnc && dnc->has_value();
      auto rejected = db().compliance().find_rejected(tenant(), s.number, Channel::kVoice);
      EXPECT_TRUE(rejected);
      o.carrier_rejected = rejected && rejected->has_value();
      o.calls_placed = calls_to(s.number);
      for (const auto& a : *again_attempts) o.attempted_again = o.attempted_again || a.to_number == s.number;
      out[s.callee] = o;
    }
    return out;
  }
};

// ---- Twilio ------------------------------------------------------------------------------

class TwilioRig final : public Rig {
 public:
  std::string provider() const override { return "twilio"; }

  void start() override {
    stack_.set_up();
    namespace te = twilio_emulator;
    for (const auto& s : scenarios()) {
      te::CalleeBehaviour b;
      switch (s.callee) {
        case Callee::kPress1: b.digits = {"1"}; break;
        case Callee::kPress2: b.digits = {"2"}; break;
        case Callee::kWrongKeyThen2: b.digits = {"7", "2"}; break;
        case Callee::kNoInput: b.digits = {""}; break;
        case Callee::kAmdUnsure: b.amd_result = "unknown"; b.digits = {""}; break;
        case Callee::kMachine:
          b.answer = te::Answer::kMachine;
          b.greeting_seconds = 7;
          break;
        case Callee::kBusy: b.answer = te::Answer::kBusy; break;
        case Callee::kNoAnswer: b.answer = te::Answer::kNoAnswer; break;
        case Callee::kFailed: b.answer = te::Answer::kFailed; break;
        case Callee::kInvalid: b.reject_code = 21211; break;  // 400 "Invalid 'To' Phone Number"
        case Callee::kHangUp: b.hangup_after_seconds = 5; break;  // after AMD's verdict (2.5 s), in the greeting
      }
      stack_.emu_->set_behaviour(s.number, {b});
    }
  }
  void stop() override { stack_.tear_down(); }

  CampaignId run_campaign(const std::vector<std::string>& numbers, int /*attempts*/, bool recorded) override {
    // The stack keeps one contact list (made with the first campaign); later campaigns reuse it.
    const CampaignId id = stack_.make_campaign(numbers, [recorded](Campaign& c) {
      c.record_calls = recorded;
      c.max_attempts = 1;
      c.lines = 4;
      c.max_concurrency = 4;
    });
    if (!wired_) {
      stack_.wire();
      wired_ = true;
    }
    stack_.drive();
    return id;
  }
  storage::Database& db() override { return *stack_.db_; }
  TenantId tenant() const override { return stack_.tenant_; }

  CalleeView callee(const std::string& sid) override {
    CalleeView v;
    auto call = stack_.emu_->call(sid);
    if (!call) return v;
    for (const auto& b : call->bridges) v.bridged_to_agent = v.bridged_to_agent || b.number == itest::twilio::kAgent;
    for (const auto& u : call->spoken) {
      if (u.text.find("call us back to book") != std::string::npos) v.voicemail_after_beep = u.after_beep;
    }
    v.heard_goodbye = call->spoken_at("We did not receive a choice").has_value();
    v.heard_opt_out_confirmation = call->spoken_at("do not call list").has_value();
    return v;
  }
  int calls_to(const std::string& number) override { return static_cast<int>(stack_.emu_->calls_to(number).size()); }

  Texted text(const std::string& from, const std::string& body) override {
    stack_.emu_->set_sms_url(stack_.config_.public_base_url + "/twilio/sms");
    Texted t;
    auto status = stack_.emu_->inject_inbound_sms(from, itest::twilio::kCallerId, body);
    EXPECT_TRUE(status) << status.error().message;
    t.status = status ? *status : 0;
    const auto messages = stack_.emu_->messages();
    if (!messages.empty()) {
      // What Twilio itself answered (its keywords on this long code), then the webhook's TwiML.
      t.carrier_confirmed = messages.back().autoresponse == "opt_out";
      t.carrier_helped = messages.back().autoresponse == "help";
      // The TwiML answer's <Message> body, if any.
      const std::string& reply = messages.back().reply;
      const auto open = reply.find("<Message>"), close = reply.find("</Message>");
      if (open != std::string::npos && close != std::string::npos)
        t.our_reply = reply.substr(open + 9, close - open - 9);
    }
    return t;
  }

 private:
  itest::twilio::TwilioStack stack_;
  bool wired_ = false;
};

// ---- Telnyx ------------------------------------------------------------------------------

class ConformanceTelnyxStack final : public itest::telnyx::TelnyxStack {
 public:
  void configure(tools::telnyx::EmulatorOptions& o) override {
    for (const auto& s : scenarios()) {
      tools::telnyx::CalleeBehaviour b = o.script.default_callee;
      switch (s.callee) {
        case Callee::kPress1: b.digits = {"1"}; break;
        case Callee::kPress2: b.digits = {"2"}; break;
        case Callee::kWrongKeyThen2: b.digits = {"7", "2"}; break;
        case Callee::kNoInput: b.digits = {""}; break;
        case Callee::kAmdUnsure: b.amd_result = "not_sure"; b.digits = {""}; break;
        case Callee::kMachine: b.answer = "machine"; break;
        case Callee::kBusy: b.answer = "busy"; break;
        case Callee::kNoAnswer: b.answer = "no_answer"; break;
        case Callee::kFailed: b.answer = "failed"; break;
        case Callee::kInvalid: b.answer = "invalid"; break;  // 422 / 10015 on /to
        case Callee::kHangUp: b.hangup_after_ms = 1000; break;  // after AMD's verdict (300 ms), before a key
      }
      o.script.numbers[s.number] = b;
    }
  }
};

class TelnyxRig final : public Rig {
 public:
  std::string provider() const override { return "telnyx"; }
  void start() override { stack_.set_up(); }
  void stop() override { stack_.tear_down(); }

  CampaignId run_campaign(const std::vector<std::string>& numbers, int attempts, bool recorded) override {
    const CampaignId id = stack_.campaign("conformance-" + std::to_string(++made_), numbers, 4,
                                          [recorded](Campaign& c) { c.record_calls = recorded; });
    EXPECT_TRUE(stack_.run(id, attempts)) << stack_.emu_->calls_json();
    return id;
  }
  storage::Database& db() override { return *stack_.db_; }
  TenantId tenant() const override { return stack_.staff_.tenant_id; }

  CalleeView callee(const std::string& ccid) override {
    CalleeView v;
    const auto call = stack_.emulator_call(ccid);
    if (call.is_null()) return v;
    v.bridged_to_agent = call.value("transferred_to", "") == itest::telnyx::kAgent;
    constexpr auto kNone = static_cast<std::size_t>(-1);
    const auto beep = stack_.webhook_index(call, "call.machine.greeting.ended");
    // The voicemail is a speak that starts after the beep (the greeting is a gather_using_speak).
    bool speak_after_beep = false;
    for (std::size_t i = 0; beep != kNone && i < call["webhooks"].size(); ++i)
      speak_after_beep = speak_after_beep || (i > beep && call["webhooks"][i]["event_type"] == "call.speak.started");
    bool vm_said = false;
    for (const auto& s : call["spoken"]) {
      const std::string text = s.get<std::string>();
      vm_said = vm_said || text.find("call us back to book") != std::string::npos;
      v.heard_goodbye = v.heard_goodbye || text.find("We did not receive a choice") != std::string::npos;
      v.heard_opt_out_confirmation = v.heard_opt_out_confirmation || text.find("do not call list") != std::string::npos;
    }
    v.voicemail_after_beep = vm_said && speak_after_beep;
    return v;
  }
  int calls_to(const std::string& number) override {
    int n = 0;
    for (const auto& c : nlohmann::json::parse(stack_.emu_->calls_json())) n += c["to"] == number ? 1 : 0;
    return n;
  }

  Texted text(const std::string& from, const std::string& body) override {
    const auto before = nlohmann::json::parse(stack_.emu_->messages_json()).size();
    Texted t;
    auto status = stack_.emu_->inject_inbound_sms(stack_.webhook_url(), from, itest::telnyx::kCallerId, body);
    EXPECT_TRUE(status) << status.error().message;
    t.status = status ? *status : 0;
    const auto all = nlohmann::json::parse(stack_.emu_->messages_json());
    for (std::size_t i = before; i < all.size(); ++i) {
      const auto& m = all[i];
      if (m["direction"] == "inbound") {
        t.carrier_confirmed = m.value("autoresponse", "") == "opt_out";
        t.carrier_helped = m.value("autoresponse", "") == "help";
      }
      if (m["direction"] == "outbound" && m["to"][0]["phone_number"] == from) t.our_reply = m["text"];
    }
    return t;
  }

 private:
  ConformanceTelnyxStack stack_;
  int made_ = 0;
};

// ---- The scenarios -----------------------------------------------------------------------

struct RunResult {
  std::map<Callee, Outcome> calls;
  std::vector<SmsOutcome> texts;
};

RunResult run_all(Rig& rig) {
  rig.start();
  if (::testing::Test::HasFatalFailure()) return {};
  const auto numbers = all_numbers();
  const CampaignId first = rig.run_campaign(numbers, static_cast<int>(numbers.size()), /*recorded=*/true);
  // A later campaign over the same numbers: every number is dialed again but the two opted-out
  // ones and the one the carrier refused as invalid (CARRIER-REJECTED).
  const CampaignId again = rig.run_campaign(numbers, static_cast<int>(numbers.size()) - 3, /*recorded=*/false);
  RunResult out{rig.collect(first, again), rig.run_sms()};
  rig.stop();
  return out;
}

// What every provider must produce (beside producing the same as the others).
void expect_scenario(const std::string& provider, Callee c, const Outcome& o) {
  const std::string where = provider + ": " + scenario(c).name + " -> " + o.str();
  const bool answered = c == Callee::kPress1 || c == Callee::kPress2 || c == Callee::kWrongKeyThen2 ||
                        c == Callee::kNoInput || c == Callee::kAmdUnsure || c == Callee::kMachine ||
                        c == Callee::kHangUp;
  const bool opted_out = c == Callee::kPress2 || c == Callee::kWrongKeyThen2;
  EXPECT_EQ(o.calls_placed, c == Callee::kInvalid ? 0 : opted_out ? 1 : 2) << where;
  EXPECT_EQ(o.attempted_again, !opted_out && c != Callee::kInvalid) << where;
  EXPECT_EQ(o.on_internal_dnc, opted_out) << where;
  EXPECT_EQ(o.carrier_rejected, c == Callee::kInvalid) << where;
  EXPECT_EQ(o.machine, c == Callee::kMachine) << where;
  EXPECT_EQ(o.callee.bridged_to_agent, c == Callee::kPress1) << where;
  EXPECT_EQ(o.callee.voicemail_after_beep, c == Callee::kMachine) << where;
  EXPECT_EQ(o.callee.heard_goodbye, c == Callee::kNoInput || c == Callee::kAmdUnsure) << where;
  EXPECT_EQ(o.callee.heard_opt_out_confirmation, opted_out) << where;
  if (c == Callee::kInvalid) {
    // Refused at the dial (Twilio 21211, Telnyx 10015 on /to): no call, so no events; the
    // attempt fails at once, is not retried, and the number is recorded as rejected, so a later
    // campaign's gate blocks it (CARRIER-REJECTED) instead of dialing it again.
    EXPECT_TRUE(o.events.empty()) << where;
    EXPECT_EQ(o.state, "failed") << where;
    EXPECT_TRUE(o.has_failure_reason) << where;
    EXPECT_EQ(o.recordings, 0) << where;
    return;
  }
  ASSERT_FALSE(o.events.empty()) << where;
  EXPECT_EQ(o.events.front(), "initiated") << where;
  switch (c) {
    case Callee::kPress1:
    case Callee::kPress2:
      EXPECT_EQ(o.digits, c == Callee::kPress1 ? "1" : "2") << where;
      break;
    case Callee::kWrongKeyThen2: EXPECT_EQ(o.digits, "72") << where; break;
    case Callee::kBusy: EXPECT_EQ(o.state, "busy") << where; break;
    case Callee::kNoAnswer: EXPECT_EQ(o.state, "no_answer") << where; break;
    case Callee::kFailed: EXPECT_EQ(o.state, "failed") << where; break;
    default: EXPECT_EQ(o.digits, "") << where; break;
  }
  // The first campaign records its calls: one recording (with its URL) per answered call.
  EXPECT_EQ(o.recordings, answered ? 1 : 0) << where;
  EXPECT_EQ(o.recording_has_url, answered) << where;
  if (answered) {
    EXPECT_EQ(o.state, "completed") << where;
    EXPECT_EQ(o.events.back(), "completed") << where;
    EXPECT_EQ(o.events.at(1), c == Callee::kMachine ? "answered_machine" : "answered_human") << where;
    EXPECT_FALSE(o.has_failure_reason) << where;
  } else {
    EXPECT_EQ(o.events.back(), o.state) << where;
    EXPECT_TRUE(o.has_failure_reason) << where;
  }
}

class ProviderConformance : public ::testing::Test {
 protected:
  // Both providers once per test binary (each run dials every scenario through its emulator).
  static void SetUpTestSuite() {
    TwilioRig twilio;
    twilio_ = new RunResult(run_all(twilio));
    TelnyxRig telnyx;
    telnyx_ = new RunResult(run_all(telnyx));
  }
  static void TearDownTestSuite() {
    delete twilio_;
    delete telnyx_;
  }
  static RunResult* twilio_;
  static RunResult* telnyx_;
};
RunResult* ProviderConformance::twilio_ = nullptr;
RunResult* ProviderConformance::telnyx_ = nullptr;

TEST_F(ProviderConformance, TheSameCalleesGiveTheSameEventsOutcomesAndDncThroughTwilioAndTelnyx) {
  const auto& tw = twilio_->calls;
  const auto& tx = telnyx_->calls;
  ASSERT_EQ(tw.size(), scenarios().size());
  ASSERT_EQ(tx.size(), scenarios().size());
  for (const auto& s : scenarios()) {
    const Outcome& a = tw.at(s.callee);
    const Outcome& b = tx.at(s.callee);
    SCOPED_TRACE(s.name);
    expect_scenario("twilio", s.callee, a);
    expect_scenario("telnyx", s.callee, b);
    EXPECT_EQ(a.str(), b.str()) << "twilio and telnyx differ on: " << s.name;
    RecordProperty(s.name, a.str());
  }
}

TEST_F(ProviderConformance, TheSameInboundTextsHaveTheSameEffectThroughTwilioAndTelnyx) {
  const auto& tw = twilio_->texts;
  const auto& tx = telnyx_->texts;
  ASSERT_EQ(tw.size(), sms_steps().size());
  ASSERT_EQ(tx.size(), sms_steps().size());
  for (std::size_t i = 0; i < sms_steps().size(); ++i) {
    const std::string& text = sms_steps()[i];
    SCOPED_TRACE(text);
    EXPECT_EQ(tw[i].str(), tx[i].str()) << "twilio and telnyx differ on the text '" << text << "'";
    // Telnyx does not answer HELP: our help text is the reply (Twilio's is its own).
    if (text == "HELP") {
      EXPECT_EQ(tx[i].our_help_reply, "<business>: reply STOP to stop messages and calls from us.");
    }
    RecordProperty("text: " + text, tw[i].str());
    for (const auto* o : {&tw[i], &tx[i]}) {
      EXPECT_EQ(o->status, 200) << o->str();
      const bool opt_out =
          text == "please stop calling me" || text == "STOP" || text == "REVOKE" || text == "STOP ALL";
      EXPECT_EQ(o->on_dnc, opt_out) << o->str();  // each opt-out follows an opt-in
      EXPECT_EQ(o->dnc_from_sms, opt_out) << o->str();
      EXPECT_EQ(o->confirmations, opt_out ? 1 : 0) << o->str();
      EXPECT_EQ(o->help_replies, text == "HELP" ? 1 : 0) << o->str();
    }
  }
  // START and UNSTOP each left an SMS consent; the REVOKE at the end revoked them all.
  EXPECT_EQ(tw[3].sms_consents, 1);
  EXPECT_EQ(tw[5].sms_consents, 1);
  EXPECT_EQ(tw[6].sms_consents, 0);
  EXPECT_EQ(tw.back().sms_consents, 0);
}

}  // namespace
}  // namespace outdial
