// The libcurl driver against the project's Beast server on loopback (port 0).
#include "outdial/net/curl/curl_http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "outdial/net/router.hpp"
#include "outdial/net/server.hpp"

namespace outdial::net {
namespace {

class CurlClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/hello", [](const Request& r) {
      Response resp = Response::text(200, "hi " + r.query_param("name").value_or("-"));
      resp.headers["X-Custom"] = "yes";
      return resp;
    });
    router_.add("POST", "/echo", [](const Request& r) {
      return Response::text(201, r.method + "|" + r.header("content-type") + "|" + r.header("x-trace") + "|" +
                                     r.header("authorization") + "|" + r.body);
    });
    router_.add("GET", "/raw", [](const Request& r) { return Response::text(200, r.raw_path + "|" + r.raw_query); });
    router_.add("PUT", "/echo", [](const Request& r) { return Response::text(200, r.method + "|" + r.body); });
    router_.add("DELETE", "/echo", [](const Request&) { return Response::text(204, ""); });
    router_.add("GET", "/missing-thing", [](const Request&) {
      return Response::json(404, R"({"code":20404})");
    });
    router_.add("GET", "/server-error", [](const Request&) { return Response::text(503, "down"); });
    router_.add("GET", "/slow", [this](const Request&) {
      // Waits until the test releases it (no fixed sleeps): the client times out first.
      for (int i = 0; i < 500 && !release_slow_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      slow_finished_ = true;
      return Response::text(200, "late");
    });
    router_.add("GET", "/redirect", [](const Request&) {
      Response r = Response::text(302, "");
      r.headers["Location"] = "/hello";
      return r;
    });
    ServerOptions opts;
    opts.port = 0;
    opts.threads = 4;
    opts.shutdown_grace = std::chrono::seconds(1);
    server_ = std::make_unique<HttpServer>(opts, router_.as_handler());
    ASSERT_TRUE(server_->start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
    client_ = make_curl_client();
  }
  void TearDown() override {
    release_slow_ = true;
    server_->stop();
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::string base_;
  std::unique_ptr<HttpClient> client_;
  std::atomic<bool> release_slow_{false};
  std::atomic<bool> slow_finished_{false};
};

TEST_F(CurlClientTest, GetReturnsStatusBodyAndLowerCasedHeaders) {
  ClientRequest req;
  req.url = base_ + "/hello?name=ana";
  auto r = client_->send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hi ana");
  EXPECT_EQ(r->header("X-CUSTOM"), "yes");
  bool lower = false;
  for (const auto& [k, v] : r->headers) lower = lower || k == "x-custom";
  EXPECT_TRUE(lower);
}

TEST_F(CurlClientTest, PostSendsBodyHeadersAndBasicAuth) {
  ClientRequest req;
  req.method = "POST";
  req.url = base_ + "/echo";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Trace", "t1"}};
  req.body = form_encode({{"To", "+15551234567"}, {"Body", "a b&c"}});
  req.basic_user = "AC123";
  req.basic_password = "secret";
  auto r = client_->send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 201);
  // base64("AC123:secret") = QUMxMjM6c2VjcmV0
  EXPECT_EQ(r->body,
            "POST|application/x-www-form-urlencoded|t1|Basic QUMxMjM6c2VjcmV0|To=%2B15551234567&Body=a%20b%26c");
}

TEST_F(CurlClientTest, PutAndDeleteUseTheRequestedMethod) {
  ClientRequest req;
  req.method = "PUT";
  req.url = base_ + "/echo";
  req.body = std::string("bin\0ary", 7);
  auto r = client_->send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, std::string("PUT|bin\0ary", 11));
  req.method = "DELETE";
  req.body.clear();
  r = client_->send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 204);
}

TEST_F(CurlClientTest, ServerKeepsTheRawQueryAsSent) {
  ClientRequest req;
  req.url = base_ + "/raw?b=It%27s+x&a=1&bodySHA256=ab";
  auto r = client_->send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "/raw|b=It%27s+x&a=1&bodySHA256=ab");
}

TEST_F(CurlClientTest, HttpErrorsAreResponsesNotErrors) {
  ClientRequest req;
  req.url = base_ + "/missing-thing";
  auto r = client_->send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"code":20404})");
  req.url = base_ + "/server-error";
  r = client_->send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
}

TEST_F(CurlClientTest, RedirectsAreNotFollowed) {
  ClientRequest req;
  req.url = base_ + "/redirect";
  auto r = client_->send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->header("location"), "/hello");
}

TEST_F(CurlClientTest, TimeOutIsUnavailableWithTimeoutDetail) {
  ClientRequest req;
  req.url = base_ + "/slow";
  req.timeout = std::chrono::milliseconds(200);
  auto r = client_->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().details.at("timeout"), "true");
  EXPECT_FALSE(slow_finished_.load());  // the client gave up while the server was still working
  release_slow_ = true;
}

TEST_F(CurlClientTest, ConnectionRefusedIsUnavailableWithoutTimeout) {
  // A port that was just bound and closed: nothing listens there, so connect() is refused.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // NOLINT
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);  // NOLINT
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/hello";
  auto r = client_->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().details.count("timeout"), 0u);
}

TEST_F(CurlClientTest, BadUrlsAreInvalidArgumentAndCredentialsNeverEchoed) {
  ClientRequest req;
  req.url = "ftp://user:hunter2@example.com/x";
  auto r = client_->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos);
  req.url = "http://user:hunter2@127.0.0.1:1/x?token=abc";  // nothing listens on port 1
  r = client_->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos);
  EXPECT_EQ(r.error().message.find("token"), std::string::npos);
  EXPECT_EQ(r.error().details.at("url"), "http://127.0.0.1:1/x");
}

TEST_F(CurlClientTest, ConcurrentRequestsFromManyThreads) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ClientRequest req;
        req.method = "POST";
        req.url = base_ + "/echo";
        req.body = std::to_string(t) + "-" + std::to_string(i);
        auto r = client_->send(req);
        if (r.ok() && r->status == 201 && r->body.ends_with("|" + req.body)) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), kThreads * kPerThread);
}

TEST_F(CurlClientTest, CredentialsDoNotLeakIntoTheNextRequestOnAReusedHandle) {
  ClientRequest req;
  req.method = "POST";
  req.url = base_ + "/echo";
  req.basic_user = "AC1";
  req.basic_password = "tok";
  ASSERT_TRUE(client_->send(req).ok());
  req.basic_user.clear();
  req.basic_password.clear();
  auto r = client_->send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body.find("Basic"), std::string::npos) << r->body;
}

}  // namespace
}  // namespace outdial::net
