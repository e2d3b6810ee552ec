#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "outdial/telephony/provider.hpp"

namespace outdial::testing {

// A provider that accepts every call ("P<n>"), remembers the keys and delivers nothing by
// itself: tests push events into the sink by hand. Scripted failures: each entry of `faults`
// answers one place_call (front first) with its error; with `created` the call is created
// anyway (a time-out after the request reached the carrier).
struct DialFault {
  Error error;
  bool created = false;
};
class FakeProvider final : public telephony::Provider {
 public:
  std::string name() const override { return "fake"; }
  Result<telephony::DialAccepted> place_call(const telephony::DialRequest& r) override {
    std::string id;
    std::optional<DialFault> fault;
    {
      std::lock_guard l(mu_);
      ++place_calls;
      if (auto it = by_key_.find(r.idempotency_key); it != by_key_.end()) return telephony::DialAccepted{it->second};
      if (!faults.empty()) {
        fault = faults.front();
        faults.erase(faults.begin());
      }
      if (fault && !fault->created) return fault->error;
      dials.push_back(r);
      id = "P" + std::to_string(dials.size());
      by_key_[r.idempotency_key] = id;
    }
    if (fault) return fault->error;
    if (on_created) on_created(r, id);
    return telephony::DialAccepted{id};
  }
  Status hangup(const std::string&) override { return ok_status(); }
  Result<std::string> send_sms(const telephony::SmsRequest& r) override { return "S" + r.idempotency_key; }
  Result<std::optional<std::string>> find_call(const telephony::CallLookup& lookup) override {
    std::lock_guard l(mu_);
    ++lookups;
    if (find_error) return *find_error;
    auto it = by_key_.find(lookup.idempotency_key);
    if (it == by_key_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status reconcile(const std::string& id) override {
    std::lock_guard l(mu_);
    reconciled.push_back(id);
    return ok_status();
  }
  std::vector<telephony::DialRequest> dials;  // calls really created
  std::vector<std::string> reconciled;
  std::vector<DialFault> faults;
  int place_calls = 0;  // place_call() invocations, failed ones included
  int lookups = 0;
  std::optional<Error> find_error;  // every find_call answers this error while set
  // Called when a call is created, before place_call returns (a webhook that overtakes the
  // answer): may deliver events. Called without this provider's lock held.
  std::function<void(const telephony::DialRequest&, const std::string& call_id)> on_created;

 private:
  std::mutex mu_;
  std::map<std::string, std::string> by_key_;
};

}  // namespace outdial::testing
