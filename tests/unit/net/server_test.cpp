#include "outdial/net/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "outdial/net/router.hpp"
#include "unit/net/test_http_client.hpp"

namespace outdial::net {
namespace {

using outdial::testing::TestHttpClient;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/hello", [](const Request&) { return Response::text(200, "hi"); });
    router_.add("GET", "/items/:id", [](const Request& r) {
      return Response::text(200, "item " + r.path_param("id") + " q=" + r.query_param("q").value_or("-") +
                                     " h=" + r.header("x-test"));
    });
    router_.add("POST", "/echo", [](const Request& r) { return Response::text(201, r.body); });
    router_.add("GET", "/throw", [](const Request&) -> Response { throw std::runtime_error("boom"); });
    router_.add("GET", "/slow", [this](const Request&) {
      slow_started_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return Response::text(200, "slow done");
    });
    ServerOptions opts;
    opts.port = 0;
    opts.threads = 2;
    opts.body_limit = 1024;
    opts.shutdown_grace = std::chrono::seconds(3);
    server_ = std::make_unique<HttpServer>(opts, router_.as_handler());
    ASSERT_TRUE(server_->start().ok());
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override { server_->stop(); }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> slow_started_{false};
};

TEST_F(ServerTest, RoutesOverLoopbackWithParamsQueryAndHeaders) {
  TestHttpClient c(server_->port());
  auto r = c.request("GET", "/hello");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hi");
  EXPECT_EQ(r.headers["server"], "outdial");
  r = c.request("GET", "/items/abc?q=x+y", "", {{"X-TEST", "v"}});
  EXPECT_EQ(r.body, "item abc q=x y h=v");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowedOverHttp) {
  TestHttpClient c(server_->port());
  auto r = c.request("GET", "/missing");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("\"error\""), std::string::npos);
  r = c.request("DELETE", "/hello");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "GET");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  TestHttpClient c(server_->port());
  ASSERT_TRUE(c.connect());
  for (int i = 0; i < 5; ++i) {
    auto r = c.request("POST", "/echo", "body" + std::to_string(i));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.body, "body" + std::to_string(i));
    EXPECT_TRUE(c.connected());
  }
  // Pipelined: two requests in one write, two responses in order.
  ASSERT_TRUE(c.send_raw("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.read_response().body, "hi");
  EXPECT_EQ(c.read_response().body, "item 2 q=- h=");
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  TestHttpClient c(server_->port());
  auto r = c.request("GET", "/hello", "", {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["connection"], "close");
}

TEST_F(ServerTest, BodyLimitAnswers413) {
  TestHttpClient c(server_->port());
  ASSERT_TRUE(c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\nabc"));
  auto r = c.read_response();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("payload_too_large"), std::string::npos);
  EXPECT_TRUE(c.peer_closed());
  // Exactly at the limit is fine.
  TestHttpClient c2(server_->port());
  auto ok = c2.request("POST", "/echo", std::string(1024, 'a'));
  EXPECT_EQ(ok.status, 201);
  EXPECT_EQ(ok.body.size(), 1024u);
}

TEST_F(ServerTest, ExpectContinueGets100First) {
  TestHttpClient c(server_->port());
  ASSERT_TRUE(
      c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.read_response();
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(c.send_raw("xyz"));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "xyz");
}

TEST_F(ServerTest, MalformedRequestAnswers400) {
  TestHttpClient c(server_->port());
  ASSERT_TRUE(c.send_raw("THIS IS NOT HTTP\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 400);
}

TEST_F(ServerTest, HandlerExceptionAnswers500AndServerKeepsServing) {
  TestHttpClient c(server_->port());
  auto r = c.request("GET", "/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("boom"), std::string::npos);
  EXPECT_EQ(c.request("GET", "/hello").status, 200);
}

TEST_F(ServerTest, StopFinishesInFlightRequestAndClosesIdleConnections) {
  TestHttpClient idle(server_->port());
  ASSERT_TRUE(idle.connect());
  ASSERT_EQ(idle.request("GET", "/hello").status, 200);  // now idle in keep-alive

  TestHttpClient busy(server_->port());
  ASSERT_TRUE(busy.send_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  while (!slow_started_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::thread stopper([this] { server_->stop(); });
  auto r = busy.read_response();
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow done");
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(idle.peer_closed());
  TestHttpClient after(server_->port());
  EXPECT_FALSE(after.connect());  // no longer listening
}

TEST_F(ServerTest, ChunkedRequestBodyIsAssembled) {
  TestHttpClient c(server_->port());
  ASSERT_TRUE(
      c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "abcdefg");
}

TEST_F(ServerTest, ConcurrentClientsOnSeveralThreads) {
  constexpr int kClients = 8;
  constexpr int kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      TestHttpClient c(server_->port());
      for (int i = 0; i < kRequests; ++i) {
        const std::string body = std::to_string(t) + ":" + std::to_string(i);
        auto r = c.request("POST", "/echo", body);
        if (r.status == 201 && r.body == body) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
}

TEST(ServerStartTest, BadAddressAndBusyPort) {
  HttpServer a(ServerOptions{.address = "not-an-ip"}, [](Request&) { return Response::text(200, ""); });
  auto s = a.start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);

  HttpServer b(ServerOptions{}, [](Request&) { return Response::text(200, ""); });
  ASSERT_TRUE(b.start().ok());
  ServerOptions same;
  same.port = b.port();
  HttpServer c(same, [](Request&) { return Response::text(200, ""); });
  // reuse_address does not allow two listeners on one port on Linux.
  auto busy = c.start();
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace outdial::net
