#pragma once
// The webhook paths outdial gives Twilio (shared by the REST driver, which puts them in create
// call, and the route table in twilio_webhooks.cpp). Attempt ids are in the path so each URL
// names exactly one call attempt; the signature covers the whole URL.
#include <string>

#include "outdial/core/ids.hpp"

namespace outdial::telephony::twilio::paths {

inline std::string voice(AttemptId a) { return "/twilio/voice/" + std::to_string(a); }
// amd=1: the call was placed with async AMD, so "in-progress" waits for the AMD result.
inline std::string status(AttemptId a, bool amd) {
  return "/twilio/status/" + std::to_string(a) + (amd ? "?amd=1" : "");
}
inline std::string amd(AttemptId a) { return "/twilio/amd/" + std::to_string(a); }
inline std::string gather(AttemptId a, int try_number) {
  return "/twilio/gather/" + std::to_string(a) + "/" + std::to_string(try_number);
}
inline std::string dial(AttemptId a) { return "/twilio/dial/" + std::to_string(a); }
inline std::string voicemail(AttemptId a) { return "/twilio/voicemail/" + std::to_string(a); }
inline std::string recording(AttemptId a) { return "/twilio/recording/" + std::to_string(a); }
inline std::string sms() { return "/twilio/sms"; }
inline std::string sms(TenantId t) { return "/twilio/sms/" + std::to_string(t); }

// base "https://x.example/" + "/twilio/..." without a doubled slash.
inline std::string join(const std::string& base, const std::string& path) {
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b + path;
}

}  // namespace outdial::telephony::twilio::paths
