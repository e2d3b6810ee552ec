#pragma once
// What the API handlers need, built by app/ (the composition root) and passed by reference.
// Every referenced object must outlive the router/server using the routes.
#include "outdial/compliance/gate.hpp"
#include "outdial/core/clock.hpp"
#include "outdial/dialer/campaign_service.hpp"
#include "outdial/importer/import_service.hpp"
#include "outdial/storage/database.hpp"

namespace outdial::accounts {
class CredentialVault;
}
namespace outdial::net {
class HttpClient;
}
namespace outdial::telephony {
class Provider;
}

namespace outdial::api {

struct ApiDeps {
  storage::Database& db;               // tenants (auth), contacts, compliance, campaigns, calls, audit
  importer::ImportService& importer;   // POST /api/contacts/upload|validate
  dialer::CampaignService& campaigns;  // campaign lifecycle (does its own role checks + audit)
  const compliance::Gate& gate;        // POST /api/compliance/check
  const Clock& clock;                  // audit and decision timestamps
  // Provider accounts (api/account_handlers.cpp). Null vault: creating an account with
  // credentials or running its health check answers 409 (no secret key configured). Null http:
  // health checks of real providers answer 503.
  const accounts::CredentialVault* vault = nullptr;
  net::HttpClient* http = nullptr;
  // Where recordings' audio is fetched from (GET /api/calls/:id/recordings/:rid/media): the
  // install's carrier, routing each call to the account that placed it. Null: 503.
  telephony::Provider* recordings = nullptr;
};

}  // namespace outdial::api
