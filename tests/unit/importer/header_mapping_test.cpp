#include "outdial/importer/header_mapping.hpp"

#include <gtest/gtest.h>

namespace outdial::importer {
namespace {

TEST(HeaderMappingTest, AliasTable) {
  struct Case {
    const char* header;
    ContactField field;
  };
  const Case cases[] = {
      {"phone", ContactField::kPhone},          {"Phone Number", ContactField::kPhone},
      {"phone_number", ContactField::kPhone},   {"PHONE-NUMBER", ContactField::kPhone},
      {"Mobile", ContactField::kPhone},         {"mobile phone", ContactField::kPhone},
      {"cell", ContactField::kPhone},           {"Cell Phone", ContactField::kPhone},
      {"telephone", ContactField::kPhone},      {"Tel", ContactField::kPhone},
      {"number", ContactField::kPhone},         {"First Name", ContactField::kFirstName},
      {"first_name", ContactField::kFirstName}, {"firstname", ContactField::kFirstName},
      {"Given Name", ContactField::kFirstName}, {"last name", ContactField::kLastName},
      {"Surname", ContactField::kLastName},     {"last_name", ContactField::kLastName},
      {"name", ContactField::kFullName},        {"Full Name", ContactField::kFullName},
      {"email", ContactField::kEmail},          {"E-mail", ContactField::kEmail},
      {"timezone", ContactField::kTimezone},    {"Time Zone", ContactField::kTimezone},
      {"tz", ContactField::kTimezone},          {"state", ContactField::kState},
      {"Province", ContactField::kState},       {"region", ContactField::kState},
      {"tags", ContactField::kTags},            {"consent", ContactField::kConsent},
      {"Consent Type", ContactField::kConsent}, {"opt_in", ContactField::kConsent},
      {"consent_date", ContactField::kConsent}, {"Consent Source", ContactField::kConsent},
      {"company", ContactField::kCustom},       {"Lead Score", ContactField::kCustom},
      {"phone2", ContactField::kCustom},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(classify_header(c.header), c.field) << c.header;
  }
}

TEST(HeaderMappingTest, MapsColumnsAndKeepsTheRest) {
  auto m = map_headers({"First Name", "Last Name", "Phone", "Company", "Opt In", "Mobile"});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->first_name, 0);
  EXPECT_EQ(m->last_name, 1);
  EXPECT_EQ(m->phone, 2);
  // Company, Opt In (consent, kept) and the second phone-like column become custom fields.
  EXPECT_EQ(m->custom, (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(m->consent, (std::vector<int>{4}));
}

TEST(HeaderMappingTest, ConsentColumnRoles) {
  auto m = map_headers({"Phone", "Consent Source", "Consent", "Consent Date", "AI Consent",
                        "consent_channel", "Opt In", "artificial_voice"});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->consent, (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(m->custom, (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(m->consent_value, 2);  // the first of consent / consent_type / opt_in
  EXPECT_EQ(m->consent_date, 3);
  EXPECT_EQ(m->consent_ai, 4);
  EXPECT_EQ(m->consent_channel, 5);
  for (const char* h : {"consent_ai", "ai_consent", "Artificial Voice", "consent channel", "opt-in date"}) {
    EXPECT_EQ(classify_header(h), ContactField::kConsent) << h;
  }
  auto none = map_headers({"phone", "company"});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->consent_value, -1);
  EXPECT_EQ(none->consent_date, -1);
}

TEST(HeaderMappingTest, NoPhoneColumnListsHeadersSeen) {
  auto m = map_headers({"name", "email", "company"});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(m.error().details.at("headers"), "name,email,company");
  EXPECT_NE(m.error().message.find("name,email,company"), std::string::npos);
}

TEST(HeaderMappingTest, TimezoneNames) {
  EXPECT_TRUE(is_valid_timezone_name(""));
  EXPECT_TRUE(is_valid_timezone_name("America/New_York"));
  EXPECT_TRUE(is_valid_timezone_name("America/Argentina/Buenos_Aires"));
  EXPECT_TRUE(is_valid_timezone_name("Etc/GMT+5"));
  EXPECT_FALSE(is_valid_timezone_name("EST"));
  EXPECT_FALSE(is_valid_timezone_name("Eastern"));
  EXPECT_FALSE(is_valid_timezone_name("/America"));
  EXPECT_FALSE(is_valid_timezone_name("America/New York"));
}

TEST(HeaderMappingTest, StateCodes) {
  EXPECT_EQ(normalize_state_code("NY"), "NY");
  EXPECT_EQ(normalize_state_code("ca"), "CA");
  EXPECT_EQ(normalize_state_code("PR"), "PR");
  EXPECT_EQ(normalize_state_code("DC"), "DC");
  EXPECT_FALSE(normalize_state_code("XX"));
  EXPECT_FALSE(normalize_state_code("New York"));
  EXPECT_FALSE(normalize_state_code(""));
}

}  // namespace
}  // namespace outdial::importer
