// SQLite-driver specifics not covered by the conformance suite: migration bookkeeping, open
// options, error translation, multi-connection writes, and a whole-campaign write path.
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "outdial/storage/sqlite/call_store.hpp"
#include "outdial/storage/sqlite/migrations/migrations.hpp"
#include "unit/storage/conformance_fixture.hpp"

namespace outdial::storage::testing {
namespace {

using sqlite::OpenOptions;
using sqlite::SqliteDatabase;

// A raw connection to the same file, as a separate tool or process would have.
class RawDb {
 public:
  explicit RawDb(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() { sqlite3_close(db_); }
  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  std::vector<std::string> column(const std::string& sql) { return column_at(sql, 0); }
  std::vector<std::string> column_at(const std::string& sql, int col) {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(s, col);
      out.emplace_back(t != nullptr ? reinterpret_cast<const char*>(t) : "");
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(SqliteDatabase, NothingRunsInAutocommitAfterSqliteRolledTheTransactionBack) {
  SqliteFileFactory files;
  auto db = must_open_sqlite(files.path());
  auto& tenants = db->tenants();
  auto create = [&](const char* name) {
    Tenant t;
    t.name = name;
    return tenants.create_tenant(t);
  };
  Status st = db->with_transaction([&]() -> Status {
    EXPECT_TRUE(create("before"));
    // What SQLite does by itself on SQLITE_FULL / IOERR / NOMEM: the whole transaction is gone.
    EXPECT_TRUE(db->execute("ROLLBACK"));
    // The rest of the unit must not run piece by piece in autocommit (its writes would commit
    // on their own, e.g. attempt rows reusing the ids the rollback freed).
    auto after = create("after");
    EXPECT_FALSE(after);
    if (!after) {
      EXPECT_EQ(after.error().code, ErrorCode::kUnavailable);
    }
    Status nested = db->with_transaction([&]() -> Status {
      auto r = create("nested");
      return r ? ok_status() : Status(r.error());
    });
    EXPECT_FALSE(nested);
    return ok_status();
  });
  EXPECT_FALSE(st);  // the COMMIT of a transaction that is gone fails
  EXPECT_FALSE(must(tenants.find_tenant_by_name("before")).has_value());
  EXPECT_FALSE(must(tenants.find_tenant_by_name("after")).has_value());
  EXPECT_FALSE(must(tenants.find_tenant_by_name("nested")).has_value());
  // The connection works normally again once that transaction has ended.
  EXPECT_TRUE(create("later"));
  EXPECT_TRUE(must(tenants.find_tenant_by_name("later")).has_value());
}

TEST(SqliteDatabase, MigrationsAreRecordedOncePerVersion) {
  SqliteFileFactory files;
  {
    auto db = must_open_sqlite(files.path());
    EXPECT_EQ(db->schema_version(), 17);
    ASSERT_TRUE(db->migrate());
  }
  auto again = must_open_sqlite(files.path());  // reopening re-runs migrate(): a no-op
  EXPECT_EQ(again->schema_version(), 17);
  RawDb raw(files.path());
  EXPECT_EQ(raw.column("SELECT version || ':' || name FROM schema_migrations ORDER BY version"),
            (std::vector<std::string>{"1:schema", "2:append_only", "3:attempts_by_number", "4:decisions_append_only",
                                      "7:accounts", "8:call_recordings", "9:dispositions",
                                      "10:caller_id_candidates", "12:event_locality", "13:rejected_numbers", "14:live_index_or",
                                      "15:contact_numbers", "16:unsent_attempts", "17:deferred_numbers"}));
  EXPECT_EQ(raw.column("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST(SqliteDatabase, HotQueriesUseTheLocalityIndexesOfMigration12) {
  SqliteFileFactory files;
  { auto db = must_open_sqlite(files.path()); }
  RawDb raw(files.path());
  auto plan = [&](const std::string& sql) {
    std::string all;
    for (const auto& line : raw.column_at("EXPLAIN QUERY PLAN " + sql, 3)) all += line + "\n";
    return all;
  };
  // The live-attempts query must imply the partial index's WHERE (same state list).
  EXPECT_NE(plan(sqlite::SqliteCallStore::live_attempts_sql()).find("call_attempts_live"), std::string::npos)
      << plan(sqlite::SqliteCallStore::live_attempts_sql());
  // Event lookups are searches, never scans of the event log: the duplicate check of an event
  // stored before its attempt knew the call id, and the lookup of such events by call id.
  const std::string orphan = plan(
      "SELECT 1 FROM call_events WHERE attempt_id = 0 AND provider = 'twilio' AND dedupe_key = 'k'");
  EXPECT_NE(orphan.find("SEARCH call_events USING COVERING INDEX call_events_attempt"), std::string::npos) << orphan;
  const std::string by_call = plan(
      "SELECT id FROM call_events WHERE attempt_id = 0 AND provider = 'twilio' AND provider_call_id = 'CA1'");
  EXPECT_NE(by_call.find("call_events_orphan_call"), std::string::npos) << by_call;
  // The daily limit's count of attempts made reads no table row (migration 16): both terms are
  // answered from indexes.
  const std::string made = plan(
      "SELECT (SELECT COUNT(*) FROM call_attempts WHERE campaign_id = 1 AND created_at >= 0 AND created_at < 9)"
      " - (SELECT COUNT(*) FROM call_attempts WHERE campaign_id = 1 AND created_at >= 0 AND created_at < 9"
      " AND state = 'canceled' AND dialed_at IS NULL AND provider_call_id = '')");
  EXPECT_NE(made.find("COVERING INDEX call_attempts_campaign_created"), std::string::npos) << made;
  EXPECT_NE(made.find("call_attempts_unsent"), std::string::npos) << made;
}

TEST(SqliteDatabase, AttemptWritesBuildNoTemporaryTable) {
  // Every write of call_attempts evaluates the live index's WHERE; written as an IN list it was
  // compiled into a temporary b-tree built again on each run (migration 14).
  SqliteFileFactory files;
  { auto db = must_open_sqlite(files.path()); }
  RawDb raw(files.path());
  auto opcodes = [&](const std::string& sql) {
    std::string all;
    for (const auto& op : raw.column_at("EXPLAIN " + sql, 1)) all += op + "\n";
    return all;
  };
  for (const std::string sql :
       {"UPDATE call_attempts SET state = 'completed', ended_at = 5 WHERE id = 1 AND state = 'ringing'",
        "INSERT INTO call_attempts (tenant_id, campaign_id, contact_id, attempt_number, idempotency_key, state,"
        " provider, provider_call_id, from_number, to_number, digits, answered_by_machine, created_at,"
        " failure_reason) VALUES (1, 1, 1, 1, 'k', 'queued', '', '', '+12125550100', '+12125550101', '', 0, 1, '')"}) {
    const std::string ops = opcodes(sql);
    EXPECT_NE(ops.find("IdxInsert"), std::string::npos) << sql;  // the plan does maintain the indexes
    EXPECT_EQ(ops.find("OpenEphemeral"), std::string::npos) << sql << "\n" << ops;
  }
}

TEST(SqliteDatabase, CallerIdCandidatesAreAnIndexSearchNotAPoolScan) {
  SqliteFileFactory files;
  { auto db = must_open_sqlite(files.path()); }
  RawDb raw(files.path());
  std::string plan;
  for (const auto& line : raw.column_at("EXPLAIN QUERY PLAN SELECT id FROM phone_numbers WHERE tenant_id = 1"
                                        " AND state = 'CA' AND status = 'active' ORDER BY id",
                                        3)) {
    plan += line + "\n";
  }
  EXPECT_NE(plan.find("SEARCH phone_numbers USING INDEX phone_numbers_active_state"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // already in id order
}

// A database a newer outdial migrated (an unknown version applied) is refused, not written with
// rows that break invariants this binary does not know.
TEST(SqliteDatabase, ADatabaseFromANewerOutdialIsRefused) {
  SqliteFileFactory files;
  { auto db = must_open_sqlite(files.path()); }
  {
    RawDb raw(files.path());
    ASSERT_EQ(raw.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', 0)"), SQLITE_OK);
  }
  auto again = SqliteDatabase::open(files.path());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(again.error().message.find("9999"), std::string::npos) << again.error().message;
  EXPECT_EQ(again.error().details.at("schema_version"), "9999");
}

TEST(SqliteDatabase, OpenWithoutMigrateStartsAtVersionZero) {
  SqliteFileFactory files;
  OpenOptions options;
  options.migrate = false;
  options.synchronous = sqlite::Synchronous::kFull;
  auto db = must(SqliteDatabase::open(files.path(), options));
  EXPECT_EQ(db->schema_version(), 0);
  ASSERT_TRUE(db->migrate());
  EXPECT_EQ(db->schema_version(), 17);
  Tenant t;
  t.name = "acme";
  EXPECT_TRUE(db->tenants().create_tenant(t));
}

TEST(SqliteDatabase, UnopenablePathIsUnavailable) {
  auto r = SqliteDatabase::open("/nonexistent-dir/outdial/x.db");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

TEST(SqliteDatabase, LibraryErrorsBecomeValues) {
  auto db = must_open_sqlite(":memory:");
  User orphan;
  orphan.tenant_id = 12345;  // foreign_keys=ON: no such tenant
  orphan.email = "x@y.test";
  auto r = db->tenants().create_user(orphan);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  auto bad = db->execute("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
}

// A stored enum name that no longer parses (a newer or broken writer) is an error naming the
// column and value, from every kind of read: one row, one-or-none, and lists (which fail whole).
TEST(SqliteDatabase, UnreadableStoredValuesAreErrorsNotGuesses) {
  auto db = must_open_sqlite(":memory:");
  const auto [tenant, list] = tenant_with_list(*db, "t");
  User user;
  user.tenant_id = tenant.id;
  user.email = "a@b.test";
  user = must(db->tenants().create_user(user));
  std::vector<Contact> contacts(2);
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    contacts[i].tenant_id = tenant.id;
    contacts[i].list_id = list.id;
    contacts[i].phone_e164 = "+1415555000" + std::to_string(i);
  }
  must(db->contacts().insert_batch(contacts));
  const auto stored = must(db->contacts().list_contacts(tenant.id, list.id, 0, 10)).items;
  ASSERT_EQ(stored.size(), 2U);
  CallAttempt attempt;
  attempt.tenant_id = tenant.id;
  attempt.contact_id = stored[0].id;
  attempt.idempotency_key = "k1";
  attempt.provider = "sim";
  attempt.provider_call_id = "c1";
  attempt = must(db->calls().create_attempt(attempt));

  ASSERT_TRUE(db->execute("UPDATE users SET role = 'emperor'"));
  ASSERT_TRUE(
      db->execute("UPDATE contacts SET line_type = 'pager' WHERE id = " + std::to_string(stored[1].id)));
  ASSERT_TRUE(db->execute("UPDATE call_attempts SET state = 'zombie'"));
  const auto expect_unreadable = [](const Error& e, const std::string& column, const std::string& value) {
    EXPECT_EQ(e.code, ErrorCode::kInternal);
    EXPECT_EQ(e.details.at("column"), column);
    EXPECT_EQ(e.details.at("value"), value);
  };
  auto user_read = db->tenants().get_user(user.id);
  ASSERT_FALSE(user_read);
  expect_unreadable(user_read.error(), "users.role", "emperor");
  auto user_found = db->tenants().find_user_by_email(tenant.id, user.email);
  ASSERT_FALSE(user_found);
  expect_unreadable(user_found.error(), "users.role", "emperor");
  auto page = db->contacts().list_contacts(tenant.id, list.id, 0, 10);  // 2nd row bad: no partial list
  ASSERT_FALSE(page);
  expect_unreadable(page.error(), "contacts.line_type", "pager");
  EXPECT_TRUE(db->contacts().get_contact(tenant.id, stored[0].id));  // the good row still reads
  auto contact = db->contacts().get_contact(tenant.id, stored[1].id);
  ASSERT_FALSE(contact);
  expect_unreadable(contact.error(), "contacts.line_type", "pager");
  auto attempts = db->calls().list_attempts(tenant.id, 0, 0, 10);
  ASSERT_FALSE(attempts);
  expect_unreadable(attempts.error(), "call_attempts.state", "zombie");
  auto by_call = db->calls().find_by_provider_id("sim", "c1");
  ASSERT_FALSE(by_call);
  expect_unreadable(by_call.error(), "call_attempts.state", "zombie");
  // A missing row is still kNotFound / none, not an unreadable one.
  EXPECT_EQ(db->tenants().get_user(user.id + 100).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(must(db->calls().find_by_provider_id("sim", "c2")).has_value());
}

TEST(SqliteDatabase, AppendOnlyAgainstAnotherConnection) {
  SqliteFileFactory files;
  auto db = must_open_sqlite(files.path());
  AuditEntry e;
  e.tenant_id = 1;
  e.actor = "system:test";
  ASSERT_TRUE(db->audit().append(e));
  CallEvent ev;
  ev.provider = "sim";
  ev.dedupe_key = "k";
  ASSERT_TRUE(db->calls().append_event(ev));
  storage::DecisionRecord d;
  d.tenant_id = 1;
  d.phone_e164 = "+12125550123";
  d.channel = "voice";
  d.verdict = "block";
  d.rule = "DNC-INTERNAL";
  ASSERT_TRUE(db->compliance().record_decision(d));
  RawDb raw(files.path());
  EXPECT_EQ(raw.exec("UPDATE gate_decisions SET verdict = 'allow'"), SQLITE_CONSTRAINT);
  EXPECT_EQ(raw.exec("DELETE FROM gate_decisions"), SQLITE_CONSTRAINT);
  EXPECT_EQ(raw.exec("UPDATE audit_log SET actor = 'x'"), SQLITE_CONSTRAINT);
  EXPECT_EQ(raw.exec("DELETE FROM audit_log"), SQLITE_CONSTRAINT);
  EXPECT_EQ(raw.exec("UPDATE call_events SET detail = 'x'"), SQLITE_CONSTRAINT);
  EXPECT_EQ(raw.exec("DELETE FROM call_events"), SQLITE_CONSTRAINT);
  auto trig = db->execute("DELETE FROM audit_log");
  ASSERT_FALSE(trig);
  EXPECT_EQ(trig.error().code, ErrorCode::kFailedPrecondition);
}

// Single-statement writes from two connections interleave without spurious kUnavailable
// (WAL stale-snapshot upgrades are retried; lock waits use busy_timeout).
TEST(SqliteDatabase, ConcurrentWritersOnTwoConnectionsAllSucceed) {
  SqliteFileFactory files;
  auto a = must_open_sqlite(files.path());
  auto b = must_open_sqlite(files.path());
  constexpr int kPerThread = 1500;
  auto writer = [&](Database& db, const std::string& provider) {
    for (int i = 0; i < kPerThread; ++i) {
      CallEvent e;
      e.provider = provider;
      e.provider_call_id = "c" + std::to_string(i % 10);
      e.dedupe_key = std::to_string(i);
      auto r = db.calls().append_event(e);
      ASSERT_TRUE(r) << r.error().message;
      ASSERT_TRUE(*r);
      if (i % 100 == 0) {
        auto n = db.calls().events_for_call(provider, "c0");
        ASSERT_TRUE(n) << n.error().message;
      }
    }
  };
  std::thread ta(writer, std::ref(*a), "p1");
  std::thread tb(writer, std::ref(*b), "p2");
  ta.join();
  tb.join();
  EXPECT_EQ(must(a->calls().events_for_call("p2", "c3")).size(), static_cast<std::size_t>(kPerThread / 10));
}

// A whole small campaign through the store, batched per claim like the dialer's event path:
// import, target, then per target claim (batches of 50), create + 3 CAS updates of the attempt,
// 4 events, release. Checks that every write lands; speed is bench/campaign's job (project rule:
// performance is measured in benchmarks, never in timed unit tests).
TEST(SqliteDatabase, WholeCampaignPersistsEveryWrite) {
  SqliteFileFactory files;
  auto db = must_open_sqlite(files.path());
  constexpr int kContacts = 2'000;
  const auto [tenant, list] = tenant_with_list(*db, "campaign");
  std::vector<Contact> batch;
  for (int i = 0; i < kContacts; ++i) {
    Contact c;
    c.tenant_id = tenant.id;
    c.list_id = list.id;
    c.phone_e164 = "+1415" + std::to_string(1'000'0000 + i);
    c.first_name = "F";
    c.tags = {"t"};
    c.custom_fields = {{"k", "v"}};
    batch.push_back(std::move(c));
    if (batch.size() == 500) {
      must(db->contacts().insert_batch(batch));
      batch.clear();
    }
  }
  Campaign campaign;
  campaign.tenant_id = tenant.id;
  campaign.list_id = list.id;
  campaign = must(db->campaigns().create_campaign(campaign));
  ASSERT_EQ(must(db->campaigns().add_targets_from_list(campaign.id, list.id, kT0)), kContacts);

  auto& calls = db->calls();
  auto& campaigns = db->campaigns();
  std::int64_t done = 0;
  std::string last_call_id;
  for (;;) {
    auto claimed = must(campaigns.claim_targets(campaign.id, "node", kT0, std::chrono::seconds(60), 50));
    if (claimed.empty()) break;
    Status st = db->with_transaction([&]() -> Status {
      for (auto& t : claimed) {
        CallAttempt a;
        a.tenant_id = tenant.id;
        a.campaign_id = campaign.id;
        a.contact_id = t.contact_id;
        a.idempotency_key = std::to_string(campaign.id) + ":" + std::to_string(t.contact_id) + ":1";
        a.provider = "sim";
        a.created_at = kT0;
        auto created = calls.create_attempt(a);
        if (!created) return created.error();
        CallAttempt cur = *created;
        cur.provider_call_id = "sim-" + std::to_string(t.contact_id);
        last_call_id = cur.provider_call_id;
        const CallState path[] = {CallState::kDialing, CallState::kRinging, CallState::kCompleted};
        const CallEventKind kinds[] = {CallEventKind::kInitiated, CallEventKind::kRinging,
                                       CallEventKind::kAnsweredHuman, CallEventKind::kCompleted};
        for (int k = 0; k < 4; ++k) {
          CallEvent e;
          e.provider = "sim";
          e.provider_call_id = cur.provider_call_id;
          e.attempt_id = cur.id;
          e.kind = kinds[k];
          e.sequence = k;
          e.dedupe_key = cur.provider_call_id + ":" + std::to_string(k);
          if (auto r = calls.append_event(e); !r) return r.error();
        }
        for (CallState next : path) {
          const CallState expected = cur.state;
          cur.state = next;
          if (auto r = calls.update_attempt(cur, expected); !r) return r.error();
        }
        t.status = TargetStatus::kDone;
        t.attempts = 1;
        t.last_outcome = "completed";
        if (auto r = campaigns.release_target(t, "node"); !r) return r.error();
      }
      return ok_status();
    });
    ASSERT_TRUE(st) << st.error().message;
    done += static_cast<std::int64_t>(claimed.size());
  }
  EXPECT_EQ(done, kContacts);
  EXPECT_EQ(must(calls.count_by_state(campaign.id)),
            (std::map<std::string, std::int64_t>{{"completed", kContacts}}));
  EXPECT_EQ(must(campaigns.count_targets(campaign.id)).by_status.at("done"), kContacts);
  EXPECT_EQ(must(calls.list_attempts(tenant.id, campaign.id, 0, kContacts + 1)).size(),
            static_cast<std::size_t>(kContacts));
  // Every event persisted, in order, for every call.
  RawDb raw(files.path());
  EXPECT_EQ(raw.column("SELECT COUNT(*) FROM call_events"),
            std::vector<std::string>{std::to_string(4 * kContacts)});
  const auto events = must(calls.events_for_call("sim", last_call_id));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events.front().kind, CallEventKind::kInitiated);
  EXPECT_EQ(events.back().kind, CallEventKind::kCompleted);
}

// Migration 15 rebuilds contacts (without its UNIQUE index) and moves the (list, number) key
// into contact_numbers: a database at version 13 with contacts and campaign targets keeps every
// id, row and target; its numbers are keyed (a re-import of one is a duplicate, new ids continue
// from the max); foreign keys are enforced again afterwards.
TEST(SqliteDatabase, Migration15KeepsContactsAndKeysTheirNumbers) {
  SqliteFileFactory files;
  ContactId campaign_id = 0;
  TenantId tenant_id = 0;
  ListId list_id = 0;
  {
    OpenOptions options;
    options.migrate = false;
    auto db = must(SqliteDatabase::open(files.path(), options));
    ASSERT_TRUE(db->execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                            " applied_at INTEGER NOT NULL)"));
    for (const auto& m : sqlite::migrations()) {
      if (m.version > 13) continue;
      ASSERT_TRUE(db->execute(m.sql)) << m.version;
      ASSERT_TRUE(db->execute("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" +
                              m.name + "', 0)"));
    }
    ASSERT_EQ(db->schema_version(), 13);
    const auto [tenant, list] = tenant_with_list(*db, "old");
    tenant_id = tenant.id;
    list_id = list.id;
    // Version 13 rows, numbers not in id order, one id skipped.
    for (const auto& [id, phone] : std::vector<std::pair<int, std::string>>{
             {1, "+14155550199"}, {2, "+14155550100"}, {4, "+442071838750"}}) {
      ASSERT_TRUE(db->execute(
          "INSERT INTO contacts (id, tenant_id, list_id, phone_e164, first_name, last_name, email, timezone,"
          " state, tags, custom_fields, line_type, national_dnc, created_at) VALUES (" +
          std::to_string(id) + ", " + std::to_string(tenant.id) + ", " + std::to_string(list.id) + ", '" + phone +
          "', 'n" + std::to_string(id) + "', '', '', '', '', '[]', '{}', 'unknown', 0, 0)"));
    }
    Campaign campaign;
    campaign.tenant_id = tenant.id;
    campaign.list_id = list.id;
    campaign_id = must(db->campaigns().create_campaign(campaign)).id;
    ASSERT_EQ(must(db->campaigns().add_targets_from_list(campaign_id, list.id, kT0)), 3);
  }

  auto db = must_open_sqlite(files.path());  // applies 14 to 16
  EXPECT_EQ(db->schema_version(), 17);
  const auto page = must(db->contacts().list_contacts(tenant_id, list_id, 0, 10)).items;
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].id, 1);
  EXPECT_EQ(page[0].phone_e164, "+14155550199");
  EXPECT_EQ(page[1].id, 2);
  EXPECT_EQ(page[2].id, 4);
  EXPECT_EQ(page[2].first_name, "n4");
  {
    RawDb raw(files.path());
    EXPECT_EQ(raw.column("SELECT list_id || ':' || phone_key || ':' || contact_id FROM contact_numbers"),
              (std::vector<std::string>{std::to_string(list_id) + ":14155550100:2",
                                        std::to_string(list_id) + ":14155550199:1",
                                        std::to_string(list_id) + ":442071838750:4"}));
    EXPECT_EQ(raw.column("SELECT name FROM sqlite_master WHERE tbl_name = 'contacts' AND type = 'index' ORDER BY name"),
              std::vector<std::string>{"contacts_tenant_list"});
    EXPECT_EQ(raw.column("SELECT contact_id FROM campaign_targets ORDER BY contact_id"),
              (std::vector<std::string>{"1", "2", "4"}));
    EXPECT_EQ(raw.column("SELECT COUNT(*) FROM campaign_targets t JOIN contacts c ON c.id = t.contact_id"),
              std::vector<std::string>{"3"});
    EXPECT_TRUE(raw.column("PRAGMA foreign_key_check").empty());
    EXPECT_EQ(raw.column("PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  }

  Contact again;
  again.tenant_id = tenant_id;
  again.list_id = list_id;
  again.phone_e164 = "+14155550100";
  Contact fresh = again;
  fresh.phone_e164 = "+14155550101";
  EXPECT_EQ(must(db->contacts().insert_batch({again, fresh})), (std::vector<bool>{false, true}));
  EXPECT_EQ(must(db->contacts().list_contacts(tenant_id, list_id, 3, 10)).items.at(0).id, 5);
  // Foreign keys are on again: a list of a missing tenant is refused.
  ContactList orphan;
  orphan.tenant_id = tenant_id + 99;
  orphan.name = "orphan";
  EXPECT_FALSE(db->contacts().create_list(orphan));
}

}  // namespace
}  // namespace outdial::storage::testing
