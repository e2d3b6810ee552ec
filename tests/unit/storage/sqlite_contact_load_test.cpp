// SqliteContactStore::begin_load (migration 17): a load into a list that was empty keeps the
// list's number keys in memory and writes them at finish(). Whatever happens meanwhile (another
// write into the list, a second load, a load that never finishes, a contact deleted), the list
// ends with every contact's number written exactly once and no number held twice.
#include <sqlite3.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "unit/storage/conformance_fixture.hpp"
#include "unit/storage/sqlite_file_query.hpp"

namespace outdial::storage::testing {
namespace {

void exec_on(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

constexpr const char* kContactsWithoutTheirNumber =
    "SELECT COUNT(*) FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM contact_numbers n WHERE n.list_id = c.list_id"
    " AND n.phone_key = CAST(substr(c.phone_e164, 2) AS INTEGER) AND n.contact_id = c.id)";
constexpr const char* kNumbersWithoutTheirContact =
    "SELECT COUNT(*) FROM contact_numbers n WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = n.contact_id"
    " AND n.list_id = c.list_id AND n.phone_key = CAST(substr(c.phone_e164, 2) AS INTEGER))";
constexpr const char* kNumbersHeldTwice =
    "SELECT COUNT(*) FROM (SELECT list_id, phone_e164 FROM contacts GROUP BY 1, 2 HAVING COUNT(*) > 1)";

// Every contact has its number row, every number row its contact, no number twice, nothing pending.
void expect_consistent(const std::string& path) {
  EXPECT_EQ(scalar_of(path, kContactsWithoutTheirNumber), 0);
  EXPECT_EQ(scalar_of(path, kNumbersWithoutTheirContact), 0);
  EXPECT_EQ(scalar_of(path, kNumbersHeldTwice), 0);
  EXPECT_EQ(scalar_of(path, "SELECT COUNT(*) FROM contact_lists WHERE numbers_pending_from IS NOT NULL"), 0);
}

class SqliteContactLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = must_open_sqlite(files_.path());
    std::tie(tenant_, list_) = tenant_with_list(*db_, "acme", "leads", kT0);
  }
  Contact contact(int number, ListId list = 0) const {
    Contact c;
    c.tenant_id = tenant_.id;
    c.list_id = list == 0 ? list_.id : list;
    c.phone_e164 = "+1415555" + std::to_string(1000 + number);
    c.first_name = "n" + std::to_string(number);
    c.created_at = kT0;
    return c;
  }
  std::vector<Contact> numbers(std::initializer_list<int> ns) const {
    std::vector<Contact> out;
    for (int n : ns) out.push_back(contact(n));
    return out;
  }
  std::unique_ptr<ContactLoad> begin() { return must(db_->contacts().begin_load(tenant_.id, list_.id), "begin_load"); }
  std::int64_t scalar(const std::string& sql) const { return scalar_of(files_.path(), sql); }

  SqliteFileFactory files_;
  std::unique_ptr<sqlite::SqliteDatabase> db_;
  Tenant tenant_;
  ContactList list_;
};

TEST_F(SqliteContactLoad, AnEmptyListsNumbersAreWrittenAtFinishAndRepeatsAreRefusedMeanwhile) {
  auto load = begin();
  EXPECT_EQ(must(load->insert_batch(numbers({5, 1, 5, 3})), "b1"), (std::vector<bool>{true, true, false, true}));
  EXPECT_EQ(must(load->insert_batch(numbers({2, 3, 4, 1})), "b2"), (std::vector<bool>{true, false, true, false}));
  // Committed, the keys still pending: the contacts are there, their numbers not yet.
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contacts"), 5);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contact_numbers"), 0);
  EXPECT_EQ(scalar("SELECT numbers_pending_from FROM contact_lists WHERE id = " + std::to_string(list_.id)),
            scalar("SELECT MIN(id) FROM contacts"));
  ASSERT_TRUE(load->finish());
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contact_numbers"), 5);
  // Ids follow the input order of the inserted rows, as batch by batch.
  const auto page = must(db_->contacts().list_contacts(tenant_.id, list_.id, 0, 10), "list");
  std::string order;
  for (const auto& c : page.items) order += c.first_name + ",";
  EXPECT_EQ(order, "n5,n1,n3,n2,n4,");
  expect_consistent(files_.path());
  // The same numbers again, batch by batch: all already in the list.
  EXPECT_EQ(must(db_->contacts().insert_batch(numbers({1, 2, 3, 4, 5})), "again"),
            std::vector<bool>(5, false));
}

TEST_F(SqliteContactLoad, AnotherWriteIntoTheListCompletesThePendingNumbersFirst) {
  auto load = begin();
  must(load->insert_batch(numbers({1, 2, 3})), "b1");
  // insert_batch from elsewhere (another request) while the load is pending: 2 is taken.
  EXPECT_EQ(must(db_->contacts().insert_batch(numbers({2, 7})), "other"), (std::vector<bool>{false, true}));
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contact_numbers"), 4);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contact_lists WHERE numbers_pending_from IS NOT NULL"), 0);
  // The load goes on, now checked against the stored numbers: 7 (the other writer's) and 3 are taken.
  EXPECT_EQ(must(load->insert_batch(numbers({7, 8, 3})), "b2"), (std::vector<bool>{false, true, false}));
  ASSERT_TRUE(load->finish());
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contacts"), 5);
  expect_consistent(files_.path());
}

TEST_F(SqliteContactLoad, ALoadThatNeverFinishesIsCompletedByTheNextWriteAfterARestart) {
  {
    auto load = begin();
    must(load->insert_batch(numbers({1, 2, 3})), "b1");
    must(load->insert_batch(numbers({4, 5})), "b2");
  }  // no finish(): a failed import, or the process died here
  db_.reset();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contact_numbers"), 0);
  EXPECT_GT(scalar("SELECT numbers_pending_from FROM contact_lists"), 0);
  db_ = must_open_sqlite(files_.path());
  // The same file imported again: a new load into a list that is not empty.
  auto again = begin();
  EXPECT_EQ(must(again->insert_batch(numbers({1, 2, 3, 6})), "again"), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(must(again->insert_batch(numbers({4, 5, 7})), "again2"), (std::vector<bool>{false, false, true}));
  ASSERT_TRUE(again->finish());
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contacts"), 7);
  expect_consistent(files_.path());
}

TEST_F(SqliteContactLoad, ALoadIntoAListWithContactsIsCheckedAgainstThem) {
  must(db_->contacts().insert_batch(numbers({1, 2})), "existing");
  auto load = begin();
  EXPECT_EQ(must(load->insert_batch(numbers({2, 3})), "b1"), (std::vector<bool>{false, true}));
  // Nothing deferred: the numbers are written with their contacts.
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contact_numbers"), 3);
  ASSERT_TRUE(load->finish());
  expect_consistent(files_.path());
}

TEST_F(SqliteContactLoad, AContactOfAnotherListIsRefusedAndNothingOfItsBatchIsStored) {
  ContactList other;
  other.tenant_id = tenant_.id;
  other.name = "other";
  other = must(db_->contacts().create_list(other), "other list");
  auto load = begin();
  auto batch = numbers({1, 2});
  batch.push_back(contact(3, other.id));
  auto r = load->insert_batch(batch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("row 2"), std::string::npos) << r.error().message;
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contacts"), 0);
  // The load is still usable.
  EXPECT_EQ(must(load->insert_batch(numbers({1, 2})), "b2"), (std::vector<bool>{true, true}));
  ASSERT_TRUE(load->finish());
  expect_consistent(files_.path());
}

TEST_F(SqliteContactLoad, AContactDeletedBeforeFinishLeavesNoNumberBehind) {
  auto load = begin();
  must(load->insert_batch(numbers({1, 2, 3})), "b1");
  exec_on(files_.path(), "DELETE FROM contacts WHERE first_name = 'n2'");
  ASSERT_TRUE(load->finish());
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contact_numbers"), 2);
  expect_consistent(files_.path());
  // Its number is free again.
  EXPECT_EQ(must(db_->contacts().insert_batch(numbers({2})), "again"), (std::vector<bool>{true}));
}

TEST_F(SqliteContactLoad, TwoLoadsIntoOneListOnTwoConnectionsNeverDuplicate) {
  auto db2 = must_open_sqlite(files_.path());
  std::atomic<std::size_t> inserted{0};
  std::atomic<int> errors{0};
  auto run = [&](Database& db, int seed) {
    auto load = db.contacts().begin_load(tenant_.id, list_.id);
    if (!load) {
      ++errors;
      return;
    }
    for (int b = 0; b < 15; ++b) {
      std::vector<Contact> batch;
      for (int i = 0; i < 200; ++i) batch.push_back(contact((i * 31 + b * 97 + seed * 13) % 2500));
      auto r = (*load)->insert_batch(batch);
      if (!r) {
        ++errors;
        continue;
      }
      for (bool f : *r) inserted += f ? 1 : 0;
    }
    if (!(*load)->finish()) ++errors;
  };
  std::thread t1([&] { run(*db_, 1); });
  std::thread t2([&] { run(*db2, 2); });
  t1.join();
  t2.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contacts"), static_cast<std::int64_t>(inserted.load()));
  EXPECT_GT(inserted.load(), 1000u);
  db2.reset();
  expect_consistent(files_.path());
}

}  // namespace
}  // namespace outdial::storage::testing
