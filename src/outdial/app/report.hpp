#pragma once
#include <string>

#include "outdial/dialer/campaign_service.hpp"
#include "outdial/importer/import_service.hpp"

namespace outdial::app {

// One line of live progress: "[2026-11-22 14:00Z] done 120/240 | in flight 5 | ...".
std::string progress_line(const std::string& when, const dialer::Progress& p);
// The final campaign report as a small text table.
std::string report_text(const std::string& campaign_name, const dialer::Progress& p);
// Import summary plus up to `max_issues` issue lines (row, field, raw value, reason).
std::string import_text(const importer::ImportReport& r, std::size_t max_issues);

}  // namespace outdial::app
