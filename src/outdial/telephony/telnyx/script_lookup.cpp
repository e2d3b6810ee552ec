#include "outdial/telephony/telnyx/script_lookup.hpp"

namespace outdial::telephony::telnyx {

std::function<std::optional<FlowScript>(const ClientState&)> store_script_lookup(storage::CallStore& calls,
                                                                                  storage::CampaignStore& campaigns,
                                                                                  storage::TenantStore& tenants) {
  return [&calls, &campaigns, &tenants](const ClientState& cs) -> std::optional<FlowScript> {
    if (cs.attempt_id == 0 || cs.campaign_id == 0) return std::nullopt;
    auto attempt = calls.get_attempt(cs.attempt_id);
    if (!attempt || attempt->idempotency_key != cs.idempotency_key) return std::nullopt;
    auto campaign = campaigns.get_campaign_any(cs.campaign_id);
    if (!campaign || campaign->tenant_id != attempt->tenant_id) return std::nullopt;
    DialRequest req;
    req.idempotency_key = attempt->idempotency_key;
    req.attempt_id = attempt->id;
    req.tenant_id = attempt->tenant_id;
    req.campaign_id = campaign->id;
    req.from = attempt->from_number;
    req.to = attempt->to_number;
    req.machine_detection = cs.machine_detection;
    req.record = campaign->record_calls;
    req.script = campaign->script;
    req.voicemail_text = campaign->voicemail_text;
    req.agent_number = campaign->agent_number;
    auto tenant = tenants.get_tenant(attempt->tenant_id);
    return script_for(req, tenant ? tenant->name : std::string());
  };
}

}  // namespace outdial::telephony::telnyx
