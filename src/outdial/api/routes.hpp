#pragma once
#include "outdial/api/api_deps.hpp"
#include "outdial/net/router.hpp"

namespace outdial::api {

// Adds every /api route plus GET /healthz to the router and installs the API error format for
// 404/405. `deps` must outlive the router. Handlers are thread-safe if the deps are.
void register_routes(net::Router& router, ApiDeps& deps);

}  // namespace outdial::api
