#include "outdial/dialer/disposition_service.hpp"

#include <nlohmann/json.hpp>

namespace outdial::dialer {

DispositionService::DispositionService(storage::CallStore& calls, storage::CampaignStore& campaigns,
                                       storage::ComplianceStore& compliance, storage::AuditStore& audit,
                                       const Clock& clock)
    : calls_(calls), campaigns_(campaigns), compliance_(compliance), audit_(audit), clock_(clock) {}

Result<CallAttempt> DispositionService::attempt_of(const Actor& actor, AttemptId id) {
  auto a = calls_.get_attempt(id);
  // Another tenant's attempt is "not found": its existence is not disclosed.
  if (!a || a->tenant_id != actor.tenant_id) {
    return make_error(ErrorCode::kNotFound, "no such call", {{"attempt_id", std::to_string(id)}});
  }
  return a;
}

Result<Disposition> DispositionService::record(const Actor& actor, AttemptId id, const DispositionRequest& req) {
  if (!can_write(actor.role)) {
    return make_error(ErrorCode::kPermissionDenied, "a client viewer cannot disposition calls");
  }
  const TimePoint now = clock_.now();
  if (req.note.size() > kMaxNote) {
    return make_error(ErrorCode::kInvalidArgument, "note is longer than 2000 characters", {{"field", "note"}});
  }
  if (req.code == DispositionCode::kCallback) {
    if (!req.callback_at || *req.callback_at <= now) {
      return make_error(ErrorCode::kInvalidArgument, "a callback needs a callback_at in the future",
                        {{"field", "callback_at"}});
    }
  } else if (req.callback_at) {
    return make_error(ErrorCode::kInvalidArgument, "callback_at is only for the callback code",
                      {{"field", "callback_at"}});
  }
  auto attempt = attempt_of(actor, id);
  if (!attempt) return attempt.error();

  Disposition d;
  d.tenant_id = actor.tenant_id;
  d.attempt_id = id;
  d.code = req.code;
  d.note = req.note;
  d.callback_at = req.callback_at;
  d.created_by = actor.label;
  d.created_at = now;
  auto stored = calls_.add_disposition(d);
  if (!stored) return stored.error();

  nlohmann::json payload{{"attempt_id", id}, {"code", to_string(req.code)}};
  if (req.callback_at) payload["callback_at"] = to_epoch_ms(*req.callback_at);
  AuditEntry e;
  e.tenant_id = actor.tenant_id;
  e.actor = actor.label;
  e.action = "call.disposition";
  e.entity_type = "call";
  e.entity_id = std::to_string(id);
  e.payload_json = payload.dump();
  e.at = now;
  (void)audit_.append(e);

  if (req.code == DispositionCode::kDoNotCall) {
    // DNC-INTERNAL: honoured at once, on every channel, by every campaign of the tenant.
    DncEntry dnc;
    dnc.tenant_id = actor.tenant_id;
    dnc.phone_e164 = attempt->to_number;
    dnc.reason = "disposition: do_not_call";
    dnc.source = "disposition:" + std::to_string(stored->id);
    dnc.created_at = now;
    if (auto added = compliance_.add_dnc(dnc); !added) return added.error();
  }
  if ((req.code == DispositionCode::kCallback || req.code == DispositionCode::kWrongNumber) &&
      attempt->campaign_id != 0) {
    auto target = campaigns_.get_target(attempt->campaign_id, attempt->contact_id);
    if (!target) return target.error();
    if (target->has_value()) {
      CampaignTarget t = **target;
      if (req.code == DispositionCode::kCallback) {
        t.status = TargetStatus::kPending;
        t.next_eligible_at = *req.callback_at;
        t.last_outcome = "callback";
      } else {
        t.status = TargetStatus::kExhausted;
        t.next_eligible_at = now;
        t.last_outcome = "wrong_number";
      }
      if (auto st = campaigns_.update_idle_target(t); !st) return st.error();
    }
  }
  return stored;
}

Result<std::vector<Disposition>> DispositionService::list(const Actor& actor, AttemptId id) {
  auto attempt = attempt_of(actor, id);
  if (!attempt) return attempt.error();
  return calls_.dispositions_for_attempt(id);
}

}  // namespace outdial::dialer
