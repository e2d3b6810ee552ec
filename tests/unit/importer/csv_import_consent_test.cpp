// Consent columns -> ConsentRecords (CsvImportService with a ComplianceStore).
#include <gtest/gtest.h>

#include <sstream>

#include "in_memory_compliance_store.hpp"
#include "in_memory_contact_store.hpp"
#include "outdial/importer/csv_import_service.hpp"

namespace outdial::importer {
namespace {

TimePoint at(const std::string& iso) {
  TimePoint t;
  EXPECT_TRUE(parse_iso8601(iso, t)) << iso;
  return t;
}

class CsvImportConsentTest : public ::testing::Test {
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
    CsvImportService svc(contacts, norm(), nullptr, &clock, &compliance);
    return svc.import_csv(in, o);
  }
  const ConsentRecord* consent_for(const std::string& e164) const {
    for (const auto& c : compliance.consents) {
      if (c.phone_e164 == e164) return &c;
    }
    return nullptr;
  }
  static const RowIssue* find(const ImportReport& r, const std::string& code, std::int64_t row) {
    for (const auto& i : r.issues) {
      if (i.code == code && i.row == row) return &i;
    }
    return nullptr;
  }
  // "+12124567800" + n.
  static std::string phone(int n) {
    return "+121245678" + std::string(n < 10 ? "0" : "") + std::to_string(n);
  }

  ManualClock clock{at("2026-11-22T15:00:00Z")};
  testing::InMemoryContactStore contacts;
  testing::InMemoryComplianceStore compliance;
};

TEST_F(CsvImportConsentTest, EveryConsentValueMapsToItsType) {
  struct Case {
    const char* value;
    bool record;
    ConsentType type;
    EbrKind ebr;
    bool ai;
  };
  const Case cases[] = {
      {"prior_express_written", true, ConsentType::kPriorExpressWritten, EbrKind::kNone, false},
      {"PEWC", true, ConsentType::kPriorExpressWritten, EbrKind::kNone, false},
      {"Written", true, ConsentType::kPriorExpressWritten, EbrKind::kNone, false},
      {"express written", true, ConsentType::kPriorExpressWritten, EbrKind::kNone, false},
      {"prior_express_written_ai", true, ConsentType::kPriorExpressWritten, EbrKind::kNone, true},
      {"pewc_ai", true, ConsentType::kPriorExpressWritten, EbrKind::kNone, true},
      {"prior_express", true, ConsentType::kPriorExpress, EbrKind::kNone, false},
      {"Express", true, ConsentType::kPriorExpress, EbrKind::kNone, false},
      {"yes", true, ConsentType::kPriorExpress, EbrKind::kNone, false},
      {"Y", true, ConsentType::kPriorExpress, EbrKind::kNone, false},
      {"TRUE", true, ConsentType::kPriorExpress, EbrKind::kNone, false},
      {"1", true, ConsentType::kPriorExpress, EbrKind::kNone, false},
      {"opt_in", true, ConsentType::kPriorExpress, EbrKind::kNone, false},
      {"Opted In", true, ConsentType::kPriorExpress, EbrKind::kNone, false},
      {"ebr", true, ConsentType::kEstablishedBusinessRelationship, EbrKind::kPurchase, false},
      {"EBR_PURCHASE", true, ConsentType::kEstablishedBusinessRelationship, EbrKind::kPurchase, false},
      {"purchase", true, ConsentType::kEstablishedBusinessRelationship, EbrKind::kPurchase, false},
      {"customer", true, ConsentType::kEstablishedBusinessRelationship, EbrKind::kPurchase, false},
      {"ebr_inquiry", true, ConsentType::kEstablishedBusinessRelationship, EbrKind::kInquiry, false},
      {"Inquiry", true, ConsentType::kEstablishedBusinessRelationship, EbrKind::kInquiry, false},
      {"none", false, {}, {}, false},
      {"No", false, {}, {}, false},
      {"n", false, {}, {}, false},
      {"false", false, {}, {}, false},
      {"0", false, {}, {}, false},
      {"", false, {}, {}, false},
      {"maybe", false, {}, {}, false},
  };
  std::string csv = "Phone,Consent,Consent Date\n";
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    csv += phone(static_cast<int>(i)) + "," + cases[i].value + ",2026-03-04\n";
  }
  auto r = run(csv, opts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->inserted, static_cast<std::int64_t>(std::size(cases)));
  std::int64_t expected = 0;
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    const ConsentRecord* rec = consent_for(phone(static_cast<int>(i)));
    if (!c.record) {
      EXPECT_EQ(rec, nullptr) << c.value;
      continue;
    }
    ++expected;
    ASSERT_NE(rec, nullptr) << c.value;
    EXPECT_EQ(rec->tenant_id, 7) << c.value;
    EXPECT_EQ(rec->type, c.type) << c.value;
    EXPECT_EQ(rec->ebr_kind, c.ebr) << c.value;
    EXPECT_EQ(rec->covers_artificial_voice, c.ai) << c.value;
    EXPECT_EQ(rec->granted_at, at("2026-03-04T00:00:00Z")) << c.value;
    if (c.ebr != EbrKind::kNone) {
      EXPECT_EQ(rec->ebr_start, at("2026-03-04T00:00:00Z")) << c.value;
    } else {
      EXPECT_FALSE(rec->ebr_start) << c.value;
    }
    EXPECT_FALSE(rec->channel) << c.value;
    EXPECT_EQ(rec->source, "csv:leads");
    EXPECT_EQ(rec->evidence, "row " + std::to_string(i + 1));
  }
  EXPECT_EQ(r->consents_created, expected);
  EXPECT_EQ(static_cast<std::int64_t>(compliance.consents.size()), expected);
  // The unknown value is reported (not a reject) and the contact is still imported.
  const RowIssue* unknown = find(*r, "unknown_consent_value", static_cast<std::int64_t>(std::size(cases)));
  ASSERT_NE(unknown, nullptr);
  EXPECT_FALSE(unknown->rejected);
  EXPECT_EQ(unknown->field, "consent");
  EXPECT_EQ(unknown->raw, "maybe");
  EXPECT_EQ(r->issue_counts.at("unknown_consent_value"), 1);
  EXPECT_EQ(r->rejected, 0);
}

TEST_F(CsvImportConsentTest, ArtificialVoiceOnlyWhenTheFileSaysSo) {
  const std::string csv = "phone,consent,consent_date,AI Consent\n" + phone(1) +
                          ",prior_express_written,2026-01-01,yes\n" +            // PEWC + AI
                          phone(2) + ",prior_express_written,2026-01-01,no\n" +  // PEWC only
                          phone(3) + ",prior_express_written,2026-01-01,\n" +    // PEWC only
                          phone(4) + ",prior_express,2026-01-01,yes\n" +         // not written: never AI
                          phone(5) + ",pewc_ai,2026-01-01,\n" +                  // the value says AI
                          phone(6) + ",pewc_ai,2026-01-01,no\n" +   // conflict: the narrower reading
                          phone(7) + ",pewc,2026-01-01,perhaps\n";  // unknown: treated as no
  auto r = run(csv, opts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->consents_created, 7);
  EXPECT_TRUE(consent_for(phone(1))->covers_artificial_voice);
  EXPECT_FALSE(consent_for(phone(2))->covers_artificial_voice);
  EXPECT_FALSE(consent_for(phone(3))->covers_artificial_voice);
  EXPECT_FALSE(consent_for(phone(4))->covers_artificial_voice);
  EXPECT_EQ(consent_for(phone(4))->type, ConsentType::kPriorExpress);
  EXPECT_TRUE(consent_for(phone(5))->covers_artificial_voice);
  EXPECT_FALSE(consent_for(phone(6))->covers_artificial_voice);
  EXPECT_NE(find(*r, "conflicting_consent_ai", 6), nullptr);
  EXPECT_FALSE(consent_for(phone(7))->covers_artificial_voice);
  EXPECT_NE(find(*r, "unknown_consent_ai_value", 7), nullptr);
}

TEST_F(CsvImportConsentTest, AiColumnAliases) {
  for (const char* header : {"consent_ai", "ai_consent", "Artificial Voice"}) {
    contacts = {};
    compliance.consents.clear();
    auto r =
        run(std::string("phone,consent,consent date,") + header + "\n" + phone(1) + ",pewc,2026-01-01,Y\n",
            opts());
    ASSERT_TRUE(r.ok()) << header;
    ASSERT_EQ(compliance.consents.size(), 1u) << header;
    EXPECT_TRUE(compliance.consents[0].covers_artificial_voice) << header;
  }
}

TEST_F(CsvImportConsentTest, ConsentDates) {
  const std::string csv = "phone,consent,consent_date\n" + phone(1) + ",pewc,2026-06-19\n" + phone(2) +
                          ",pewc,2026-06-19T14:30:00Z\n" + phone(3) + ",pewc,2026-06-19T10:30:00-04:00\n" +
                          phone(4) + ",pewc,2026-06-19 14:30\n" +     // no offset: UTC
                          phone(5) + ",pewc,\n" +                     // missing: import time, reported
                          phone(6) + ",pewc,06/19/2026\n" +           // not ISO: no record
                          phone(7) + ",pewc,2026-02-30\n" +           // no such day
                          phone(8) + ",ebr,2025-12-01T08:00:00Z\n" +  // EBR starts at the consent date
                          phone(9) + ",ebr_inquiry,\n" +              // EBR without a date: no record
                          phone(10) + ",none,garbage\n";              // no consent: the date is not read
  auto r = run(csv, opts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->inserted, 10);
  EXPECT_EQ(r->rejected, 0);
  EXPECT_EQ(r->consents_created, 6);
  EXPECT_EQ(consent_for(phone(1))->granted_at, at("2026-06-19T00:00:00Z"));
  EXPECT_EQ(consent_for(phone(2))->granted_at, at("2026-06-19T14:30:00Z"));
  EXPECT_EQ(consent_for(phone(3))->granted_at, at("2026-06-19T14:30:00Z"));
  EXPECT_EQ(consent_for(phone(4))->granted_at, at("2026-06-19T14:30:00Z"));
  EXPECT_EQ(consent_for(phone(5))->granted_at, clock.now());
  const RowIssue* missing = find(*r, "consent_date_missing", 5);
  ASSERT_NE(missing, nullptr);
  EXPECT_FALSE(missing->rejected);
  EXPECT_EQ(consent_for(phone(6)), nullptr);
  const RowIssue* bad = find(*r, "invalid_consent_date", 6);
  ASSERT_NE(bad, nullptr);
  EXPECT_FALSE(bad->rejected);
  EXPECT_EQ(bad->raw, "06/19/2026");
  EXPECT_EQ(consent_for(phone(7)), nullptr);
  EXPECT_NE(find(*r, "invalid_consent_date", 7), nullptr);
  const ConsentRecord* ebr = consent_for(phone(8));
  ASSERT_NE(ebr, nullptr);
  EXPECT_EQ(ebr->ebr_start, at("2025-12-01T08:00:00Z"));
  EXPECT_EQ(ebr->granted_at, at("2025-12-01T08:00:00Z"));
  EXPECT_EQ(consent_for(phone(9)), nullptr);
  EXPECT_NE(find(*r, "consent_date_missing", 9), nullptr);
  EXPECT_EQ(consent_for(phone(10)), nullptr);
  EXPECT_EQ(r->issue_counts.at("invalid_consent_date"), 2);
  EXPECT_EQ(r->issue_counts.at("consent_date_missing"), 2);
}

TEST_F(CsvImportConsentTest, NoDateColumnUsesTheImportTime) {
  auto r = run("phone,opt_in\n" + phone(1) + ",yes\n", opts());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(compliance.consents.size(), 1u);
  EXPECT_EQ(compliance.consents[0].granted_at, clock.now());
  EXPECT_NE(find(*r, "consent_date_missing", 1), nullptr);
}

TEST_F(CsvImportConsentTest, ChannelColumn) {
  const std::string csv = "phone,consent,consent_date,consent_channel\n" + phone(1) +
                          ",pewc,2026-01-01,voice\n" + phone(2) + ",pewc,2026-01-01,SMS\n" + phone(3) +
                          ",pewc,2026-01-01,\n" + phone(4) + ",pewc,2026-01-01,fax\n";
  auto r = run(csv, opts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->consents_created, 3);
  EXPECT_EQ(consent_for(phone(1))->channel, Channel::kVoice);
  EXPECT_EQ(consent_for(phone(2))->channel, Channel::kSms);
  EXPECT_FALSE(consent_for(phone(3))->channel);
  EXPECT_EQ(consent_for(phone(4)), nullptr);  // never widened to every channel
  EXPECT_NE(find(*r, "unknown_consent_channel", 4), nullptr);
}

TEST_F(CsvImportConsentTest, ReimportAndDuplicatesCreateNoSecondConsent) {
  const std::string csv = "phone,consent,consent_date\n" + phone(1) + ",pewc,2026-01-01\n" + phone(2) +
                          ",prior_express,2026-01-02\n" +
                          "(212) 456-7801,ebr,2026-01-03\n" +  // the same number as row 1: duplicate_in_file
                          phone(3) + ",none,\n";
  ImportOptions o = opts();
  o.batch_size = 2;  // the duplicate and its original in different batches
  auto first = run(csv, o);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->inserted, 3);
  EXPECT_EQ(first->duplicates, 1);
  EXPECT_EQ(first->consents_created, 2);
  ASSERT_EQ(compliance.consents.size(), 2u);
  EXPECT_EQ(consent_for(phone(1))->type, ConsentType::kPriorExpressWritten);

  auto second = run(csv, o);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->inserted, 0);
  EXPECT_EQ(second->consents_created, 0);
  EXPECT_EQ(compliance.consents.size(), 2u);

  o.overlap_writes = false;
  auto third = run(csv, o);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->consents_created, 0);
  EXPECT_EQ(compliance.consents.size(), 2u);
}

TEST_F(CsvImportConsentTest, ManyBatchesWithOverlappedWrites) {
  std::string csv = "phone,consent,consent_date\n";
  for (int i = 0; i < 60; ++i) csv += phone(i) + "," + (i % 3 == 0 ? "none" : "pewc") + ",2026-01-01\n";
  ImportOptions o = opts();
  o.batch_size = 7;
  auto r = run(csv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 60);
  EXPECT_EQ(r->consents_created, 40);
  ASSERT_EQ(compliance.consents.size(), 40u);
  for (const auto& c : compliance.consents) {
    // evidence names the row of the number.
    const int row = std::stoi(c.evidence.substr(4));
    EXPECT_EQ(c.phone_e164, phone(row - 1));
  }
}

TEST_F(CsvImportConsentTest, ValidateOnlyWritesNoConsentsButReportsIssues) {
  const std::string csv = "phone,consent,consent_date\n" + phone(1) + ",pewc,2026-01-01\n" + phone(2) +
                          ",bogus,2026-01-01\n" + phone(3) + ",pewc,yesterday\n";
  auto r = run(csv, opts(true));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 3);
  EXPECT_EQ(r->inserted, 0);
  EXPECT_EQ(r->consents_created, 0);
  EXPECT_TRUE(compliance.consents.empty());
  EXPECT_TRUE(contacts.contacts.empty());
  EXPECT_NE(find(*r, "unknown_consent_value", 2), nullptr);
  EXPECT_NE(find(*r, "invalid_consent_date", 3), nullptr);
}

TEST_F(CsvImportConsentTest, WithoutAComplianceStoreConsentColumnsAreOnlyCustomFields) {
  std::istringstream in("phone,consent\n" + phone(1) + ",bogus\n");
  CsvImportService svc(contacts, norm(), nullptr, &clock);
  auto r = svc.import_csv(in, opts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->consents_created, 0);
  EXPECT_TRUE(r->issues.empty());
  EXPECT_EQ(contacts.contacts[0].custom_fields.at("consent"), "bogus");
}

TEST_F(CsvImportConsentTest, ConsentStoreFailureIsAnError) {
  compliance.fail_consents = true;
  auto r = run("phone,consent,consent_date\n" + phone(1) + ",pewc,2026-01-01\n", opts());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

TEST_F(CsvImportConsentTest, ConsentColumnsStayCustomFields) {
  auto r = run("phone,Consent,Consent Date,AI Consent\n" + phone(1) + ",pewc,2026-01-01,yes\n", opts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->consent_columns, (std::vector<std::string>{"Consent", "Consent Date", "AI Consent"}));
  EXPECT_EQ(contacts.contacts[0].custom_fields.at("AI Consent"), "yes");
  EXPECT_EQ(contacts.contacts[0].custom_fields.at("Consent"), "pewc");
}

}  // namespace
}  // namespace outdial::importer
