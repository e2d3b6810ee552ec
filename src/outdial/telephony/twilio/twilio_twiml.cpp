#include "outdial/telephony/twilio/twilio_twiml.hpp"

namespace outdial::telephony::twilio {
namespace {

constexpr const char* kProlog = R"(<?xml version="1.0" encoding="UTF-8"?>)";

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value) + "\"";
}

std::string say_attrs(const ivr::IvrFlow& flow, const TwimlStyle& style) {
  std::string a;
  if (!style.voice.empty()) a += attr("voice", style.voice);
  if (!flow.language.empty()) a += attr("language", flow.language);
  return a;
}

std::string prompts(const std::vector<ivr::Prompt>& list, const ivr::IvrFlow& flow, const TwimlStyle& style) {
  std::string out;
  for (const auto& p : list) {
    if (p.kind == ivr::Prompt::Kind::kPlay) {
      out += "<Play>" + xml_escape(p.value) + "</Play>";
    } else {
      out += "<Say" + say_attrs(flow, style) + ">" + xml_escape(p.value) + "</Say>";
    }
  }
  return out;
}

std::string gather(const std::vector<ivr::Prompt>& inner, const ivr::IvrFlow& flow, const std::string& action,
                   const TwimlStyle& style) {
  return "<Gather" + attr("input", "dtmf") + attr("numDigits", "1") +
         attr("timeout", std::to_string(flow.gather_timeout_seconds)) + attr("action", action) +
         attr("method", "POST") + ">" + prompts(inner, flow, style) + "</Gather>";
}

std::string doc(const std::string& body) { return std::string(kProlog) + "<Response>" + body + "</Response>"; }

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out.push_back(' ');
        } else {
          out.push_back(ch);
        }
    }
  }
  return out;
}

std::string render_greeting(const ivr::IvrFlow& flow, const std::string& gather_action_url, const TwimlStyle& style) {
  return doc(gather(flow.greeting, flow, gather_action_url, style) + prompts(flow.no_input, flow, style) + "<Hangup/>");
}

std::string render_menu_repeat(const ivr::IvrFlow& flow, const std::string& next_gather_action_url,
                               const TwimlStyle& style) {
  return doc(gather(flow.menu_repeat, flow, next_gather_action_url, style) + prompts(flow.no_input, flow, style) +
             "<Hangup/>");
}

std::string render_connect(const ivr::IvrFlow& flow, const std::string& dial_action_url, const TwimlStyle& style) {
  return doc(prompts(flow.connecting, flow, style) + "<Dial" + attr("callerId", flow.connect_caller_id) +
             attr("timeout", std::to_string(flow.dial_timeout_seconds)) + attr("action", dial_action_url) +
             attr("method", "POST") + "><Number>" + xml_escape(flow.agent_number) + "</Number></Dial>");
}

std::string render_dial_result(const ivr::IvrFlow& flow, std::string_view dial_call_status, const TwimlStyle& style) {
  // DialCallStatus (provider-contracts §2.4): completed/answered = the agent was bridged.
  if (dial_call_status == "completed" || dial_call_status == "answered") return doc("<Hangup/>");
  return doc(prompts(flow.agent_unavailable, flow, style) + "<Hangup/>");
}

std::string render_opt_out(const ivr::IvrFlow& flow, const TwimlStyle& style) {
  return doc(prompts(flow.opt_out_confirmation, flow, style) + "<Hangup/>");
}

std::string render_no_input(const ivr::IvrFlow& flow, const TwimlStyle& style) {
  return doc(prompts(flow.no_input, flow, style) + "<Hangup/>");
}

std::string render_voicemail(const ivr::IvrFlow& flow, const TwimlStyle& style) {
  return doc(prompts(flow.voicemail, flow, style) + "<Hangup/>");
}

std::string render_hangup() { return doc("<Hangup/>"); }

std::string render_message(std::string_view text) {
  if (text.empty()) return render_empty();
  return doc("<Message>" + xml_escape(text) + "</Message>");
}

std::string render_empty() { return std::string(kProlog) + "<Response/>"; }

}  // namespace outdial::telephony::twilio
