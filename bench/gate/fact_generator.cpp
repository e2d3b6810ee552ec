#include "fact_generator.hpp"

#include <array>
#include <random>
#include <string>

namespace outdial::bench {
namespace {

using compliance::AttemptFacts;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

struct NpaSample {
  const char* npa;
  const char* state;
  int utc_offset_hours;  // summer offset, to aim times at local daytime
};

// A spread of states with and without their own rules, multi-zone NPAs and territories.
constexpr std::array kNpas = {
    NpaSample{"212", "NY", -4}, NpaSample{"305", "FL", -4}, NpaSample{"850", "FL", -5}, NpaSample{"214", "TX", -5},
    NpaSample{"312", "IL", -5}, NpaSample{"213", "CA", -7}, NpaSample{"206", "WA", -7}, NpaSample{"303", "CO", -6},
    NpaSample{"602", "AZ", -7}, NpaSample{"928", "AZ", -7}, NpaSample{"401", "RI", -4}, NpaSample{"504", "LA", -5},
    NpaSample{"801", "UT", -6}, NpaSample{"215", "PA", -4}, NpaSample{"405", "OK", -5}, NpaSample{"410", "MD", -4},
    NpaSample{"203", "CT", -4}, NpaSample{"502", "KY", -4}, NpaSample{"208", "ID", -6}, NpaSample{"907", "AK", -8},
    NpaSample{"808", "HI", -10}, NpaSample{"787", "PR", -4}, NpaSample{"617", "MA", -4}, NpaSample{"605", "SD", -5},
};

constexpr std::array kZonesByState = {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"};

}  // namespace

std::vector<AttemptFacts> generate_facts(std::size_t count, FactMix mix, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  // Weekdays and weekends of June 2026 (no DST change), plus a few DST-day attempts.
  const TimePoint base_day = TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 6 / 8}};
  std::vector<AttemptFacts> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const NpaSample& s = kNpas[static_cast<std::size_t>(pick(static_cast<int>(kNpas.size())))];
    AttemptFacts f;
    char number[16];
    std::snprintf(number, sizeof number, "+1%s%07d", s.npa, 2000000 + pick(7999999));
    f.phone_e164 = number;
    f.stated_state = pick(4) == 0 ? "" : s.state;
    if (pick(5) == 0) f.stated_timezone = kZonesByState[static_cast<std::size_t>(pick(4))];

    int local_hour = 0;
    switch (mix) {
      case FactMix::kAllowOnly:
        local_hour = 11 + pick(5);  // 11:00-15:59 local
        break;
      case FactMix::kDeferOnly:
        local_hour = pick(2) == 0 ? 22 + pick(2) : 2 + pick(4);
        break;
      case FactMix::kRealistic:
        local_hour = 7 + pick(15);  // 07:00-21:59 local: mostly inside the windows
        break;
    }
    const int day = mix == FactMix::kAllowOnly ? pick(3) + 1 : pick(7);  // Tue-Thu for allow-only
    f.at = base_day + days{day} + hours{local_hour - s.utc_offset_hours} + minutes{pick(60)};
    if (mix == FactMix::kRealistic && pick(50) == 0) {
      f.at = TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 11 / 1}} + hours{12 + pick(10)};
    }

    const int purpose = pick(10);
    f.purpose = purpose < 6 ? Purpose::kReactivation : (purpose < 8 ? Purpose::kInformational : Purpose::kPowerDialer);
    f.voice = f.purpose == Purpose::kReactivation && pick(2) == 0 ? VoiceType::kAi : VoiceType::kHuman;
    f.autodialed = f.purpose != Purpose::kPowerDialer;
    f.line_type = pick(3) == 0 ? LineType::kLandline : LineType::kWireless;
    f.channel = pick(8) == 0 ? Channel::kSms : Channel::kVoice;

    ConsentRecord c;
    c.type = ConsentType::kPriorExpressWritten;
    c.covers_artificial_voice = true;
    c.granted_at = base_day - days{200};
    f.consents.push_back(c);
    if (mix == FactMix::kRealistic && pick(20) == 0) f.consents.clear();
    f.on_national_dnc = mix == FactMix::kRealistic && pick(10) == 0;
    f.on_internal_dnc = mix == FactMix::kRealistic && pick(100) == 0;
    f.national_dnc_loaded_at = base_day - days{5};
    f.reassigned = compliance::ReassignedStatus::kNo;

    f.subject = "reactivation-june";
    const int priors = pick(4);
    for (int p = 0; p < priors; ++p) {
      f.prior_attempts.push_back(
          compliance::PriorAttempt{f.at - hours{26 - 6 * p}, Channel::kVoice, "reactivation-june"});
    }
    f.campaign.present = f.purpose == Purpose::kReactivation;
    f.campaign.status = CampaignStatus::kActive;
    f.campaign.activated_by_staff = true;
    f.campaign.max_attempts = 6;
    f.campaign.attempts_made = priors;
    f.campaign.min_spacing_minutes = 60;
    f.campaign.daily_limit = 1000;
    f.caller_id = "+12125550100";
    f.caller_id_owned = true;
    f.ring_timeout_seconds = 25;
    f.recording = pick(4) == 0;
    f.recording_disclosure = true;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace outdial::bench
