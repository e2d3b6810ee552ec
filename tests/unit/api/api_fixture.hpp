#pragma once
// The API over loopback HTTP against a real SQLite database on a temp file, with hand-written
// fakes for the services that are not the API's concern (campaign lifecycle, CSV import) and a
// scripted gate.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "outdial/api/auth.hpp"
#include "outdial/api/error_mapping.hpp"
#include "outdial/api/routes.hpp"
#include "outdial/net/server.hpp"
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "unit/net/test_http_client.hpp"

namespace outdial::api::test {

using nlohmann::json;

// Campaign lifecycle over the real stores with the role/tenant contract of CampaignService.
class FakeCampaignService final : public dialer::CampaignService {
 public:
  FakeCampaignService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}
  Result<Campaign> create(const Actor& actor, const Campaign& draft) override {
    if (!is_staff(actor.role)) return make_error(ErrorCode::kPermissionDenied, "staff only");
    Campaign c = draft;
    c.tenant_id = actor.tenant_id;
    c.created_at = clock_.now();
    return db_.campaigns().create_campaign(c);
  }
  Result<Campaign> get(const Actor& actor, CampaignId id) override {
    return db_.campaigns().get_campaign(actor.tenant_id, id);
  }
  Result<std::vector<Campaign>> list(const Actor& actor) override {
    return db_.campaigns().list_campaigns(actor.tenant_id);
  }
  Result<Campaign> activate(const Actor& a, CampaignId id) override {
    return change(a, id, {CampaignStatus::kDraft}, CampaignStatus::kActive);
  }
  Result<Campaign> pause(const Actor& a, CampaignId id) override {
    return change(a, id, {CampaignStatus::kActive}, CampaignStatus::kPaused);
  }
  Result<Campaign> resume(const Actor& a, CampaignId id) override {
    return change(a, id, {CampaignStatus::kPaused}, CampaignStatus::kActive);
  }
  Result<Campaign> stop(const Actor& a, CampaignId id) override {
    return change(a, id, {CampaignStatus::kActive, CampaignStatus::kPaused, CampaignStatus::kDraft},
                  CampaignStatus::kStopped);
  }
  Result<dialer::Progress> progress(const Actor& actor, CampaignId id) override {
    auto c = get(actor, id);
    if (!c.ok()) return c.error();
    dialer::Progress p;
    p.campaign_id = id;
    p.status = to_string(c->status);
    p.targets["pending"] = 2;
    p.blocked_by_rule["FED-TIME"] = 1;
    p.connect_rate = 0.5;
    return p;
  }
  int calls = 0;

 private:
  Result<Campaign> change(const Actor& actor, CampaignId id, std::vector<CampaignStatus> from,
                          CampaignStatus to) {
    ++calls;
    if (!can_write(actor.role)) return make_error(ErrorCode::kPermissionDenied, "read only");
    auto c = get(actor, id);
    if (!c.ok()) return c.error();
    if (std::find(from.begin(), from.end(), c->status) == from.end()) {
      return make_error(ErrorCode::kFailedPrecondition,
                        std::string("cannot go from ") + to_string(c->status) + " to " + to_string(to));
    }
    c->status = to;
    if (to == CampaignStatus::kActive) {
      c->activated_by = actor.user_id;
      c->activated_at = clock_.now();
    }
    return db_.campaigns().update_campaign(*c);
  }
  storage::Database& db_;
  const Clock& clock_;
};

// Records what it was asked; returns a scripted report (or an error).
class FakeImportService final : public importer::ImportService {
 public:
  Result<importer::ImportReport> import_csv(std::istream& in, const importer::ImportOptions& opts) override {
    std::lock_guard lock(mu_);
    std::ostringstream s;
    s << in.rdbuf();
    last_csv = s.str();
    last_options = opts;
    if (fail) return *fail;
    importer::ImportReport r;
    r.rows = 2;
    r.inserted = opts.validate_only ? 0 : 1;
    r.rejected = 1;
    r.headers = {"phone", "name"};
    r.list_id = opts.validate_only ? 0 : 77;
    importer::RowIssue issue;
    issue.row = 2;
    issue.field = "phone";
    issue.raw = "555-0100";
    issue.code = "fictional_555";
    issue.message = "fictional number";
    r.issues.push_back(issue);
    return r;
  }
  std::string last_csv;
  importer::ImportOptions last_options;
  std::optional<Error> fail;

 private:
  std::mutex mu_;
};

// Returns `decision` and remembers the facts it saw.
class ScriptedGate final : public compliance::Gate {
 public:
  compliance::Decision evaluate(const compliance::AttemptFacts& facts) const override {
    std::lock_guard lock(mu_);
    last_facts = facts;
    return decision;
  }
  compliance::Decision decision{compliance::Verdict::kAllow, "OK", "allowed", std::nullopt};
  mutable compliance::AttemptFacts last_facts;

 private:
  mutable std::mutex mu_;
};

struct Response {
  int status = 0;
  json body;
  std::map<std::string, std::string> headers;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("outdial_api_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++) + ".db"))
                .string();
    // A name reused from an earlier process (pids recycle) may have left a -wal file behind,
    // which SQLite would replay into the new database: remove all three.
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
    auto db = storage::sqlite::SqliteDatabase::open(path_);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    tenant_a_ = make_tenant("acme");
    tenant_b_ = make_tenant("globex");
    admin_key_ = make_user(tenant_a_, Role::kOperatorAdmin, "admin");
    staff_key_ = make_user(tenant_a_, Role::kOperatorStaff, "staff");
    agent_key_ = make_user(tenant_a_, Role::kAgent, "agent");
    viewer_key_ = make_user(tenant_a_, Role::kClientViewer, "viewer");
    other_admin_key_ = make_user(tenant_b_, Role::kOperatorAdmin, "otheradmin");

    campaigns_ = std::make_unique<FakeCampaignService>(*db_, clock_);
    deps_ = std::make_unique<ApiDeps>(ApiDeps{*db_, importer_, *campaigns_, gate_, clock_});
    register_routes(router_, *deps_);
    server_ = std::make_unique<net::HttpServer>(net::ServerOptions{}, router_.as_handler());
    ASSERT_TRUE(server_->start().ok());
  }
  void TearDown() override {
    server_->stop();
    db_.reset();
    std::filesystem::remove(path_);
    std::filesystem::remove(path_ + "-wal");
    std::filesystem::remove(path_ + "-shm");
  }

  TenantId make_tenant(const std::string& name) {
    Tenant t;
    t.name = name;
    t.created_at = clock_.now();
    auto r = db_->tenants().create_tenant(t);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->id : 0;
  }
  std::string make_user(TenantId tenant, Role role, const std::string& name) {
    User u;
    u.tenant_id = tenant;
    u.email = name + "@example.com";
    u.name = name;
    u.role = role;
    u.created_at = clock_.now();
    auto user = db_->tenants().create_user(u);
    EXPECT_TRUE(user.ok());
    const std::string key = "key-" + name + "-" + std::to_string(tenant);
    ApiKey k;
    k.user_id = user->id;
    k.key_hash = sha256_hex(key);
    k.label = name;
    k.created_at = clock_.now();
    EXPECT_TRUE(db_->tenants().create_api_key(k).ok());
    return key;
  }

  Response call(const std::string& method, const std::string& target, const std::string& key,
                const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    outdial::testing::TestHttpClient c(server_->port());
    if (!key.empty()) headers["Authorization"] = "Bearer " + key;
    if (!body.empty() && headers.count("Content-Type") == 0) headers["Content-Type"] = "application/json";
    auto raw = c.request(method, target, body, headers);
    Response r;
    r.status = raw.status;
    r.headers = raw.headers;
    r.body = raw.body.empty() ? json() : json::parse(raw.body, nullptr, false);
    return r;
  }
  Response call_json(const std::string& method, const std::string& target, const std::string& key,
                     const json& body) {
    return call(method, target, key, body.dump());
  }

  // A campaign in tenant A (draft), created through the API as admin.
  CampaignId create_campaign(const std::string& name = "Spring") {
    auto r = call_json("POST", "/api/campaigns", admin_key_, {{"name", name}, {"list_id", 1}});
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body.value("id", CampaignId{0});
  }

  // A list of contacts with these numbers in tenant A and a draft campaign over it with its
  // targets, straight in the store. Returns the campaign; `contacts` gets the contacts in order.
  CampaignId seed_campaign_with_contacts(const std::vector<std::string>& phones, std::vector<Contact>& contacts) {
    ContactList l;
    l.tenant_id = tenant_a_;
    l.name = "l";
    auto list = db_->contacts().create_list(l);
    EXPECT_TRUE(list.ok());
    std::vector<Contact> cs(phones.size());
    for (std::size_t i = 0; i < phones.size(); ++i) {
      cs[i].tenant_id = tenant_a_;
      cs[i].list_id = list->id;
      cs[i].phone_e164 = phones[i];
    }
    EXPECT_TRUE(db_->contacts().insert_batch(cs).ok());
    auto r = call_json("POST", "/api/campaigns", admin_key_, {{"name", "c"}, {"list_id", list->id}});
    EXPECT_EQ(r.status, 201);
    const CampaignId id = r.body.value("id", CampaignId{0});
    EXPECT_TRUE(db_->campaigns().add_targets_from_list(id, list->id, clock_.now()).ok());
    auto stored = db_->contacts().list_contacts(tenant_a_, list->id, 0, static_cast<std::int64_t>(phones.size()));
    EXPECT_TRUE(stored.ok());
    contacts = stored->items;
    return id;
  }

  static inline int counter_ = 0;
  std::string path_;
  ManualClock clock_{from_epoch_ms(1'795'000'000'000)};
  std::unique_ptr<storage::sqlite::SqliteDatabase> db_;
  TenantId tenant_a_ = 0;
  TenantId tenant_b_ = 0;
  std::string admin_key_, staff_key_, agent_key_, viewer_key_, other_admin_key_;
  FakeImportService importer_;
  std::unique_ptr<FakeCampaignService> campaigns_;
  ScriptedGate gate_;
  std::unique_ptr<ApiDeps> deps_;
  net::Router router_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace outdial::api::test
