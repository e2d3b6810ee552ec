// End to end over the real wiring: app::Services (SQLite file, CsvImportService, CampaignServiceImpl,
// RuleGate, SimCarrier, CampaignRunner, the HTTP API) on loopback, with the dialer driven in
// virtual time in-process. Nothing is faked.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "e2e/e2e_support.hpp"
#include "outdial/app/context.hpp"
#include "outdial/app/user_keys.hpp"
#include "outdial/dialer/time_drivers.hpp"
#include "outdial/dnc/compact_registry.hpp"
#include "outdial/telephony/sim/sim_ledger.hpp"

namespace outdial::e2e {
namespace {

TimePoint at(const std::string& iso) {
  TimePoint t{};
  EXPECT_TRUE(parse_iso8601(iso, t)) << iso;
  return t;
}

constexpr const char* kCallerId = "+12127360000";
constexpr const char* kAgent = "+12127360001";

// Ten data rows: six distinct valid NY numbers, one unparseable, one duplicate, one empty phone,
// one fictional 555 number. 212-736-3106 gets no consent (the gate must block it).
const char* kCsv =
    "phone,first_name,last_name,state,timezone\r\n"
    "(212) 736-3101,Ann,Lee,NY,America/New_York\r\n"
    "212-736-3102,Bob,Diaz,NY,America/New_York\r\n"
    "not a number,Zed,Bad,NY,America/New_York\r\n"
    "+1 212 736 3103,Cy,Park,NY,America/New_York\r\n"
    "212.736.3101,Ann,Again,NY,America/New_York\r\n"
    "2127363104,Dee,Moss,NY,America/New_York\r\n"
    ",Eve,Empty,NY,America/New_York\r\n"
    "212-555-0199,Fay,Fic,NY,America/New_York\r\n"
    "(212) 736-3105,Gus,Hale,NY,America/New_York\r\n"
    "212-736-3106,Hal,Ives,NY,America/New_York\r\n";

const std::vector<std::string> kAccepted = {"+12127363101", "+12127363102", "+12127363103",
                                            "+12127363104", "+12127363105", "+12127363106"};
constexpr const char* kNoConsent = "+12127363106";

class E2eHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("http");
    ASSERT_FALSE(dir_.empty());
    cfg_.db_path = dir_ + "/outdial.db";
    cfg_.port = 0;
    cfg_.owned_caller_ids = {kCallerId};
    cfg_.sim_seed = 4242;
    // A national registry copy downloaded three days ago (DNC-STALE wants <= 31 days), listing
    // none of our contacts.
    auto reg = dnc::CompactRegistry::build_from_numbers({3055550123ULL, 4155550123ULL},
                                                        clock_.now() - std::chrono::days(3));
    ASSERT_TRUE(reg.ok()) << reg.error().message;
    cfg_.dnc_index = dir_ + "/registry.idx";
    ASSERT_TRUE(reg.value()->save(cfg_.dnc_index).ok());

    // Tenants and users first: Services reads the caller-ID directory from the tenants at build.
    {
      auto db = app::open_database(cfg_);
      ASSERT_TRUE(db.ok()) << db.error().message;
      auto& tenants = db.value()->tenants();
      auto a = tenants.create_tenant(Tenant{0, "Acme Dental", "US", true, "", clock_.now()});
      auto b = tenants.create_tenant(Tenant{0, "Globex Vet", "US", true, "", clock_.now()});
      ASSERT_TRUE(a.ok() && b.ok());
      tenant_a_ = a->id;
      tenant_b_ = b->id;
      staff_key_ = make_user(tenants, tenant_a_, "staff@acme.test", Role::kOperatorStaff, &staff_id_);
      viewer_key_ = make_user(tenants, tenant_a_, "owner@client.test", Role::kClientViewer, &viewer_id_);
      other_staff_key_ = make_user(tenants, tenant_b_, "staff@globex.test", Role::kOperatorStaff, nullptr);
    }
    auto built = app::Services::build(cfg_, clock_);
    ASSERT_TRUE(built.ok()) << built.error().message;
    services_ = std::move(built).value();
    auto port = services_->start_http();
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = port.value();
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    services_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string make_user(storage::TenantStore& tenants, TenantId tenant, const std::string& email, Role role,
                        UserId* id) {
    User u;
    u.tenant_id = tenant;
    u.email = email;
    u.name = email;
    u.role = role;
    u.created_at = clock_.now();
    auto key = app::create_user_with_key(tenants, u, clock_);
    EXPECT_TRUE(key.ok());
    auto stored = tenants.find_user_by_email(tenant, email);
    EXPECT_TRUE(stored.ok() && stored->has_value());
    if (id != nullptr && stored.ok() && stored->has_value()) *id = (*stored)->id;
    return key.ok() ? key.value() : std::string();
  }

  Reply get(const std::string& target, const std::string& key) { return http(port_, "GET", target, key); }
  Reply post(const std::string& target, const std::string& key, const json& body) {
    return http_json(port_, "POST", target, key, body);
  }
  Reply upload(const std::string& path, const std::map<std::string, std::string>& fields) {
    return http(port_, "POST", path, staff_key_, multipart(fields, kCsv),
                {{"Content-Type", "multipart/form-data; boundary=e2e-boundary-7MA4YWxk"}});
  }

  json campaign_body(std::int64_t list_id, const std::string& name) const {
    return {{"name", name},
            {"description", "Win back patients"},
            {"script", "Hi, this is Acme Dental calling. Press 1 for the front desk, 2 to opt out."},
            {"purpose", "reactivation"},
            {"voice", "human"},
            {"list_id", list_id},
            {"caller_id", kCallerId},
            {"agent_number", kAgent},
            {"lines", 2},
            {"max_concurrency", 2},
            {"calls_per_minute", 10},
            {"max_attempts", 3},
            {"min_spacing_minutes", 0},
            {"daily_limit", 0},
            {"retry",
             {{"busy", {{"max_attempts", 3}, {"backoff_minutes", 5}}},
              {"no_answer", {{"max_attempts", 3}, {"backoff_minutes", 10}}},
              {"machine", {{"max_attempts", 2}, {"backoff_minutes", 15}}},
              {"failed", {{"max_attempts", 2}, {"backoff_minutes", 5}}}}}};
  }

  dialer::DriveResult drive() {
    EXPECT_TRUE(services_->runner().recover().ok());
    return dialer::run_until_idle(services_->runner(), &services_->carrier(), clock_, std::chrono::hours(24 * 30),
                                  1'000'000);
  }

  std::vector<json> calls_of(CampaignId id, const std::string& key) {
    auto r = get("/api/campaigns/" + std::to_string(id) + "/calls?limit=1000", key);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.contains("items") ? r.body["items"].get<std::vector<json>>() : std::vector<json>{};
  }

  std::string dir_;
  ManualClock clock_{at("2026-11-24T15:00:00Z")};  // Tuesday, 10:00 in New York
  app::Config cfg_;
  TenantId tenant_a_ = 0, tenant_b_ = 0;
  UserId staff_id_ = 0, viewer_id_ = 0;
  std::string staff_key_, viewer_key_, other_staff_key_;
  std::unique_ptr<app::Services> services_;
  std::uint16_t port_ = 0;
};

TEST_F(E2eHttp, HealthzNeedsNoKeyAndApiNeedsOne) {
  EXPECT_EQ(get("/healthz", "").status, 200);
  auto r = get("/api/campaigns", "");
  EXPECT_EQ(r.status, 401) << r.raw;
  EXPECT_EQ(get("/api/campaigns", "od_not_a_real_key").status, 401);
}

TEST_F(E2eHttp, ValidateWritesNothingAndUploadReportsEveryBadRow) {
  auto v = upload("/api/contacts/validate", {{"list_name", "Past patients"}});
  ASSERT_EQ(v.status, 200) << v.raw;
  EXPECT_EQ(v.body["validate_only"], true);
  EXPECT_EQ(v.body["rows"], 10);
  EXPECT_EQ(v.body["inserted"], 0);
  auto lists = get("/api/lists", staff_key_);
  ASSERT_EQ(lists.status, 200) << lists.raw;
  EXPECT_TRUE(lists.body["items"].empty()) << lists.raw;  // not even the list was created

  auto r = upload("/api/contacts/upload", {{"list_name", "Past patients"}});
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.body["validate_only"], false);
  EXPECT_EQ(r.body["rows"], 10);
  EXPECT_EQ(r.body["inserted"], 6);
  EXPECT_EQ(r.body["duplicates"], 1);
  EXPECT_EQ(r.body["rejected"], 4);
  // Validate predicted the same outcome (minus the writes).
  EXPECT_EQ(v.body["rejected"], r.body["rejected"]);
  EXPECT_EQ(v.body["duplicates"], r.body["duplicates"]);

  std::map<int, json> rejected;  // row -> issue
  for (const auto& issue : r.body["issues"]) {
    if (issue["rejected"] == true) rejected[issue["row"].get<int>()] = issue;
  }
  ASSERT_EQ(rejected.size(), 4U) << r.body["issues"].dump(1);
  ASSERT_TRUE(rejected.count(3) && rejected.count(5) && rejected.count(7) && rejected.count(8))
      << r.body["issues"].dump(1);
  EXPECT_EQ(rejected[3]["raw"], "not a number");
  EXPECT_EQ(rejected[3]["line"], 4);  // header is line 1
  EXPECT_EQ(rejected[5]["code"], "duplicate_in_file");
  EXPECT_EQ(rejected[8]["code"], "fictional_555");
  for (const auto& [row, issue] : rejected) {
    EXPECT_FALSE(issue["message"].get<std::string>().empty()) << row;
    EXPECT_EQ(issue["field"], "phone") << row;
  }

  const auto list_id = r.body["list_id"].get<std::int64_t>();
  auto contacts = get("/api/lists/" + std::to_string(list_id) + "/contacts", viewer_key_);
  ASSERT_EQ(contacts.status, 200) << contacts.raw;
  EXPECT_EQ(contacts.body["total"], 6);
  std::vector<std::string> phones;
  for (const auto& c : contacts.body["items"]) phones.push_back(c["phone"]);
  std::sort(phones.begin(), phones.end());
  EXPECT_EQ(phones, kAccepted);
  // The other tenant sees none of it.
  EXPECT_EQ(get("/api/lists/" + std::to_string(list_id), other_staff_key_).status, 404);
  // A client viewer may not upload.
  auto refused = http(port_, "POST", "/api/contacts/upload", viewer_key_,
                      multipart({{"list_name", "Past patients"}}, kCsv),
                      {{"Content-Type", "multipart/form-data; boundary=e2e-boundary-7MA4YWxk"}});
  EXPECT_EQ(refused.status, 403) << refused.raw;
}

TEST_F(E2eHttp, WholeCampaignOverHttpWithRealWiring) {
  // 1. Contacts and consents.
  auto up = upload("/api/contacts/upload", {{"list_name", "Past patients"}});
  ASSERT_EQ(up.status, 201) << up.raw;
  const auto list_id = up.body["list_id"].get<std::int64_t>();
  for (const auto& phone : kAccepted) {
    if (phone == kNoConsent) continue;
    auto c = post("/api/consents", staff_key_,
                  {{"phone", phone},
                   {"type", "prior_express_written"},
                   {"channel", "voice"},
                   {"source", "web form"},
                   {"evidence", "form-" + phone.substr(8)},
                   {"granted_at", "2026-01-02T03:04:05Z"}});
    ASSERT_EQ(c.status, 201) << c.raw;
  }

  // 2. A reactivation campaign, created by staff (draft).
  auto created = post("/api/campaigns", staff_key_, campaign_body(list_id, "Reactivation_Nov2026_AcmeDental"));
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["status"], "draft");
  const auto id = created.body["id"].get<std::int64_t>();
  const std::string base = "/api/campaigns/" + std::to_string(id);

  // 3. The client viewer may not start it, and nothing changes.
  auto refused = post(base + "/start", viewer_key_, json::object());
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "permission_denied") << refused.raw;
  EXPECT_EQ(get(base, viewer_key_).body["status"], "draft");
  // The other tenant's staff cannot see it exists.
  auto foreign = post(base + "/start", other_staff_key_, json::object());
  EXPECT_EQ(foreign.status, 404) << foreign.raw;
  EXPECT_EQ(get(base, other_staff_key_).status, 404);
  EXPECT_EQ(get(base + "/progress", other_staff_key_).status, 404);
  EXPECT_EQ(get(base, staff_key_).body["status"], "draft");
  // Nothing was dialed while it was a draft.
  EXPECT_EQ(drive().dials, 0);
  EXPECT_EQ(services_->carrier().real_dials(), 0);

  // 4. Staff starts it.
  auto started = post(base + "/start", staff_key_, json::object());
  ASSERT_EQ(started.status, 200) << started.raw;
  EXPECT_EQ(started.body["status"], "active");
  EXPECT_EQ(started.body["activated_by"], staff_id_);
  // Starting twice is an illegal state change.
  EXPECT_EQ(post(base + "/start", staff_key_, json::object()).status, 409);

  // 5. Dial to completion in virtual time.
  const auto d = drive();
  EXPECT_TRUE(d.all_complete);
  EXPECT_GT(d.dials, 0);

  // 6. The viewer reads the progress: completed, and the counts add up.
  auto p = get(base + "/progress", viewer_key_);
  ASSERT_EQ(p.status, 200) << p.raw;
  const json& pr = p.body;
  EXPECT_EQ(pr["campaign_id"], id);
  EXPECT_EQ(pr["status"], "completed") << pr.dump();
  EXPECT_EQ(pr["contacts"], 6);
  EXPECT_EQ(pr["in_flight"], 0);
  const auto attempts = pr["attempts"].get<std::int64_t>();
  EXPECT_EQ(attempts, pr["connects"].get<std::int64_t>() + pr["voicemails"].get<std::int64_t>() +
                          pr["busy"].get<std::int64_t>() + pr["no_answer"].get<std::int64_t>() +
                          pr["failed"].get<std::int64_t>() + pr["dropped"].get<std::int64_t>())
      << pr.dump();
  std::int64_t target_sum = 0;
  for (const auto& [status, n] : pr["targets"].items()) {
    target_sum += n.get<std::int64_t>();
    EXPECT_TRUE(status == "done" || status == "blocked" || status == "exhausted") << pr.dump();
  }
  EXPECT_EQ(target_sum, 6) << pr.dump();
  EXPECT_EQ(pr["blocked"], 1) << pr.dump();  // the contact without consent
  EXPECT_EQ(pr["blocked_by_rule"], json({{"CONSENT-ROBO", 1}})) << pr.dump();
  // The run is deterministic (SimCarrier seed 4242, fixed start instant): pin the outcome.
  EXPECT_EQ(attempts, 11) << pr.dump();
  EXPECT_EQ(pr["connects"], 4) << pr.dump();
  EXPECT_EQ(pr["voicemails"], 3) << pr.dump();
  EXPECT_EQ(pr["busy"], 1) << pr.dump();
  EXPECT_EQ(pr["no_answer"], 3) << pr.dump();
  EXPECT_EQ(pr["failed"], 0) << pr.dump();
  EXPECT_EQ(pr["dropped"], 0) << pr.dump();
  EXPECT_EQ(pr["targets"], json({{"blocked", 1}, {"done", 4}, {"exhausted", 1}})) << pr.dump();
  EXPECT_EQ(services_->carrier().real_dials(), attempts);

  // 7. The calls: one row per attempt, all terminal, from our caller ID, never to the blocked one.
  const auto calls = calls_of(id, viewer_key_);
  EXPECT_EQ(static_cast<std::int64_t>(calls.size()), attempts);
  std::set<std::string> dialed;
  std::map<std::string, int> max_attempt_number;
  for (const auto& c : calls) {
    EXPECT_EQ(c["campaign_id"], id);
    EXPECT_EQ(c["from"], kCallerId);
    EXPECT_FALSE(c["dialed_at"].is_null()) << c.dump();
    EXPECT_FALSE(c["ended_at"].is_null()) << c.dump();
    // Placed inside the calling window: 08:00-21:00 in New York (EST, UTC-5, in November).
    const std::string dialed_at = c["dialed_at"].is_string() ? c["dialed_at"].get<std::string>() : "";
    ASSERT_GE(dialed_at.size(), 13U) << c.dump();
    const int local_hour = (std::stoi(dialed_at.substr(11, 2)) + 24 - 5) % 24;
    EXPECT_TRUE(local_hour >= 8 && local_hour < 21) << c.dump();
    const std::string state = c["state"];
    EXPECT_TRUE(state == "completed" || state == "busy" || state == "no_answer" || state == "failed" ||
                state == "machine" || state == "dropped" || state == "canceled")
        << c.dump();
    const std::string to = c["to"];
    dialed.insert(to);
    auto& m = max_attempt_number[to];
    m = std::max(m, c["attempt_number"].get<int>());
  }
  EXPECT_EQ(dialed.size(), 5U);
  EXPECT_EQ(dialed.count(kNoConsent), 0U);
  for (const auto& [to, n] : max_attempt_number) EXPECT_LE(n, 3) << to;  // max_attempts
  // Carrier ledger: exactly one dial per attempt.
  {
    auto ledger = telephony::sim::SimLedger::open(cfg_.ledger_path());
    ASSERT_TRUE(ledger.ok());
    std::set<std::string> keys;
    for (const auto& l : ledger->calls()) EXPECT_TRUE(keys.insert(l.idempotency_key).second) << l.idempotency_key;
    EXPECT_EQ(static_cast<std::int64_t>(keys.size()), attempts);
  }
  // Campaign contacts (targets) agree.
  auto targets = get(base + "/contacts?limit=1000", viewer_key_);
  ASSERT_EQ(targets.status, 200) << targets.raw;
  EXPECT_EQ(targets.body["total"], 6);
  for (const auto& t : targets.body["items"]) {
    if (t["phone"] == kNoConsent) {
      EXPECT_EQ(t["status"], "blocked") << t.dump();
      EXPECT_EQ(t["attempts"], 0) << t.dump();
    } else {
      EXPECT_TRUE(t["status"] == "done" || t["status"] == "exhausted") << t.dump();
      EXPECT_GE(t["attempts"].get<int>(), 1) << t.dump();
    }
  }

  // 8. Audit: created and activated by the staff user; the viewer's refused start left no trace.
  auto audit = get("/api/audit?entity_type=campaign&limit=1000", viewer_key_);
  ASSERT_EQ(audit.status, 200) << audit.raw;
  int activations = 0, creations = 0;
  for (const auto& e : audit.body["items"]) {
    if (e["action"] == "campaign.activate") {
      ++activations;
      EXPECT_EQ(e["actor"], "user:" + std::to_string(staff_id_)) << e.dump();
      EXPECT_EQ(e["entity_id"].is_string() ? e["entity_id"].get<std::string>() : e["entity_id"].dump(),
                std::to_string(id))
          << e.dump();
    }
    if (e["action"] == "campaign.create") ++creations;
  }
  EXPECT_EQ(activations, 1) << audit.raw;
  EXPECT_EQ(creations, 1) << audit.raw;

  // 9. Do-not-call: a number added now is never dialed by a new campaign on the same list.
  const std::string opted_out = "+12127363102";
  auto dnc = post("/api/dnc", staff_key_, {{"phone", opted_out}, {"reason", "asked on the phone"}});
  ASSERT_EQ(dnc.status, 201) << dnc.raw;
  EXPECT_EQ(dnc.body["phone"], opted_out);
  auto second = post("/api/campaigns", staff_key_, campaign_body(list_id, "Reactivation_Dec2026_AcmeDental"));
  ASSERT_EQ(second.status, 201) << second.raw;
  const auto id2 = second.body["id"].get<std::int64_t>();
  ASSERT_EQ(post("/api/campaigns/" + std::to_string(id2) + "/start", staff_key_, json::object()).status, 200);
  const auto d2 = drive();
  EXPECT_TRUE(d2.all_complete);
  auto p2 = get("/api/campaigns/" + std::to_string(id2) + "/progress", viewer_key_);
  ASSERT_EQ(p2.status, 200) << p2.raw;
  EXPECT_EQ(p2.body["status"], "completed") << p2.raw;
  EXPECT_EQ(p2.body["blocked"], 2) << p2.raw;  // no consent + internal DNC
  EXPECT_EQ(p2.body["blocked_by_rule"], json({{"CONSENT-ROBO", 1}, {"DNC-INTERNAL", 1}})) << p2.raw;
  EXPECT_EQ(p2.body["attempts"], 10) << p2.raw;
  EXPECT_EQ(p2.body["targets"], json({{"blocked", 2}, {"done", 3}, {"exhausted", 1}})) << p2.raw;
  const auto calls2 = calls_of(id2, viewer_key_);
  EXPECT_EQ(static_cast<std::int64_t>(calls2.size()), p2.body["attempts"].get<std::int64_t>());
  EXPECT_FALSE(calls2.empty());
  for (const auto& c : calls2) {
    EXPECT_NE(c["to"], opted_out) << c.dump();
    EXPECT_NE(c["to"], kNoConsent) << c.dump();
  }
  // And the first campaign's calls are untouched.
  EXPECT_EQ(calls_of(id, staff_key_).size(), calls.size());
}

TEST_F(E2eHttp, ComplianceCheckDefersAnEveningCallToEightNextMorning) {
  // 21:30 in New York on Tuesday 2026-11-24 (EST, UTC-5) -> earliest lawful instant 08:00 Wednesday.
  const json facts = {{"phone", "+12127363101"},
                      {"stated_state", "NY"},
                      {"stated_timezone", "America/New_York"},
                      {"at", "2026-11-25T02:30:00Z"},
                      {"purpose", "informational"},
                      {"voice", "human"},
                      {"autodialed", false},
                      {"line_type", "landline"},
                      {"caller_id", kCallerId},
                      {"caller_id_owned", true}};
  auto r = post("/api/compliance/check", viewer_key_, facts);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["decision"], "defer") << r.raw;
  EXPECT_EQ(r.body["rule"], "FED-TIME") << r.raw;
  EXPECT_EQ(r.body["allowed_at"], "2026-11-25T13:00:00.000Z") << r.raw;
  EXPECT_FALSE(r.body["reason"].get<std::string>().empty());
  EXPECT_GT(r.body["decision_id"].get<std::int64_t>(), 0);

  // The same attempt at 10:00 local is allowed.
  json morning = facts;
  morning["at"] = "2026-11-24T15:00:00Z";
  auto ok = post("/api/compliance/check", viewer_key_, morning);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_EQ(ok.body["decision"], "allow") << ok.raw;
  EXPECT_EQ(ok.body["rule"], "OK") << ok.raw;
  EXPECT_TRUE(ok.body["allowed_at"].is_null()) << ok.raw;

  // Schema errors name the field.
  json bad = facts;
  bad["consents"] = json::array({{{"type", "verbal"}, {"granted_at", "2026-01-02T03:04:05Z"}}});
  auto e = post("/api/compliance/check", viewer_key_, bad);
  EXPECT_EQ(e.status, 400) << e.raw;
  EXPECT_EQ(e.body["error"]["details"]["field"], "consents[0].type") << e.raw;

  // Both decisions were audited as gate.decision by the viewer.
  auto audit = get("/api/audit?limit=1000", staff_key_);
  ASSERT_EQ(audit.status, 200) << audit.raw;
  int decisions = 0;
  for (const auto& a : audit.body["items"]) {
    if (a["action"] == "gate.decision") {
      ++decisions;
      EXPECT_EQ(a["actor"], "user:" + std::to_string(viewer_id_)) << a.dump();
    }
  }
  EXPECT_EQ(decisions, 2) << audit.raw;
}

// A tenant created while the server runs (as `outdial tenant create` does against a live
// `outdial serve`) must be able to dial with the configured caller ID.
// (Regression: the caller-ID directory used to be snapshotted per tenant at start-up, so a later
// tenant was blocked CID-VALID on every target.)
TEST_F(E2eHttp, TenantCreatedAfterStartupCanDial) {
  auto t = services_->db().tenants().create_tenant(Tenant{0, "Late Tenant", "US", true, "", clock_.now()});
  ASSERT_TRUE(t.ok());
  const std::string key = make_user(services_->db().tenants(), t->id, "staff@late.test", Role::kOperatorStaff, nullptr);
  auto up = http(port_, "POST", "/api/contacts/upload", key, multipart({{"list_name", "Late"}}, kCsv),
                 {{"Content-Type", "multipart/form-data; boundary=e2e-boundary-7MA4YWxk"}});
  ASSERT_EQ(up.status, 201) << up.raw;
  for (const auto& phone : kAccepted) {
    auto c = post("/api/consents", key,
                  {{"phone", phone}, {"type", "prior_express_written"}, {"channel", "voice"},
                   {"granted_at", "2026-01-02T03:04:05Z"}});
    ASSERT_EQ(c.status, 201) << c.raw;
  }
  auto created = post("/api/campaigns", key, campaign_body(up.body["list_id"].get<std::int64_t>(), "Late_Nov2026"));
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string base = "/api/campaigns/" + std::to_string(created.body["id"].get<std::int64_t>());
  ASSERT_EQ(post(base + "/start", key, json::object()).status, 200);
  EXPECT_TRUE(drive().all_complete);
  auto p = get(base + "/progress", key);
  ASSERT_EQ(p.status, 200) << p.raw;
  EXPECT_EQ(p.body["status"], "completed") << p.raw;
  EXPECT_EQ(p.body["blocked"], 0) << p.raw;
  EXPECT_TRUE(p.body["blocked_by_rule"].empty()) << p.body["blocked_by_rule"].dump();
  EXPECT_GT(p.body["attempts"].get<std::int64_t>(), 0) << p.raw;
}

}  // namespace
}  // namespace outdial::e2e
