#pragma once
// Twilio Programmable Voice REST driver (docs/provider-contracts.md §1, §2.5) over net::HttpClient.
#include <atomic>
#include <string>

#include "outdial/net/http_client.hpp"
#include "outdial/telephony/event_ingress.hpp"
#include "outdial/telephony/provider.hpp"
#include "outdial/telephony/twilio/twilio_config.hpp"

namespace outdial::telephony::twilio {

// Thread-safe (the HttpClient is). Nothing is retried inside the driver: every failure goes back
// to the caller mapped per twilio_errors.hpp, so the dialer alone decides about a second dial.
class TwilioProvider final : public Provider {
 public:
  // `http` and `clock` must outlive the provider. The clock stamps reconciled events whose call
  // resource carries no end/update time.
  TwilioProvider(TwilioConfig config, net::HttpClient& http, const Clock& clock);

  std::string name() const override { return "twilio"; }

  // POST Calls.json: To, From, Url (TwiML for the attempt), StatusCallback + the four
  // StatusCallbackEvent values, Timeout = max(15, ring_timeout_seconds) (RING-MIN), with
  // machine_detection MachineDetection=DetectMessageEnd + AsyncAmd + AsyncAmdStatusCallback, with
  // record Record=true + RecordingStatusCallback. A request that cannot be valid (no attempt id,
  // To/From not E.164) fails with kInvalidArgument before anything is sent; a missing public
  // base URL is kFailedPrecondition. A 2xx without a readable call sid is kUnavailable: the call
  // may exist.
  Result<DialAccepted> place_call(const DialRequest& req) override;
  // POST Calls/{sid}.json Status=completed. An already-ended call (21220) is success.
  Status hangup(const std::string& provider_call_id) override;
  // POST Messages.json. 21610 -> kPermissionDenied with details["opted_out"]="true".
  Result<std::string> send_sms(const SmsRequest& req) override;
  // Twilio has no idempotency key: lists the calls To/From (newest first, paging while they are
  // recent enough) and returns the oldest one created at or after placed_after - find_call_skew.
  // StartTime is not used as a filter because a queued call has no start time yet.
  Result<std::optional<std::string>> find_call(const CallLookup& lookup) override;
  // GET Calls/{sid}.json and hands the derived events (twilio_events.hpp resource_events) to the
  // event ingress. kNotFound for an unknown sid.
  Status reconcile(const std::string& provider_call_id) override;

  // GET {api_base}/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.mp3 with this
  // account's Basic auth (the URL is built from the sid and the configured API base; a stored
  // RecordingUrl is never requested). A redirect (3xx + Location, as Twilio's media may answer)
  // is followed once WITHOUT credentials. The sid must be "RE" + 32 hex digits
  // (kInvalidArgument). 404 -> kNotFound; 401/403, 5xx, transport -> kUnavailable.
  Result<RecordingMedia> fetch_recording(const RecordingRef& recording) override;

  // Redirects a live call to new TwiML (POST Calls/{sid}.json Url=...). Used when async AMD
  // reports a machine: the call moves to the voicemail drop.
  Status redirect(const std::string& provider_call_id, const std::string& twiml_url);

  // Where reconcile() delivers events; set by the composition root once the dialer exists.
  void set_event_ingress(EventIngress* ingress) { ingress_.store(ingress); }
  const TwilioConfig& config() const { return config_; }

 private:
  Result<net::ClientResponse> call_api(const std::string& method, const std::string& url, const std::string& body,
                                       const std::string& operation);
  std::string account_url(const std::string& suffix) const;

  TwilioConfig config_;
  net::HttpClient& http_;
  const Clock& clock_;
  std::atomic<EventIngress*> ingress_{nullptr};
};

// True for "+" followed by 8 to 15 digits.
bool looks_e164(const std::string& s);

}  // namespace outdial::telephony::twilio
