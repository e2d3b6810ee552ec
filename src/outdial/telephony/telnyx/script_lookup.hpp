#pragma once
// The IVR script of a call this process did not dial (dialed before a restart): rebuilt from the
// stores named by the webhook's client_state (attempt -> numbers, campaign -> script, voicemail,
// agent; tenant -> business name). For TelnyxWebhookDeps::script_lookup.
#include <functional>
#include <optional>

#include "outdial/storage/call_store.hpp"
#include "outdial/storage/campaign_store.hpp"
#include "outdial/storage/tenant_store.hpp"
#include "outdial/telephony/telnyx/call_flow.hpp"
#include "outdial/telephony/telnyx/client_state.hpp"

namespace outdial::telephony::telnyx {

// The stores must outlive the returned function. nullopt when the attempt or campaign is unknown.
std::function<std::optional<FlowScript>(const ClientState&)> store_script_lookup(storage::CallStore& calls,
                                                                                  storage::CampaignStore& campaigns,
                                                                                  storage::TenantStore& tenants);

}  // namespace outdial::telephony::telnyx
