// SqliteContactStore::insert_batch writes tags and custom fields as JSON with its own string
// writer: the stored text must stay byte for byte what nlohmann::json wrote before (dump with
// invalid UTF-8 replaced), and read back unchanged.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "outdial/storage/sqlite/connection.hpp"
#include "unit/storage/conformance_fixture.hpp"
#include "unit/storage/sqlite_file_query.hpp"

namespace outdial::storage::testing {
namespace {

std::string reference_dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::pair<std::string, std::string>> stored_json(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT tags, custom_fields FROM contacts ORDER BY id", -1, &s, nullptr);
  auto text = [s](int col) {
    const auto* p = sqlite3_column_text(s, col);
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<std::size_t>(sqlite3_column_bytes(s, col)));
  };
  while (sqlite3_step(s) == SQLITE_ROW) out.emplace_back(text(0), text(1));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

// Polls `done` until it holds or ~30 s passed (a bound on waiting for another thread, not a
// timing assertion).
template <typename F>
bool eventually(F done) {
  for (int i = 0; i < 3000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

bool valid_utf8(const std::string& s) {
  return !nlohmann::json::parse(reference_dump(nlohmann::json(s)), nullptr, false).is_discarded() &&
         nlohmann::json::parse(reference_dump(nlohmann::json(s)), nullptr, false).get<std::string>() == s;
}

TEST(SqliteContactInsert, JsonTextIsWhatNlohmannWrote) {
  SqliteFileFactory files;
  auto db = must_open_sqlite(files.path());
  const auto [tenant, list] = tenant_with_list(*db, "acme", "leads", kT0);

  const std::vector<std::string> samples = {
      "",
      "plain",
      "quote\"d",
      "back\\slash",
      std::string("ctl\b\t\n\f\r end"),
      std::string("raw\x01\x02\x1f\x7f", 7),
      std::string("nul\0byte", 8),
      "/slash/",
      "Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",  // é € 😀
      "bad\xFF"
      "byte",                   // invalid UTF-8
      "cut\xC3",                // truncated sequence at the end
      "\xC3(mixed\xE2\x82",     // invalid then truncated
      "over\xC0\xAFlong",       // overlong encoding
      "sur\xED\xA0\x80rogate",  // encoded surrogate
  };
  std::vector<Contact> batch;
  // 3 rounds: 42 rows through one reused statement.
  for (std::size_t i = 0; i < 3 * samples.size(); ++i) {
    Contact c;
    c.tenant_id = tenant.id;
    c.list_id = list.id;
    c.phone_e164 = "+1212456" + std::to_string(7000 + i);
    const std::string& a = samples[i % samples.size()];
    const std::string& b = samples[(i + 1) % samples.size()];
    const std::string& d = samples[(i + 2) % samples.size()];
    c.first_name = a;
    c.created_at = kT0;
    if (i % 3 != 0) c.tags = {a, "vip", b};
    if (i % 4 != 1) c.custom_fields = {{a, d}, {"plan", "gold"}, {"z", a}};
    batch.push_back(c);
  }
  auto inserted = must(db->contacts().insert_batch(batch), "insert_batch");
  EXPECT_EQ(inserted, std::vector<bool>(batch.size(), true));

  const auto stored = stored_json(files.path());
  ASSERT_EQ(stored.size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    nlohmann::json tags = nlohmann::json::array();
    for (const auto& tag : batch[i].tags) tags.push_back(tag);
    nlohmann::json custom = nlohmann::json::object();
    for (const auto& [k, v] : batch[i].custom_fields) custom[k] = v;
    EXPECT_EQ(stored[i].first, reference_dump(tags)) << i;
    EXPECT_EQ(stored[i].second, reference_dump(custom)) << i;
  }

  // Read back: valid text unchanged; ids follow the batch order.
  auto page = must(db->contacts().list_contacts(tenant.id, list.id, 0, 100), "list_contacts");
  ASSERT_EQ(page.items.size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Contact& got = page.items[i];
    EXPECT_EQ(got.phone_e164, batch[i].phone_e164) << i;
    if (i > 0) {
      EXPECT_GT(got.id, page.items[i - 1].id);
    }
    const std::size_t k = samples.size();
    bool all_valid =
        valid_utf8(samples[i % k]) && valid_utf8(samples[(i + 1) % k]) && valid_utf8(samples[(i + 2) % k]);
    if (all_valid) {
      EXPECT_EQ(got.tags, batch[i].tags) << i;
      EXPECT_EQ(got.custom_fields, batch[i].custom_fields) << i;
      EXPECT_EQ(got.first_name, batch[i].first_name) << i;
    }
  }
}

TEST(SqliteContactInsert, OneStatementPerBatchStillReportsEachRow) {
  auto db = must_open_sqlite(":memory:");
  const auto [tenant, list] = tenant_with_list(*db, "acme", "leads");
  auto contact = [&](const std::string& phone, const std::string& name) {
    Contact c;
    c.tenant_id = tenant.id;
    c.list_id = list.id;
    c.phone_e164 = phone;
    c.first_name = name;
    return c;
  };
  must(db->contacts().insert_batch({contact("+12124567001", "a")}), "first");
  // Existing number, new, the same new number again in the batch, another new one.
  auto flags = must(db->contacts().insert_batch({contact("+12124567001", "x"), contact("+12124567002", "b"),
                                                 contact("+12124567002", "y"), contact("+12124567003", "")}),
                    "second");
  EXPECT_EQ(flags, (std::vector<bool>{false, true, false, true}));
  auto page = must(db->contacts().list_contacts(tenant.id, list.id, 0, 10), "list");
  ASSERT_EQ(page.items.size(), 3u);
  EXPECT_EQ(page.items[0].first_name, "a");  // left unchanged
  EXPECT_EQ(page.items[1].first_name, "b");
  EXPECT_EQ(page.items[2].first_name, "");  // empty text, not NULL
  // A failing row rolls the whole batch back (unknown list: foreign key).
  Contact orphan = contact("+12124567004", "o");
  orphan.list_id = list.id + 100;
  auto failed = db->contacts().insert_batch({contact("+12124567005", "p"), orphan});
  ASSERT_FALSE(failed);
  EXPECT_EQ(must(db->contacts().count_contacts(tenant.id, list.id), "count"), 3);
  // The statement is usable again after the failure.
  EXPECT_EQ(must(db->contacts().insert_batch({contact("+12124567005", "p")}), "third"),
            std::vector<bool>{true});
}

// One statement reused across a large batch: ids and results are exactly those of inserting row
// by row in input order, duplicates or not.
TEST(SqliteContactInsert, LargeBatchesKeepInputOrderIds) {
  auto db = must_open_sqlite(":memory:");
  const auto [tenant, list] = tenant_with_list(*db, "acme", "leads");
  auto phone = [](int n) { return "+1212" + std::to_string(4560000 + (n * 7919) % 10000); };
  auto batch_of = [&](int from, int count, std::vector<int> repeat = {}) {
    std::vector<Contact> out;
    for (int i = from; i < from + count; ++i) {
      Contact c;
      c.tenant_id = tenant.id;
      c.list_id = list.id;
      c.phone_e164 = phone(i);
      c.first_name = "row" + std::to_string(i);
      out.push_back(c);
      for (int r : repeat) {
        if (r == i) out.push_back(c);
      }
    }
    return out;
  };
  // All new: ids 1..100 in input order (numbers deliberately not in sorted order).
  auto first = batch_of(0, 100);
  EXPECT_EQ(must(db->contacts().insert_batch(first), "first"), std::vector<bool>(100, true));
  // Half already stored, one repeated inside the batch.
  auto second = batch_of(50, 100, {120});
  auto flags = must(db->contacts().insert_batch(second), "second");
  std::vector<bool> expected;
  for (int i = 50; i < 150; ++i) {
    expected.push_back(i >= 100);
    if (i == 120) expected.push_back(false);
  }
  EXPECT_EQ(flags, expected);
  // Ids: contiguous in input order, as row-by-row inserts would assign them.
  auto page = must(db->contacts().list_contacts(tenant.id, list.id, 0, 1000), "list");
  ASSERT_EQ(page.items.size(), 150u);
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    EXPECT_EQ(page.items[i].id, static_cast<ContactId>(i + 1)) << i;
    EXPECT_EQ(page.items[i].first_name, "row" + std::to_string(i)) << i;
    EXPECT_EQ(page.items[i].phone_e164, phone(static_cast<int>(i))) << i;
  }
  // Everything already there: nothing inserted, nothing changed.
  EXPECT_EQ(must(db->contacts().insert_batch(first), "again"), std::vector<bool>(100, false));
  EXPECT_EQ(must(db->contacts().count_contacts(tenant.id, list.id), "count"), 150);
  // A failing row in a large batch rolls all of it back.
  auto bad = batch_of(200, 50);
  bad[30].list_id = list.id + 100;
  ASSERT_FALSE(db->contacts().insert_batch(bad));
  EXPECT_EQ(must(db->contacts().count_contacts(tenant.id, list.id), "count"), 150);
  // After a gap in ids (a deleted last row), new ids continue from the current max as SQLite's do.
  ASSERT_TRUE(db->execute("DELETE FROM contacts WHERE id = 150"));
  auto third = batch_of(300, 40);
  EXPECT_EQ(must(db->contacts().insert_batch(third), "third"), std::vector<bool>(40, true));
  auto last = must(db->contacts().list_contacts(tenant.id, list.id, 149, 1000), "list");
  ASSERT_EQ(last.items.size(), 40u);
  EXPECT_EQ(last.items.front().id, 150);
  EXPECT_EQ(last.items.front().first_name, "row300");
  EXPECT_EQ(last.items.back().id, 189);
}

// Bulk inserts leave their checkpoints to a second connection on its own thread: the committed
// rows reach the database file while the writer's connection stays open, every row is there for
// other connections and after reopening.
TEST(SqliteContactInsert, BulkInsertsAreCheckpointedWhileTheWriterStaysOpen) {
  SqliteFileFactory files;
  sqlite::OpenOptions options;
  options.wal_autocheckpoint_pages = 64;
  options.journal_size_limit_bytes = 256 * 1024;
  auto db = must(sqlite::SqliteDatabase::open(files.path(), options), "open");
  const auto [tenant, list] = tenant_with_list(*db, "acme", "leads");
  const auto before = file_size(files.path());

  constexpr int kBatches = 4;
  constexpr int kRows = 2000;  // ~80 pages of rows per batch: every commit passes 64 frames
  for (int b = 0; b < kBatches; ++b) {
    std::vector<Contact> batch;
    for (int i = 0; i < kRows; ++i) {
      Contact c;
      c.tenant_id = tenant.id;
      c.list_id = list.id;
      c.phone_e164 = "+1212" + std::to_string(5000000 + b * kRows + i);
      c.first_name = std::string(100, static_cast<char>('a' + b));
      c.custom_fields = {{"row", std::to_string(b * kRows + i)}};
      batch.push_back(c);
    }
    EXPECT_EQ(must(db->contacts().insert_batch(batch), "insert_batch"), std::vector<bool>(kRows, true));
  }
  // Only a checkpoint writes pages into the database file (the connection is not closed).
  const std::uintmax_t rows_bytes = std::uintmax_t{kBatches} * kRows * 100;
  EXPECT_TRUE(eventually([&] { return file_size(files.path()) >= before + rows_bytes; }))
      << "database file " << file_size(files.path()) << " bytes, was " << before;

  // The WAL grew past journal_size_limit during the import; once everything is checkpointed the
  // next commit rewinds it and truncates the file to the limit.
  const std::string wal = files.path() + "-wal";
  EXPECT_GT(file_size(wal), static_cast<std::uintmax_t>(options.journal_size_limit_bytes));
  int lists = 0;
  EXPECT_TRUE(eventually([&] {
    ContactList another;
    another.tenant_id = tenant.id;
    another.name = "after " + std::to_string(lists++);
    (void)must(db->contacts().create_list(another), "create_list");
    return file_size(wal) <= static_cast<std::uintmax_t>(options.journal_size_limit_bytes);
  })) << "WAL " << file_size(wal) << " bytes";

  auto other = files.open_second();
  EXPECT_EQ(must(other->contacts().count_contacts(tenant.id, list.id), "count"), kBatches * kRows);
  other.reset();
  db.reset();
  auto reopened = must_open_sqlite(files.path());
  auto page = must(reopened->contacts().list_contacts(tenant.id, list.id, 0, kBatches * kRows), "list");
  ASSERT_EQ(page.items.size(), static_cast<std::size_t>(kBatches * kRows));
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    EXPECT_EQ(page.items[i].custom_fields.at("row"), std::to_string(i)) << i;
    if (i > 0) {
      EXPECT_GT(page.items[i].id, page.items[i - 1].id);
    }
  }
}

// The mechanism itself: under CheckpointsInBackground a commit past the threshold is
// checkpointed by the BackgroundCheckpointer; once the guard is gone SQLite's own automatic
// checkpoint is back (inline, before COMMIT returns) and the checkpointer is not asked again.
TEST(SqliteConnection, CheckpointsInBackgroundOnlyWhileTheGuardLives) {
  SqliteFileFactory files;
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(files.path().c_str(), &handle), SQLITE_OK);
  sqlite::Connection conn(handle);
  auto lock = conn.lock();
  ASSERT_TRUE(conn.exec("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=16; CREATE TABLE t (x BLOB)"));
  conn.set_autocheckpoint_pages(16);
  const char* kBigCommit =
      "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
      " INSERT INTO t SELECT randomblob(1000) FROM n; COMMIT";

  const auto empty = file_size(files.path());
  {
    sqlite::CheckpointsInBackground guard(conn);
    ASSERT_TRUE(conn.exec(kBigCommit));
  }
  ASSERT_NE(conn.checkpointer(), nullptr);
  EXPECT_TRUE(eventually([&] { return conn.checkpointer()->completed() >= 1; }));
  const auto after_background = file_size(files.path());
  EXPECT_GE(after_background, empty + 200 * 1000);

  const auto completed = conn.checkpointer()->completed();
  ASSERT_TRUE(conn.exec(kBigCommit));
  EXPECT_GE(file_size(files.path()), after_background + 200 * 1000);  // checkpointed inline
  EXPECT_EQ(conn.checkpointer()->completed(), completed);
}

TEST(SqliteConnection, NoBackgroundCheckpointerForAnInMemoryDatabase) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &handle), SQLITE_OK);
  sqlite::Connection conn(handle);
  auto lock = conn.lock();
  conn.set_autocheckpoint_pages(16);
  {
    sqlite::CheckpointsInBackground guard(conn);
    ASSERT_TRUE(conn.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)"));
  }
  EXPECT_EQ(conn.checkpointer(), nullptr);
}

// The list's numbers live in contact_numbers (migration 15), keyed by the E.164 digits: a number
// that is not E.164 is refused with the row named, nothing of the batch is stored; deleting a
// contact frees its number; a contact's number and list cannot change under its key.
TEST(SqliteContactInsert, NumbersAreKeyedByTheirE164Digits) {
  auto db = must_open_sqlite(":memory:");
  const auto [tenant, list] = tenant_with_list(*db, "acme", "leads");
  auto contact = [&](const std::string& phone) {
    Contact c;
    c.tenant_id = tenant.id;
    c.list_id = list.id;
    c.phone_e164 = phone;
    return c;
  };
  for (const std::string bad : {"4155550123", "+04155550123", "+1415555012x", "+", "+1234567890123456", ""}) {
    auto r = db->contacts().insert_batch({contact("+14155550100"), contact(bad)});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.error().details.at("row"), "1") << bad;
    EXPECT_EQ(r.error().details.at("phone"), bad);
  }
  EXPECT_EQ(must(db->contacts().count_contacts(tenant.id, list.id), "count"), 0);

  // Shortest and longest E.164 numbers; the same digits again are the same number.
  EXPECT_EQ(must(db->contacts().insert_batch({contact("+12"), contact("+123456789012345"), contact("+12")}), "edges"),
            (std::vector<bool>{true, true, false}));
  auto stored = must(db->contacts().list_contacts(tenant.id, list.id, 0, 10), "list").items;
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].phone_e164, "+12");
  EXPECT_EQ(stored[1].phone_e164, "+123456789012345");

  // A contact's number and list are fixed; deleting the contact frees the number.
  EXPECT_FALSE(db->execute("UPDATE contacts SET phone_e164 = '+13' WHERE id = " + std::to_string(stored[0].id)));
  EXPECT_TRUE(db->execute("UPDATE contacts SET first_name = 'x' WHERE id = " + std::to_string(stored[0].id)));
  ASSERT_TRUE(db->execute("DELETE FROM contacts WHERE id = " + std::to_string(stored[0].id)));
  EXPECT_EQ(must(db->contacts().insert_batch({contact("+12")}), "again"), std::vector<bool>{true});
  EXPECT_EQ(must(db->contacts().insert_batch({contact("+123456789012345")}), "still there"),
            std::vector<bool>{false});
}


// contact_numbers names exactly the contacts' ids after mixed batches (two lists,
// duplicates in the batch and in the store, nested in a caller's transaction, a failed nested one).
TEST(SqliteContactInsert, NumbersMatchContactIdsAfterMixedBatches) {
  SqliteFileFactory files;
  auto db = must_open_sqlite(files.path());
  const auto [tenant, list] = tenant_with_list(*db, "acme", "leads", kT0);
  ContactList l2;
  l2.tenant_id = tenant.id;
  l2.name = "two";
  l2 = must(db->contacts().create_list(l2), "list2");
  auto c = [&](ListId l, int n) {
    Contact x;
    x.tenant_id = tenant.id;
    x.list_id = l;
    x.phone_e164 = "+1415555" + std::to_string(1000 + (n * 37) % 1000);
    x.first_name = std::to_string(n);
    return x;
  };
  std::vector<Contact> b1;
  for (int i = 0; i < 150; ++i) b1.push_back(c(i % 3 == 0 ? l2.id : list.id, i));
  must(db->contacts().insert_batch(b1), "b1");
  std::vector<Contact> b2;
  for (int i = 100; i < 300; ++i) {
    b2.push_back(c(i % 3 == 0 ? l2.id : list.id, i));
    if (i % 17 == 0) b2.push_back(c(i % 2 == 0 ? l2.id : list.id, i));
  }
  auto flags = must(db->contacts().insert_batch(b2), "b2");
  std::size_t n_true = 0;
  for (bool f : flags) n_true += f ? 1 : 0;
  // Nested in a caller's transaction; then a nested one that fails (list missing).
  ASSERT_TRUE(db->with_transaction([&]() -> Status {
    std::vector<Contact> b3;
    for (int i = 250; i < 400; ++i) b3.push_back(c(list.id, i));
    auto r = db->contacts().insert_batch(b3);
    return r ? ok_status() : Status(r.error());
  }));
  (void)db->with_transaction([&]() -> Status {
    std::vector<Contact> b4;
    for (int i = 400; i < 450; ++i) b4.push_back(c(list.id, i));
    b4[20].list_id = l2.id + 100;
    auto r = db->contacts().insert_batch(b4);
    return r ? ok_status() : Status(r.error());
  });
  db.reset();
  const std::string p = files.path();
  EXPECT_EQ(scalar_of(p, "SELECT COUNT(*) FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM contact_numbers n WHERE n.list_id = c.list_id"
                      " AND n.phone_key = CAST(substr(c.phone_e164, 2) AS INTEGER) AND n.contact_id = c.id)"), 0);
  EXPECT_EQ(scalar_of(p, "SELECT COUNT(*) FROM contact_numbers n WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = n.contact_id"
                      " AND n.list_id = c.list_id AND n.phone_key = CAST(substr(c.phone_e164, 2) AS INTEGER))"), 0);
  EXPECT_EQ(scalar_of(p, "SELECT MAX(id) - MIN(id) + 1 - COUNT(*) FROM contacts"), 0);
  EXPECT_EQ(scalar_of(p, "SELECT COUNT(*) FROM (SELECT list_id, phone_e164 FROM contacts GROUP BY 1, 2 HAVING COUNT(*) > 1)"), 0);
  EXPECT_GT(n_true, 0u);
}

TEST(SqliteContactInsert, TwoConnectionsImportingOverlappingBatchesNeverDuplicate) {
  SqliteFileFactory files;
  auto db1 = must_open_sqlite(files.path());
  const auto [tenant, list] = tenant_with_list(*db1, "acme", "leads", kT0);
  auto db2 = must_open_sqlite(files.path());
  std::atomic<std::size_t> flagged{0};
  std::atomic<int> errors{0};
  auto run = [&](Database& db, int seed) {
    for (int b = 0; b < 20; ++b) {
      std::vector<Contact> batch;
      for (int i = 0; i < 300; ++i) {
        Contact x;
        x.tenant_id = tenant.id;
        x.list_id = list.id;
        x.phone_e164 = "+1415556" + std::to_string(1000 + (i * 31 + b * 97 + seed * 13) % 3000);
        batch.push_back(x);
      }
      auto r = db.contacts().insert_batch(batch);
      if (!r) { ++errors; continue; }
      for (bool f : *r) flagged += f ? 1 : 0;
    }
  };
  std::thread t1([&] { run(*db1, 1); });
  std::thread t2([&] { run(*db2, 2); });
  t1.join();
  t2.join();
  EXPECT_EQ(errors.load(), 0);
  const auto count = must(db1->contacts().count_contacts(tenant.id, list.id), "count");
  EXPECT_EQ(static_cast<std::size_t>(count), flagged.load());
  db1.reset();
  db2.reset();
  const std::string p = files.path();
  EXPECT_EQ(scalar_of(p, "SELECT COUNT(*) FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM contact_numbers n WHERE n.list_id = c.list_id"
                      " AND n.phone_key = CAST(substr(c.phone_e164, 2) AS INTEGER) AND n.contact_id = c.id)"), 0);
  EXPECT_EQ(scalar_of(p, "SELECT COUNT(*) FROM contact_numbers"), count);
  EXPECT_EQ(scalar_of(p, "SELECT COUNT(*) FROM (SELECT list_id, phone_e164 FROM contacts GROUP BY 1, 2 HAVING COUNT(*) > 1)"), 0);
}

}  // namespace
}  // namespace outdial::storage::testing
