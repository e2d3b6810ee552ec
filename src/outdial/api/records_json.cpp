#include "outdial/api/json_mapping.hpp"
#include "outdial/api/json_reader.hpp"
#include "outdial/api/phone_param.hpp"

namespace outdial::api {

using nlohmann::json;

json to_json(const ContactList& l) {
  return {{"id", l.id}, {"name", l.name}, {"created_at", format_iso8601(l.created_at)}};
}

json to_json(const Contact& c) {
  return {{"id", c.id},
          {"list_id", c.list_id},
          {"phone", c.phone_e164},
          {"first_name", c.first_name},
          {"last_name", c.last_name},
          {"email", c.email},
          {"timezone", c.timezone},
          {"state", c.state},
          {"tags", c.tags},
          {"custom_fields", c.custom_fields},
          {"line_type", to_string(c.line_type)},
          {"national_dnc", c.national_dnc},
          {"created_at", format_iso8601(c.created_at)}};
}

json to_json(const DncEntry& e) {
  return {{"id", e.id},
          {"phone", e.phone_e164},
          {"reason", e.reason},
          {"source", e.source},
          {"created_at", format_iso8601(e.created_at)}};
}

json to_json(const RejectedNumber& r) {
  return {{"phone", r.phone_e164},
          {"channel", to_string(r.channel)},
          {"reason", r.reason},
          {"provider", r.provider},
          {"provider_code", r.provider_code},
          {"rejected_at", format_iso8601(r.rejected_at)}};
}

json to_json(const ConsentRecord& c) {
  return {{"id", c.id},
          {"phone", c.phone_e164},
          {"type", to_string(c.type)},
          {"ebr_kind", to_string(c.ebr_kind)},
          {"ebr_start", time_json(c.ebr_start)},
          {"channel", c.channel ? json(to_string(*c.channel)) : json(nullptr)},
          {"covers_artificial_voice", c.covers_artificial_voice},
          {"source", c.source},
          {"evidence", c.evidence},
          {"granted_at", format_iso8601(c.granted_at)},
          {"revoked_at", time_json(c.revoked_at)}};
}

json to_json(const AuditEntry& e) {
  // payload_json is stored as text; embed it as JSON when it parses, else as a string.
  json payload = json::parse(e.payload_json.empty() ? "{}" : e.payload_json, nullptr, false);
  if (payload.is_discarded()) payload = e.payload_json;
  return {{"id", e.id},
          {"actor", e.actor},
          {"action", e.action},
          {"entity_type", e.entity_type},
          {"entity_id", e.entity_id},
          {"payload", payload},
          {"at", format_iso8601(e.at)}};
}

json to_json(const importer::RowIssue& i) {
  return {{"row", i.row},   {"line", i.line},       {"field", i.field},           {"raw", i.raw},
          {"code", i.code}, {"message", i.message}, {"normalized", i.normalized}, {"rejected", i.rejected}};
}

json to_json(const importer::ImportReport& r) {
  json issues = json::array();
  for (const auto& i : r.issues) issues.push_back(to_json(i));
  return {{"list_id", r.list_id},
          {"rows", r.rows},
          {"inserted", r.inserted},
          {"duplicates", r.duplicates},
          {"rejected", r.rejected},
          {"national_dnc_flagged", r.national_dnc_flagged},
          {"accepted", r.accepted},
          {"normalized", r.normalized},
          {"malformed", r.malformed},
          {"consents_created", r.consents_created},
          {"issue_counts", r.issue_counts},
          {"headers", r.headers},
          {"custom_fields", r.custom_fields},
          {"consent_columns", r.consent_columns},
          {"issues", issues},
          {"issues_truncated", r.issues_truncated}};
}

Result<ConsentRecord> consent_from_json(const json& j) {
  ConsentRecord c;
  ObjectReader r(j, "");
  r.str("phone", c.phone_e164, true);
  r.enumeration("type", c.type, parse_consent_type, true);
  r.enumeration("ebr_kind", c.ebr_kind, parse_ebr_kind);
  r.opt_time("ebr_start", c.ebr_start);
  r.opt_enumeration("channel", c.channel, parse_channel);
  r.boolean("covers_artificial_voice", c.covers_artificial_voice);
  r.str("source", c.source);
  r.str("evidence", c.evidence);
  r.time("granted_at", c.granted_at);  // absent: the handler uses now
  r.finish();
  if (!r.ok()) return r.error();
  auto phone = require_e164(c.phone_e164, "phone");
  if (!phone.ok()) return phone.error();
  c.phone_e164 = *phone;
  if (c.type == ConsentType::kEstablishedBusinessRelationship &&
      (c.ebr_kind == EbrKind::kNone || !c.ebr_start)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ebr consent needs ebr_kind (purchase|inquiry) and ebr_start",
                      {{"field", c.ebr_kind == EbrKind::kNone ? "ebr_kind" : "ebr_start"}});
  }
  return c;
}

}  // namespace outdial::api
