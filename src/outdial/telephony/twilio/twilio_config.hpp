#pragma once
#include <chrono>
#include <string>

namespace outdial::telephony::twilio {

// Built by app/ from OUTDIAL_TWILIO_ACCOUNT_SID, OUTDIAL_TWILIO_AUTH_TOKEN,
// OUTDIAL_TWILIO_API_BASE and OUTDIAL_PUBLIC_URL. The auth token is never logged or echoed.
struct TwilioConfig {
  std::string account_sid;                      // AC + 32 hex
  std::string auth_token;                       // REST Basic password and webhook signing key
  std::string api_base = "https://api.twilio.com";  // the emulator's URL in tests
  // Where Twilio reaches outdial, e.g. "https://dial.example.com": callback URLs are this plus
  // the route path, and webhook signatures are checked against exactly this plus the path and
  // query the server received (a reverse proxy may strip a path prefix given here).
  std::string public_base_url;
  std::chrono::milliseconds request_timeout{15'000};
  int machine_detection_timeout_seconds = 30;  // MachineDetectionTimeout (docs range 3-59)
  // find_call(): calls created this long before the attempt still count as "ours" (clock skew
  // between outdial and Twilio; attempts to one number are at least an hour apart).
  std::chrono::seconds find_call_skew{120};
  std::string voice = "Polly.Joanna";  // TwiML <Say voice>
};

}  // namespace outdial::telephony::twilio
