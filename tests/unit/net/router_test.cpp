#include "outdial/net/router.hpp"

#include <gtest/gtest.h>

namespace outdial::net {
namespace {

Request make(const std::string& method, const std::string& target) {
  Request r;
  r.method = method;
  std::map<std::string, std::string> q;
  EXPECT_TRUE(split_target(target, r.raw_path, r.path, r.query));
  return r;
}

Handler echo(const std::string& tag) {
  return [tag](const Request& req) {
    std::string out = tag;
    for (const auto& [k, v] : req.path_params) out += " " + k + "=" + v;
    return Response::text(200, out);
  };
}

TEST(RouterTest, MatchesLiteralAndParams) {
  Router r;
  r.add("GET", "/api/campaigns", echo("list"));
  r.add("GET", "/api/campaigns/:id", echo("get"));
  r.add("POST", "/api/campaigns/:id/start", echo("start"));
  auto req = make("GET", "/api/campaigns");
  EXPECT_EQ(r.dispatch(req).body, "list");
  req = make("GET", "/api/campaigns/42");
  EXPECT_EQ(r.dispatch(req).body, "get id=42");
  req = make("POST", "/api/campaigns/7/start");
  EXPECT_EQ(r.dispatch(req).body, "start id=7");
  req = make("GET", "/api/campaigns/7/");  // trailing slash ignored
  EXPECT_EQ(r.dispatch(req).body, "get id=7");
}

TEST(RouterTest, MoreLiteralSegmentsWin) {
  Router r;
  r.add("GET", "/lists/:id", echo("param"));
  r.add("GET", "/lists/new", echo("literal"));
  auto req = make("GET", "/lists/new");
  EXPECT_EQ(r.dispatch(req).body, "literal");
  req = make("GET", "/lists/5");
  EXPECT_EQ(r.dispatch(req).body, "param id=5");
}

TEST(RouterTest, NotFoundAndMethodNotAllowed) {
  Router r;
  r.add("GET", "/a/:x", echo("get"));
  r.add("DELETE", "/a/:x", echo("del"));
  auto req = make("GET", "/b");
  auto res = r.dispatch(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_NE(res.body.find("\"not_found\""), std::string::npos);
  req = make("POST", "/a/1");
  res = r.dispatch(req);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers["Allow"], "DELETE, GET");
}

TEST(RouterTest, PercentDecodesParamsAfterSplitting) {
  Router r;
  r.add("DELETE", "/api/dnc/:phone", echo("del"));
  auto req = make("DELETE", "/api/dnc/%2B15551234567");
  EXPECT_EQ(r.dispatch(req).body, "del phone=+15551234567");
  req = make("DELETE", "/api/dnc/a%2Fb");  // an encoded slash stays inside the parameter
  EXPECT_EQ(r.dispatch(req).body, "del phone=a/b");
}

TEST(RouterTest, CustomErrorResponder) {
  Router r;
  r.set_error_responder([](int status, const std::string& code, const std::string&) {
    return Response::text(status, "custom:" + code);
  });
  auto req = make("GET", "/nothing");
  EXPECT_EQ(r.dispatch(req).body, "custom:not_found");
}

TEST(HttpTypesTest, QueryDecoding) {
  Request r = make("GET", "/x?a=1&b=hello+world&c=%2B1555&d&e=");
  EXPECT_EQ(r.path, "/x");
  EXPECT_EQ(r.query["a"], "1");
  EXPECT_EQ(r.query["b"], "hello world");
  EXPECT_EQ(r.query["c"], "+1555");
  EXPECT_EQ(r.query["d"], "");
  EXPECT_EQ(r.query["e"], "");
  std::string raw, path;
  std::map<std::string, std::string> q;
  EXPECT_FALSE(split_target("/x?a=%G1", raw, path, q));
  EXPECT_FALSE(split_target("/x%4", raw, path, q));
}

TEST(HttpTypesTest, HeadersAreCaseInsensitive) {
  Request r;
  r.headers["Content-Type"] = "text/csv";
  EXPECT_EQ(r.header("content-type"), "text/csv");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "text/csv");
  EXPECT_EQ(r.header("x-missing"), "");
}

TEST(HttpTypesTest, JsonQuoteEscapes) { EXPECT_EQ(json_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\""); }

}  // namespace
}  // namespace outdial::net
