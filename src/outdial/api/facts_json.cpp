#include "outdial/api/facts_json.hpp"

#include <limits>

#include "outdial/api/json_reader.hpp"
#include "outdial/api/phone_param.hpp"
#include "outdial/core/enum_table.hpp"

namespace outdial::api {

using nlohmann::json;
namespace c = outdial::compliance;

namespace {
constexpr std::pair<c::ReassignedStatus, const char*> kReassigned[] = {
    {c::ReassignedStatus::kNotChecked, "not_checked"},
    {c::ReassignedStatus::kNo, "no"},
    {c::ReassignedStatus::kYes, "yes"},
    {c::ReassignedStatus::kNoData, "no_data"},
};
constexpr int kIntMax = std::numeric_limits<int>::max();

void read_consent(ObjectReader& r, ConsentRecord& cr) {
  r.enumeration("type", cr.type, parse_consent_type, true);
  r.enumeration("ebr_kind", cr.ebr_kind, parse_ebr_kind);
  r.opt_time("ebr_start", cr.ebr_start);
  r.opt_enumeration("channel", cr.channel, parse_channel);
  r.boolean("covers_artificial_voice", cr.covers_artificial_voice);
  r.str("source", cr.source);
  r.str("evidence", cr.evidence);
  r.time("granted_at", cr.granted_at, true);
  r.opt_time("revoked_at", cr.revoked_at);
  r.str("phone", cr.phone_e164);  // optional; defaults to the attempt's number
}

void read_opt_out(ObjectReader& r, c::OptOut& o) {
  r.time("at", o.at, true);
  r.enumeration("channel", o.channel, parse_channel);
  r.str("text", o.text);
}

void read_prior(ObjectReader& r, c::PriorAttempt& p) {
  r.time("at", p.at, true);
  r.enumeration("channel", p.channel, parse_channel);
  r.str("subject", p.subject);
}

void read_campaign(ObjectReader& r, c::CampaignFacts& cf) {
  cf.present = true;
  r.boolean("present", cf.present);
  r.enumeration("status", cf.status, parse_campaign_status);
  r.boolean("activated_by_staff", cf.activated_by_staff);
  r.opt_time("schedule_start", cf.schedule_start);
  r.opt_time("schedule_end", cf.schedule_end);
  r.opt_time("expires_at", cf.expires_at);
  r.integer("max_attempts", cf.max_attempts, 0, kIntMax);
  r.integer("min_spacing_minutes", cf.min_spacing_minutes, 0, kIntMax);
  r.integer("daily_limit", cf.daily_limit, 0, kIntMax);
  r.integer("attempts_today", cf.attempts_today, 0, kIntMax);
}
}  // namespace

const char* to_string(c::ReassignedStatus s) { return detail::name_of(kReassigned, s); }
std::optional<c::ReassignedStatus> parse_reassigned_status(const std::string& s) {
  return detail::parse_name(kReassigned, s);
}

Result<c::AttemptFacts> facts_from_json(const json& j) {
  c::AttemptFacts f;
  ObjectReader r(j, "");
  r.str("phone", f.phone_e164, true);
  if (r.ok()) {
    auto phone = require_e164(f.phone_e164, "phone");
    if (!phone.ok()) return phone.error();
    f.phone_e164 = *phone;
  }
  r.str("stated_timezone", f.stated_timezone);
  r.str("stated_state", f.stated_state);
  r.time("at", f.at, true);
  r.enumeration("channel", f.channel, parse_channel);
  r.enumeration("purpose", f.purpose, parse_purpose);
  r.enumeration("voice", f.voice, parse_voice_type);
  r.enumeration("line_type", f.line_type, parse_line_type);
  r.boolean("autodialed", f.autodialed);

  // Array elements report their own full path; keep the first element error as-is.
  std::optional<Error> element_error;
  auto arrays = [&](const std::string& key, auto& out, auto read) {
    if (!r.ok() || element_error) return;
    const json* arr = r.take(key);
    if (arr == nullptr) return;
    if (!arr->is_array()) return r.fail(key, "must be an array");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      ObjectReader er((*arr)[i], key + "[" + std::to_string(i) + "]");
      typename std::decay_t<decltype(out)>::value_type item{};
      read(er, item);
      er.finish();
      if (!er.ok()) {
        element_error = er.error();
        return;
      }
      out.push_back(std::move(item));
    }
  };
  arrays("consents", f.consents, read_consent);
  r.boolean("on_internal_dnc", f.on_internal_dnc);
  r.boolean("on_national_dnc", f.on_national_dnc);
  r.opt_time("national_dnc_loaded_at", f.national_dnc_loaded_at);
  arrays("opt_outs", f.opt_outs, read_opt_out);
  r.enumeration("reassigned", f.reassigned, parse_reassigned_status);
  r.boolean("carrier_rejected", f.carrier_rejected);
  r.str("carrier_rejected_reason", f.carrier_rejected_reason);
  arrays("prior_attempts", f.prior_attempts, read_prior);
  r.str("subject", f.subject);
  if (r.ok() && !element_error && r.has("campaign")) {
    ObjectReader cr(*r.take("campaign"), "campaign");
    read_campaign(cr, f.campaign);
    cr.finish();
    if (!cr.ok()) element_error = cr.error();
  } else {
    r.take("campaign");
  }
  r.opt_time("dropped_call_at", f.dropped_call_at);
  r.integer("callback_window_minutes", f.callback_window_minutes, 0, kIntMax);
  r.str("caller_id", f.caller_id);
  r.boolean("caller_id_owned", f.caller_id_owned);
  r.str("caller_id_problem", f.caller_id_problem);
  r.boolean("recording", f.recording);
  r.boolean("recording_disclosure", f.recording_disclosure);
  r.integer("ring_timeout_seconds", f.ring_timeout_seconds, 0, kIntMax);
  r.boolean("state_emergency", f.state_emergency);
  r.finish();
  // An element error stops further array reads, so it comes first (later keys then look unread).
  if (element_error) return *element_error;
  if (!r.ok()) return r.error();
  for (auto& consent : f.consents) {
    if (consent.phone_e164.empty()) consent.phone_e164 = f.phone_e164;
  }
  return f;
}

json facts_to_json(const c::AttemptFacts& f) {
  json consents = json::array();
  for (const auto& cr : f.consents) {
    consents.push_back({{"phone", cr.phone_e164},
                        {"type", to_string(cr.type)},
                        {"ebr_kind", to_string(cr.ebr_kind)},
                        {"ebr_start", time_json(cr.ebr_start)},
                        {"channel", cr.channel ? json(to_string(*cr.channel)) : json(nullptr)},
                        {"covers_artificial_voice", cr.covers_artificial_voice},
                        {"source", cr.source},
                        {"evidence", cr.evidence},
                        {"granted_at", format_iso8601(cr.granted_at)},
                        {"revoked_at", time_json(cr.revoked_at)}});
  }
  json opt_outs = json::array();
  for (const auto& o : f.opt_outs) {
    opt_outs.push_back({{"at", format_iso8601(o.at)}, {"channel", to_string(o.channel)}, {"text", o.text}});
  }
  json prior = json::array();
  for (const auto& p : f.prior_attempts) {
    prior.push_back(
        {{"at", format_iso8601(p.at)}, {"channel", to_string(p.channel)}, {"subject", p.subject}});
  }
  const auto& cf = f.campaign;
  return {{"phone", f.phone_e164},
          {"stated_timezone", f.stated_timezone},
          {"stated_state", f.stated_state},
          {"at", format_iso8601(f.at)},
          {"channel", to_string(f.channel)},
          {"purpose", to_string(f.purpose)},
          {"voice", to_string(f.voice)},
          {"line_type", to_string(f.line_type)},
          {"autodialed", f.autodialed},
          {"consents", consents},
          {"on_internal_dnc", f.on_internal_dnc},
          {"on_national_dnc", f.on_national_dnc},
          {"national_dnc_loaded_at", time_json(f.national_dnc_loaded_at)},
          {"opt_outs", opt_outs},
          {"reassigned", to_string(f.reassigned)},
          {"carrier_rejected", f.carrier_rejected},
          {"carrier_rejected_reason", f.carrier_rejected_reason},
          {"prior_attempts", prior},
          {"subject", f.subject},
          {"campaign",
           {{"present", cf.present},
            {"status", to_string(cf.status)},
            {"activated_by_staff", cf.activated_by_staff},
            {"schedule_start", time_json(cf.schedule_start)},
            {"schedule_end", time_json(cf.schedule_end)},
            {"expires_at", time_json(cf.expires_at)},
            {"max_attempts", cf.max_attempts},
            {"min_spacing_minutes", cf.min_spacing_minutes},
            {"daily_limit", cf.daily_limit},
            {"attempts_today", cf.attempts_today}}},
          {"dropped_call_at", time_json(f.dropped_call_at)},
          {"callback_window_minutes", f.callback_window_minutes},
          {"caller_id", f.caller_id},
          {"caller_id_owned", f.caller_id_owned},
          {"caller_id_problem", f.caller_id_problem},
          {"recording", f.recording},
          {"recording_disclosure", f.recording_disclosure},
          {"ring_timeout_seconds", f.ring_timeout_seconds},
          {"state_emergency", f.state_emergency}};
}

const char* verdict_name(c::Verdict v) {
  // Local names rather than compliance::to_string(Verdict): api depends on compliance headers
  // only, not on the gate's library.
  switch (v) {
    case c::Verdict::kAllow:
      return "allow";
    case c::Verdict::kBlock:
      return "block";
    case c::Verdict::kDefer:
      return "defer";
  }
  return "block";
}

json decision_to_json(const c::Decision& d) {
  return {{"decision", verdict_name(d.verdict)},
          {"rule", d.rule},
          {"reason", d.reason},
          {"allowed_at", time_json(d.allowed_at)}};
}

}  // namespace outdial::api
