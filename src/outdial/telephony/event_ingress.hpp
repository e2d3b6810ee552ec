#pragma once
#include "outdial/core/call.hpp"
#include "outdial/core/result.hpp"
#include "outdial/telephony/provider.hpp"

namespace outdial::telephony {

// Where a webhook handler hands a verified, normalized carrier event. ingest() returns only
// once the event is durably stored (a duplicate dedupe_key is success and changes nothing);
// the dialer applies it afterwards. An error means "not stored": the handler answers 5xx so
// the carrier redelivers. Thread-safe; called concurrently from the HTTP io threads.
class EventIngress {
 public:
  virtual ~EventIngress() = default;
  virtual Status ingest(const CallEvent& event) = 0;
};

// The simplest ingress: applies the event synchronously through the dialer's sink (whose store
// writes commit before it returns). Used by tests and as the default until a batching ingress
// is wired in by the composition root.
class SinkIngress final : public EventIngress {
 public:
  explicit SinkIngress(CallEventSink& sink) : sink_(sink) {}
  Status ingest(const CallEvent& event) override {
    sink_.on_call_event(event);
    return ok_status();
  }

 private:
  CallEventSink& sink_;
};

}  // namespace outdial::telephony
