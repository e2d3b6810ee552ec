// HttpServer's asynchronous handler mode: answers come later from another thread, many
// requests wait at once on two io threads, a dropped Responder answers 500, stop() waits for
// owed answers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <stdexcept>
#include <mutex>
#include <thread>
#include <vector>

#include "outdial/net/server.hpp"
#include "test_http_client.hpp"

namespace outdial::net {
namespace {

// Holds every Responder until the test releases them, like requests waiting on one commit.
class Parking {
 public:
  void park(Responder r) {
    std::lock_guard lock(mu_);
    parked_.push_back(std::move(r));
    cv_.notify_all();
  }
  void wait_for(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return parked_.size() >= n; });
  }
  std::vector<Responder> take() {
    std::lock_guard lock(mu_);
    return std::move(parked_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Responder> parked_;
};

TEST(AsyncServerTest, ManyRequestsWaitAtOnceOnTwoIoThreadsAndAreAnsweredFromAnotherThread) {
  Parking parking;
  ServerOptions opts;
  opts.threads = 2;
  HttpServer server(opts, [&](Request& req, Responder respond) {
    if (req.path == "/now") return respond(Response::text(200, "now"));
    parking.park(std::move(respond));  // answered later, from the test's thread
  });
  ASSERT_TRUE(server.start().ok());

  constexpr int kClients = 12;  // far more requests in flight than io threads
  std::vector<testing::RawResponse> results(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      testing::TestHttpClient c(server.port());
      results[i] = c.request("POST", "/wait", "b" + std::to_string(i));
    });
  }
  parking.wait_for(kClients);
  // While they wait, the io threads still serve others.
  testing::TestHttpClient quick(server.port());
  auto r = quick.request("GET", "/now", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "now");

  auto parked = parking.take();
  ASSERT_EQ(parked.size(), static_cast<std::size_t>(kClients));
  std::thread answerer([&] {
    for (auto& p : parked) p(Response::text(201, "done"));
  });
  answerer.join();
  for (auto& t : clients) t.join();
  for (const auto& res : results) {
    EXPECT_TRUE(res.ok);
    EXPECT_EQ(res.status, 201);
    EXPECT_EQ(res.body, "done");
  }
}

TEST(AsyncServerTest, KeepAliveAfterAnAsyncAnswerAndOnlyTheFirstAnswerCounts) {
  HttpServer server(ServerOptions{}, [](Request& req, Responder respond) {
    std::thread([respond, body = req.body] {
      respond(Response::text(200, "echo:" + body));
      respond(Response::text(500, "ignored"));
    }).detach();
  });
  ASSERT_TRUE(server.start().ok());
  testing::TestHttpClient c(server.port());
  for (int i = 0; i < 3; ++i) {
    auto r = c.request("POST", "/x", std::to_string(i));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "echo:" + std::to_string(i));
  }
}

TEST(AsyncServerTest, DroppedResponderAnswers500AndThrowingHandlerToo) {
  HttpServer server(ServerOptions{}, [](Request& req, Responder) {
    if (req.path == "/throw") throw std::runtime_error("boom");
    // drops the responder without answering
  });
  ASSERT_TRUE(server.start().ok());
  testing::TestHttpClient c(server.port());
  auto r = c.request("GET", "/drop", "");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("without answering"), std::string::npos);
  r = c.request("GET", "/throw", "");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("boom"), std::string::npos);
}

TEST(AsyncServerTest, StopWaitsForAnOwedAnswer) {
  Parking parking;
  ServerOptions opts;
  opts.shutdown_grace = std::chrono::seconds(0);
  auto server = std::make_unique<HttpServer>(opts, [&](Request&, Responder respond) { parking.park(respond); });
  ASSERT_TRUE(server->start().ok());
  testing::RawResponse result;
  std::thread client([&] {
    testing::TestHttpClient c(server->port());
    result = c.request("GET", "/slow", "");
  });
  parking.wait_for(1);
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server->stop();
    stopped = true;
  });
  // stop() cannot finish while the answer is owed (the Responder is still parked).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(stopped.load());
  auto parked = parking.take();
  parked.clear();  // destroyed without an answer: the owed 500 is still written
  stopper.join();
  client.join();
  EXPECT_TRUE(stopped.load());
  EXPECT_EQ(result.status, 500);
}

}  // namespace
}  // namespace outdial::net
