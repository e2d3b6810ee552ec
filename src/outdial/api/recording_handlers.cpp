// Call recordings (issue #3 §1): the carrier keeps the audio; outdial keeps one row per recording
// (storage::CallRecording, from the recording webhooks) and fetches the audio from the carrier
// when someone asks for it (telephony::Provider::fetch_recording). Nothing is stored locally.
//
// Who: recordings are personal data of the called party, so listing and fetching them is for the
// tenant's operator staff and agents (who handle the calls), not client viewers, whose read-only
// access covers campaign progress and reports. Every fetch is audited (recording.fetch), the
// failed ones too; a fetch whose audit entry cannot be written returns no audio.
#include <string>

#include "outdial/api/auth.hpp"
#include "outdial/api/handler_support.hpp"
#include "outdial/api/json_mapping.hpp"
#include "outdial/telephony/provider.hpp"

namespace outdial::api {

namespace {

using nlohmann::json;

Status require_recording_access(const Actor& actor) {
  if (actor.role == Role::kOperatorAdmin || actor.role == Role::kOperatorStaff || actor.role == Role::kAgent) {
    return ok_status();
  }
  return make_error(ErrorCode::kPermissionDenied,
                    std::string("call recordings are for operator staff and agents; role is ") + to_string(actor.role),
                    {{"role", to_string(actor.role)}, {"required", "agent"}});
}

// The attempt when it is the actor's tenant's; kNotFound otherwise (another tenant's call does
// not exist for this actor).
Result<CallAttempt> tenant_attempt(ApiDeps& deps, const Actor& actor, AttemptId id) {
  auto a = deps.db.calls().get_attempt(id);
  if (!a.ok() && a.error().code != ErrorCode::kNotFound) return a.error();
  if (!a.ok() || a->tenant_id != actor.tenant_id) {
    return make_error(ErrorCode::kNotFound, "call " + std::to_string(id) + " not found",
                      {{"call_id", std::to_string(id)}});
  }
  return a;
}

std::string media_path(AttemptId call, std::int64_t recording) {
  return "/api/calls/" + std::to_string(call) + "/recordings/" + std::to_string(recording) + "/media";
}

// The stored webhook URL is left out on purpose: a carrier's pre-signed URL (Telnyx) is itself a
// credential to the audio, and the audio is served through media_url only.
json to_json(const storage::CallRecording& r) {
  return {{"id", r.id},
          {"call_id", r.attempt_id},
          {"provider", r.provider},
          {"provider_call_id", r.provider_call_id},
          {"recording_id", r.recording_id},
          {"status", r.status},
          {"duration_seconds", r.duration_seconds},
          {"at", format_iso8601(r.at)},
          {"media_url", media_path(r.attempt_id, r.id)}};
}

// GET /api/calls/:id/recordings
Result<net::Response> list(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_recording_access(actor); !s.ok()) return s.error();
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto attempt = tenant_attempt(deps, actor, *id);
  if (!attempt.ok()) return attempt.error();
  auto recs = deps.db.calls().recordings_for_attempt(*id);
  if (!recs.ok()) return recs.error();
  json items = json::array();
  for (const auto& r : *recs) items.push_back(to_json(r));
  return json_response(200, {{"items", items}});
}

// The carrier's error as the API answers it: the carrier's own auth or request problems are not
// the API caller's (never 401/403 for a valid API key); a recording id the carrier cannot have
// is a missing recording.
Error carrier_error(Error e, const storage::CallRecording& rec) {
  e.details["recording_id"] = rec.recording_id;
  e.details["provider"] = rec.provider;
  switch (e.code) {
    case ErrorCode::kNotFound:
    case ErrorCode::kInvalidArgument:
      e.code = ErrorCode::kNotFound;
      e.message = "the carrier (" + rec.provider + ") has no recording " + rec.recording_id + ": " + e.message;
      break;
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kRateLimited:
    case ErrorCode::kInternal:
      e.code = ErrorCode::kUnavailable;
      break;
    default:
      break;
  }
  return e;
}

// Only an audio (or opaque binary) type is passed on: the body is the carrier's, not ours.
std::string safe_content_type(const std::string& ct) {
  if (ct.rfind("audio/", 0) == 0 && ct.find_first_of("\r\n") == std::string::npos) return ct;
  return "application/octet-stream";
}

std::string extension_for(const std::string& ct) {
  if (ct.rfind("audio/mpeg", 0) == 0) return ".mp3";
  if (ct.find("wav") != std::string::npos) return ".wav";
  return "";
}

// GET /api/calls/:id/recordings/:rid/media
Result<net::Response> media(ApiDeps& deps, const Actor& actor, const net::Request& req) {
  if (auto s = require_recording_access(actor); !s.ok()) return s.error();
  auto id = id_param(req, "id");
  if (!id.ok()) return id.error();
  auto rid = id_param(req, "rid");
  if (!rid.ok()) return rid.error();
  auto attempt = tenant_attempt(deps, actor, *id);
  if (!attempt.ok()) return attempt.error();
  auto recs = deps.db.calls().recordings_for_attempt(*id);
  if (!recs.ok()) return recs.error();
  const storage::CallRecording* rec = nullptr;
  for (const auto& r : *recs) {
    if (r.id == *rid) rec = &r;
  }
  if (rec == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "recording " + std::to_string(*rid) + " of call " + std::to_string(*id) + " not found",
                      {{"call_id", std::to_string(*id)}, {"recording", std::to_string(*rid)}});
  }
  if (deps.recordings == nullptr) {
    return make_error(ErrorCode::kUnavailable, "no carrier is configured to fetch recordings from",
                      {{"provider", rec->provider}});
  }
  if (deps.recordings->name() != rec->provider) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "recording " + rec->recording_id + " was made through " + rec->provider +
                          "; this install's carrier is " + deps.recordings->name(),
                      {{"provider", rec->provider}});
  }
  auto fetched = deps.recordings->fetch_recording({rec->provider_call_id, rec->recording_id});
  json audit = {{"call_id", *id},
                {"recording", rec->id},
                {"provider", rec->provider},
                {"recording_id", rec->recording_id}};
  if (fetched.ok()) {
    audit["outcome"] = "ok";
    audit["bytes"] = fetched->bytes.size();
  } else {
    audit["outcome"] = to_string(fetched.error().code);
  }
  auto audited = write_audit(deps, actor, "recording.fetch", "call_recording", std::to_string(rec->id), audit);
  if (!fetched.ok()) return carrier_error(fetched.error(), *rec);
  if (!audited.ok()) return audited.error();  // no unaudited disclosure
  net::Response res;
  res.status = 200;
  const std::string ct = safe_content_type(fetched->content_type);
  res.headers["Content-Type"] = ct;
  res.headers["Content-Disposition"] =
      "attachment; filename=\"recording-" + std::to_string(rec->id) + extension_for(ct) + "\"";
  res.headers["Cache-Control"] = "no-store";
  res.headers["X-Content-Type-Options"] = "nosniff";
  res.body = std::move(fetched->bytes);
  return res;
}

}  // namespace

void add_recording_routes(net::Router& router, ApiDeps& deps) {
  router.add("GET", "/api/calls/:id/recordings",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return list(deps, a, r); }));
  router.add("GET", "/api/calls/:id/recordings/:rid/media",
             authed(deps, [&deps](const Actor& a, const net::Request& r) { return media(deps, a, r); }));
}

}  // namespace outdial::api
