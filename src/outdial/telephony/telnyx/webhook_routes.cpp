#include "outdial/telephony/telnyx/webhook_routes.hpp"

#include <spdlog/spdlog.h>

#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "outdial/telephony/sms/inbound_sms.hpp"

namespace outdial::telephony::telnyx {

namespace {

// Finished calls whose flow state is kept so late or replayed webhooks stay no-ops.
constexpr std::size_t kFinishedKept = 20'000;

// Whose call it is and whom it dialed, from what outdial stored (the registry of calls this
// process placed, else the attempt in the call store), never from the webhook's client_state or
// "to": the tenant and number a press 2 puts on the do-not-call list.
struct CallOwner {
  TenantId tenant_id = 0;
  std::string to;
  std::string idempotency_key;
};

struct CallFlow {
  std::mutex mu;  // one webhook of a call at a time (they may arrive concurrently)
  FlowState state;
  std::optional<FlowScript> script;
  bool script_from_registry = false;  // else a fallback, replaced once the registry knows the call
  ClientState client_state;
  std::optional<CallOwner> owner;  // nullopt: unknown (no store): the routes write no opt-out
};

class WebhookHandler {
 public:
  explicit WebhookHandler(TelnyxWebhookDeps deps) : deps_(std::move(deps)) {}

  net::Response handle(const net::Request& req) {
    // The signing account: with an account directory the (still unverified) body is parsed only to
    // choose the key; nothing else is looked at before the signature holds.
    std::optional<Result<TelnyxEvent>> parsed;
    std::optional<WebhookVerifier> account_verifier;
    if (deps_.account_directory != nullptr) {
      // Choosing the key reads the stores and may build a driver: only for a request that carries
      // a well-formed, fresh signature (the checks that need no key, done first).
      if (auto st = deps_.verifier.check_envelope(req.header(kSignatureHeader), req.header(kTimestampHeader)); !st)
        return rejected(req, st.error());
      parsed = parse_event(req.body);
      if (*parsed && !state_authentic(**parsed)) return forged_state(req);
      if (*parsed) {
        auto v = deps_.account_directory->verifier_for(**parsed);
        if (!v) {
          const ErrorCode code = v.error().code;
          if (code == ErrorCode::kUnavailable || code == ErrorCode::kInternal) {
            ++stats_->failed;
            spdlog::warn("telnyx webhook: account lookup failed: {}", v.error().message);
            return error(503, "unavailable", "account lookup failed; retry");
          }
          ++stats_->rejected_signature;
          spdlog::warn("telnyx webhook rejected (account: {}) from {}", v.error().message, req.remote_address);
          return error(403, "forbidden", "Telnyx webhook signature does not verify");
        }
        account_verifier = std::move(*v);
      }
    }
    const WebhookVerifier& verifier = account_verifier ? *account_verifier : deps_.verifier;
    auto verified = verifier.verify(req.header(kSignatureHeader), req.header(kTimestampHeader), req.body);
    if (!verified) return rejected(req, verified.error());
    if (!parsed) parsed = parse_event(req.body);
    if (!*parsed) {
      ++stats_->malformed;
      return error(400, "invalid_argument", parsed->error().message);
    }
    if (!state_authentic(**parsed)) return forged_state(req);
    const TelnyxEvent& ev = **parsed;
    if (ev.event_type == "message.received") return inbound_sms(ev);
    if (ev.event_type == "call.recording.saved") return recording(ev);
    if (ev.event_type.rfind("call.", 0) != 0) {
      ++stats_->ignored;  // other message.* and the rest: nothing in the call flow
      return ok();
    }
    // The agent leg of a transfer carries our state with step "agent" and its parent call.
    const bool agent_leg = ev.client_state && ev.client_state->step == "agent" &&
                           !ev.client_state->parent_call_control_id.empty();
    const std::string flow_id = agent_leg ? ev.client_state->parent_call_control_id : ev.call_control_id;
    auto found_flow = flow_for(flow_id, ev);
    if (!found_flow) return failed(ev, "attempt lookup", found_flow.error());
    const std::shared_ptr<CallFlow> flow = *found_flow;
    if (!flow) {
      ++stats_->ignored;
      return ok();
    }
    std::lock_guard lock(flow->mu);
    if (!flow->script_from_registry) {
      // call.initiated may arrive before place_call() returned and registered the call.
      if (auto reg = deps_.registry.get(flow_id)) {
        flow->script = reg->script;
        flow->client_state = reg->state;
        flow->owner = CallOwner{reg->state.tenant_id, reg->to, reg->state.idempotency_key};
        flow->script_from_registry = true;
      } else if (!flow->script) {
        flow->script = script_for_call(flow->client_state);
      }
    }
    FlowState next = flow->state;
    const FlowOutput out = agent_leg ? advance_agent_leg(next, ev, *flow->script) : advance(next, ev, *flow->script);
    if (out.duplicate) {
      ++stats_->duplicates;
      return ok();
    }
    for (const auto& ce : out.events) {
      if (auto st = deps_.ingress.ingest(ce); !st) return failed(ev, "ingest", st.error());
    }
    if (out.add_dnc && !flow->owner) {
      // No store to name the call's tenant and callee (the webhook's own say is not trusted):
      // the dialer still records the key press on the attempt the event names.
      spdlog::warn("telnyx webhook {}: press 2 on call {} of unknown owner: no DNC entry written here", ev.id,
                   flow_id);
    } else if (out.add_dnc) {
      DncEntry e;
      e.tenant_id = flow->owner->tenant_id;
      e.phone_e164 = flow->owner->to;
      e.reason = "press 2";
      e.source = "call:" + flow->owner->idempotency_key;
      e.created_at = deps_.clock.now();
      if (auto st = deps_.compliance.add_dnc(e); !st) return failed(ev, "internal DNC", st.error());
      // A key-press opt-out also revokes consent, every channel (REVOKE: per se, at once).
      if (auto st = deps_.compliance.revoke_consents(e.tenant_id, e.phone_e164, std::nullopt, e.created_at); !st)
        return failed(ev, "consent revocation", st.error());
    }
    for (const auto& c : out.commands) {
      if (auto st = deps_.commands.issue(flow_id, c, flow->client_state); !st)
        return failed(ev, "command " + c.action, st.error());
    }
    flow->state = std::move(next);
    if (flow->state.terminal) finish(flow_id);
    ++stats_->accepted;
    return ok();
  }

  std::shared_ptr<TelnyxWebhookStats> stats() const { return stats_; }
  const std::string& path() const { return deps_.path; }

 private:
  net::Response inbound_sms(const TelnyxEvent& ev) {
    if (deps_.tenants == nullptr || deps_.campaigns == nullptr) {
      ++stats_->ignored;
      return ok();
    }
    // Replays and redeliveries of an applied message change nothing (and send no second reply).
    if (seen_message(ev.message_id, false)) {
      ++stats_->duplicates;
      return ok();
    }
    const auto cls = sms::classify_inbound_sms(ev.text);
    const sms::InboundSms in{"telnyx", ev.message_id, ev.from, ev.to, std::nullopt};
    const auto out = sms::apply_inbound_sms({deps_.compliance, *deps_.tenants, *deps_.campaigns, deps_.clock, deps_.accounts}, in, cls,
                                            sms::carrier_answers(sms::telnyx_keywords(), cls, ev.to));
    if (!out.warning.empty()) spdlog::warn("{}", out.warning);
    if (out.status != 200) {
      ++stats_->failed;
      return error(out.status, out.status == 503 ? "unavailable" : "not_found", "inbound SMS not applied; retry");
    }
    if (!out.reply.empty() && deps_.send_sms) {
      // From our number to the contact. A send that may succeed later (Telnyx down, rate
      // limited) answers 503: the redelivery re-applies the (idempotent) opt-out and sends the
      // reply again. A refusal (e.g. 40300: the contact texted STOP before, Telnyx blocks every
      // message to it) is final: logged, the webhook is acknowledged.
      if (auto st = deps_.send_sms(SmsRequest{"reply:" + ev.message_id, 0, ev.to, ev.from, out.reply}); !st) {
        spdlog::warn("telnyx inbound SMS {}: reply not sent: {}", ev.message_id, st.error().message);
        if (st.error().code == ErrorCode::kUnavailable || st.error().code == ErrorCode::kRateLimited) {
          ++stats_->failed;
          return error(503, "unavailable", "reply not sent; retry");
        }
      }
    }
    (void)seen_message(ev.message_id, true);
    ++stats_->messages;
    return ok();
  }

  // Whether `id` was applied before; `remember` records it (bounded, oldest forgotten first).
  bool seen_message(const std::string& id, bool remember) {
    std::lock_guard l(mu_);
    if (messages_seen_.count(id) != 0) return true;
    if (remember) {
      messages_seen_.insert(id);
      messages_order_.push_back(id);
      while (messages_order_.size() > kFinishedKept) {
        messages_seen_.erase(messages_order_.front());
        messages_order_.pop_front();
      }
    }
    return false;
  }

  net::Response recording(const TelnyxEvent& ev) {
    if (deps_.calls == nullptr) {
      ++stats_->ignored;
      return ok();
    }
    AttemptId attempt = ev.client_state ? ev.client_state->attempt_id : 0;
    if (attempt != 0) {
      // client_state names our attempt; it must exist and not belong to another call.
      auto a = deps_.calls->get_attempt(attempt);
      if (!a && a.error().code != ErrorCode::kNotFound) return failed(ev, "attempt lookup", a.error());
      if (!a || a->idempotency_key != ev.client_state->idempotency_key ||
          (!a->provider_call_id.empty() && a->provider_call_id != ev.call_control_id))
        attempt = 0;
    }
    if (attempt == 0) {
      auto found = deps_.calls->find_by_provider_id("telnyx", ev.call_control_id);
      if (!found) return failed(ev, "attempt lookup", found.error());
      if (found->has_value()) attempt = (*found)->id;
    }
    if (attempt == 0 || ev.recording_url.empty()) {
      ++stats_->ignored;  // not a call we dialed, or nothing to keep
      spdlog::warn("telnyx recording for call {} ignored: {}", ev.call_control_id,
                   attempt == 0 ? "no attempt of ours" : "no recording URL");
      return ok();
    }
    storage::CallRecording rec;
    rec.attempt_id = attempt;
    rec.provider = "telnyx";
    rec.provider_call_id = ev.call_control_id;
    // One row per recording: the recording's id, or the event's (a redelivery repeats data.id).
    rec.recording_id = ev.recording_id.empty() ? ev.id : ev.recording_id;
    rec.url = ev.recording_url;
    rec.status = "completed";
    rec.duration_seconds = ev.recording_seconds;
    rec.at = deps_.clock.now();
    auto added = deps_.calls->add_recording(rec);
    if (!added) return failed(ev, "recording", added.error());
    if (*added) ++stats_->recordings;
    else ++stats_->duplicates;
    return ok();
  }

  // With a client_state key, a client_state of ours must carry outdial's MAC (only outdial mints one).
  bool state_authentic(const TelnyxEvent& ev) const {
    return deps_.client_state_key == nullptr || !ev.client_state ||
           client_state_authentic(ev.client_state_raw, *deps_.client_state_key);
  }
  net::Response forged_state(const net::Request& req) {
    ++stats_->rejected_signature;
    spdlog::warn("telnyx webhook rejected (client_state not minted by us) from {}", req.remote_address);
    return error(403, "forbidden", "client_state does not verify");
  }

  net::Response rejected(const net::Request& req, const Error& e) {
    ++stats_->rejected_signature;
    const auto& d = e.details;
    spdlog::warn("telnyx webhook rejected ({}) from {}", d.count("reason") ? d.at("reason") : "?", req.remote_address);
    return error(403, "forbidden", e.message);
  }

  static net::Response ok() { return net::Response::json(200, R"({"ok":true})"); }
  static net::Response error(int status, const std::string& code, const std::string& message) {
    return net::default_error_response(status, code, message);
  }

  net::Response failed(const TelnyxEvent& ev, const std::string& what, const Error& e) {
    ++stats_->failed;
    spdlog::warn("telnyx webhook {} {} for call {}: {} failed: {} ({})", ev.event_type, ev.id, ev.call_control_id,
                 what, e.message, to_string(e.code));
    // 503: Telnyx redelivers; the flow state was not advanced, so the step runs again.
    return error(503, "unavailable", what + " failed; retry");
  }

  // The flow of call `id`; null when it is no call of ours. A call the registry does not know
  // (placed before a restart, or a webhook racing place_call) is ours when the call store has its
  // attempt: the one the client_state names, with the same tenant, key and campaign and no other
  // call id, else the one with this call id. Without a call store the client_state is taken at
  // its word for the flow, but no opt-out is written from it.
  Result<std::shared_ptr<CallFlow>> flow_for(const std::string& id, const TelnyxEvent& ev) {
    {
      std::lock_guard l(mu_);
      if (auto it = flows_.find(id); it != flows_.end()) return it->second;
    }
    auto reg = deps_.registry.get(id);
    if (!reg && !ev.client_state) return std::shared_ptr<CallFlow>();  // not a leg we dialed
    auto f = std::make_shared<CallFlow>();
    f->state.call_control_id = id;
    if (reg) {
      f->script = reg->script;
      f->script_from_registry = true;
      f->client_state = reg->state;
      f->owner = CallOwner{reg->state.tenant_id, reg->to, reg->state.idempotency_key};
    } else {
      f->client_state = *ev.client_state;
      f->client_state.step.clear();
      f->client_state.parent_call_control_id.clear();
      if (deps_.calls != nullptr) {
        auto a = stored_attempt(id, *ev.client_state);
        if (!a) return a.error();
        if (!*a) return std::shared_ptr<CallFlow>();  // no attempt of ours: not a call we dialed
        const CallAttempt& at = **a;
        f->client_state.attempt_id = at.id;
        f->client_state.tenant_id = at.tenant_id;
        f->client_state.campaign_id = at.campaign_id;
        f->client_state.idempotency_key = at.idempotency_key;
        f->owner = CallOwner{at.tenant_id, at.to_number, at.idempotency_key};
      }
    }
    std::lock_guard l(mu_);
    return flows_.emplace(id, f).first->second;  // another webhook of the call may have won the race
  }

  Result<std::optional<CallAttempt>> stored_attempt(const std::string& call_id, const ClientState& cs) {
    if (cs.attempt_id != 0) {
      auto a = deps_.calls->get_attempt(cs.attempt_id);
      if (!a && a.error().code != ErrorCode::kNotFound) return a.error();
      if (a && a->idempotency_key == cs.idempotency_key && a->tenant_id == cs.tenant_id &&
          a->campaign_id == cs.campaign_id && (a->provider_call_id.empty() || a->provider_call_id == call_id))
        return std::optional<CallAttempt>(*a);
    }
    auto found = deps_.calls->find_by_provider_id(kProviderName, call_id);
    if (!found) return found.error();
    return *found;
  }

  FlowScript script_for_call(const ClientState& cs) const {
    if (deps_.script_lookup) {
      if (auto s = deps_.script_lookup(cs)) return *s;
    }
    DialRequest neutral;  // still identifies a caller and offers the opt-out first
    neutral.machine_detection = cs.machine_detection;
    return telnyx::script_for(neutral, "");
  }

  void finish(const std::string& id) {
    std::lock_guard l(mu_);
    deps_.registry.erase(id);
    finished_.push_back(id);
    while (finished_.size() > kFinishedKept) {
      flows_.erase(finished_.front());
      finished_.pop_front();
    }
  }

  TelnyxWebhookDeps deps_;
  std::shared_ptr<TelnyxWebhookStats> stats_ = std::make_shared<TelnyxWebhookStats>();
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<CallFlow>> flows_;
  std::deque<std::string> finished_;
  std::set<std::string> messages_seen_;
  std::deque<std::string> messages_order_;
};

}  // namespace

std::shared_ptr<const TelnyxWebhookStats> register_telnyx_routes(net::Router& router, TelnyxWebhookDeps deps) {
  auto handler = std::make_shared<WebhookHandler>(std::move(deps));
  router.add("POST", handler->path(), [handler](const net::Request& req) { return handler->handle(req); });
  return handler->stats();
}

}  // namespace outdial::telephony::telnyx
