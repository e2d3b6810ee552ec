#include "outdial/dialer/facts_builder.hpp"

#include <algorithm>

#include "outdial/dialer/retry_policy.hpp"

namespace outdial::dialer {
namespace {

// "+1NXXNXXXXXX" -> the 10 national digits as an integer; 0 when not a NANP number.
std::uint64_t nanp_digits(const std::string& e164) {
  if (e164.size() != 12 || e164[0] != '+' || e164[1] != '1') return 0;
  std::uint64_t n = 0;
  for (std::size_t i = 2; i < e164.size(); ++i) {
    if (e164[i] < '0' || e164[i] > '9') return 0;
    n = n * 10 + static_cast<std::uint64_t>(e164[i] - '0');
  }
  return n;
}

// Subject of ad-hoc attempts (campaign_id 0).
constexpr const char* kAdHocSubject = "(ad-hoc call)";

TimePoint day_start(TimePoint t) {
  return std::chrono::time_point_cast<Millis>(std::chrono::floor<std::chrono::days>(t));
}

}  // namespace

FactsBuilder::FactsBuilder(storage::ComplianceStore& compliance, storage::CallStore& calls,
                           storage::CampaignStore& campaigns, const dnc::NationalRegistry* registry,
                           CallerIdDirectory caller_ids, int ring_timeout_seconds)
    : compliance_(compliance),
      calls_(calls),
      campaigns_(&campaigns),
      registry_(registry),
      caller_ids_(std::move(caller_ids)),
      ring_timeout_seconds_(ring_timeout_seconds) {}

FactsBuilder::FactsBuilder(storage::ComplianceStore& compliance, storage::CallStore& calls,
                           const dnc::NationalRegistry* registry, CallerIdDirectory caller_ids,
                           int ring_timeout_seconds)
    : compliance_(compliance),
      calls_(calls),
      campaigns_(nullptr),
      registry_(registry),
      caller_ids_(std::move(caller_ids)),
      ring_timeout_seconds_(ring_timeout_seconds) {}

Result<compliance::AttemptFacts> FactsBuilder::build(const Campaign& c, const Contact& contact, TimePoint at,
                                                     const std::vector<CallAttempt>* campaign_history,
                                                     const std::string* fixed_from, AttemptId resending) {
  compliance::AttemptFacts f;
  f.phone_e164 = contact.phone_e164;
  f.stated_timezone = contact.timezone;
  f.stated_state = contact.state;
  f.at = at;
  f.channel = Channel::kVoice;
  f.purpose = c.purpose;
  f.voice = c.voice;
  f.line_type = contact.line_type;
  f.autodialed = true;

  auto consents = compliance_.consents_for(c.tenant_id, contact.phone_e164);
  if (!consents) return consents.error();
  f.consents = std::move(consents).value();

  auto dnc = compliance_.find_dnc(c.tenant_id, contact.phone_e164);
  if (!dnc) return dnc.error();
  f.on_internal_dnc = dnc->has_value();
  if (dnc->has_value()) {
    f.opt_outs.push_back({(*dnc)->created_at, Channel::kVoice, (*dnc)->reason});
  }

  auto rejected = compliance_.find_rejected(c.tenant_id, contact.phone_e164, f.channel);
  if (!rejected) return rejected.error();
  if (rejected->has_value()) {
    f.carrier_rejected = true;
    f.carrier_rejected_reason = (*rejected)->reason;
  }

  f.on_national_dnc = contact.national_dnc;
  if (registry_ != nullptr) {
    const auto digits = nanp_digits(contact.phone_e164);
    if (digits != 0 && registry_->contains(digits)) f.on_national_dnc = true;
    f.national_dnc_loaded_at = registry_->loaded_at();
  }

  // Prior calls: the tenant's attempts to this number from every campaign (FL/OK/MD count calls
  // "from any number"; the campaign spacing sees them too). Subject = the attempt's campaign name.
  auto to_number = calls_.attempts_to_number(c.tenant_id, contact.phone_e164, at - kPriorAttemptsWindow);
  if (!to_number) return to_number.error();
  std::map<CampaignId, std::string> subjects{{c.id, c.name}};  // per build
  for (const auto& a : *to_number) {
    // A call that never reached the carrier does not count. One that is still queued or dialing
    // does (at its creation time): another campaign may have just claimed the same number in this
    // very tick, and its dial must count against the FL/OK/MD caps and the spacing.
    const bool live = !is_terminal(a.state);
    if (!a.dialed_at && !live && a.provider_call_id.empty()) continue;
    if (resending != 0 && a.id == resending) continue;  // gated again: not its own prior call
    const TimePoint when = a.dialed_at.value_or(a.created_at);
    auto subject = subjects.find(a.campaign_id);
    if (subject == subjects.end()) {
      std::string name = c.name;  // no CampaignStore: assume the same subject (see the header)
      if (a.campaign_id == 0) {
        name = kAdHocSubject;  // dropped-call recovery, relay: not on any campaign's subject
      } else if (campaigns_ != nullptr) {
        auto other = campaigns_->get_campaign(c.tenant_id, a.campaign_id);
        if (!other) return other.error();
        name = other->name;
      }
      subject = subjects.emplace(a.campaign_id, std::move(name)).first;
    }
    f.prior_attempts.push_back({when, Channel::kVoice, subject->second});
  }
  std::sort(f.prior_attempts.begin(), f.prior_attempts.end(),
            [](const auto& x, const auto& y) { return x.at < y.at; });
  f.subject = c.name;

  // FREQ-CAMPAIGN (max_attempts) counts this campaign's attempts to this contact, all time: the
  // attempts made (counts_as_attempt), not one canceled before anything was sent.
  std::vector<CallAttempt> read;
  if (campaign_history == nullptr) {
    auto prior = calls_.attempts_for_contact(c.id, contact.id);
    if (!prior) return prior.error();
    read = std::move(prior).value();
    campaign_history = &read;
  }
  const auto attempts_made =
      std::count_if(campaign_history->begin(), campaign_history->end(), [resending](const CallAttempt& a) {
        return counts_as_attempt(a) && (resending == 0 || a.id != resending);
      });

  f.campaign.present = true;
  f.campaign.status = c.status;
  // CampaignService only lets staff activate, so activated_by implies a staff activation.
  f.campaign.activated_by_staff = c.activated_by.has_value();
  f.campaign.schedule_start = c.schedule_start;
  f.campaign.schedule_end = c.schedule_end;
  f.campaign.expires_at = c.expires_at;
  f.campaign.max_attempts = c.max_attempts;
  f.campaign.attempts_made = static_cast<int>(attempts_made);  // FREQ-CAMPAIGN: attempts already made
  f.campaign.min_spacing_minutes = c.min_spacing_minutes;
  f.campaign.daily_limit = c.daily_limit;
  if (c.daily_limit > 0) {
    const TimePoint from = day_start(at);
    auto today = calls_.count_created_between(c.id, from, from + std::chrono::days(1));
    if (!today) return today.error();
    int own = 0;  // the attempt gated again was counted at its creation
    for (const auto& a : *campaign_history) {
      if (resending != 0 && a.id == resending && a.created_at >= from && a.created_at < from + std::chrono::days(1)) own = 1;
    }
    f.campaign.attempts_today = static_cast<int>(*today) - own;
  }

  if (caller_id_source_ != nullptr) {
    auto pick = fixed_from != nullptr ? caller_id_source_->recheck(c, *fixed_from, at)
                                      : caller_id_source_->choose(c, contact, at);
    if (!pick) return pick.error();
    f.caller_id = std::move(pick->number);
    f.caller_id_owned = pick->owned;
    f.caller_id_problem = std::move(pick->problem);
  } else {
    f.caller_id = fixed_from != nullptr ? *fixed_from : c.caller_id;
    f.caller_id_owned = caller_ids_.owns(c.tenant_id, f.caller_id);
  }
  f.recording = c.record_calls;
  f.recording_disclosure = c.recording_disclosure;
  f.ring_timeout_seconds = ring_timeout_seconds_;
  return f;
}

}  // namespace outdial::dialer
