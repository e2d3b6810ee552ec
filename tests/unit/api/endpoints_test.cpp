// Upload, lists, DNC, consents, the what-if check, audit, campaign monitoring: over HTTP.
#include "unit/api/api_fixture.hpp"

namespace outdial::api::test {
namespace {

std::string multipart(const std::string& boundary,
                      const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::string& csv) {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
            "\r\n";
  }
  if (!csv.empty()) {
    body += "--" + boundary +
            "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: "
            "text/csv\r\n\r\n" +
            csv + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

const std::string kCsv = "phone,name\n+14155550123,Ann\n555-0100,Bob\n";

TEST_F(ApiTest, UploadRunsImportWithTenantSettingsAndAudits) {
  const auto body = multipart("BOUND", {{"list_name", "leads"}}, kCsv);
  auto r = call("POST", "/api/contacts/upload", admin_key_, body,
                {{"Content-Type", "multipart/form-data; boundary=BOUND"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(importer_.last_csv, kCsv);
  EXPECT_EQ(importer_.last_options.list_name, "leads");
  EXPECT_EQ(importer_.last_options.tenant_id, tenant_a_);
  EXPECT_FALSE(importer_.last_options.validate_only);
  EXPECT_EQ(importer_.last_options.default_region, "US");
  EXPECT_EQ(r.body["rows"], 2);
  EXPECT_EQ(r.body["inserted"], 1);
  EXPECT_EQ(r.body["list_id"], 77);
  ASSERT_EQ(r.body["issues"].size(), 1u);
  EXPECT_EQ(r.body["issues"][0]["code"], "fictional_555");
  EXPECT_EQ(r.body["issues"][0]["row"], 2);
  EXPECT_EQ(r.body["issues"][0]["field"], "phone");
  auto audit = call("GET", "/api/audit", admin_key_);
  ASSERT_EQ(audit.status, 200);
  ASSERT_GE(audit.body["items"].size(), 1u);
  EXPECT_EQ(audit.body["items"][0]["action"], "contacts.import");
  EXPECT_EQ(audit.body["items"][0]["actor"].get<std::string>().rfind("user:", 0), 0u);
  EXPECT_EQ(audit.body["items"][0]["payload"]["inserted"], 1);
}

TEST_F(ApiTest, ValidateIsValidateOnlyAndOpenToViewers) {
  const auto body = multipart("b1", {}, kCsv);
  auto r = call("POST", "/api/contacts/validate", viewer_key_, body,
                {{"Content-Type", "multipart/form-data; boundary=b1"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_TRUE(importer_.last_options.validate_only);
  EXPECT_EQ(r.body["validate_only"], true);
  EXPECT_EQ(r.body["inserted"], 0);
  // Viewers cannot upload.
  r = call("POST", "/api/contacts/upload", viewer_key_, multipart("b1", {{"list_name", "x"}}, kCsv),
           {{"Content-Type", "multipart/form-data; boundary=b1"}});
  EXPECT_EQ(r.status, 403);
}

TEST_F(ApiTest, UploadErrors) {
  // Not multipart.
  auto r = call("POST", "/api/contacts/upload", admin_key_, "phone\n+14155550123\n",
                {{"Content-Type", "text/csv"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "Content-Type");
  // No file part.
  r = call("POST", "/api/contacts/upload", admin_key_, multipart("b", {{"list_name", "x"}}, ""),
           {{"Content-Type", "multipart/form-data; boundary=b"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "file");
  // No list.
  r = call("POST", "/api/contacts/upload", admin_key_, multipart("b", {}, kCsv),
           {{"Content-Type", "multipart/form-data; boundary=b"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "list_name");
  // Another tenant's list id -> 404.
  ContactList l;
  l.tenant_id = tenant_b_;
  l.name = "theirs";
  auto theirs = db_->contacts().create_list(l);
  ASSERT_TRUE(theirs.ok());
  r = call("POST", "/api/contacts/upload", admin_key_,
           multipart("b", {{"list_id", std::to_string(theirs->id)}}, kCsv),
           {{"Content-Type", "multipart/form-data; boundary=b"}});
  EXPECT_EQ(r.status, 404);
  // Truncated body.
  r = call("POST", "/api/contacts/upload", admin_key_,
           "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc",
           {{"Content-Type", "multipart/form-data; boundary=b"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("malformed multipart"), std::string::npos);
  // Import-level failure passes through the mapping.
  importer_.fail = make_error(ErrorCode::kInvalidArgument, "no phone column", {{"headers", "name,email"}});
  r = call("POST", "/api/contacts/upload", admin_key_, multipart("b", {{"list_name", "x"}}, "name\nann\n"),
           {{"Content-Type", "multipart/form-data; boundary=b"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["headers"], "name,email");
}

TEST_F(ApiTest, ListsAndListContactsAreTenantScoped) {
  ContactList l;
  l.tenant_id = tenant_a_;
  l.name = "mine";
  l.created_at = clock_.now();
  auto mine = db_->contacts().create_list(l);
  ASSERT_TRUE(mine.ok());
  Contact c;
  c.tenant_id = tenant_a_;
  c.list_id = mine->id;
  c.phone_e164 = "+14155550123";
  c.first_name = "Ann";
  c.tags = {"vip"};
  c.custom_fields = {{"plan", "gold"}};
  ASSERT_TRUE(db_->contacts().insert_batch({c}).ok());

  auto r = call("GET", "/api/lists", viewer_key_);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["items"].size(), 1u);
  EXPECT_EQ(r.body["items"][0]["name"], "mine");
  EXPECT_EQ(r.body["items"][0]["contacts"], 1);
  r = call("GET", "/api/lists/" + std::to_string(mine->id) + "/contacts", viewer_key_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["total"], 1);
  EXPECT_EQ(r.body["items"][0]["phone"], "+14155550123");
  EXPECT_EQ(r.body["items"][0]["first_name"], "Ann");
  EXPECT_EQ(r.body["items"][0]["tags"][0], "vip");
  EXPECT_EQ(r.body["items"][0]["custom_fields"]["plan"], "gold");
  r = call("GET", "/api/lists/" + std::to_string(mine->id) + "/contacts", other_admin_key_);
  EXPECT_EQ(r.status, 404);
  r = call("GET", "/api/lists", other_admin_key_);
  EXPECT_EQ(r.body["items"].size(), 0u);
}

TEST_F(ApiTest, DncAddListRemove) {
  auto r = call_json("POST", "/api/dnc", agent_key_, {{"phone", "+14155550123"}, {"reason", "press 2"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["phone"], "+14155550123");
  EXPECT_EQ(r.body["reason"], "press 2");
  // Adding again is not an error.
  r = call_json("POST", "/api/dnc", admin_key_, {{"phone", "+14155550123"}});
  EXPECT_EQ(r.status, 201);
  r = call_json("POST", "/api/dnc", admin_key_, {{"phone", "415-555-0123"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "phone");

  r = call("GET", "/api/dnc", viewer_key_);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["items"].size(), 1u);
  EXPECT_EQ(call("GET", "/api/dnc", other_admin_key_).body["items"].size(), 0u);

  r = call("DELETE", "/api/dnc/+14155550123", agent_key_);
  EXPECT_EQ(r.status, 403);  // removing re-enables calls: staff only
  r = call("DELETE", "/api/dnc/+14155550123", other_admin_key_);
  EXPECT_EQ(r.status, 404);  // another tenant's list
  r = call("DELETE", "/api/dnc/%2B14155550123", admin_key_);
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["removed"], true);
  r = call("DELETE", "/api/dnc/+14155550123", admin_key_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(call("GET", "/api/dnc", admin_key_).body["items"].size(), 0u);

  auto audit = call("GET", "/api/audit?entity_type=dnc", admin_key_);
  ASSERT_EQ(audit.status, 200);
  std::vector<std::string> actions;
  for (const auto& e : audit.body["items"]) actions.push_back(e["action"]);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "dnc.add"), 2);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "dnc.remove"), 1);
}

TEST_F(ApiTest, RejectedNumbersAreListedPerTenantAndClearedByStaffOnly) {
  RejectedNumber n;
  n.tenant_id = tenant_a_;
  n.phone_e164 = "+14155550123";
  n.reason = "twilio place_call: HTTP 400 code 21211 (Invalid 'To' Phone Number)";
  n.provider = "twilio";
  n.provider_code = "21211";
  n.rejected_at = from_epoch_ms(1'790'000'000'000);
  ASSERT_TRUE(db_->compliance().add_rejected(n).ok());

  auto r = call("GET", "/api/numbers/rejected", viewer_key_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["items"].size(), 1u);
  EXPECT_EQ(r.body["items"][0]["phone"], "+14155550123");
  EXPECT_EQ(r.body["items"][0]["channel"], "voice");
  EXPECT_EQ(r.body["items"][0]["provider_code"], "21211");
  EXPECT_EQ(call("GET", "/api/numbers/rejected", other_admin_key_).body["items"].size(), 0u);

  r = call("DELETE", "/api/numbers/rejected/+14155550123", viewer_key_);
  EXPECT_EQ(r.status, 403);
  r = call("DELETE", "/api/numbers/rejected/+14155550123", agent_key_);
  EXPECT_EQ(r.status, 403);  // clearing re-enables calls: staff only
  r = call("DELETE", "/api/numbers/rejected/+14155550123", other_admin_key_);
  EXPECT_EQ(r.status, 404);  // another tenant's list
  r = call("DELETE", "/api/numbers/rejected/415-555-0123", admin_key_);
  EXPECT_EQ(r.status, 400);
  r = call("DELETE", "/api/numbers/rejected/%2B14155550123", admin_key_);
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(call("GET", "/api/numbers/rejected", admin_key_).body["items"].size(), 0u);
  r = call("DELETE", "/api/numbers/rejected/+14155550123", admin_key_);
  EXPECT_EQ(r.status, 404);
  auto audit = call("GET", "/api/audit?entity_type=rejected_number", admin_key_);
  ASSERT_EQ(audit.status, 200);
  ASSERT_EQ(audit.body["items"].size(), 1u);
  EXPECT_EQ(audit.body["items"][0]["action"], "rejected_number.remove");
}

TEST_F(ApiTest, ConsentsAddAndQuery) {
  auto r = call_json("POST", "/api/consents", staff_key_,
                     {{"phone", "+14155550123"},
                      {"type", "prior_express_written"},
                      {"channel", "voice"},
                      {"covers_artificial_voice", true},
                      {"source", "web"},
                      {"evidence", "form-1"},
                      {"granted_at", "2026-01-01T00:00:00Z"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["type"], "prior_express_written");
  r = call_json("POST", "/api/consents", staff_key_, {{"phone", "+14155550199"}, {"type", "ebr"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "ebr_kind");
  r = call_json("POST", "/api/consents", staff_key_, {{"phone", "+14155550199"}, {"type", "verbal"}});
  EXPECT_EQ(r.body["error"]["details"]["field"], "type");

  r = call("GET", "/api/consents?phone=%2B14155550123", viewer_key_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["items"].size(), 1u);
  EXPECT_EQ(r.body["items"][0]["covers_artificial_voice"], true);
  EXPECT_EQ(r.body["items"][0]["granted_at"], "2026-01-01T00:00:00.000Z");
  // An unencoded "+" arrives as a space; still understood.
  r = call("GET", "/api/consents?phone=+14155550123", viewer_key_);
  EXPECT_EQ(r.body["items"].size(), 1u);
  EXPECT_EQ(call("GET", "/api/consents?phone=%2B14155550123", other_admin_key_).body["items"].size(), 0u);
  r = call("GET", "/api/consents?phone=abc", viewer_key_);
  EXPECT_EQ(r.status, 400);
}

TEST_F(ApiTest, ComplianceCheckMapsFactsAndDecisionAndStoresIt) {
  gate_.decision = compliance::Decision{compliance::Verdict::kDefer, "FED-TIME", "before 08:00 local",
                                        from_epoch_ms(1'795'100'000'000)};
  const json facts = {
      {"phone", "+14155550123"},
      {"at", "2026-11-22T12:00:00Z"},
      {"purpose", "reactivation"},
      {"voice", "ai"},
      {"consents",
       json::array({{{"type", "prior_express_written"}, {"granted_at", "2026-01-01T00:00:00Z"}}})},
      {"campaign", {{"status", "active"}, {"max_attempts", 3}}}};
  auto r = call_json("POST", "/api/compliance/check", viewer_key_, facts);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["decision"], "defer");
  EXPECT_EQ(r.body["rule"], "FED-TIME");
  EXPECT_EQ(r.body["reason"], "before 08:00 local");
  EXPECT_EQ(r.body["allowed_at"], format_iso8601(from_epoch_ms(1'795'100'000'000)));
  EXPECT_GT(r.body["decision_id"].get<std::int64_t>(), 0);
  EXPECT_EQ(gate_.last_facts.phone_e164, "+14155550123");
  EXPECT_EQ(gate_.last_facts.voice, VoiceType::kAi);
  ASSERT_EQ(gate_.last_facts.consents.size(), 1u);
  EXPECT_TRUE(gate_.last_facts.campaign.present);
  EXPECT_EQ(gate_.last_facts.campaign.max_attempts, 3);

  auto stored = db_->compliance().list_decisions(tenant_a_, 0, 10);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].verdict, "defer");
  EXPECT_EQ((*stored)[0].rule, "FED-TIME");
  EXPECT_EQ((*stored)[0].phone_e164, "+14155550123");
  EXPECT_EQ((*stored)[0].campaign_id, 0);

  auto audit = call("GET", "/api/audit?entity_type=decision", admin_key_);
  ASSERT_EQ(audit.body["items"].size(), 1u);
  EXPECT_EQ(audit.body["items"][0]["action"], "gate.decision");
  EXPECT_EQ(audit.body["items"][0]["payload"]["decision"]["rule"], "FED-TIME");
}

TEST_F(ApiTest, ComplianceCheckBadFieldIs400NamingIt) {
  const json facts = {
      {"phone", "+14155550123"},
      {"at", "2026-11-22T12:00:00Z"},
      {"consents", json::array({{{"type", "prior_express"}, {"granted_at", "2026-01-01T00:00:00Z"}},
                                {{"type", "handshake"}, {"granted_at", "2026-01-01T00:00:00Z"}}})}};
  auto r = call_json("POST", "/api/compliance/check", admin_key_, facts);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["code"], "invalid_argument");
  EXPECT_EQ(r.body["error"]["details"]["field"], "consents[1].type");
  r = call("POST", "/api/compliance/check", admin_key_, "{\"phone\": }");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.body["error"]["details"].contains("position"));
}

TEST_F(ApiTest, CampaignProgressTargetsAndCalls) {
  // A list with two contacts, a campaign over it, targets and one attempt, straight in the store.
  std::vector<Contact> contacts;
  const CampaignId id = seed_campaign_with_contacts({"+14155550123", "+14155550124"}, contacts);
  ASSERT_EQ(contacts.size(), 2u);
  CallAttempt a;
  a.tenant_id = tenant_a_;
  a.campaign_id = id;
  a.contact_id = contacts[0].id;
  a.idempotency_key = std::to_string(id) + ":1:1";
  a.state = CallState::kQueued;
  a.provider = "sim";
  a.to_number = "+14155550123";
  a.created_at = clock_.now();
  ASSERT_TRUE(db_->calls().create_attempt(a).ok());

  const std::string base = "/api/campaigns/" + std::to_string(id);
  auto r = call("GET", base + "/progress", viewer_key_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["campaign_id"], id);
  EXPECT_EQ(r.body["targets"]["pending"], 2);
  EXPECT_EQ(r.body["blocked_by_rule"]["FED-TIME"], 1);
  r = call("GET", base + "/contacts?limit=10", viewer_key_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["total"], 2);
  ASSERT_EQ(r.body["items"].size(), 2u);
  EXPECT_EQ(r.body["items"][0]["status"], "pending");
  EXPECT_EQ(r.body["items"][0]["attempts"], 0);
  EXPECT_FALSE(r.body["items"][0]["phone"].get<std::string>().empty());
  r = call("GET", base + "/calls", viewer_key_);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["items"].size(), 1u);
  EXPECT_EQ(r.body["items"][0]["state"], "queued");
  EXPECT_EQ(r.body["items"][0]["to"], "+14155550123");
}

}  // namespace
}  // namespace outdial::api::test

namespace outdial::api::test {
namespace {

TEST_F(ApiTest, DispositionsRecordAndAct) {
  std::vector<Contact> contacts;
  const CampaignId campaign = seed_campaign_with_contacts({"+14155550123", "+14155550124"}, contacts);
  ASSERT_EQ(contacts.size(), 2u);
  std::vector<AttemptId> ids;
  for (int i = 0; i < 2; ++i) {
    CallAttempt a;
    a.tenant_id = tenant_a_;
    a.campaign_id = campaign;
    a.contact_id = contacts[static_cast<std::size_t>(i)].id;
    a.idempotency_key = std::to_string(campaign) + ":" + std::to_string(a.contact_id) + ":1";
    a.state = CallState::kCompleted;
    a.provider = "sim";
    a.to_number = contacts[static_cast<std::size_t>(i)].phone_e164;
    a.created_at = clock_.now();
    auto stored = db_->calls().create_attempt(a);
    ASSERT_TRUE(stored.ok());
    ids.push_back(stored->id);
  }
  const std::string first = "/api/calls/" + std::to_string(ids[0]);
  const std::string second = "/api/calls/" + std::to_string(ids[1]);

  EXPECT_EQ(call_json("POST", first + "/disposition", viewer_key_, {{"code", "interested"}}).status, 403);
  EXPECT_EQ(call_json("POST", first + "/disposition", other_admin_key_, {{"code", "interested"}}).status, 404);
  auto r = call_json("POST", first + "/disposition", agent_key_, {{"code", "callback"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "callback_at");
  r = call_json("POST", first + "/disposition", agent_key_, {{"code", "maybe"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"]["details"]["field"], "code");

  const TimePoint later = clock_.now() + std::chrono::hours(26);
  r = call_json("POST", first + "/disposition", agent_key_,
                {{"code", "callback"}, {"note", "after lunch tomorrow"}, {"callback_at", format_iso8601(later)}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["code"], "callback");
  auto t = db_->campaigns().get_target(campaign, contacts[0].id);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->status, TargetStatus::kPending);
  EXPECT_EQ((*t)->next_eligible_at, later);
  EXPECT_EQ((*t)->last_outcome, "callback");

  r = call_json("POST", first + "/disposition", agent_key_, {{"code", "do_not_call"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  auto dnc = call("GET", "/api/dnc", admin_key_);
  ASSERT_EQ(dnc.body["items"].size(), 1u);
  EXPECT_EQ(dnc.body["items"][0]["phone"], "+14155550123");

  r = call_json("POST", second + "/disposition", agent_key_, {{"code", "wrong_number"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  t = db_->campaigns().get_target(campaign, contacts[1].id);
  EXPECT_EQ((*t)->status, TargetStatus::kExhausted);
  EXPECT_EQ((*t)->last_outcome, "wrong_number");

  r = call("GET", first + "/dispositions", viewer_key_);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["items"].size(), 2u);
  EXPECT_EQ(r.body["items"][0]["code"], "callback");
  EXPECT_EQ(r.body["items"][0]["note"], "after lunch tomorrow");
  EXPECT_EQ(r.body["items"][1]["code"], "do_not_call");
  EXPECT_EQ(call("GET", first + "/dispositions", other_admin_key_).status, 404);

  auto audit = call("GET", "/api/audit?entity_type=call", admin_key_);
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.body["items"].size(), 3u);
}

}  // namespace
}  // namespace outdial::api::test
