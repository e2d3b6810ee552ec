#include "outdial/api/facts_json.hpp"
#include "outdial/api/json_mapping.hpp"

#include <gtest/gtest.h>

namespace outdial::api {
namespace {

using nlohmann::json;
namespace c = outdial::compliance;

json full() {
  return json::parse(R"({
    "phone": "+14155550123",
    "stated_timezone": "America/Los_Angeles",
    "stated_state": "CA",
    "at": "2026-11-22T18:30:00Z",
    "channel": "voice",
    "purpose": "reactivation",
    "voice": "ai",
    "line_type": "wireless",
    "autodialed": false,
    "consents": [
      {"type": "prior_express_written", "channel": "voice", "covers_artificial_voice": true,
       "source": "web form", "evidence": "form-17", "granted_at": "2026-01-02T03:04:05Z"},
      {"type": "ebr", "ebr_kind": "purchase", "ebr_start": "2025-12-01T00:00:00Z",
       "granted_at": "2025-12-01T00:00:00Z", "revoked_at": "2026-02-01T00:00:00-05:00", "phone": "+14155550199"}
    ],
    "on_internal_dnc": true,
    "on_national_dnc": true,
    "national_dnc_loaded_at": "2026-11-01T00:00:00Z",
    "opt_outs": [{"at": "2026-03-01T10:00:00Z", "channel": "sms", "text": "STOP"}],
    "reassigned": "no_data",
    "prior_attempts": [{"at": "2026-11-21T18:00:00Z", "channel": "voice", "subject": "spring"}],
    "subject": "spring",
    "campaign": {"status": "active", "activated_by_staff": true, "schedule_start": "2026-11-01T00:00:00Z",
                 "schedule_end": null, "expires_at": "2026-12-31T00:00:00Z", "max_attempts": 3,
                 "min_spacing_minutes": 60, "daily_limit": 100, "attempts_today": 12},
    "dropped_call_at": "2026-11-22T18:29:00Z",
    "callback_window_minutes": 5,
    "caller_id": "+14155550000",
    "caller_id_owned": true,
    "recording": true,
    "recording_disclosure": true,
    "ring_timeout_seconds": 20,
    "state_emergency": true
  })");
}

TEST(FactsJsonTest, ParsesEveryField) {
  auto f = facts_from_json(full());
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->phone_e164, "+14155550123");
  EXPECT_EQ(f->stated_timezone, "America/Los_Angeles");
  EXPECT_EQ(f->stated_state, "CA");
  EXPECT_EQ(format_iso8601(f->at), "2026-11-22T18:30:00.000Z");
  EXPECT_EQ(f->channel, Channel::kVoice);
  EXPECT_EQ(f->purpose, Purpose::kReactivation);
  EXPECT_EQ(f->voice, VoiceType::kAi);
  EXPECT_EQ(f->line_type, LineType::kWireless);
  EXPECT_FALSE(f->autodialed);
  ASSERT_EQ(f->consents.size(), 2u);
  EXPECT_EQ(f->consents[0].type, ConsentType::kPriorExpressWritten);
  EXPECT_EQ(f->consents[0].channel, Channel::kVoice);
  EXPECT_TRUE(f->consents[0].covers_artificial_voice);
  EXPECT_EQ(f->consents[0].phone_e164, "+14155550123");  // defaults to the attempt's number
  EXPECT_EQ(f->consents[0].evidence, "form-17");
  EXPECT_EQ(f->consents[1].type, ConsentType::kEstablishedBusinessRelationship);
  EXPECT_EQ(f->consents[1].ebr_kind, EbrKind::kPurchase);
  ASSERT_TRUE(f->consents[1].revoked_at.has_value());
  EXPECT_EQ(format_iso8601(*f->consents[1].revoked_at), "2026-02-01T05:00:00.000Z");
  EXPECT_EQ(f->consents[1].phone_e164, "+14155550199");
  EXPECT_FALSE(f->consents[1].channel.has_value());
  EXPECT_TRUE(f->on_internal_dnc);
  EXPECT_TRUE(f->on_national_dnc);
  EXPECT_TRUE(f->national_dnc_loaded_at.has_value());
  ASSERT_EQ(f->opt_outs.size(), 1u);
  EXPECT_EQ(f->opt_outs[0].channel, Channel::kSms);
  EXPECT_EQ(f->opt_outs[0].text, "STOP");
  EXPECT_EQ(f->reassigned, c::ReassignedStatus::kNoData);
  ASSERT_EQ(f->prior_attempts.size(), 1u);
  EXPECT_EQ(f->prior_attempts[0].subject, "spring");
  EXPECT_EQ(f->subject, "spring");
  EXPECT_TRUE(f->campaign.present);
  EXPECT_EQ(f->campaign.status, CampaignStatus::kActive);
  EXPECT_TRUE(f->campaign.activated_by_staff);
  EXPECT_TRUE(f->campaign.schedule_start.has_value());
  EXPECT_FALSE(f->campaign.schedule_end.has_value());
  EXPECT_EQ(f->campaign.max_attempts, 3);
  EXPECT_EQ(f->campaign.attempts_today, 12);
  EXPECT_TRUE(f->dropped_call_at.has_value());
  EXPECT_EQ(f->callback_window_minutes, 5);
  EXPECT_EQ(f->caller_id, "+14155550000");
  EXPECT_TRUE(f->caller_id_owned);
  EXPECT_TRUE(f->recording);
  EXPECT_TRUE(f->recording_disclosure);
  EXPECT_EQ(f->ring_timeout_seconds, 20);
  EXPECT_TRUE(f->state_emergency);
}

TEST(FactsJsonTest, MinimalUsesDefaults) {
  auto f = facts_from_json({{"phone", "+14155550123"}, {"at", "2026-11-22T18:30Z"}});
  ASSERT_TRUE(f.ok()) << f.error().message;
  const c::AttemptFacts d;
  EXPECT_EQ(f->purpose, d.purpose);
  EXPECT_EQ(f->voice, d.voice);
  EXPECT_TRUE(f->autodialed);
  EXPECT_FALSE(f->campaign.present);
  EXPECT_EQ(f->ring_timeout_seconds, 30);
}

TEST(FactsJsonTest, RoundTripsThroughFactsToJson) {
  auto f = facts_from_json(full());
  ASSERT_TRUE(f.ok());
  auto again = facts_from_json(facts_to_json(*f));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(facts_to_json(*again), facts_to_json(*f));
}

struct BadCase {
  const char* pointer;  // JSON pointer to overwrite
  json value;
  const char* field;  // expected details.field
};

TEST(FactsJsonTest, EachBadFieldIsNamed) {
  const BadCase cases[] = {
      {"/phone", "4155550123", "phone"},
      {"/phone", 12, "phone"},
      {"/at", "yesterday", "at"},
      {"/at", "2026-13-01T00:00:00Z", "at"},
      {"/at", "2026-11-22T18:30:00", "at"},  // no zone: whose 18:30? refused
      {"/channel", "fax", "channel"},
      {"/purpose", "spam", "purpose"},
      {"/voice", "robot", "voice"},
      {"/line_type", "pager", "line_type"},
      {"/autodialed", "yes", "autodialed"},
      {"/consents/1/type", "verbal", "consents[1].type"},
      {"/consents/0/granted_at", "soon", "consents[0].granted_at"},
      {"/consents/0/channel", "fax", "consents[0].channel"},
      {"/consents/1/ebr_kind", "friendship", "consents[1].ebr_kind"},
      {"/consents/0/surprise", 1, "consents[0].surprise"},
      {"/consents", "none", "consents"},
      {"/opt_outs/0/at", 5, "opt_outs[0].at"},
      {"/opt_outs/0/channel", "pigeon", "opt_outs[0].channel"},
      {"/reassigned", "maybe", "reassigned"},
      {"/prior_attempts/0/at", "x", "prior_attempts[0].at"},
      {"/campaign/status", "running", "campaign.status"},
      {"/campaign/max_attempts", -1, "campaign.max_attempts"},
      {"/campaign/expires_at", "never", "campaign.expires_at"},
      {"/campaign", 3, "campaign"},
      {"/dropped_call_at", "x", "dropped_call_at"},
      {"/ring_timeout_seconds", 1.5, "ring_timeout_seconds"},
      {"/ring_timeout_seconds", json(std::uint64_t{18446744073709551615ULL}), "ring_timeout_seconds"},  // no wrap
      {"/national_dnc_loaded_at", "x", "national_dnc_loaded_at"},
      {"/unexpected", true, "unexpected"},
  };
  for (const auto& bc : cases) {
    json j = full();
    j[json::json_pointer(bc.pointer)] = bc.value;
    auto f = facts_from_json(j);
    ASSERT_FALSE(f.ok()) << bc.pointer;
    EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(f.error().details.count("field") ? f.error().details.at("field") : "", bc.field)
        << bc.pointer << ": " << f.error().message;
  }
}

TEST(FactsJsonTest, MissingRequiredFields) {
  auto f = facts_from_json({{"at", "2026-11-22T18:30:00Z"}});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().details.at("field"), "phone");
  f = facts_from_json({{"phone", "+14155550123"}});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().details.at("field"), "at");
  f = facts_from_json(json::array());
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().details.at("field"), "$");
}

TEST(FactsJsonTest, DecisionToJson) {
  c::Decision d{c::Verdict::kDefer, "FED-TIME", "outside 08:00-21:00 local",
                from_epoch_ms(1'795'000'000'000)};
  auto j = decision_to_json(d);
  EXPECT_EQ(j["decision"], "defer");
  EXPECT_EQ(j["rule"], "FED-TIME");
  EXPECT_EQ(j["reason"], "outside 08:00-21:00 local");
  EXPECT_EQ(j["allowed_at"], format_iso8601(from_epoch_ms(1'795'000'000'000)));
  j = decision_to_json(c::Decision{c::Verdict::kAllow, "OK", "ok", std::nullopt});
  EXPECT_EQ(j["decision"], "allow");
  EXPECT_TRUE(j["allowed_at"].is_null());
  EXPECT_EQ(decision_to_json(c::Decision{c::Verdict::kBlock, "DNC-INTERNAL", "x", std::nullopt})["decision"],
            "block");
}

}  // namespace
}  // namespace outdial::api

namespace outdial::api {
namespace {

// Review finding: an unsigned id above INT64_MAX used to wrap to -1 and be reported as missing.
TEST(CampaignJsonTest, HugeUnsignedIdIsReportedAsTooLarge) {
  nlohmann::json body = {{"name", "x"}, {"list_id", std::uint64_t{18446744073709551615ULL}}};
  auto c = campaign_from_json(body);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().details.at("field"), "list_id");
  EXPECT_NE(c.error().message.find("too large"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace outdial::api
