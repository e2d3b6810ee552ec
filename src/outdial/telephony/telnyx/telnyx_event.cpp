#include "outdial/telephony/telnyx/telnyx_event.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace outdial::telephony::telnyx {

namespace {

Error bad(const std::string& field, const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, "Telnyx webhook: " + message, {{"field", field}});
}

std::string str_of(const nlohmann::json& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

}  // namespace

bool parse_telnyx_time(const std::string& text, std::int64_t& micros) {
  // Split off the fraction so the core ISO parser sees at most milliseconds.
  const auto dot = text.find('.');
  std::string base = text;
  std::int64_t frac_us = 0;
  if (dot != std::string::npos) {
    std::size_t end = dot + 1;
    std::string digits;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') digits += text[end++];
    if (digits.empty() || digits.size() > 9) return false;
    while (digits.size() < 6) digits += '0';
    frac_us = std::stoll(digits.substr(0, 6));
    base = text.substr(0, dot) + text.substr(end);
  }
  TimePoint t{};
  if (!parse_iso8601(base, t, true)) return false;
  micros = to_epoch_ms(t) * 1000 + frac_us;
  return true;
}

Result<TelnyxEvent> parse_event(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("/", "body is not a JSON object");
  const auto data = j.find("data");
  if (data == j.end() || !data->is_object()) return bad("/data", "missing object 'data'");
  TelnyxEvent e;
  e.id = str_of(*data, "id");
  if (e.id.empty()) return bad("/data/id", "missing 'data.id'");
  e.event_type = str_of(*data, "event_type");
  if (e.event_type.empty()) return bad("/data/event_type", "missing 'data.event_type'");
  const std::string occurred = str_of(*data, "occurred_at");
  std::int64_t us = 0;
  if (!parse_telnyx_time(occurred, us)) return bad("/data/occurred_at", "'data.occurred_at' is not an ISO-8601 UTC time");
  e.sequence = us;
  e.occurred_at = from_epoch_ms(us / 1000);
  const auto payload = data->find("payload");
  if (payload == data->end() || !payload->is_object()) return bad("/data/payload", "missing object 'data.payload'");
  const auto& p = *payload;
  e.call_control_id = str_of(p, "call_control_id");
  e.call_session_id = str_of(p, "call_session_id");
  e.client_state_raw = str_of(p, "client_state");
  e.client_state = decode_client_state(e.client_state_raw);
  e.from = str_of(p, "from");
  e.to = str_of(p, "to");
  e.hangup_cause = str_of(p, "hangup_cause");
  e.hangup_source = str_of(p, "hangup_source");
  e.sip_hangup_cause = str_of(p, "sip_hangup_cause");
  e.result = str_of(p, "result");
  e.digits = str_of(p, "digits");
  if (e.digits.empty()) e.digits = str_of(p, "digit");  // call.dtmf.received
  e.status = str_of(p, "status");
  if (auto meta = j.find("meta"); meta != j.end() && meta->is_object()) {
    if (auto a = meta->find("attempt"); a != meta->end() && a->is_number_integer()) e.attempt = a->get<int>();
  }
  if (e.event_type.rfind("call.", 0) == 0 && e.call_control_id.empty())
    return bad("/data/payload/call_control_id", "missing 'data.payload.call_control_id'");
  if (e.event_type.rfind("message.", 0) == 0) {
    e.message_id = str_of(p, "id");
    if (auto from = p.find("from"); from != p.end() && from->is_object()) e.from = str_of(*from, "phone_number");
    if (auto to = p.find("to"); to != p.end() && to->is_array() && !to->empty() && to->front().is_object())
      e.to = str_of(to->front(), "phone_number");
    e.text = str_of(p, "text");
    if (e.event_type == "message.received") {
      if (e.message_id.empty()) return bad("/data/payload/id", "missing 'data.payload.id'");
      if (e.from.empty()) return bad("/data/payload/from/phone_number", "missing 'data.payload.from.phone_number'");
    }
  }
  if (e.event_type == "call.recording.saved") {
    e.recording_id = str_of(p, "recording_id");
    for (const char* urls : {"recording_urls", "public_recording_urls"}) {
      auto u = p.find(urls);
      if (u == p.end() || !u->is_object()) continue;
      for (const char* format : {"mp3", "wav"}) {
        if (e.recording_url.empty()) e.recording_url = str_of(*u, format);
      }
    }
    std::int64_t started = 0, ended = 0;
    if (parse_telnyx_time(str_of(p, "recording_started_at"), started) &&
        parse_telnyx_time(str_of(p, "recording_ended_at"), ended) && ended >= started)
      e.recording_seconds = static_cast<int>(std::min<std::int64_t>((ended - started + 500'000) / 1'000'000, 1'000'000));
  }
  return e;
}

}  // namespace outdial::telephony::telnyx
