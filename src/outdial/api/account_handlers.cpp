// Provider accounts and their numbers, number health, a campaign's caller-ID policy and its
// dedicated number (issue #3 §3). Credentials are write-only: they are sealed by the
// CredentialVault on the way in and never appear in a response, an audit payload or a log line.
#include <charconv>

#include "outdial/accounts/caller_id_selector.hpp"
#include "outdial/accounts/credential_vault.hpp"
#include "outdial/accounts/credentials.hpp"
#include "outdial/accounts/health_check.hpp"
#include "outdial/accounts/number_health.hpp"
#include "outdial/accounts/pacer.hpp"
#include "outdial/api/auth.hpp"
#include "outdial/api/handler_support.hpp"
#include "outdial/api/json_reader.hpp"
#include "outdial/api/phone_param.hpp"

namespace outdial::api {

using nlohmann::json;

namespace {

json limits_json(const ProviderLimits& l) {
  return {{"calls_per_second", l.calls_per_second},
          {"window_seconds", l.window_seconds},
          {"window_max", l.window_max},
          {"max_concurrency", l.max_concurrency}};
}

// Never the credential blob: only whether one is stored.
json account_json(const ProviderAccount& a) {
  return {{"id", a.id},
          {"provider", to_string(a.provider)},
          {"name", a.name},
          {"account_sid", a.account_sid},
          {"connection_id", a.connection_id},
          {"api_base", a.api_base.empty() ? accounts::default_api_base(a.provider) : a.api_base},
          {"limits", limits_json(a.limits)},
          {"status", to_string(a.status)},
          {"has_credentials", !a.credential_blob.empty()},
          {"created_at", format_iso8601(a.created_at)}};
}

json number_json(const PhoneNumber& n) {
  return {{"id", n.id},
          {"account_id", n.account_id},
          {"e164", n.e164},
          {"area_code", n.area_code},
          {"state", n.state},
          {"label", n.label},
          {"status", to_string(n.status)},
          {"status_reason", n.status_reason},
          {"dedicated_campaign_id", n.dedicated_campaign_id == 0 ? json(nullptr) : json(n.dedicated_campaign_id)},
          {"created_at", format_iso8601(n.created_at)},
          {"status_changed_at", time_json(n.status_changed_at)}};
}

json health_json(const accounts::NumberHealthStats& h) {
  return {{"attempts", h.attempts},
          {"answered", h.answered},
          {"answer_rate", h.answer_rate},
          {"enough_samples", h.enough_samples},
          {"below_threshold", h.should_flag}};
}

json policy_json(const CallerIdPolicy& p) {
  return {{"campaign_id", p.campaign_id},
          {"strategy", to_string(p.strategy)},
          {"static_number", p.static_number.empty() ? json(nullptr) : json(p.static_number)},
          {"default_number", p.default_number.empty() ? json(nullptr) : json(p.default_number)},
          {"updated_at", format_iso8601(p.updated_at)}};
}

Error no_vault() {
  return make_error(ErrorCode::kFailedPrecondition,
                    std::string("no secret key is configured for provider credentials: set ") +
                        accounts::kSecretKeyEnv + " or " + accounts::kSecretKeyFileEnv);
}

// An integer query parameter in [min, max], or `fallback` when absent.
Result<int> int_query(const net::Request& req, const std::string& name, int min, int max, int fallback) {
  auto v = req.query_param(name);
  if (!v) return fallback;
  int out = 0;
  const auto* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, out);
  if (v->empty() || ec != std::errc() || ptr != end || out < min || out > max) {
    return make_error(ErrorCode::kInvalidArgument,
                      name + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
                      {{"field", name}});
  }
  return out;
}

// An active Telnyx account places calls only with its connection_id and its webhook signing key
// (without the key none of its webhooks could be verified: its calls would wait forever):
// kInvalidArgument naming the missing field. `creds`: the credentials given now, else (null) the
// stored ones, opened with the vault.
Status check_active_account(ApiDeps& deps, const ProviderAccount& a, const accounts::Credentials* creds) {
  if (a.status != AccountStatus::kActive || a.provider != ProviderKind::kTelnyx) return ok_status();
  if (a.connection_id.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "an active telnyx account needs connection_id (the Call Control application its calls use)",
                      {{"field", "connection_id"}});
  }
  if (creds != nullptr) return accounts::check_active_credentials(a.provider, *creds);
  if (a.credential_blob.empty()) return accounts::check_active_credentials(a.provider, {});
  if (deps.vault == nullptr) return no_vault();
  auto stored = accounts::open_credentials(*deps.vault, a.credential_blob);
  if (!stored.ok()) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "the account's stored credentials cannot be opened (" +
                          std::string(to_string(stored.error().code)) + "): send credentials again",
                      {{"field", "credentials"}});
  }
  return accounts::check_active_credentials(a.provider, *stored);
}

bool valid_api_base(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

// "credentials": an object of strings. Returns whether the key was present. Error messages
// name the field, never the value.
bool read_credentials(ObjectReader& r, accounts::Credentials& out) {
  const json* c = r.take("credentials");
  if (c == nullptr) return false;
  if (!c->is_object()) {
    r.fail("credentials", "must be an object of strings");
    return true;
  }
  for (const auto& [k, v] : c->items()) {
    if (!v.is_string()) {
      r.fail("credentials", "credentials." + k + " must be a string");
      break;
    }
    out[k] = v.get<std::string>();
  }
  return true;
}

// "limits": fields present override `limits`.
Status read_limits(ObjectReader& r, ProviderLimits& limits) {
  const json* l = r.take("limits");
  if (l == nullptr) return ok_status();
  if (!l->is_object()) {
    r.fail("limits", "must be an object");
    return ok_status();
  }
  ObjectReader lr(*l, "limits");
  lr.integer("calls_per_second", limits.calls_per_second, 0, 10'000);
  lr.integer("window_seconds", limits.window_seconds, 0, 3600);
  lr.integer("window_max", limits.window_max, 0, 10'000);
  lr.integer("max_concurrency", limits.max_concurrency, 0, 10'000);
  lr.finish();
  return lr.status();
}

// ---- provider accounts ----

// A Twilio AccountSid names one carrier account, whose callbacks are verified with the token
// stored for it: a second tenant registering the same SID (with a token of its own) could sign
// callbacks for the first one's calls. So a SID belongs to one tenant (409 otherwise; the other
// tenant is not named).
Status twilio_sid_free(ApiDeps& deps, const ProviderAccount& a) {
  if (a.provider != ProviderKind::kTwilio) return ok_status();
  auto found = deps.db.accounts().accounts_with_sid(ProviderKind::kTwilio, a.account_sid);
  if (!found.ok()) return found.error();
  for (const auto& other : *found) {
    if (other.tenant_id != a.tenant_id) {
      return make_error(ErrorCode::kAlreadyExists, "account_sid is already registered by another tenant",
                        {{"field", "account_sid"}});
    }
  }
  return ok_status();
}

Result<net::Response> create_account(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto body = parse_json_body(req.body);
  if (!body.ok()) return body.error();
  ProviderAccount a;
  ObjectReader r(*body, "");
  r.enumeration("provider", a.provider, parse_provider_kind, true);
  if (!r.ok()) return r.error();
  a.limits = accounts::default_limits(a.provider);
  r.str("name", a.name, true);
  r.str("account_sid", a.account_sid);
  r.str("connection_id", a.connection_id);
  r.str("api_base", a.api_base);
  accounts::Credentials creds;
  read_credentials(r, creds);
  if (auto s = read_limits(r, a.limits); !s.ok()) return s.error();
  r.finish();
  if (!r.ok()) return r.error();
  if (a.name.empty()) return make_error(ErrorCode::kInvalidArgument, "name must not be empty", {{"field", "name"}});
  if (!a.api_base.empty() && !valid_api_base(a.api_base)) {
    return make_error(ErrorCode::kInvalidArgument, "api_base must be an http:// or https:// URL",
                      {{"field", "api_base"}});
  }
  if (a.provider == ProviderKind::kTwilio && a.account_sid.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a twilio account needs account_sid", {{"field", "account_sid"}});
  }
  if (auto s = accounts::validate_limits(a.limits); !s.ok()) return s.error();
  a.status = AccountStatus::kActive;
  if (auto s = check_active_account(deps, a, &creds); !s.ok()) return s.error();
  if (a.provider != ProviderKind::kSim || !creds.empty()) {
    if (deps.vault == nullptr) return no_vault();
    auto sealed = accounts::seal_credentials(*deps.vault, a.provider, creds);
    if (!sealed.ok()) return sealed.error();
    a.credential_blob = std::move(sealed).value();
  }
  a.tenant_id = actor.tenant_id;
  if (auto s = twilio_sid_free(deps, a); !s.ok()) return s.error();
  a.created_at = deps.clock.now();
  auto stored = deps.db.accounts().create_account(a);
  if (!stored.ok()) return stored.error();
  auto s = write_audit(deps, actor, "provider_account.create", "provider_account", std::to_string(stored->id),
                       {{"provider", to_string(stored->provider)}, {"name", stored->name},
                        {"limits", limits_json(stored->limits)}});
  if (!s.ok()) return s.error();
  return json_response(201, account_json(*stored));
}

Result<net::Response> list_accounts(ApiDeps& deps, const Actor& actor, const net::Request&) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto list = deps.db.accounts().list_accounts(actor.tenant_id);
  if (!list.ok()) return list.error();
  json items = json::array();
  for (const auto& a : *list) items.push_back(account_json(a));
  return json_response(200, {{"items", items}});
}

Result<net::Response> get_account(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto a = deps.db.accounts().get_account(actor.tenant_id, *id);
  if (!a.ok()) return a.error();
  return json_response(200, account_json(*a));
}

// Changes what is given: name, public config, credentials (replaced as a whole and re-sealed),
// limits (fields given override), status (active/disabled). The audit names the changed fields
// only.
Result<net::Response> update_account(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto a = deps.db.accounts().get_account(actor.tenant_id, *id);
  if (!a.ok()) return a.error();
  auto body = parse_json_body(req.body);
  if (!body.ok()) return body.error();
  ObjectReader r(*body, "");
  json changed = json::array();
  for (const char* key : {"name", "account_sid", "connection_id", "api_base", "credentials", "limits", "status"}) {
    if (r.has(key)) changed.push_back(key);
  }
  r.str("name", a->name);
  r.str("account_sid", a->account_sid);
  r.str("connection_id", a->connection_id);
  r.str("api_base", a->api_base);
  accounts::Credentials creds;
  const bool new_creds = read_credentials(r, creds);
  if (auto s = read_limits(r, a->limits); !s.ok()) return s.error();
  r.enumeration("status", a->status, parse_account_status);
  r.finish();
  if (!r.ok()) return r.error();
  if (a->name.empty()) return make_error(ErrorCode::kInvalidArgument, "name must not be empty", {{"field", "name"}});
  if (!a->api_base.empty() && !valid_api_base(a->api_base)) {
    return make_error(ErrorCode::kInvalidArgument, "api_base must be an http:// or https:// URL",
                      {{"field", "api_base"}});
  }
  if (a->provider == ProviderKind::kTwilio && a->account_sid.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a twilio account needs account_sid", {{"field", "account_sid"}});
  }
  if (auto s = accounts::validate_limits(a->limits); !s.ok()) return s.error();
  if (auto s = check_active_account(deps, *a, new_creds ? &creds : nullptr); !s.ok()) return s.error();
  if (auto s = twilio_sid_free(deps, *a); !s.ok()) return s.error();
  if (new_creds) {
    if (deps.vault == nullptr) return no_vault();
    auto sealed = accounts::seal_credentials(*deps.vault, a->provider, creds);
    if (!sealed.ok()) return sealed.error();
    a->credential_blob = std::move(sealed).value();
  }
  auto stored = deps.db.accounts().update_account(*a);
  if (!stored.ok()) return stored.error();
  auto s = write_audit(deps, actor, "provider_account.update", "provider_account", std::to_string(stored->id),
                       {{"changed", changed}});
  if (!s.ok()) return s.error();
  return json_response(200, account_json(*stored));
}

Result<net::Response> check_health(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto a = deps.db.accounts().get_account(actor.tenant_id, *id);
  if (!a.ok()) return a.error();
  Result<accounts::HealthReport> report = accounts::HealthReport{true, 0, "ok (simulated carrier)", ""};
  if (a->provider != ProviderKind::kSim) {
    if (deps.vault == nullptr) return no_vault();
    if (deps.http == nullptr) {
      return make_error(ErrorCode::kUnavailable, "no HTTP client is configured for provider health checks");
    }
    report = accounts::check_account_health(*a, *deps.vault, *deps.http);
    if (!report.ok()) return report.error();
  }
  json out = {{"account_id", a->id},
              {"provider", to_string(a->provider)},
              {"ok", report->ok},
              {"http_status", report->http_status == 0 ? json(nullptr) : json(report->http_status)},
              {"message", report->message},
              {"checked_at", format_iso8601(deps.clock.now())}};
  auto s = write_audit(deps, actor, "provider_account.health", "provider_account", std::to_string(a->id),
                       {{"ok", report->ok}, {"http_status", report->http_status}});
  if (!s.ok()) return s.error();
  return json_response(200, out);
}

// ---- numbers ----

Result<net::Response> add_number(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto account = id_param(req, "id");
  if (!account.ok()) return account.error();
  auto body = parse_json_body(req.body);
  if (!body.ok()) return body.error();
  PhoneNumber n;
  ObjectReader r(*body, "");
  r.str("e164", n.e164, true);
  r.str("label", n.label);
  r.finish();
  if (!r.ok()) return r.error();
  auto e164 = require_e164(n.e164, "e164");
  if (!e164.ok()) return e164.error();
  auto where = accounts::locate_us_number(*e164);
  if (!where.ok()) return where.error();
  n.e164 = *e164;
  n.area_code = where->area_code;
  n.state = where->state;
  n.tenant_id = actor.tenant_id;
  n.account_id = *account;
  n.status = NumberStatus::kActive;
  n.created_at = deps.clock.now();
  auto stored = deps.db.accounts().add_number(n);
  if (!stored.ok()) return stored.error();
  auto s = write_audit(deps, actor, "number.add", "phone_number", std::to_string(stored->id), number_json(*stored));
  if (!s.ok()) return s.error();
  return json_response(201, number_json(*stored));
}

Result<net::Response> list_numbers(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  storage::NumberFilter filter;
  if (auto v = req.query_param("account_id")) {
    auto acc = int_query(req, "account_id", 1, std::numeric_limits<int>::max(), 0);
    if (!acc.ok()) return acc.error();
    filter.account_id = *acc;
  }
  if (auto v = req.query_param("status")) {
    filter.status = parse_number_status(*v);
    if (!filter.status) {
      return make_error(ErrorCode::kInvalidArgument, "status must be active, flagged or retired", {{"field", "status"}});
    }
  }
  auto days = int_query(req, "days", 1, 365, 7);
  if (!days.ok()) return days.error();
  auto list = deps.db.accounts().list_numbers(actor.tenant_id, filter);
  if (!list.ok()) return list.error();
  const TimePoint now = deps.clock.now();
  accounts::HealthPolicy policy;
  policy.window = std::chrono::hours(24LL * *days);
  auto samples = deps.db.accounts().answer_samples(actor.tenant_id, now - policy.window, now + Millis(1));
  if (!samples.ok()) return samples.error();
  std::vector<std::string> e164s;
  for (const auto& n : *list) e164s.push_back(n.e164);
  auto health = accounts::number_health(*samples, e164s, now, policy);
  json items = json::array();
  for (const auto& n : *list) {
    json j = number_json(n);
    j["health"] = health_json(health[n.e164]);
    items.push_back(std::move(j));
  }
  return json_response(200, {{"items", items},
                             {"health_window_days", *days},
                             {"min_samples", policy.min_samples},
                             {"min_answer_rate", policy.min_answer_rate}});
}

// Flags every active number whose answer rate is below the threshold with enough samples.
Result<net::Response> flag_unhealthy(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto body = parse_json_body(req.body, true);
  if (!body.ok()) return body.error();
  accounts::HealthPolicy policy;
  int days = 7;
  double min_rate = policy.min_answer_rate;
  ObjectReader r(*body, "");
  r.integer("days", days, 1, 365);
  r.integer("min_samples", policy.min_samples, 1, 1'000'000);
  if (const json* v = r.take("min_answer_rate")) {
    if (!v->is_number() || v->get<double>() < 0.0 || v->get<double>() > 1.0) {
      r.fail("min_answer_rate", "must be a number from 0 to 1");
    } else {
      min_rate = v->get<double>();
    }
  }
  r.finish();
  if (!r.ok()) return r.error();
  policy.min_answer_rate = min_rate;
  policy.window = std::chrono::hours(24LL * days);
  storage::NumberFilter active;
  active.status = NumberStatus::kActive;
  auto list = deps.db.accounts().list_numbers(actor.tenant_id, active);
  if (!list.ok()) return list.error();
  const TimePoint now = deps.clock.now();
  auto samples = deps.db.accounts().answer_samples(actor.tenant_id, now - policy.window, now + Millis(1));
  if (!samples.ok()) return samples.error();
  std::vector<std::string> e164s;
  for (const auto& n : *list) e164s.push_back(n.e164);
  auto health = accounts::number_health(*samples, e164s, now, policy);
  json flagged = json::array();
  for (const auto& n : *list) {
    const auto& h = health[n.e164];
    if (!h.should_flag) continue;
    const std::string reason = "answer rate " + std::to_string(h.answered) + "/" + std::to_string(h.attempts) +
                               " over " + std::to_string(days) + " days";
    auto changed = deps.db.accounts().set_number_status(actor.tenant_id, n.id, NumberStatus::kFlagged, reason, now);
    if (!changed.ok()) return changed.error();
    auto s = write_audit(deps, actor, "number.flag", "phone_number", std::to_string(n.id),
                         {{"e164", n.e164}, {"status", "flagged"}, {"reason", reason}});
    if (!s.ok()) return s.error();
    json j = number_json(*changed);
    j["health"] = health_json(h);
    flagged.push_back(std::move(j));
  }
  return json_response(200, {{"flagged", flagged}});
}

Result<net::Response> number_health_series(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto days = int_query(req, "days", 1, 365, 14);
  if (!days.ok()) return days.error();
  auto bucket_hours = int_query(req, "bucket_hours", 1, 24 * 31, 24);
  if (!bucket_hours.ok()) return bucket_hours.error();
  auto n = deps.db.accounts().get_number(actor.tenant_id, *id);
  if (!n.ok()) return n.error();
  const TimePoint to = deps.clock.now() + Millis(1);
  const TimePoint from = to - std::chrono::hours(24LL * *days);
  auto samples = deps.db.accounts().answer_samples(actor.tenant_id, from, to);
  if (!samples.ok()) return samples.error();
  json buckets = json::array();
  for (const auto& b : accounts::answer_rate_series(*samples, n->e164, from, to, std::chrono::hours(*bucket_hours))) {
    buckets.push_back({{"start", format_iso8601(b.start)},
                       {"attempts", b.attempts},
                       {"answered", b.answered},
                       {"answer_rate", b.answer_rate}});
  }
  return json_response(200, {{"number", number_json(*n)}, {"buckets", buckets}});
}

Result<net::Response> change_number_status(ApiDeps& deps, const Actor& actor, const net::Request& req,
                                           NumberStatus to, const char* action) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto body = parse_json_body(req.body, true);
  if (!body.ok()) return body.error();
  std::string reason;
  ObjectReader r(*body, "");
  r.str("reason", reason);
  r.finish();
  if (!r.ok()) return r.error();
  auto n = deps.db.accounts().set_number_status(actor.tenant_id, *id, to, reason, deps.clock.now());
  if (!n.ok()) return n.error();
  auto s = write_audit(deps, actor, action, "phone_number", std::to_string(n->id),
                       {{"e164", n->e164}, {"status", to_string(n->status)}, {"reason", reason}});
  if (!s.ok()) return s.error();
  return json_response(200, number_json(*n));
}

// ---- campaign caller ID ----

Result<Campaign> campaign_of(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  return deps.db.campaigns().get_campaign(actor.tenant_id, *id);
}

// What the client sees: the number and its name, nothing about the account behind it (the
// number is managed by the operator, shown to the client, never handed over).
json dedicated_view(const Campaign& c, const PhoneNumber& n) {
  return {{"campaign_id", c.id}, {"number", n.e164}, {"label", n.label}, {"status", to_string(n.status)}};
}

Result<net::Response> assign_dedicated(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto c = campaign_of(deps, actor, req);
  if (!c.ok()) return c.error();
  auto body = parse_json_body(req.body, true);
  if (!body.ok()) return body.error();
  std::int64_t preferred = 0;
  ObjectReader r(*body, "");
  r.int64("number_id", preferred);
  r.finish();
  if (!r.ok()) return r.error();
  auto numbers = deps.db.accounts().list_numbers(actor.tenant_id, {});
  if (!numbers.ok()) return numbers.error();
  auto chosen = accounts::choose_dedicated_number(actor.tenant_id, *numbers, c->id, preferred);
  if (!chosen.ok()) return chosen.error();
  auto tenant = deps.db.tenants().get_tenant(actor.tenant_id);
  if (!tenant.ok()) return tenant.error();
  const std::string label = accounts::dedicated_number_label(c->schedule_start.value_or(c->created_at), tenant->name);
  auto n = deps.db.accounts().dedicate_number(actor.tenant_id, chosen->id, c->id, label);
  if (!n.ok()) return n.error();
  auto s = write_audit(deps, actor, "campaign.dedicated_number", "campaign", std::to_string(c->id),
                       {{"number", n->e164}, {"number_id", n->id}, {"label", label}});
  if (!s.ok()) return s.error();
  return json_response(200, dedicated_view(*c, *n));
}

Result<net::Response> show_dedicated(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  auto c = campaign_of(deps, actor, req);
  if (!c.ok()) return c.error();
  auto n = deps.db.accounts().dedicated_number(actor.tenant_id, c->id);
  if (!n.ok()) return n.error();
  if (!n->has_value()) {
    return make_error(ErrorCode::kNotFound, "campaign " + std::to_string(c->id) + " has no dedicated number",
                      {{"campaign_id", std::to_string(c->id)}});
  }
  return json_response(200, dedicated_view(*c, **n));
}

Result<net::Response> set_caller_id(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_staff(actor); !s.ok()) return s.error();
  auto c = campaign_of(deps, actor, req);
  if (!c.ok()) return c.error();
  auto body = parse_json_body(req.body);
  if (!body.ok()) return body.error();
  CallerIdPolicy p;
  ObjectReader r(*body, "");
  r.enumeration("strategy", p.strategy, parse_caller_id_strategy, true);
  r.str("static_number", p.static_number);
  r.str("default_number", p.default_number);
  r.finish();
  if (!r.ok()) return r.error();
  if (p.strategy == CallerIdStrategy::kStatic && p.static_number.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the static strategy needs static_number",
                      {{"field", "static_number"}});
  }
  auto numbers = deps.db.accounts().list_numbers(actor.tenant_id, {});
  if (!numbers.ok()) return numbers.error();
  for (auto [field, value] : {std::pair<const char*, std::string*>{"static_number", &p.static_number},
                              std::pair<const char*, std::string*>{"default_number", &p.default_number}}) {
    if (value->empty()) continue;
    auto e164 = require_e164(*value, field);
    if (!e164.ok()) return e164.error();
    *value = *e164;
    // A caller ID must be a number the tenant owns (checked again per call by the selector).
    if (!accounts::CallerIdSelector::owns(actor.tenant_id, *numbers, *value)) {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(field) + ": the tenant does not own " + *value + " (not one of its active numbers)",
                        {{"field", field}});
    }
  }
  p.tenant_id = actor.tenant_id;
  p.campaign_id = c->id;
  p.updated_at = deps.clock.now();
  if (auto s = deps.db.accounts().set_caller_id_policy(p); !s.ok()) return s.error();
  auto s = write_audit(deps, actor, "campaign.caller_id", "campaign", std::to_string(c->id), policy_json(p));
  if (!s.ok()) return s.error();
  return json_response(200, policy_json(p));
}

Result<net::Response> get_caller_id(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  auto c = campaign_of(deps, actor, req);
  if (!c.ok()) return c.error();
  auto p = deps.db.accounts().get_caller_id_policy(actor.tenant_id, c->id);
  if (!p.ok()) return p.error();
  if (!p->has_value()) {
    return make_error(ErrorCode::kNotFound, "campaign " + std::to_string(c->id) + " has no caller-ID policy",
                      {{"campaign_id", std::to_string(c->id)}});
  }
  return json_response(200, policy_json(**p));
}

}  // namespace

void add_account_routes(net::Router& router, ApiDeps& deps) {
  auto route = [&](const char* method, const char* path,
                   Result<net::Response> (*fn)(ApiDeps&, const Actor&, const net::Request&)) {
    router.add(method, path,
               authed(deps, [&deps, fn](const Actor& a, const net::Request& r) { return fn(deps, a, r); }));
  };
  route("POST", "/api/provider-accounts", create_account);
  route("GET", "/api/provider-accounts", list_accounts);
  route("GET", "/api/provider-accounts/:id", get_account);
  route("PATCH", "/api/provider-accounts/:id", update_account);
  route("POST", "/api/provider-accounts/:id/health", check_health);
  route("POST", "/api/provider-accounts/:id/numbers", add_number);
  route("GET", "/api/numbers", list_numbers);
  route("GET", "/api/numbers/:id/health", number_health_series);
  route("POST", "/api/numbers/flag-unhealthy", flag_unhealthy);
  router.add("POST", "/api/numbers/:id/flag", authed(deps, [&deps](const Actor& a, const net::Request& r) {
               return change_number_status(deps, a, r, NumberStatus::kFlagged, "number.flag");
             }));
  router.add("POST", "/api/numbers/:id/unflag", authed(deps, [&deps](const Actor& a, const net::Request& r) {
               return change_number_status(deps, a, r, NumberStatus::kActive, "number.unflag");
             }));
  router.add("POST", "/api/numbers/:id/retire", authed(deps, [&deps](const Actor& a, const net::Request& r) {
               return change_number_status(deps, a, r, NumberStatus::kRetired, "number.retire");
             }));
  route("POST", "/api/campaigns/:id/dedicated-number", assign_dedicated);
  route("GET", "/api/campaigns/:id/dedicated-number", show_dedicated);
  route("PUT", "/api/campaigns/:id/caller-id", set_caller_id);
  route("GET", "/api/campaigns/:id/caller-id", get_caller_id);
}

}  // namespace outdial::api
