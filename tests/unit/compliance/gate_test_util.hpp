#pragma once
// Shared helpers for the RuleGate tests: explicit UTC instants, a neutral base attempt and an
// exact-match assertion on verdict, rule and allowed_at.
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "outdial/compliance/rule_gate.hpp"
#include "outdial/core/clock.hpp"

namespace outdial::compliance::testing {

inline TimePoint T(const std::string& iso) {
  TimePoint t{};
  EXPECT_TRUE(parse_iso8601(iso, t)) << iso;
  return t;
}

inline const RuleGate& gate() {
  static const RuleGate kGate;  // built once: zone tables are the expensive part
  return kGate;
}

// A call that passes every non-time rule: informational, human voice, dialed by a person, to a
// landline, owned caller id, no campaign.
inline AttemptFacts base(const std::string& phone, const std::string& at) {
  AttemptFacts f;
  f.phone_e164 = phone;
  f.at = T(at);
  f.purpose = Purpose::kInformational;
  f.voice = VoiceType::kHuman;
  f.autodialed = false;
  f.line_type = LineType::kLandline;
  f.caller_id = "+12125550100";
  f.caller_id_owned = true;
  f.ring_timeout_seconds = 30;
  return f;
}

// A telemarketing call with fresh DNC data and written consent.
inline AttemptFacts marketing(const std::string& phone, const std::string& at) {
  AttemptFacts f = base(phone, at);
  f.purpose = Purpose::kReactivation;
  f.national_dnc_loaded_at = f.at - std::chrono::hours{24};
  ConsentRecord c;
  c.type = ConsentType::kPriorExpressWritten;
  c.covers_artificial_voice = true;
  c.granted_at = T("2025-01-01T00:00:00Z");
  f.consents.push_back(c);
  return f;
}

struct Expect {
  Verdict verdict;
  std::string rule;
  std::optional<std::string> allowed_at;  // ISO instant for kDefer
};

inline void expect_decision(const Decision& d, const Expect& e, const std::string& label) {
  EXPECT_EQ(to_string(d.verdict), std::string(to_string(e.verdict))) << label << ": " << d.rule << " " << d.reason;
  EXPECT_EQ(d.rule, e.rule) << label << ": " << d.reason;
  if (e.allowed_at) {
    ASSERT_TRUE(d.allowed_at.has_value()) << label << ": " << d.reason;
    EXPECT_EQ(format_iso8601(*d.allowed_at), format_iso8601(T(*e.allowed_at))) << label << ": " << d.reason;
  } else {
    EXPECT_FALSE(d.allowed_at.has_value()) << label << ": " << d.reason;
  }
  EXPECT_FALSE(d.reason.empty()) << label;
}

inline Expect allow() { return {Verdict::kAllow, "OK", std::nullopt}; }
inline Expect block(const std::string& rule) { return {Verdict::kBlock, rule, std::nullopt}; }
inline Expect defer(const std::string& rule, const std::string& until) { return {Verdict::kDefer, rule, until}; }

}  // namespace outdial::compliance::testing
