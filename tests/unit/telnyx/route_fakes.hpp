#pragma once
// Shared by the Telnyx route tests: an ingress and a command issuer that record what they get
// (and can be told to fail), and a signed POST to the route.
#include <string>
#include <vector>

#include "outdial/core/clock.hpp"
#include "outdial/net/router.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/telnyx/telnyx_provider.hpp"
#include "unit/telnyx/signing.hpp"

namespace outdial::testing::telnyx {

using telephony::EventIngress;
using telephony::telnyx::ClientState;
using telephony::telnyx::CommandIssuer;
using telephony::telnyx::FlowCommand;

class RecordingIngress final : public EventIngress {
 public:
  Status ingest(const CallEvent& e) override {
    if (fail) return make_error(ErrorCode::kUnavailable, "db down");
    events.push_back(e);
    return ok_status();
  }
  bool fail = false;
  std::vector<CallEvent> events;
};

class RecordingCommands final : public CommandIssuer {
 public:
  Status issue(const std::string& id, const FlowCommand& c, const ClientState& cs) override {
    if (fail) return make_error(ErrorCode::kUnavailable, "telnyx down");
    issued.push_back({id, c, cs});
    return ok_status();
  }
  struct Issued {
    std::string id;
    FlowCommand command;
    ClientState state;
  };
  bool fail = false;
  std::vector<Issued> issued;
};

// POSTs `body` to the Telnyx route, signed by `signer` at `ts` (default: now); `sig` overrides
// the signature ("<none>": no signature header).
inline net::Response post_signed(net::Router& router, const Signer& signer, const Clock& clock, const std::string& body,
                                 std::string ts = "", std::string sig = "", const std::string& path = "/webhooks/telnyx") {
  if (ts.empty()) ts = std::to_string(to_epoch_ms(clock.now()) / 1000);
  if (sig.empty()) sig = signer.sign(ts, body);
  net::Request r;
  r.method = "POST";
  r.path = path;
  if (sig != "<none>") r.headers["Telnyx-Signature-Ed25519"] = sig;  // names are case-insensitive
  r.headers["TELNYX-TIMESTAMP"] = ts;
  r.body = body;
  return router.dispatch(r);
}

}  // namespace outdial::testing::telnyx
