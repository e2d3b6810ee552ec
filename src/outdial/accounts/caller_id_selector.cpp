#include "outdial/accounts/caller_id_selector.hpp"

#include <date/date.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string_view>

#include "outdial/geo/npa.hpp"

namespace outdial::accounts {
namespace {

bool usable(TenantId tenant, const PhoneNumber& n, CampaignId campaign) {
  return n.tenant_id == tenant && n.status == NumberStatus::kActive &&
         (n.dedicated_campaign_id == 0 || n.dedicated_campaign_id == campaign);
}

// FNV-1a: stable across runs and platforms (std::hash is not).
std::uint64_t stable_hash(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

const PhoneNumber& pick(const std::vector<const PhoneNumber*>& candidates, const std::string& contact) {
  return *candidates[stable_hash(contact) % candidates.size()];
}

Error not_owned(const std::string& number, const char* role) {
  return make_error(ErrorCode::kPermissionDenied,
                    std::string("tenant does not own ") + role + " caller ID " + number +
                        " (not one of its active numbers)",
                    {{"number", number}});
}

}  // namespace

bool CallerIdSelector::owns(TenantId tenant, const std::vector<PhoneNumber>& numbers, const std::string& e164) {
  return std::any_of(numbers.begin(), numbers.end(), [&](const PhoneNumber& n) {
    return n.tenant_id == tenant && n.e164 == e164 && n.status == NumberStatus::kActive;
  });
}

Result<CallerIdChoice> CallerIdSelector::select(TenantId tenant, const std::vector<PhoneNumber>& numbers,
                                                const CallerIdPolicy& policy, const ContactLocation& contact,
                                                const std::map<ProviderAccountId, std::string>& blocked_accounts) {
  const CampaignId campaign = policy.campaign_id;
  const std::map<std::string, std::string> where = {{"campaign_id", std::to_string(campaign)},
                                                    {"strategy", to_string(policy.strategy)}};
  // Why the number's account cannot place calls (nullptr: it can).
  auto blocked = [&](const PhoneNumber& n) -> const std::string* {
    auto it = blocked_accounts.find(n.account_id);
    return it == blocked_accounts.end() ? nullptr : &it->second;
  };
  auto cannot_place = [&](const PhoneNumber& n, const char* role) {
    return make_error(ErrorCode::kFailedPrecondition,
                      std::string(role) + " caller ID " + n.e164 + " cannot be used: " + *blocked(n),
                      {{"number", n.e164}, {"account_id", std::to_string(n.account_id)}});
  };
  std::string skipped;  // why numbers otherwise usable were left out (their accounts)
  auto find_usable = [&](const std::string& e164) -> const PhoneNumber* {
    for (const auto& n : numbers) {
      if (n.e164 == e164 && usable(tenant, n, campaign) && blocked(n) == nullptr) return &n;
    }
    return nullptr;
  };
  // A number of the tenant the strategy names, usable but for its account.
  auto find_blocked = [&](const std::string& e164) -> const PhoneNumber* {
    for (const auto& n : numbers) {
      if (n.e164 == e164 && usable(tenant, n, campaign) && blocked(n) != nullptr) return &n;
    }
    return nullptr;
  };

  switch (policy.strategy) {
    case CallerIdStrategy::kDedicated: {
      const PhoneNumber* inactive = nullptr;
      for (const auto& n : numbers) {
        if (campaign == 0 || n.tenant_id != tenant || n.dedicated_campaign_id != campaign) continue;
        if (n.status == NumberStatus::kActive) {
          if (blocked(n) != nullptr) return cannot_place(n, "the campaign's dedicated");
          return CallerIdChoice{n, "dedicated"};
        }
        inactive = &n;
      }
      if (inactive != nullptr) {
        return make_error(ErrorCode::kFailedPrecondition,
                          "the campaign's dedicated number " + inactive->e164 + " is " +
                              to_string(inactive->status) + "; dedicate another number",
                          {{"campaign_id", std::to_string(campaign)}, {"number", inactive->e164}});
      }
      return make_error(ErrorCode::kFailedPrecondition,
                        "campaign " + std::to_string(campaign) + " has no dedicated number; assign one first",
                        where);
    }
    case CallerIdStrategy::kStatic: {
      if (policy.static_number.empty()) {
        return make_error(ErrorCode::kInvalidArgument, "the static caller-ID strategy needs static_number",
                          {{"field", "static_number"}});
      }
      const PhoneNumber* n = find_usable(policy.static_number);
      if (n == nullptr) {
        if (const PhoneNumber* b = find_blocked(policy.static_number)) return cannot_place(*b, "static");
        return not_owned(policy.static_number, "static");
      }
      return CallerIdChoice{*n, "static"};
    }
    case CallerIdStrategy::kLocalPresence: {
      std::vector<const PhoneNumber*> by_area;
      std::vector<const PhoneNumber*> by_state;
      for (const auto& n : numbers) {
        if (!usable(tenant, n, campaign)) continue;
        if (const std::string* why = blocked(n)) {
          if (skipped.find(*why) == std::string::npos) skipped += (skipped.empty() ? "" : "; ") + n.e164 + ": " + *why;
          continue;
        }
        if (!contact.area_code.empty() && n.area_code == contact.area_code) by_area.push_back(&n);
        if (!contact.state.empty() && n.state == contact.state) by_state.push_back(&n);
      }
      if (!by_area.empty()) return CallerIdChoice{pick(by_area, contact.e164), "area_code"};
      if (!by_state.empty()) return CallerIdChoice{pick(by_state, contact.e164), "state"};
      if (!policy.default_number.empty()) {
        const PhoneNumber* n = find_usable(policy.default_number);
        if (n == nullptr) {
          if (const PhoneNumber* b = find_blocked(policy.default_number)) return cannot_place(*b, "default");
          return not_owned(policy.default_number, "default");
        }
        return CallerIdChoice{*n, "default"};
      }
      auto details = where;
      details["area_code"] = contact.area_code;
      details["state"] = contact.state;
      return make_error(ErrorCode::kFailedPrecondition,
                        "no active number in area code " + (contact.area_code.empty() ? "?" : contact.area_code) +
                            " or state " + (contact.state.empty() ? "?" : contact.state) +
                            " and no default number" +
                            (skipped.empty() ? std::string() : " (numbers left out: " + skipped + ")"),
                        details);
    }
  }
  return make_error(ErrorCode::kInternal, "unknown caller-ID strategy");
}

std::string dedicated_number_label(TimePoint month, const std::string& client_name) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const date::year_month_day ymd{date::floor<date::days>(month)};
  std::string client;
  bool word_start = true;
  for (unsigned char c : client_name) {
    if (std::isalnum(c) == 0) {
      word_start = true;
      continue;
    }
    client.push_back(static_cast<char>(word_start ? std::toupper(c) : std::tolower(c)));
    word_start = false;
  }
  if (client.empty()) client = "Client";
  return "Reactivation_" + std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]) +
         std::to_string(static_cast<int>(ymd.year())) + "_" + client;
}

Result<PhoneNumber> choose_dedicated_number(TenantId tenant, const std::vector<PhoneNumber>& numbers,
                                            CampaignId campaign, PhoneNumberId preferred) {
  for (const auto& n : numbers) {
    if (n.tenant_id == tenant && n.dedicated_campaign_id == campaign && n.status != NumberStatus::kRetired) {
      if (preferred != 0 && n.id != preferred) {
        return make_error(ErrorCode::kFailedPrecondition,
                          "campaign " + std::to_string(campaign) + " already has dedicated number " + n.e164,
                          {{"number", n.e164}});
      }
      return n;
    }
  }
  if (preferred != 0) {
    for (const auto& n : numbers) {
      if (n.id != preferred || n.tenant_id != tenant) continue;
      if (n.status != NumberStatus::kActive) {
        return make_error(ErrorCode::kFailedPrecondition, "number " + n.e164 + " is " + to_string(n.status),
                          {{"number", n.e164}});
      }
      if (n.dedicated_campaign_id != 0) {
        return make_error(ErrorCode::kFailedPrecondition,
                          "number " + n.e164 + " is dedicated to campaign " +
                              std::to_string(n.dedicated_campaign_id),
                          {{"number", n.e164}});
      }
      return n;
    }
    return make_error(ErrorCode::kNotFound, "number not found", {{"number_id", std::to_string(preferred)}});
  }
  const PhoneNumber* best = nullptr;
  for (const auto& n : numbers) {
    if (n.tenant_id != tenant || n.status != NumberStatus::kActive || n.dedicated_campaign_id != 0) continue;
    if (best == nullptr || n.id < best->id) best = &n;
  }
  if (best == nullptr) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "no free active number to dedicate to campaign " + std::to_string(campaign) +
                          "; add a number first",
                      {{"campaign_id", std::to_string(campaign)}});
  }
  return *best;
}

Result<NumberLocation> locate_us_number(const std::string& e164) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, "'" + e164 + "' " + why, {{"field", "e164"}});
  };
  if (e164.size() != 12 || e164.compare(0, 2, "+1") != 0) return bad("is not a US number (+1 and 10 digits)");
  for (std::size_t i = 2; i < e164.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(e164[i])) == 0) return bad("is not a US number (+1 and 10 digits)");
  }
  const int npa = std::stoi(e164.substr(2, 3));
  auto info = geo::lookup_npa(npa);
  if (!info) return bad("has area code " + e164.substr(2, 3) + ", which is not a US geographic area code");
  return NumberLocation{e164.substr(2, 3), std::string(info->state)};
}

}  // namespace outdial::accounts
