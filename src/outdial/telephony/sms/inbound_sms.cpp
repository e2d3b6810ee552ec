#include "outdial/telephony/sms/inbound_sms.hpp"

#include <algorithm>
#include <cctype>

namespace outdial::telephony::sms {
namespace {

bool plausible_e164(const std::string& s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+') return false;
  return std::all_of(s.begin() + 1, s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::optional<TenantId> tenant_of_number(const InboundSmsStores& st, const std::string& to) {
  auto tenants = st.tenants.list_tenants();
  if (!tenants) return std::nullopt;
  std::optional<TenantId> found;
  for (const auto& t : *tenants) {
    // A reply to a caller ID chosen per call (local presence, dedicated): the number's tenant.
    if (st.accounts != nullptr) {
      auto owned = st.accounts->find_number(t.id, to);
      if (owned && owned->has_value()) {
        if (found && *found != t.id) return std::nullopt;
        found = t.id;
        continue;
      }
    }
    auto campaigns = st.campaigns.list_campaigns(t.id);
    if (!campaigns) continue;
    for (const auto& c : *campaigns) {
      if (c.caller_id != to) continue;
      if (found && *found != t.id) return std::nullopt;  // shared number: ambiguous, the URL must name the tenant
      found = t.id;
    }
  }
  return found;
}

InboundSmsOutcome fail(int status, std::string warning) { return InboundSmsOutcome{status, "", std::move(warning)}; }

}  // namespace

bool is_sms_opt_out_source(const std::string& source) {
  const auto colon = source.find(':');
  return colon != std::string::npos && colon >= 4 && source.compare(colon - 4, 4, "-sms") == 0;
}

InboundSmsOutcome apply_inbound_sms(const InboundSmsStores& st, const InboundSms& sms, const SmsClassification& cls,
                                    bool carrier_answered) {
  const std::string what = sms.provider + " inbound SMS " + sms.message_id;
  if (cls.intent == SmsIntent::kNone) return {};
  if (!plausible_e164(sms.from)) return fail(200, what + ": From is not E.164");
  const auto tenant_id = sms.tenant ? sms.tenant : tenant_of_number(st, sms.to);
  if (!tenant_id) {
    const std::string w = what + " to " + sms.to + ": no tenant owns this number (" + to_string(cls.intent) + ")";
    return fail(cls.intent == SmsIntent::kOptOut ? 503 : 200, w);
  }
  auto tenant = st.tenants.get_tenant(*tenant_id);
  if (!tenant) return fail(tenant.error().code == ErrorCode::kNotFound ? 404 : 503, what + ": unknown tenant");
  const std::string evidence = sms.provider + "-sms:" + sms.message_id;
  const TimePoint now = st.clock.now();
  switch (cls.intent) {
    case SmsIntent::kOptOut: {
      DncEntry e;
      e.tenant_id = *tenant_id;
      e.phone_e164 = sms.from;
      e.reason = "sms " + cls.keyword;
      e.source = evidence;
      e.created_at = now;
      if (auto r = st.compliance.add_dnc(e); !r) return fail(503, what + ": do-not-call entry not stored");
      InboundSmsOutcome out;
      if (auto r = st.compliance.revoke_consents(*tenant_id, sms.from, std::nullopt, now); !r)
        out.warning = what + ": opt-out stored, consents not revoked";
      // One confirmation (SMS-CONFIRM): the carrier's, or ours.
      if (!carrier_answered) out.reply = tenant->name + ": you will not receive more calls or messages from us.";
      return out;
    }
    case SmsIntent::kOptIn: {
      auto existing = st.compliance.consents_for(*tenant_id, sms.from);
      if (!existing) return fail(503, what + ": store unavailable");
      for (const auto& c : *existing)
        if (c.evidence == evidence) return {};  // replay
      if (auto dnc = st.compliance.find_dnc(*tenant_id, sms.from);
          dnc && dnc->has_value() && is_sms_opt_out_source((*dnc)->source)) {
        if (auto r = st.compliance.remove_dnc(*tenant_id, sms.from); !r) return fail(503, what + ": store unavailable");
      }
      ConsentRecord c;
      c.tenant_id = *tenant_id;
      c.phone_e164 = sms.from;
      c.type = ConsentType::kPriorExpress;
      c.channel = Channel::kSms;
      c.source = "sms " + cls.keyword;
      c.evidence = evidence;
      c.granted_at = now;
      if (auto r = st.compliance.add_consent(c); !r) return fail(503, what + ": consent not stored");
      return {};
    }
    case SmsIntent::kHelp: {
      InboundSmsOutcome out;
      if (carrier_answered) return out;  // one help reply: the carrier's
      out.reply = tenant->help_text;
      if (out.reply.empty()) out.reply = tenant->name + ": reply STOP to stop messages and calls from us.";
      return out;
    }
    case SmsIntent::kNone:
      break;
  }
  return {};
}

}  // namespace outdial::telephony::sms
