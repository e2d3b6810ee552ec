#include "outdial/dialer/campaign_service_impl.hpp"

#include <cctype>
#include <string>

namespace outdial::dialer {
namespace {

Error invalid(const std::string& field, const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message, {{"field", field}});
}

Error denied(const Actor& a, const std::string& action) {
  return make_error(ErrorCode::kPermissionDenied, std::string("role ") + to_string(a.role) + " may not " + action,
                    {{"role", to_string(a.role)}, {"action", action}});
}

bool is_e164(const std::string& s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

Status check_rule(const RetryRule& r, const std::string& field) {
  if (r.max_attempts < 1) return invalid(field + ".max_attempts", "must be at least 1");
  if (r.backoff_minutes < 0) return invalid(field + ".backoff_minutes", "must not be negative");
  return ok_status();
}

bool is_live(const std::string& state) {
  auto s = parse_call_state(state);
  return s && !is_terminal(*s);
}

}  // namespace

Status validate_campaign(const Campaign& c, TimePoint now) {
  if (c.name.empty() || c.name.size() > 200) return invalid("name", "name is required (at most 200 characters)");
  if (c.script.empty()) return invalid("script", "script is required");
  if (c.list_id <= 0) return invalid("list_id", "list_id is required");
  if (!is_e164(c.caller_id)) return invalid("caller_id", "caller_id must be an E.164 number");
  if (!c.agent_number.empty() && !is_e164(c.agent_number)) return invalid("agent_number", "must be E.164");
  if (c.lines < 1 || c.lines > 100) return invalid("lines", "lines must be 1..100");
  if (c.max_concurrency < 1 || c.max_concurrency > 1000) return invalid("max_concurrency", "must be 1..1000");
  if (c.calls_per_minute < 1 || c.calls_per_minute > 6000) return invalid("calls_per_minute", "must be 1..6000");
  if (c.max_attempts < 1 || c.max_attempts > 20) return invalid("max_attempts", "must be 1..20");
  if (c.min_spacing_minutes < 0) return invalid("min_spacing_minutes", "must not be negative");
  if (c.daily_limit < 0) return invalid("daily_limit", "must not be negative");
  if (auto st = check_rule(c.retry.busy, "retry.busy"); !st) return st;
  if (auto st = check_rule(c.retry.no_answer, "retry.no_answer"); !st) return st;
  if (auto st = check_rule(c.retry.machine, "retry.machine"); !st) return st;
  if (auto st = check_rule(c.retry.failed, "retry.failed"); !st) return st;
  if (c.schedule_start && c.schedule_end && *c.schedule_end <= *c.schedule_start) {
    return invalid("schedule_end", "schedule_end must be after schedule_start");
  }
  if (c.expires_at && *c.expires_at <= now) return invalid("expires_at", "expires_at must be in the future");
  return ok_status();
}

CampaignServiceImpl::CampaignServiceImpl(storage::CampaignStore& campaigns, storage::ContactStore& contacts,
                                         storage::CallStore& calls, storage::AuditStore& audit, const Clock& clock)
    : campaigns_(campaigns), contacts_(contacts), calls_(calls), audit_(audit), clock_(clock) {}

void CampaignServiceImpl::audit(const Actor& actor, const Campaign& c, const std::string& action,
                                const std::string& payload) {
  AuditEntry e;
  e.tenant_id = c.tenant_id;
  e.actor = actor.label.empty() ? "user:" + std::to_string(actor.user_id) : actor.label;
  e.action = action;
  e.entity_type = "campaign";
  e.entity_id = std::to_string(c.id);
  e.payload_json = payload.empty() ? "{\"status\":\"" + std::string(to_string(c.status)) + "\"}" : payload;
  e.at = clock_.now();
  (void)audit_.append(e);
}

Result<Campaign> CampaignServiceImpl::create(const Actor& actor, const Campaign& draft) {
  if (!is_staff(actor.role)) return denied(actor, "create campaigns");
  const TimePoint now = clock_.now();
  if (auto st = validate_campaign(draft, now); !st) return st.error();
  if (auto list = contacts_.get_list(actor.tenant_id, draft.list_id); !list) {
    if (list.error().code == ErrorCode::kNotFound) return invalid("list_id", "no such contact list");
    return list.error();
  }
  Campaign c = draft;
  c.id = 0;
  c.tenant_id = actor.tenant_id;
  c.status = CampaignStatus::kDraft;
  c.created_by = actor.user_id;
  c.activated_by.reset();
  c.activated_at.reset();
  c.created_at = now;
  auto stored = campaigns_.create_campaign(c);
  if (!stored) return stored;
  audit(actor, *stored, "campaign.create", "");
  return stored;
}

Result<Campaign> CampaignServiceImpl::get(const Actor& actor, CampaignId id) {
  return campaigns_.get_campaign(actor.tenant_id, id);
}

Result<std::vector<Campaign>> CampaignServiceImpl::list(const Actor& actor) {
  return campaigns_.list_campaigns(actor.tenant_id);
}

Result<Campaign> CampaignServiceImpl::activate(const Actor& actor, CampaignId id) {
  // Fetch first so another tenant's id is kNotFound whatever the role.
  auto got = campaigns_.get_campaign(actor.tenant_id, id);
  if (!got) return got;
  if (!is_staff(actor.role)) return denied(actor, "activate campaigns");
  Campaign c = *got;
  if (c.status != CampaignStatus::kDraft) {
    return make_error(ErrorCode::kFailedPrecondition,
                      std::string("only a draft campaign can be activated; status is ") + to_string(c.status),
                      {{"status", to_string(c.status)}});
  }
  const TimePoint now = clock_.now();
  if (c.expires_at && *c.expires_at <= now) {
    return make_error(ErrorCode::kFailedPrecondition, "campaign has expired", {{"field", "expires_at"}});
  }
  auto added = campaigns_.add_targets_from_list(c.id, c.list_id, c.schedule_start.value_or(now));
  if (!added) return added.error();
  c.status = CampaignStatus::kActive;
  c.activated_by = actor.user_id;
  c.activated_at = now;  // from here on the script is locked: there is no update path for it
  auto stored = campaigns_.update_campaign(c);
  if (!stored) return stored;
  audit(actor, *stored, "campaign.activate", "{\"targets_added\":" + std::to_string(*added) + "}");
  return stored;
}

Result<Campaign> CampaignServiceImpl::change_status(const Actor& actor, CampaignId id, const char* action,
                                                    bool staff_only) {
  auto got = campaigns_.get_campaign(actor.tenant_id, id);
  if (!got) return got;
  if (staff_only ? !is_staff(actor.role) : !can_write(actor.role)) return denied(actor, action);
  Campaign c = *got;
  const std::string a = action;
  const CampaignStatus from = c.status;
  const TimePoint now = clock_.now();
  bool ok = false;
  if (a == "pause") {
    ok = from == CampaignStatus::kActive;
    c.status = CampaignStatus::kPaused;
  } else if (a == "resume") {
    ok = from == CampaignStatus::kPaused && !(c.expires_at && *c.expires_at <= now);
    c.status = CampaignStatus::kActive;
  } else {
    ok = from == CampaignStatus::kDraft || from == CampaignStatus::kActive || from == CampaignStatus::kPaused;
    c.status = CampaignStatus::kStopped;
  }
  if (!ok) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "cannot " + a + " a campaign in status " + to_string(from),
                      {{"status", to_string(from)}, {"action", a}});
  }
  auto stored = campaigns_.update_campaign(c);
  if (!stored) return stored;
  audit(actor, *stored, "campaign." + a, "");
  return stored;
}

Result<Campaign> CampaignServiceImpl::pause(const Actor& actor, CampaignId id) {
  return change_status(actor, id, "pause", false);
}
Result<Campaign> CampaignServiceImpl::resume(const Actor& actor, CampaignId id) {
  return change_status(actor, id, "resume", true);
}
Result<Campaign> CampaignServiceImpl::stop(const Actor& actor, CampaignId id) {
  return change_status(actor, id, "stop", false);
}

Result<Progress> CampaignServiceImpl::progress(const Actor& actor, CampaignId id) {
  auto c = campaigns_.get_campaign(actor.tenant_id, id);
  if (!c) return c.error();
  Progress p;
  p.campaign_id = c->id;
  p.status = to_string(c->status);
  if (auto n = contacts_.count_contacts(c->tenant_id, c->list_id)) p.contacts = *n;
  auto counts = campaigns_.count_targets(id);
  if (!counts) return counts.error();
  p.targets = counts->by_status;
  auto blocked = counts->by_status.find(to_string(TargetStatus::kBlocked));
  p.blocked = blocked == counts->by_status.end() ? 0 : blocked->second;
  std::int64_t finished = 0;
  // Grouped counts in the store (was: a paged scan of every attempt and target, quadratic with
  // OFFSET paging at 100k attempts).
  auto tallies = calls_.tally_attempts(id);
  if (!tallies) return tallies.error();
  for (const auto& g : *tallies) {
    const std::int64_t n = g.count;
    p.attempts += n;
    const bool answered =
        g.answered || g.state == CallState::kAnsweredHuman || g.state == CallState::kAnsweredMachine;
    if (answered && g.by_machine) p.voicemails += n;
    else if (answered) p.connects += n;
    if (is_live(to_string(g.state))) p.in_flight += n;
    else finished += n;
    if (g.state == CallState::kBusy) p.busy += n;
    if (g.state == CallState::kNoAnswer) p.no_answer += n;
    if (g.state == CallState::kFailed || g.state == CallState::kCanceled) p.failed += n;
    if (g.state == CallState::kDropped) p.dropped += n;
  }
  for (const auto& [outcome, n] : counts->blocked_outcomes) {
    if (outcome.rfind("blocked:", 0) == 0) p.blocked_by_rule[outcome.substr(8)] += n;
  }
  p.connect_rate = finished == 0 ? 0.0 : static_cast<double>(p.connects) / static_cast<double>(finished);
  return p;
}

}  // namespace outdial::dialer
