#include "outdial/telephony/twilio/twilio_webhooks.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <variant>

#include "outdial/telephony/ivr.hpp"
#include "outdial/telephony/sms/inbound_sms.hpp"
#include "outdial/telephony/twilio/twilio_events.hpp"
#include "outdial/telephony/twilio/twilio_paths.hpp"
#include "outdial/telephony/twilio/twilio_signature.hpp"
#include "outdial/telephony/twilio/twilio_twiml.hpp"

namespace outdial::telephony::twilio {
namespace {

using net::Request;
using net::Response;

Response twiml(std::string body) {
  Response r;
  r.status = 200;
  r.headers["Content-Type"] = kTwimlContentType;
  r.body = std::move(body);
  return r;
}

Response plain(int status, std::string body) { return Response::text(status, std::move(body)); }

std::optional<std::int64_t> parse_id(const std::string& s) {
  std::int64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || v <= 0) return std::nullopt;
  return v;
}

// Everything a handler needs about the attempt the URL names.
struct CallContext {
  CallAttempt attempt;
  ivr::IvrFlow flow;
  std::string call_sid;
  FormParams params;
};

class Webhooks {
 public:
  explicit Webhooks(TwilioWebhookDeps deps) : d_(std::move(deps)) {
    style_.voice = d_.config.voice;
  }

  // Signature first: nothing is parsed, looked up or stored for an unsigned request.
  // `signer` (optional) receives the SID of the account whose token verified the request.
  std::optional<Response> verify(const Request& req, FormParams& params, std::string* signer = nullptr) const {
    std::string url = paths::join(d_.config.public_base_url, req.raw_path.empty() ? req.path : req.raw_path);
    if (!req.raw_query.empty()) url += "?" + req.raw_query;
    // The signing account: the AccountSid field is only read here to choose the key; nothing else
    // is looked at before the signature holds.
    std::string token = d_.config.auth_token;
    std::string signing_sid = d_.config.account_sid;
    if (d_.account_directory != nullptr) {
      if (auto form = parse_form(req.body)) {
        const std::string sid = form_value(*form, "AccountSid");
        if (!sid.empty() && sid != d_.config.account_sid) {
          auto stored = d_.account_directory->auth_token(sid);
          if (!stored && stored.error().code == ErrorCode::kPermissionDenied) {
            warn("twilio webhook rejected (" + stored.error().message + "): " + req.method + " " + req.path +
                 " from " + req.remote_address);
            return plain(403, "Twilio request validation failed");
          }
          if (!stored) {
            warn("twilio webhook: account lookup failed (" + stored.error().message + "): " + req.method + " " +
                 req.path);
            return plain(503, "store unavailable");
          }
          if (*stored) {
            token = std::move(**stored);
            signing_sid = sid;
          }
        }
      }
    }
    const auto verdict = validate_request(token, url, req.header("Content-Type"), req.body,
                                          req.header("X-Twilio-Signature"));
    if (verdict != SignatureVerdict::kValid) {
      warn("twilio webhook rejected (" + std::string(to_string(verdict)) + "): " + req.method + " " + req.path +
           " from " + req.remote_address);
      return plain(403, "Twilio request validation failed");
    }
    auto parsed = parse_form(req.body);
    if (!parsed) return plain(400, parsed.error().message);
    params = std::move(parsed).value();
    if (signer != nullptr) *signer = std::move(signing_sid);
    return std::nullopt;
  }

  // Verified request + the attempt of its path, with CallSid belonging to it.
  std::variant<CallContext, Response> call_context(const Request& req, bool build_flow) const {
    CallContext ctx;
    std::string signer;
    if (auto rejected = verify(req, ctx.params, &signer)) return *rejected;
    const auto id = parse_id(req.path_param("attempt"));
    if (!id) return plain(404, "unknown attempt");
    auto attempt = d_.calls.get_attempt(*id);
    if (!attempt) {
      if (attempt.error().code == ErrorCode::kNotFound) return plain(404, "unknown attempt");
      return plain(503, "store unavailable");
    }
    ctx.attempt = std::move(attempt).value();
    // A valid signature of one of our accounts is not enough: it must be the account that placed
    // this attempt's call (another tenant's account cannot speak for it).
    if (d_.account_directory != nullptr) {
      auto placed = d_.account_directory->placed_by(ctx.attempt, signer);
      if (!placed) return plain(503, "store unavailable");
      if (!*placed) {
        warn("twilio webhook for attempt " + std::to_string(ctx.attempt.id) + " signed by account " + signer +
             ", which did not place it");
        return plain(403, "Twilio request validation failed");
      }
    }
    ctx.call_sid = form_value(ctx.params, "CallSid");
    if (ctx.call_sid.empty()) return plain(400, "CallSid missing");
    // The attempt learns its call sid when place_call returns; a callback may race ahead of that
    // (then the sid is unknown yet), but a different sid is someone else's call.
    if (!ctx.attempt.provider_call_id.empty() && ctx.attempt.provider_call_id != ctx.call_sid) {
      warn("twilio webhook for attempt " + std::to_string(ctx.attempt.id) + " names call " + ctx.call_sid +
           ", the attempt has " + ctx.attempt.provider_call_id);
      return plain(404, "call does not belong to this attempt");
    }
    if (build_flow) {
      auto flow = flow_for(ctx.attempt);
      if (!flow) return plain(503, "store unavailable");
      ctx.flow = std::move(flow).value();
    }
    return ctx;
  }

  Result<ivr::IvrFlow> flow_for(const CallAttempt& a) const {
    ivr::IvrInputs in;
    auto tenant = d_.tenants.get_tenant(a.tenant_id);
    if (!tenant) return tenant.error();
    in.business_name = tenant->name;
    in.caller_id = a.from_number;
    if (a.campaign_id != 0) {
      auto c = d_.campaigns.get_campaign_any(a.campaign_id);
      if (!c) return c.error();
      in.script = c->script;
      in.voicemail = c->voicemail_text;
      in.agent_number = c->agent_number;
      // The number the call came from (the dialer may pick it per call: local presence) is the
      // callback number and the agent leg's caller ID; the campaign's only for an older row.
      if (in.caller_id.empty()) in.caller_id = c->caller_id;
      in.recorded = c->record_calls;
    }
    return ivr::build_flow(in);
  }

  std::string url(const std::string& path) const { return paths::join(d_.config.public_base_url, path); }

  // The driver of the account that placed the call (a verified request's AccountSid).
  TwilioProvider& provider_for(const FormParams& params) const {
    if (d_.account_directory != nullptr) {
      const std::string sid = form_value(params, "AccountSid");
      if (!sid.empty() && sid != d_.config.account_sid) {
        if (auto* p = d_.account_directory->provider(sid)) return *p;
      }
    }
    return d_.provider;
  }

  void warn(const std::string& line) const {
    if (d_.log_warning) d_.log_warning(line);
  }

  Response voice(const Request& req) const {
    auto r = call_context(req, true);
    if (auto* resp = std::get_if<Response>(&r)) return *resp;
    auto& ctx = std::get<CallContext>(r);
    if (is_terminal(ctx.attempt.state)) return twiml(render_hangup());
    // Synchronous AMD (not what outdial requests, but a number configured with it) adds
    // AnsweredBy here: a machine gets the voicemail drop at once.
    if (answered_kind(form_value(ctx.params, "AnsweredBy")) == CallEventKind::kAnsweredMachine) {
      return twiml(render_voicemail(ctx.flow, style_));
    }
    return twiml(render_greeting(ctx.flow, url(paths::gather(ctx.attempt.id, 1)), style_));
  }

  Response status(const Request& req) const {
    auto r = call_context(req, false);
    if (auto* resp = std::get_if<Response>(&r)) return *resp;
    auto& ctx = std::get<CallContext>(r);
    auto cb = parse_status_callback(ctx.params);
    if (!cb) return plain(400, cb.error().message);
    const bool amd_pending = req.query_param("amd").value_or("") == "1";
    for (const auto& ev : status_events(*cb, ctx.attempt.id, amd_pending, d_.clock.now())) {
      if (auto st = d_.ingress.ingest(ev); !st) {
        warn("twilio status callback not stored (" + st.error().message + "): " + ctx.call_sid);
        return plain(503, "event not stored");  // Twilio redelivers; dedupe keys make that safe
      }
    }
    return plain(200, "");
  }

  Response amd(const Request& req) const {
    auto r = call_context(req, false);
    if (auto* resp = std::get_if<Response>(&r)) return *resp;
    auto& ctx = std::get<CallContext>(r);
    const std::string answered_by = form_value(ctx.params, "AnsweredBy");
    // Sort after the status callbacks stored so far (in-progress) and before the terminal one.
    std::int64_t sequence = 0;
    if (auto stored = d_.calls.events_for_call(kProviderName, ctx.call_sid)) {
      for (const auto& e : *stored) sequence = std::max(sequence, std::min(e.sequence, kReconcileSequence - 1));
    }
    if (auto ev = amd_event(ctx.call_sid, answered_by, ctx.attempt.id, sequence, d_.clock.now())) {
      if (auto st = d_.ingress.ingest(*ev); !st) return plain(503, "event not stored");
    }
    if (is_terminal(ctx.attempt.state)) return plain(200, "");
    if (answered_by == "fax") {
      if (auto st = provider_for(ctx.params).hangup(ctx.call_sid); !st) warn("twilio hangup of fax " + ctx.call_sid + ": " + st.error().message);
    } else if (answered_kind(answered_by) == CallEventKind::kAnsweredMachine) {
      // DetectMessageEnd: the greeting has ended (beep or silence): drop the voicemail now.
      if (auto st = provider_for(ctx.params).redirect(ctx.call_sid, url(paths::voicemail(ctx.attempt.id))); !st) {
        warn("twilio voicemail redirect of " + ctx.call_sid + " failed: " + st.error().message);
      }
    }
    return plain(200, "");
  }

  Response gather(const Request& req) const {
    auto r = call_context(req, true);
    if (auto* resp = std::get_if<Response>(&r)) return *resp;
    auto& ctx = std::get<CallContext>(r);
    const int try_number = static_cast<int>(parse_id(req.path_param("try")).value_or(1));
    const std::string digits = form_value(ctx.params, "Digits");
    const auto action = ivr::menu_action(ctx.flow, digits);
    if (action == ivr::MenuAction::kOptOut) {
      // DNC-INTERNAL / REVOKE (POLICY: at once): the number is on the tenant's list before the
      // confirmation is spoken; if that cannot be stored, no confirmation is given (5xx).
      DncEntry e;
      e.tenant_id = ctx.attempt.tenant_id;
      e.phone_e164 = ctx.attempt.to_number;
      e.reason = "press 2";
      e.source = "twilio:" + ctx.call_sid;
      e.created_at = d_.clock.now();
      if (auto st = d_.compliance.add_dnc(e); !st) {
        warn("twilio press 2: DNC not stored for attempt " + std::to_string(ctx.attempt.id) + ": " +
             st.error().message);
        return plain(503, "do-not-call entry not stored");
      }
      if (auto st = d_.compliance.revoke_consents(e.tenant_id, e.phone_e164, std::nullopt, e.created_at); !st) {
        warn("twilio press 2: consents not revoked for attempt " + std::to_string(ctx.attempt.id));
      }
    }
    if (!digits.empty()) {
      // After the answer in the call's event order (the stored events so far; the ingress may
      // not have applied the latest yet, which only makes the sequence lower, never terminal).
      std::int64_t sequence = 0;
      if (auto stored = d_.calls.events_for_call(kProviderName, ctx.call_sid)) sequence = digits_sequence(*stored);
      if (auto st = d_.ingress.ingest(
              digits_event(ctx.call_sid, digits, try_number, ctx.attempt.id, sequence, d_.clock.now()));
          !st && action != ivr::MenuAction::kOptOut) {
        return plain(503, "event not stored");
      }
    }
    switch (action) {
      case ivr::MenuAction::kOptOut:
        return twiml(render_opt_out(ctx.flow, style_));
      case ivr::MenuAction::kConnect:
        return twiml(render_connect(ctx.flow, url(paths::dial(ctx.attempt.id)), style_));
      case ivr::MenuAction::kInvalid:
        if (try_number < ctx.flow.max_menu_tries) {
          return twiml(render_menu_repeat(ctx.flow, url(paths::gather(ctx.attempt.id, try_number + 1)), style_));
        }
        return twiml(render_no_input(ctx.flow, style_));
      case ivr::MenuAction::kNoInput:
        break;
    }
    return twiml(render_no_input(ctx.flow, style_));
  }

  Response dial(const Request& req) const {
    auto r = call_context(req, true);
    if (auto* resp = std::get_if<Response>(&r)) return *resp;
    auto& ctx = std::get<CallContext>(r);
    return twiml(render_dial_result(ctx.flow, form_value(ctx.params, "DialCallStatus"), style_));
  }

  Response voicemail(const Request& req) const {
    auto r = call_context(req, true);
    if (auto* resp = std::get_if<Response>(&r)) return *resp;
    auto& ctx = std::get<CallContext>(r);
    return twiml(render_voicemail(ctx.flow, style_));
  }

  Response recording(const Request& req) const {
    auto r = call_context(req, false);
    if (auto* resp = std::get_if<Response>(&r)) return *resp;
    auto& ctx = std::get<CallContext>(r);
    storage::CallRecording rec;
    rec.attempt_id = ctx.attempt.id;
    rec.provider = kProviderName;
    rec.provider_call_id = ctx.call_sid;
    rec.recording_id = form_value(ctx.params, "RecordingSid");
    rec.url = form_value(ctx.params, "RecordingUrl");
    rec.status = form_value(ctx.params, "RecordingStatus");
    if (rec.status.empty()) rec.status = "completed";
    if (rec.recording_id.empty()) return plain(400, "RecordingSid missing");
    std::int64_t duration = 0;
    const std::string d = form_value(ctx.params, "RecordingDuration");
    if (!d.empty()) {
      auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), duration);
      if (ec != std::errc() || p != d.data() + d.size() || duration < 0) return plain(400, "RecordingDuration invalid");
    }
    rec.duration_seconds = static_cast<int>(std::min<std::int64_t>(duration, 1'000'000));
    rec.at = d_.clock.now();
    if (auto st = d_.calls.add_recording(rec); !st) {
      warn("twilio recording " + rec.recording_id + " not stored: " + st.error().message);
      return plain(503, "recording not stored");
    }
    return plain(200, "");
  }

  Response sms(const Request& req) const {
    FormParams params;
    if (auto rejected = verify(req, params)) return *rejected;
    auto cls = classify_inbound_sms(form_value(params, "Body"));
    // Advanced Opt-Out (provider-contracts §2.5): Twilio names the keyword class it matched,
    // including custom keywords our own list does not know.
    const std::string opt_out_type = form_value(params, "OptOutType");
    if (cls.intent == SmsIntent::kNone && !opt_out_type.empty()) {
      if (opt_out_type == "STOP") cls.intent = SmsIntent::kOptOut;
      if (opt_out_type == "START") cls.intent = SmsIntent::kOptIn;
      if (opt_out_type == "HELP") cls.intent = SmsIntent::kHelp;
      cls.carrier_keyword = cls.intent != SmsIntent::kNone;
      cls.keyword = opt_out_type;
    }
    sms::InboundSms in{kProviderName, form_value(params, "MessageSid"), form_value(params, "From"),
                       form_value(params, "To"), parse_id(req.path_param("tenant"))};
    // Twilio answers its own keywords (long code, toll-free: sms::twilio_keywords()), and any
    // text its Advanced Opt-Out matched (OptOutType present), opt-out and HELP alike; plain
    // language and the rest get ours. One confirmation / one help reply either way.
    const bool twilio_answered = !opt_out_type.empty() || sms::carrier_answers(sms::twilio_keywords(), cls, in.to);
    const auto out = sms::apply_inbound_sms({d_.compliance, d_.tenants, d_.campaigns, d_.clock, d_.accounts}, in, cls,
                                            twilio_answered);
    if (!out.warning.empty()) warn(out.warning);
    if (out.status != 200) return plain(out.status, "inbound SMS not applied");
    return twiml(out.reply.empty() ? render_empty() : render_message(out.reply));
  }

 private:
  TwilioWebhookDeps d_;
  TwimlStyle style_;
};

}  // namespace

void register_twilio_routes(net::Router& router, const TwilioWebhookDeps& deps) {
  auto w = std::make_shared<const Webhooks>(deps);
  router.add("POST", "/twilio/voice/:attempt", [w](const Request& r) { return w->voice(r); });
  router.add("POST", "/twilio/status/:attempt", [w](const Request& r) { return w->status(r); });
  router.add("POST", "/twilio/amd/:attempt", [w](const Request& r) { return w->amd(r); });
  router.add("POST", "/twilio/gather/:attempt/:try", [w](const Request& r) { return w->gather(r); });
  router.add("POST", "/twilio/dial/:attempt", [w](const Request& r) { return w->dial(r); });
  router.add("POST", "/twilio/voicemail/:attempt", [w](const Request& r) { return w->voicemail(r); });
  router.add("POST", "/twilio/recording/:attempt", [w](const Request& r) { return w->recording(r); });
  router.add("POST", "/twilio/sms", [w](const Request& r) { return w->sms(r); });
  router.add("POST", "/twilio/sms/:tenant", [w](const Request& r) { return w->sms(r); });
}

}  // namespace outdial::telephony::twilio
