#pragma once
// A scripted net::HttpClient: records every request, answers from a queue (default 200 {}).
#include <deque>
#include <mutex>
#include <vector>

#include "outdial/net/http_client.hpp"

namespace outdial::testing::telnyx {

class FakeHttpClient final : public net::HttpClient {
 public:
  Result<net::ClientResponse> send(const net::ClientRequest& request) override {
    std::lock_guard l(mu_);
    requests.push_back(request);
    if (answers.empty()) return net::ClientResponse{200, {}, "{}"};
    auto a = answers.front();
    answers.pop_front();
    return a;
  }
  void answer(int status, std::string body) { answers.push_back(net::ClientResponse{status, {}, std::move(body)}); }
  void fail(Error e) { answers.push_back(std::move(e)); }

  std::vector<net::ClientRequest> requests;
  std::deque<Result<net::ClientResponse>> answers;

 private:
  std::mutex mu_;
};

}  // namespace outdial::testing::telnyx
