#include "outdial/app/report.hpp"

#include <fmt/format.h>

namespace outdial::app {
namespace {
std::int64_t target_count(const dialer::Progress& p, const char* status) {
  auto it = p.targets.find(status);
  return it == p.targets.end() ? 0 : it->second;
}
}  // namespace

std::string progress_line(const std::string& when, const dialer::Progress& p) {
  const std::int64_t finished =
      target_count(p, "done") + target_count(p, "blocked") + target_count(p, "exhausted");
  return fmt::format(
      "[{}] {:>8} | finished {:>4}/{:<4} | pending {:>4} | in flight {:>2} | attempts {:>4} | connects {:>3} | "
      "voicemail {:>3} | busy {:>3} | no answer {:>3} | failed {:>2} | blocked {:>3}",
      when, p.status, finished, p.contacts, target_count(p, "pending"), p.in_flight, p.attempts, p.connects,
      p.voicemails, p.busy, p.no_answer, p.failed, p.blocked);
}

std::string report_text(const std::string& campaign_name, const dialer::Progress& p) {
  std::string out = fmt::format("\nFinal report: {} (campaign {}, {})\n", campaign_name, p.campaign_id, p.status);
  out += fmt::format("  {:<28}{:>8}\n", "contacts", p.contacts);
  out += fmt::format("  {:<28}{:>8}\n", "attempts", p.attempts);
  out += fmt::format("  {:<28}{:>8}\n", "connects (human answered)", p.connects);
  out += fmt::format("  {:<28}{:>8}\n", "voicemails (machine)", p.voicemails);
  out += fmt::format("  {:<28}{:>8}\n", "busy", p.busy);
  out += fmt::format("  {:<28}{:>8}\n", "no answer", p.no_answer);
  out += fmt::format("  {:<28}{:>8}\n", "failed", p.failed);
  out += fmt::format("  {:<28}{:>8}\n", "dropped mid-call", p.dropped);
  out += fmt::format("  {:<28}{:>8}\n", "contacts blocked by rule", p.blocked);
  for (const auto& [rule, n] : p.blocked_by_rule) out += fmt::format("    {:<26}{:>8}\n", rule, n);
  out += fmt::format("  {:<28}{:>7.1f}%\n", "connect rate", p.connect_rate * 100.0);
  out += "  contacts by final status:";
  for (const auto& [status, n] : p.targets) out += fmt::format(" {}={}", status, n);
  out += "\n";
  return out;
}

std::string import_text(const importer::ImportReport& r, std::size_t max_issues) {
  std::string out = fmt::format(
      "Imported {} rows into list {}: {} inserted, {} rejected ({} duplicates), {} flagged on the national DNC "
      "registry\n",
      r.rows, r.list_id, r.inserted, r.rejected, r.duplicates, r.national_dnc_flagged);
  if (!r.consent_columns.empty()) {
    out += fmt::format("  consent records created: {} (from", r.consents_created);
    for (const auto& f : r.consent_columns) out += " \"" + f + "\"";
    out += ")\n";
  }
  if (!r.custom_fields.empty()) {
    out += "  kept as custom fields:";
    for (const auto& f : r.custom_fields) out += " \"" + f + "\"";
    out += "\n";
  }
  // Every rejected row first (up to max_issues), then the rows accepted with a change.
  std::size_t shown = 0;
  std::size_t changed = 0;
  auto line = [&](const importer::RowIssue& i) {
    out += fmt::format("  row {:>5} {:<9} {:<8} {:<22} {}{}\n", i.row, i.rejected ? "REJECTED" : "changed",
                       i.field.empty() ? "-" : i.field, "\"" + i.raw.substr(0, 20) + "\"", i.code,
                       i.normalized.empty() ? "" : " -> " + i.normalized);
  };
  for (const auto& i : r.issues) {
    if (!i.rejected) {
      ++changed;
    } else if (shown++ < max_issues) {
      line(i);
    }
  }
  std::size_t changed_shown = 0;
  for (const auto& i : r.issues) {
    if (!i.rejected && changed_shown < 3 && shown + changed_shown < max_issues) {
      line(i);
      ++changed_shown;
    }
  }
  if (shown + changed > max_issues || changed > changed_shown) {
    out += fmt::format("  ({} rejected and {} changed rows in all; --json lists every one)\n", shown, changed);
  }
  return out;
}

}  // namespace outdial::app
