#include <limits>

#include "outdial/api/json_mapping.hpp"
#include "outdial/api/json_reader.hpp"

namespace outdial::api {

using nlohmann::json;

namespace {
constexpr int kIntMax = std::numeric_limits<int>::max();

void read_retry_rule(ObjectReader& parent, const std::string& key, RetryRule& rule,
                     std::optional<Error>& err) {
  if (!parent.ok() || err) return;
  const json* v = parent.take(key);
  if (v == nullptr) return;
  ObjectReader r(*v, parent.field(key));
  r.integer("max_attempts", rule.max_attempts, 0, 1000);
  r.integer("backoff_minutes", rule.backoff_minutes, 0, kIntMax);
  r.finish();
  if (!r.ok()) err = r.error();
}
}  // namespace

Result<Campaign> campaign_from_json(const json& j) {
  Campaign c;
  ObjectReader r(j, "");
  std::optional<Error> nested;
  r.str("name", c.name, true);
  r.str("description", c.description);
  r.str("script", c.script);
  r.str("voicemail_text", c.voicemail_text);
  r.enumeration("purpose", c.purpose, parse_purpose);
  r.enumeration("voice", c.voice, parse_voice_type);
  r.int64("list_id", c.list_id);
  r.str("caller_id", c.caller_id);
  r.str("agent_number", c.agent_number);
  r.integer("lines", c.lines, 1, 1000);
  r.integer("max_concurrency", c.max_concurrency, 1, 100000);
  r.integer("calls_per_minute", c.calls_per_minute, 1, 100000);
  r.integer("max_attempts", c.max_attempts, 1, 1000);
  r.integer("min_spacing_minutes", c.min_spacing_minutes, 0, kIntMax);
  r.integer("daily_limit", c.daily_limit, 0, kIntMax);
  if (const json* retry = r.take("retry"); retry != nullptr) {
    ObjectReader rr(*retry, "retry");
    read_retry_rule(rr, "busy", c.retry.busy, nested);
    read_retry_rule(rr, "no_answer", c.retry.no_answer, nested);
    read_retry_rule(rr, "machine", c.retry.machine, nested);
    read_retry_rule(rr, "failed", c.retry.failed, nested);
    rr.finish();
    if (!rr.ok() && !nested) nested = rr.error();
  }
  r.opt_time("schedule_start", c.schedule_start);
  r.opt_time("schedule_end", c.schedule_end);
  r.opt_time("expires_at", c.expires_at);
  r.boolean("record_calls", c.record_calls);
  r.boolean("recording_disclosure", c.recording_disclosure);
  r.finish();
  if (!r.ok()) return r.error();
  if (nested) return *nested;
  return c;
}

json to_json(const RetryPolicy& p) {
  auto rule = [](const RetryRule& r) {
    return json{{"max_attempts", r.max_attempts}, {"backoff_minutes", r.backoff_minutes}};
  };
  return {{"busy", rule(p.busy)},
          {"no_answer", rule(p.no_answer)},
          {"machine", rule(p.machine)},
          {"failed", rule(p.failed)}};
}

json to_json(const Campaign& c) {
  return {{"id", c.id},
          {"tenant_id", c.tenant_id},
          {"name", c.name},
          {"description", c.description},
          {"script", c.script},
          {"voicemail_text", c.voicemail_text},
          {"purpose", to_string(c.purpose)},
          {"voice", to_string(c.voice)},
          {"status", to_string(c.status)},
          {"list_id", c.list_id},
          {"caller_id", c.caller_id},
          {"agent_number", c.agent_number},
          {"lines", c.lines},
          {"max_concurrency", c.max_concurrency},
          {"calls_per_minute", c.calls_per_minute},
          {"max_attempts", c.max_attempts},
          {"min_spacing_minutes", c.min_spacing_minutes},
          {"daily_limit", c.daily_limit},
          {"retry", to_json(c.retry)},
          {"schedule_start", time_json(c.schedule_start)},
          {"schedule_end", time_json(c.schedule_end)},
          {"expires_at", time_json(c.expires_at)},
          {"record_calls", c.record_calls},
          {"recording_disclosure", c.recording_disclosure},
          {"created_by", c.created_by},
          {"activated_by", c.activated_by ? json(*c.activated_by) : json(nullptr)},
          {"activated_at", time_json(c.activated_at)},
          {"created_at", format_iso8601(c.created_at)}};
}

json to_json(const dialer::Progress& p) {
  return {{"campaign_id", p.campaign_id},
          {"status", p.status},
          {"contacts", p.contacts},
          {"targets", p.targets},
          {"attempts", p.attempts},
          {"in_flight", p.in_flight},
          {"connects", p.connects},
          {"voicemails", p.voicemails},
          {"busy", p.busy},
          {"no_answer", p.no_answer},
          {"failed", p.failed},
          {"dropped", p.dropped},
          {"blocked", p.blocked},
          {"blocked_by_rule", p.blocked_by_rule},
          {"connect_rate", p.connect_rate}};
}

json to_json(const CampaignTarget& t, const std::string& phone) {
  // The lease is internal to the dialer; only whether the target is being worked shows.
  return {{"campaign_id", t.campaign_id},
          {"contact_id", t.contact_id},
          {"phone", phone},
          {"status", to_string(t.status)},
          {"attempts", t.attempts},
          {"next_eligible_at", format_iso8601(t.next_eligible_at)},
          {"last_outcome", t.last_outcome}};
}

json to_json(const CallAttempt& a) {
  return {{"id", a.id},
          {"campaign_id", a.campaign_id},
          {"contact_id", a.contact_id},
          {"attempt_number", a.attempt_number},
          {"state", to_string(a.state)},
          {"provider", a.provider},
          {"provider_call_id", a.provider_call_id},
          {"from", a.from_number},
          {"to", a.to_number},
          {"digits", a.digits},
          {"answered_by_machine", a.answered_by_machine},
          {"created_at", format_iso8601(a.created_at)},
          {"dialed_at", time_json(a.dialed_at)},
          {"answered_at", time_json(a.answered_at)},
          {"ended_at", time_json(a.ended_at)},
          {"failure_reason", a.failure_reason}};
}

}  // namespace outdial::api
