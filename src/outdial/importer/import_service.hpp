#pragma once
#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "outdial/core/ids.hpp"
#include "outdial/core/result.hpp"

namespace outdial::importer {

// One rejected or changed row: nothing is dropped silently (issue #2 §3).
struct RowIssue {
  std::int64_t row = 0;      // 1-based data row number (header is row 0)
  std::int64_t line = 0;     // physical line in the file where the row starts (1-based)
  std::string field;         // mapped field name ("phone", "timezone", ...) or "" for the row
  std::string raw;           // the raw value as in the file
  std::string code;          // "unparseable", "invalid", "n11", "unassigned_area_code",
                             // "fictional_555", "non_us", "duplicate_in_file",
                             // "duplicate_in_list", "malformed_row", "normalized",
                             // "invalid_timezone", "invalid_state" (the last three not rejects);
                             // consent columns (never rejects; the contact is still imported):
                             // "unknown_consent_value", "consent_date_missing",
                             // "invalid_consent_date", "unknown_consent_channel",
                             // "unknown_consent_ai_value", "conflicting_consent_ai"
  std::string message;       // human text
  std::string normalized;    // the E.164 value for changed rows
  bool rejected = true;      // false = accepted with a change (e.g. "normalized")
};

struct ImportReport {
  std::int64_t rows = 0;
  std::int64_t inserted = 0;
  std::int64_t duplicates = 0;   // duplicate in file or already in the list
  std::int64_t rejected = 0;     // all rejects, duplicates included
  std::int64_t national_dnc_flagged = 0;
  std::int64_t accepted = 0;     // rows that passed every check (== inserted unless validate_only
                                 // or a concurrent import inserted the same number first)
  std::int64_t normalized = 0;   // accepted rows whose phone text differed from the E.164
  std::int64_t malformed = 0;    // rows with the wrong number of fields or an unterminated quote
  std::int64_t consents_created = 0;  // ConsentRecords written from the consent columns
  std::map<std::string, std::int64_t> issue_counts;  // exact count per RowIssue::code
  std::vector<std::string> headers;
  std::vector<std::string> custom_fields;  // unmapped headers kept as custom fields
  std::vector<std::string> consent_columns;  // consent headers found (kept as custom fields too)
  std::vector<RowIssue> issues;            // capped at ImportOptions::max_issues (counts stay exact)
  bool issues_truncated = false;
  ListId list_id = 0;
};

struct ImportOptions {
  TenantId tenant_id = 0;
  std::string list_name;         // created when missing
  bool validate_only = false;    // parse and check, write nothing
  std::string default_region = "US";
  bool us_only = true;
  std::size_t max_issues = 10000;
  std::size_t batch_size = 5000;
  // Write batch k on a worker thread while batch k+1 is parsed and normalized. The store still
  // sees one call at a time (it must tolerate being called from another thread: the SQLite
  // driver and the in-memory fakes do).
  bool overlap_writes = true;
};

// Streams a CSV through parse -> map headers -> normalize -> dedupe -> DNC flag -> persist in
// batches, in bounded memory. Error (not a report) only when the file cannot be imported at all:
// no phone column (details name the headers seen), empty file, database failure.
class ImportService {
 public:
  virtual ~ImportService() = default;
  virtual Result<ImportReport> import_csv(std::istream& in, const ImportOptions& opts) = 0;
};

}  // namespace outdial::importer
