// Authentication, roles, tenant isolation and the error body shape, over HTTP.
#include "unit/api/api_fixture.hpp"

namespace outdial::api::test {
namespace {

void expect_error_shape(const Response& r, const std::string& code) {
  ASSERT_TRUE(r.body.is_object()) << r.body.dump();
  ASSERT_TRUE(r.body.contains("error")) << r.body.dump();
  const auto& e = r.body["error"];
  EXPECT_EQ(e["code"], code) << r.body.dump();
  EXPECT_TRUE(e["message"].is_string());
  EXPECT_TRUE(e["details"].is_object());
}

TEST_F(ApiTest, HealthzNeedsNoAuth) {
  auto r = call("GET", "/healthz", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "ok");
}

TEST_F(ApiTest, MissingOrUnknownKeyIs401) {
  auto r = call("GET", "/api/campaigns", "");
  EXPECT_EQ(r.status, 401);
  expect_error_shape(r, "unauthenticated");
  EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
  r = call("GET", "/api/campaigns", "not-a-key");
  EXPECT_EQ(r.status, 401);
  expect_error_shape(r, "unauthenticated");
}

TEST_F(ApiTest, XApiKeyHeaderWorks) {
  auto r = call("GET", "/api/campaigns", "", "", {{"X-Api-Key", viewer_key_}});
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_TRUE(r.body["items"].is_array());
}

TEST_F(ApiTest, ClientViewerCannotCreateStartStopOrWrite) {
  const auto id = create_campaign();
  ASSERT_GT(id, 0);
  auto r = call_json("POST", "/api/campaigns", viewer_key_, {{"name", "nope"}});
  EXPECT_EQ(r.status, 403);
  expect_error_shape(r, "permission_denied");
  for (const char* verb : {"start", "pause", "resume", "stop"}) {
    r = call("POST", "/api/campaigns/" + std::to_string(id) + "/" + verb, viewer_key_);
    EXPECT_EQ(r.status, 403) << verb;
    expect_error_shape(r, "permission_denied");
  }
  EXPECT_EQ(campaigns_->calls, 0);  // refused before reaching the service
  r = call_json("POST", "/api/dnc", viewer_key_, {{"phone", "+14155550123"}});
  EXPECT_EQ(r.status, 403);
  r = call("DELETE", "/api/dnc/+14155550123", viewer_key_);
  EXPECT_EQ(r.status, 403);
  r = call_json("POST", "/api/consents", viewer_key_, {{"phone", "+14155550123"}, {"type", "prior_express"}});
  EXPECT_EQ(r.status, 403);
  // ... but can read.
  r = call("GET", "/api/campaigns/" + std::to_string(id), viewer_key_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "draft");
}

TEST_F(ApiTest, StaffStartsAgentMayPauseAndStopButNotStart) {
  const auto id = create_campaign();
  const std::string base = "/api/campaigns/" + std::to_string(id);
  auto r = call("POST", base + "/start", agent_key_);
  EXPECT_EQ(r.status, 403);
  r = call("POST", base + "/start", staff_key_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["status"], "active");
  r = call("POST", base + "/pause", agent_key_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "paused");
  r = call("POST", base + "/resume", agent_key_);
  EXPECT_EQ(r.status, 403);
  r = call("POST", base + "/resume", admin_key_);
  EXPECT_EQ(r.status, 200);
  r = call("POST", base + "/stop", agent_key_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "stopped");
  // Illegal transition: failed_precondition -> 409.
  r = call("POST", base + "/start", admin_key_);
  EXPECT_EQ(r.status, 409);
  expect_error_shape(r, "failed_precondition");
}

TEST_F(ApiTest, TenantCannotSeeAnotherTenantsCampaign) {
  const auto id = create_campaign();
  const std::string base = "/api/campaigns/" + std::to_string(id);
  for (const char* suffix : {"", "/progress", "/contacts", "/calls"}) {
    auto r = call("GET", base + suffix, other_admin_key_);
    EXPECT_EQ(r.status, 404) << suffix << " " << r.body.dump();
    expect_error_shape(r, "not_found");
  }
  auto r = call("POST", base + "/start", other_admin_key_);
  EXPECT_EQ(r.status, 404);
  r = call("GET", "/api/campaigns", other_admin_key_);
  EXPECT_EQ(r.body["items"].size(), 0u);
  r = call("GET", "/api/campaigns", viewer_key_);
  EXPECT_EQ(r.body["items"].size(), 1u);
}

TEST_F(ApiTest, MalformedJsonNamesThePosition) {
  auto r = call("POST", "/api/campaigns", admin_key_, "{\"name\": \"x\",, }");
  EXPECT_EQ(r.status, 400);
  expect_error_shape(r, "invalid_argument");
  // nlohmann counts bytes from 1: the second comma is byte 14.
  EXPECT_EQ(r.body["error"]["details"]["position"], "14");
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("byte 14"), std::string::npos);
}

TEST_F(ApiTest, CampaignBodyErrorsNameTheField) {
  auto r = call_json("POST", "/api/campaigns", admin_key_, {{"name", "x"}, {"purpose", "spam"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "purpose");
  r = call_json("POST", "/api/campaigns", admin_key_,
                {{"name", "x"}, {"retry", {{"busy", {{"max_attempts", "3"}}}}}});
  EXPECT_EQ(r.body["error"]["details"]["field"], "retry.busy.max_attempts");
  r = call_json("POST", "/api/campaigns", admin_key_, {{"name", "x"}, {"schedule_start", "tomorrow"}});
  EXPECT_EQ(r.body["error"]["details"]["field"], "schedule_start");
  r = call_json("POST", "/api/campaigns", admin_key_, {{"description", "no name"}});
  EXPECT_EQ(r.body["error"]["details"]["field"], "name");
  r = call_json("POST", "/api/campaigns", admin_key_, {{"name", "x"}, {"dailyLimit", 5}});
  EXPECT_EQ(r.body["error"]["details"]["field"], "dailyLimit");
}

TEST_F(ApiTest, CampaignCreateMapsEveryField) {
  const json body = {{"name", "Spring"},
                     {"description", "d"},
                     {"script", "Hello"},
                     {"voicemail_text", "vm"},
                     {"purpose", "power_dialer"},
                     {"voice", "human"},
                     {"list_id", 3},
                     {"caller_id", "+14155550000"},
                     {"agent_number", "+14155550001"},
                     {"lines", 2},
                     {"max_concurrency", 4},
                     {"calls_per_minute", 10},
                     {"max_attempts", 5},
                     {"min_spacing_minutes", 30},
                     {"daily_limit", 100},
                     {"retry", {{"busy", {{"max_attempts", 4}, {"backoff_minutes", 7}}}}},
                     {"schedule_start", "2026-12-01T09:00:00Z"},
                     {"schedule_end", "2026-12-31T17:00:00Z"},
                     {"expires_at", "2027-01-31T00:00:00Z"},
                     {"record_calls", true},
                     {"recording_disclosure", true}};
  auto r = call_json("POST", "/api/campaigns", admin_key_, body);
  ASSERT_EQ(r.status, 201) << r.body.dump();
  r = call("GET", "/api/campaigns/" + std::to_string(r.body["id"].get<int>()), viewer_key_);
  const auto& c = r.body;
  for (const char* key :
       {"name", "description", "script", "voicemail_text", "purpose", "voice", "list_id", "caller_id",
        "agent_number", "lines", "max_concurrency", "calls_per_minute", "max_attempts", "min_spacing_minutes",
        "daily_limit", "record_calls", "recording_disclosure"}) {
    EXPECT_EQ(c[key], body[key]) << key;
  }
  EXPECT_EQ(c["retry"]["busy"]["max_attempts"], 4);
  EXPECT_EQ(c["retry"]["busy"]["backoff_minutes"], 7);
  EXPECT_EQ(c["retry"]["no_answer"]["max_attempts"], RetryPolicy{}.no_answer.max_attempts);
  EXPECT_EQ(c["schedule_start"], "2026-12-01T09:00:00.000Z");
  EXPECT_EQ(c["status"], "draft");
  EXPECT_TRUE(c["activated_at"].is_null());
}

TEST_F(ApiTest, BadIdsAndUnknownRoutes) {
  auto r = call("GET", "/api/campaigns/abc", admin_key_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "id");
  r = call("GET", "/api/campaigns/999", admin_key_);
  EXPECT_EQ(r.status, 404);
  r = call("GET", "/api/nothing", admin_key_);
  EXPECT_EQ(r.status, 404);
  expect_error_shape(r, "not_found");
  r = call("PUT", "/api/campaigns", admin_key_, "{}");
  EXPECT_EQ(r.status, 405);
  expect_error_shape(r, "method_not_allowed");
  r = call("GET", "/api/campaigns/1/calls?limit=0", admin_key_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "limit");
}

TEST(ErrorMappingTest, OneMapping) {
  EXPECT_EQ(http_status(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(http_status(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(http_status(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(http_status(ErrorCode::kConflict), 409);
  EXPECT_EQ(http_status(ErrorCode::kFailedPrecondition), 409);
  EXPECT_EQ(http_status(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(http_status(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(http_status(ErrorCode::kInternal), 500);
}

TEST(AuthTest, Sha256Hex) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace outdial::api::test
