// Upload through the real CsvImportService (phone normalization, dedupe, persistence) into SQLite,
// then read the list back over the API.
#include "outdial/importer/csv_import_service.hpp"
#include "outdial/phone/phone_normalizer.hpp"
#include "unit/api/api_fixture.hpp"

namespace outdial::api::test {
namespace {

class ImportRoundTripTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    real_importer_ =
        std::make_unique<importer::CsvImportService>(db_->contacts(), normalizer_, nullptr, &clock_);
    real_deps_ = std::make_unique<ApiDeps>(ApiDeps{*db_, *real_importer_, *campaigns_, gate_, clock_});
    register_routes(real_router_, *real_deps_);
    real_server_ = std::make_unique<net::HttpServer>(net::ServerOptions{}, real_router_.as_handler());
    ASSERT_TRUE(real_server_->start().ok());
  }
  void TearDown() override {
    real_server_->stop();
    ApiTest::TearDown();
  }
  Response real_call(const std::string& method, const std::string& target, const std::string& body,
                     std::map<std::string, std::string> headers) {
    outdial::testing::TestHttpClient c(real_server_->port());
    headers["Authorization"] = "Bearer " + admin_key_;
    auto raw = c.request(method, target, body, headers);
    return Response{raw.status, json::parse(raw.body, nullptr, false), raw.headers};
  }

  phone::PhoneNormalizer normalizer_;
  std::unique_ptr<importer::CsvImportService> real_importer_;
  std::unique_ptr<ApiDeps> real_deps_;
  net::Router real_router_;
  std::unique_ptr<net::HttpServer> real_server_;
};

TEST_F(ImportRoundTripTest, UploadNormalizesStoresAndReportsIssues) {
  const std::string csv =
      "phone,first_name,plan\r\n"
      "(212) 736-3100,Ann,gold\r\n"
      "+1 415 736 1234,Bob,silver\r\n"
      "212-736-3100,Ann again,gold\r\n"
      "not a number,Zed,none\r\n";
  const std::string body =
      "--xx\r\nContent-Disposition: form-data; name=\"list_name\"\r\n\r\nreal\r\n"
      "--xx\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: "
      "text/csv\r\n\r\n" +
      csv + "\r\n--xx--\r\n";
  auto r =
      real_call("POST", "/api/contacts/upload", body, {{"Content-Type", "multipart/form-data; boundary=xx"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["rows"], 4);
  EXPECT_EQ(r.body["inserted"], 2);
  EXPECT_EQ(r.body["duplicates"], 1);
  EXPECT_EQ(r.body["rejected"], 2);
  EXPECT_GT(r.body["list_id"].get<std::int64_t>(), 0);
  bool saw_unparseable = false;
  for (const auto& issue : r.body["issues"]) {
    if (issue["rejected"] == true && issue["row"] == 4) saw_unparseable = true;
  }
  EXPECT_TRUE(saw_unparseable) << r.body["issues"].dump();

  auto contacts = real_call(
      "GET", "/api/lists/" + std::to_string(r.body["list_id"].get<std::int64_t>()) + "/contacts", "", {});
  ASSERT_EQ(contacts.status, 200) << contacts.body.dump();
  ASSERT_EQ(contacts.body["total"], 2);
  std::set<std::string> phones;
  for (const auto& c : contacts.body["items"]) phones.insert(c["phone"]);
  EXPECT_EQ(phones, (std::set<std::string>{"+12127363100", "+14157361234"}));

  // Validate-only writes nothing.
  auto v = real_call("POST", "/api/contacts/validate", body,
                     {{"Content-Type", "multipart/form-data; boundary=xx"}});
  ASSERT_EQ(v.status, 200) << v.body.dump();
  EXPECT_EQ(v.body["inserted"], 0);
  auto again = real_call("GET", "/api/lists", "", {});
  EXPECT_EQ(again.body["items"][0]["contacts"], 2);
}

TEST_F(ImportRoundTripTest, FileWithoutPhoneColumnIs400) {
  const std::string body =
      "--xx\r\nContent-Disposition: form-data; name=\"list_name\"\r\n\r\nreal\r\n"
      "--xx\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"c.csv\"\r\n\r\nname,email\r\nann,a@b.c\r\n"
      "\r\n--xx--\r\n";
  auto r =
      real_call("POST", "/api/contacts/upload", body, {{"Content-Type", "multipart/form-data; boundary=xx"}});
  EXPECT_EQ(r.status, 400) << r.body.dump();
  EXPECT_EQ(r.body["error"]["code"], "invalid_argument");
}

}  // namespace
}  // namespace outdial::api::test
