#pragma once
// Twilio REST error -> outdial ErrorCode (docs/provider-contracts.md §1.3; the Provider error
// contract in telephony/provider.hpp). Pure; unit-tested.
#include <string_view>

#include "outdial/core/result.hpp"

namespace outdial::telephony::twilio {

// `http_status` >= 400 (or a 2xx whose body could not be read). Body: Twilio's JSON error
// ({"code":..,"message":..}) or RFC 9457 problem JSON; anything else is tolerated.
//   429 / 20429                    -> kRateLimited       (not placed; retry the same key later)
//   21211 21214 21217 21614        -> kInvalidArgument   (bad number: never retry)
//   21215 32205 13227 21408        -> kPermissionDenied  details["geo_permission"]="true"
//   21216 21219                    -> kPermissionDenied  (blocked / unverified destination)
//   21610                          -> kPermissionDenied  details["opted_out"]="true" (put the number on internal DNC)
//   20003 / 401                    -> kUnauthenticated   (account credentials)
//   20404 / 404                    -> kNotFound
//   other 4xx                      -> kFailedPrecondition (our request or account setup, e.g. 21210 From not owned)
//   5xx and anything else          -> kUnavailable details["may_exist"]="true" (the call MAY exist)
// Every error carries details provider="twilio", http_status, and provider_code when known.
// `operation` names what failed ("create call", "hangup CA..").
Error map_twilio_error(int http_status, std::string_view body, std::string_view operation);

}  // namespace outdial::telephony::twilio
