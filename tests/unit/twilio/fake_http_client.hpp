#pragma once
// A scripted net::HttpClient: records every request and answers from a queue (or a default).
#include <deque>
#include <mutex>
#include <vector>

#include "outdial/net/http_client.hpp"

namespace outdial::testing {

class FakeHttpClient final : public net::HttpClient {
 public:
  Result<net::ClientResponse> send(const net::ClientRequest& request) override {
    std::lock_guard lock(mu_);
    requests.push_back(request);
    if (replies.empty()) return fallback;
    auto r = replies.front();
    replies.pop_front();
    return r;
  }
  void reply(int status, std::string body) {
    net::ClientResponse r;
    r.status = status;
    r.body = std::move(body);
    replies.emplace_back(r);
  }
  void fail(Error e) { replies.emplace_back(std::move(e)); }

  std::vector<net::ClientRequest> requests;
  std::deque<Result<net::ClientResponse>> replies;
  Result<net::ClientResponse> fallback = make_error(ErrorCode::kUnavailable, "no scripted reply");

 private:
  std::mutex mu_;
};

}  // namespace outdial::testing
