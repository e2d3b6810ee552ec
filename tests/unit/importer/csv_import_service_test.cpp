#include "outdial/importer/csv_import_service.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "in_memory_contact_store.hpp"
#include "outdial/importer/u64_set.hpp"
#include "testing/fake_registry.hpp"

namespace outdial::importer {
namespace {

class CsvImportServiceTest : public ::testing::Test {
 protected:
  static const phone::PhoneNormalizer& norm() {
    static const phone::PhoneNormalizer n;
    return n;
  }
  ImportOptions opts(bool validate_only = false) {
    ImportOptions o;
    o.tenant_id = 7;
    o.list_name = "leads";
    o.validate_only = validate_only;
    return o;
  }
  Result<ImportReport> run(const std::string& csv, const ImportOptions& o) {
    std::istringstream in(csv);
    CsvImportService svc(store, norm(), &registry);
    return svc.import_csv(in, o);
  }
  // A fresh store and registry log, then `csv` in batches of `batch_size`, written on the
  // import's worker thread (overlap) or inline.
  Result<ImportReport> run_fresh(const std::string& csv, std::size_t batch_size, bool overlap) {
    store = testing::InMemoryContactStore();
    registry.batches.clear();
    ImportOptions o = opts();
    o.us_only = false;
    o.batch_size = batch_size;
    o.overlap_writes = overlap;
    return run(csv, o);
  }
  static const RowIssue* find(const ImportReport& r, const std::string& code, std::int64_t row) {
    for (const auto& i : r.issues) {
      if (i.code == code && i.row == row) return &i;
    }
    return nullptr;
  }

  testing::InMemoryContactStore store;
  outdial::testing::FakeRegistry registry;
};

TEST_F(CsvImportServiceTest, ImportsAndMapsFields) {
  registry.numbers.insert(3122345678ULL);
  const std::string csv =
      "First Name,Last Name,Phone Number,E-mail,State,Time Zone,Tags,Company,Opt In\n"
      "Ada,Lovelace,(212) 456-7890,ada@example.com,ny,America/New_York,vip; q3 |new,ACME,yes\n"
      "Alan,Turing,+13122345678,alan@example.com,IL,America/Chicago,,Bletchley,no\n";
  auto r = run(csv, opts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->rows, 2);
  EXPECT_EQ(r->inserted, 2);
  EXPECT_EQ(r->accepted, 2);
  EXPECT_EQ(r->rejected, 0);
  EXPECT_EQ(r->national_dnc_flagged, 1);
  EXPECT_EQ(r->custom_fields, (std::vector<std::string>{"Company", "Opt In"}));
  EXPECT_EQ(r->consent_columns, (std::vector<std::string>{"Opt In"}));
  ASSERT_EQ(store.lists.size(), 1u);
  EXPECT_EQ(r->list_id, store.lists[0].id);
  ASSERT_EQ(store.contacts.size(), 2u);
  const Contact& ada = store.contacts[0];
  EXPECT_EQ(ada.tenant_id, 7);
  EXPECT_EQ(ada.list_id, r->list_id);
  EXPECT_EQ(ada.phone_e164, "+12124567890");
  EXPECT_EQ(ada.first_name, "Ada");
  EXPECT_EQ(ada.last_name, "Lovelace");
  EXPECT_EQ(ada.email, "ada@example.com");
  EXPECT_EQ(ada.state, "NY");
  EXPECT_EQ(ada.timezone, "America/New_York");
  EXPECT_EQ(ada.tags, (std::vector<std::string>{"vip", "q3", "new"}));
  EXPECT_EQ(ada.custom_fields.at("Company"), "ACME");
  EXPECT_EQ(ada.custom_fields.at("Opt In"), "yes");
  EXPECT_FALSE(ada.national_dnc);
  EXPECT_TRUE(store.contacts[1].national_dnc);
  // Row 1 was rewritten (reported, not rejected); row 2 was already E.164.
  const RowIssue* n = find(*r, "normalized", 1);
  ASSERT_NE(n, nullptr);
  EXPECT_FALSE(n->rejected);
  EXPECT_EQ(n->raw, "(212) 456-7890");
  EXPECT_EQ(n->normalized, "+12124567890");
  EXPECT_EQ(find(*r, "normalized", 2), nullptr);
  EXPECT_EQ(r->normalized, 1);
}

TEST_F(CsvImportServiceTest, FullNameIsSplitWhenFirstAndLastAreAbsent) {
  auto r = run("name,cell\nMary Ann Smith,2124567890\nCher,2124567891\n", opts());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(store.contacts.size(), 2u);
  EXPECT_EQ(store.contacts[0].first_name, "Mary Ann");
  EXPECT_EQ(store.contacts[0].last_name, "Smith");
  EXPECT_EQ(store.contacts[1].first_name, "Cher");
  EXPECT_EQ(store.contacts[1].last_name, "");
}

TEST_F(CsvImportServiceTest, EveryRejectReasonNamesRowAndRawValue) {
  const std::string csv =
      "phone,name\n"
      "2124567890,ok\n"          // 1
      "not a number,x\n"         // 2 unparseable
      "212-456-789,x\n"          // 3 invalid
      "411-234-5678,x\n"         // 4 n11
      "(555) 234-5678,x\n"       // 5 unassigned_area_code
      "212-555-0123,x\n"         // 6 fictional_555
      "+44 20 7946 0958,x\n"     // 7 non_us
      "+1 416 234 5678,x\n"      // 8 non_us (Canada)
      "(212) 456-7890,x\n"       // 9 duplicate_in_file
      "1,2,3\n"                  // 10 malformed_row (too many)
      "2124567899\n";            // 11 malformed_row (too few)
  auto r = run(csv, opts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows, 11);
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->rejected, 10);
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(r->malformed, 2);
  struct Want {
    std::int64_t row;
    const char* code;
    const char* raw;
  };
  for (const Want& w : {Want{2, "unparseable", "not a number"}, Want{3, "invalid", "212-456-789"},
                        Want{4, "n11", "411-234-5678"},
                        Want{5, "unassigned_area_code", "(555) 234-5678"},
                        Want{6, "fictional_555", "212-555-0123"},
                        Want{7, "non_us", "+44 20 7946 0958"}, Want{8, "non_us", "+1 416 234 5678"},
                        Want{9, "duplicate_in_file", "(212) 456-7890"},
                        Want{10, "malformed_row", "1,2,3"}, Want{11, "malformed_row", "2124567899"}}) {
    const RowIssue* i = find(*r, w.code, w.row);
    ASSERT_NE(i, nullptr) << w.code << " row " << w.row;
    EXPECT_EQ(i->raw, w.raw) << w.code;
    EXPECT_TRUE(i->rejected);
    EXPECT_EQ(i->line, w.row + 1);
    EXPECT_FALSE(i->message.empty());
  }
  EXPECT_EQ(r->issue_counts.at("non_us"), 2);
  const RowIssue* too_many = find(*r, "malformed_row", 10);
  ASSERT_NE(too_many, nullptr);
  EXPECT_EQ(too_many->message, "too many fields: expected 2, found 3");
}

TEST_F(CsvImportServiceTest, UnterminatedQuoteIsAMalformedRowAndGoodRowsStay) {
  auto r = run("phone,name\n2124567890,a\n2124567891,\"oops\n2124567892,b\n", opts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows, 2);
  EXPECT_EQ(r->inserted, 1);
  const RowIssue* i = find(*r, "malformed_row", 2);
  ASSERT_NE(i, nullptr);
  EXPECT_NE(i->message.find("unterminated"), std::string::npos);
}

TEST_F(CsvImportServiceTest, ReimportingTheSameFileChangesNothing) {
  const std::string csv = "phone\n2124567890\n2124567891\n(212) 456-7892\n";
  auto first = run(csv, opts());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->inserted, 3);
  auto before = store.contacts;
  auto second = run(csv, opts());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->inserted, 0);
  EXPECT_EQ(second->duplicates, 3);
  EXPECT_EQ(second->list_id, first->list_id);
  EXPECT_EQ(second->issue_counts.at("duplicate_in_list"), 3);
  EXPECT_NE(find(*second, "duplicate_in_list", 3), nullptr);
  EXPECT_EQ(store.contacts.size(), before.size());
  EXPECT_EQ(store.lists.size(), 1u);
}

TEST_F(CsvImportServiceTest, ValidateOnlyWritesNothing) {
  auto r = run("phone,state\n2124567890,NY\nbad,NY\n", opts(true));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows, 2);
  EXPECT_EQ(r->accepted, 1);
  EXPECT_EQ(r->inserted, 0);
  EXPECT_EQ(r->rejected, 1);
  EXPECT_EQ(r->list_id, 0);
  EXPECT_TRUE(store.lists.empty());
  EXPECT_TRUE(store.contacts.empty());
  EXPECT_EQ(store.insert_batch_calls, 0);
}

TEST_F(CsvImportServiceTest, ValidateOnlySeesDuplicatesOfAnExistingList) {
  ASSERT_TRUE(run("phone\n2124567890\n", opts()).ok());
  auto r = run("phone\n2124567890\n2124567891\n", opts(true));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(r->accepted, 1);
  EXPECT_EQ(store.contacts.size(), 1u);
}

TEST_F(CsvImportServiceTest, BadTimezoneAndStateAreClearedNotRejected) {
  auto r = run("phone,tz,state\n2124567890,EST,New York\n", opts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 1);
  ASSERT_EQ(store.contacts.size(), 1u);
  EXPECT_EQ(store.contacts[0].timezone, "");
  EXPECT_EQ(store.contacts[0].state, "");
  const RowIssue* tz = find(*r, "invalid_timezone", 1);
  ASSERT_NE(tz, nullptr);
  EXPECT_FALSE(tz->rejected);
  EXPECT_EQ(tz->raw, "EST");
  const RowIssue* st = find(*r, "invalid_state", 1);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->raw, "New York");
}

TEST_F(CsvImportServiceTest, IssuesAreCappedButCountsStayExact) {
  std::string csv = "phone\n";
  for (int i = 0; i < 50; ++i) csv += "junk\n";
  ImportOptions o = opts();
  o.max_issues = 5;
  auto r = run(csv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, 50);
  EXPECT_EQ(r->issues.size(), 5u);
  EXPECT_TRUE(r->issues_truncated);
  EXPECT_EQ(r->issue_counts.at("unparseable"), 50);
}

TEST_F(CsvImportServiceTest, InsertsInBatches) {
  std::string csv = "phone\n";
  for (int i = 0; i < 10; ++i) csv += "21245678" + std::to_string(10 + i) + "\n";
  ImportOptions o = opts();
  o.batch_size = 3;
  auto r = run(csv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 10);
  EXPECT_EQ(store.insert_batch_calls, 4);
}

// With overlapped writes a large batch size is reached in steps (the writer starts after 1/16
// of a batch is parsed, each next batch 1.5x the previous); no transaction ever holds more than
// batch_size rows, and rows are stored in file order either way.
TEST_F(CsvImportServiceTest, LargeBatchesStartSmallAndNeverExceedTheBatchSize) {
  std::string csv = "phone\n";
  for (int i = 0; i < 3000; ++i) csv += "212456" + std::to_string(1000 + i) + "\n";
  ImportOptions o = opts();
  o.batch_size = 1024;
  auto r = run(csv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 3000);
  EXPECT_EQ(store.batch_sizes, (std::vector<std::size_t>{64, 96, 144, 216, 324, 486, 729, 941}));
  ASSERT_EQ(store.contacts.size(), 3000u);
  for (int i = 0; i < 3000; ++i) EXPECT_EQ(store.contacts[static_cast<std::size_t>(i)].phone_e164, "+1212456" + std::to_string(1000 + i));

  // Written synchronously (nothing to overlap with), batches are batch_size from the start.
  store = testing::InMemoryContactStore();
  o.overlap_writes = false;
  ASSERT_TRUE(run(csv, o).ok());
  EXPECT_EQ(store.batch_sizes, (std::vector<std::size_t>{1024, 1024, 952}));
}

TEST_F(CsvImportServiceTest, SynchronousWritesGiveTheSameResult) {
  std::string csv = "phone\n";
  for (int i = 0; i < 10; ++i) csv += "21245678" + std::to_string(10 + i) + "\n";
  csv += "2124567810\n";
  ImportOptions o = opts();
  o.batch_size = 3;
  o.overlap_writes = false;
  auto r = run(csv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 10);
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(store.insert_batch_calls, 4);
  auto again = run(csv, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->duplicates, 11);
}

TEST_F(CsvImportServiceTest, NoPhoneColumnIsAnError) {
  auto r = run("name,email\nx,y\n", opts());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().details.at("headers"), "name,email");
}

TEST_F(CsvImportServiceTest, EmptyFileIsAnError) {
  auto r = run("", opts());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CsvImportServiceTest, DatabaseFailureIsAnError) {
  store.fail_inserts = true;
  auto r = run("phone\n2124567890\n", opts());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

// The registry is asked once per batch, for the batch's NANP numbers only (not for rejected or
// duplicate rows, nor for international numbers), and each hit flags its own contact.
TEST_F(CsvImportServiceTest, NationalDncIsLookedUpOncePerBatchAndFlagsItsOwnRows) {
  registry.numbers = {2124567811ULL, 2124567814ULL, 2124567818ULL};
  std::string csv = "phone\n";
  for (int i = 0; i < 10; ++i) csv += "21245678" + std::to_string(10 + i) + "\n";
  csv += "+44 20 7946 0958\n";  // international: never looked up
  csv += "2124567814\n";        // duplicate in the file: never reaches a batch
  csv += "not a number\n";
  for (const bool overlap : {true, false}) {
    auto r = run_fresh(csv, 4, overlap);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->inserted, 11);
    EXPECT_EQ(r->national_dnc_flagged, 3);
    ASSERT_EQ(registry.batches.size(), 3u) << overlap;
    EXPECT_EQ(registry.batches[0], (std::vector<std::uint64_t>{2124567810, 2124567811, 2124567812, 2124567813}));
    EXPECT_EQ(registry.batches[1], (std::vector<std::uint64_t>{2124567814, 2124567815, 2124567816, 2124567817}));
    EXPECT_EQ(registry.batches[2], (std::vector<std::uint64_t>{2124567818, 2124567819}));
    ASSERT_EQ(store.contacts.size(), 11u);
    for (const Contact& c : store.contacts) {
      const bool listed = c.phone_e164 == "+12124567811" || c.phone_e164 == "+12124567814" ||
                          c.phone_e164 == "+12124567818";
      EXPECT_EQ(c.national_dnc, listed) << c.phone_e164;
    }
  }
  // Validate-only counts the same hits and writes nothing.
  store = testing::InMemoryContactStore();
  ImportOptions v = opts(true);
  v.us_only = false;
  v.batch_size = 4;
  auto checked = run(csv, v);
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(checked->national_dnc_flagged, 3);
  EXPECT_TRUE(store.contacts.empty());
}

// A duplicate row gets its duplicate note only (none for its bad zone or state), leaves nothing
// of itself in the batch, and an accepted row's notes come in row order: normalized, zone, state.
TEST_F(CsvImportServiceTest, ADuplicateGetsOnlyItsDuplicateNoteAndLeavesNoTrace) {
  const std::string csv =
      "first_name,phone,state,timezone\n"
      "Ada,2124567890,ZZ,not a zone\n"
      "Bob,(212) 456-7890,QQ,no zone\n"
      "Cy,+13122345678,IL,America/Chicago\n";
  for (const bool overlap : {true, false}) {
    auto r = run_fresh(csv, 2, overlap);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->inserted, 2);
    EXPECT_EQ(r->duplicates, 1);
    std::vector<std::pair<std::int64_t, std::string>> notes;
    for (const auto& i : r->issues) notes.emplace_back(i.row, i.code);
    EXPECT_EQ(notes, (std::vector<std::pair<std::int64_t, std::string>>{
                         {1, "normalized"}, {1, "invalid_timezone"}, {1, "invalid_state"}, {2, "duplicate_in_file"}}));
    ASSERT_EQ(store.contacts.size(), 2u);
    EXPECT_EQ(store.contacts[0].first_name, "Ada");
    EXPECT_EQ(store.contacts[0].phone_e164, "+12124567890");
    EXPECT_EQ(store.contacts[0].state, "");
    EXPECT_EQ(store.contacts[0].timezone, "");
    EXPECT_EQ(store.contacts[1].first_name, "Cy");
    EXPECT_EQ(store.contacts[1].phone_e164, "+13122345678");
    EXPECT_EQ(store.contacts[1].state, "IL");
    EXPECT_EQ(store.contacts[1].timezone, "America/Chicago");
    EXPECT_EQ(store.batch_sizes, (std::vector<std::size_t>{2}));
  }
}

TEST_F(CsvImportServiceTest, NullRegistryFlagsNothing) {
  std::istringstream in("phone\n2124567890\n");
  CsvImportService svc(store, norm(), nullptr);
  auto r = svc.import_csv(in, opts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->national_dnc_flagged, 0);
}

TEST_F(CsvImportServiceTest, BomCrLfAndQuotedNewlinesEndToEnd) {
  const std::string csv =
      "\xEF\xBB\xBFPhone,Notes\r\n"
      "2124567890,\"multi\r\nline, with comma\"\r\n"
      "\r\n"
      "2124567891,\"say \"\"hi\"\"\"\r\n"
      "junk,x\r\n";
  auto r = run(csv, opts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->headers, (std::vector<std::string>{"Phone", "Notes"}));
  EXPECT_EQ(r->rows, 3);
  EXPECT_EQ(r->inserted, 2);
  ASSERT_EQ(store.contacts.size(), 2u);
  EXPECT_EQ(store.contacts[0].custom_fields.at("Notes"), "multi\r\nline, with comma");
  EXPECT_EQ(store.contacts[1].custom_fields.at("Notes"), "say \"hi\"");
  const RowIssue* junk = find(*r, "unparseable", 3);
  ASSERT_NE(junk, nullptr);
  EXPECT_EQ(junk->line, 6);  // physical line: the quoted field spans lines 2-3, line 4 is blank
}

TEST(U64SetTest, InsertContainsAndGrowth) {
  U64Set set(4);
  for (std::uint64_t i = 1; i <= 100000; ++i) EXPECT_TRUE(set.insert(i * 7919));
  EXPECT_EQ(set.size(), 100000u);
  EXPECT_FALSE(set.insert(7919));
  EXPECT_TRUE(set.contains(7919 * 500));
  EXPECT_FALSE(set.contains(7918));
}

TEST(E164KeyTest, Keys) {
  EXPECT_EQ(e164_key("+12125550123"), 12125550123ULL);
  EXPECT_EQ(e164_key("+442079460958"), 442079460958ULL);
  EXPECT_EQ(e164_key("12125550123"), 0u);
  EXPECT_EQ(e164_key("+1212x"), 0u);
}

}  // namespace
}  // namespace outdial::importer
