#include "outdial/importer/csv_import_service.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <future>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "outdial/importer/csv_reader.hpp"
#include "outdial/importer/header_mapping.hpp"
#include "outdial/importer/u64_set.hpp"

namespace outdial::importer {
namespace {

constexpr std::size_t kMaxRawInIssue = 200;

// Collects issues: exact counts per code, the list itself capped at max_issues.
class IssueSink {
 public:
  IssueSink(ImportReport& report, std::size_t max_issues) : report_(report), max_(max_issues) {}

  // `code` must be a string with static storage (a literal or phone::to_code()).
  void add(std::int64_t row, std::int64_t line, std::string_view field, std::string_view raw,
           const char* code, std::string_view message, std::string_view normalized = {},
           bool rejected = true) {
    count(code);
    if (report_.issues.size() >= max_) {
      report_.issues_truncated = true;
      return;
    }
    RowIssue issue;
    issue.row = row;
    issue.line = line;
    issue.field = std::string(field);
    issue.raw = std::string(raw.substr(0, kMaxRawInIssue));
    issue.code = code;
    issue.message = std::string(message);
    issue.normalized = std::string(normalized);
    issue.rejected = rejected;
    report_.issues.push_back(std::move(issue));
  }

  // Moves the per-code counts into the report (call once at the end).
  void finish() {
    for (const auto& [code, n] : counts_) report_.issue_counts[code] += n;
    counts_.clear();
  }

 private:
  // A handful of distinct codes, counted per row: a pointer-keyed flat list beats a string map.
  void count(const char* code) {
    for (auto& [c, n] : counts_) {
      if (c == code) {
        ++n;
        return;
      }
    }
    counts_.emplace_back(code, 1);
  }

  ImportReport& report_;
  std::size_t max_;
  std::vector<std::pair<const char*, std::int64_t>> counts_;
};

std::string join_fields(const std::vector<std::string_view>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size() && out.size() < kMaxRawInIssue; ++i) {
    if (i > 0) out.push_back(',');
    out.append(fields[i]);
  }
  return out;
}

void split_tags(std::string_view text, std::vector<std::string>& out) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ';' || text[i] == '|') {
      std::string_view tag = trim(text.substr(start, i - start));
      if (!tag.empty()) out.emplace_back(tag);
      start = i + 1;
    }
  }
}

void split_name(std::string_view full, std::string& first, std::string& last) {
  full = trim(full);
  std::size_t sp = full.find_last_of(' ');
  if (sp == std::string_view::npos) {
    first.assign(full);
    return;
  }
  first.assign(trim(full.substr(0, sp)));
  last.assign(trim(full.substr(sp + 1)));
}

// The consent read from a row, written once the row's contact is known to be inserted.
struct PendingConsent {
  bool present = false;
  ConsentType type = ConsentType::kPriorExpress;
  EbrKind ebr_kind = EbrKind::kNone;
  bool covers_artificial_voice = false;
  std::optional<Channel> channel;
  TimePoint granted_at{};
};

struct Pending {
  std::int64_t row = 0;
  std::int64_t line = 0;
  // The 10 national digits to look up in the national DNC registry (0: not a NANP number or no
  // registry). Looked up for the whole batch at once, before the batch is written.
  std::uint64_t dnc_number = 0;
  PendingConsent consent;
};

// Lower-cases ASCII and spells ' ' and '-' as '_' ("Express Written" -> "express_written").
std::string consent_word(std::string_view text) {
  std::string out(trim(text));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '-') c = '_';
  }
  return out;
}

bool one_of(std::string_view w, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

enum class ConsentValue { kNone, kWritten, kWrittenAi, kExpress, kEbrPurchase, kEbrInquiry, kUnknown };

// The consent column's value table (case-insensitive; spaces, '-' and '_' alike).
ConsentValue classify_consent_value(std::string_view raw) {
  const std::string w = consent_word(raw);
  if (one_of(w, {"prior_express_written", "pewc", "written", "express_written"})) {
    return ConsentValue::kWritten;
  }
  if (one_of(w, {"prior_express_written_ai", "pewc_ai"})) return ConsentValue::kWrittenAi;
  if (one_of(w, {"prior_express", "express", "yes", "y", "true", "1", "opt_in", "opted_in"})) {
    return ConsentValue::kExpress;
  }
  if (one_of(w, {"ebr", "ebr_purchase", "purchase", "customer"})) return ConsentValue::kEbrPurchase;
  if (one_of(w, {"ebr_inquiry", "inquiry"})) return ConsentValue::kEbrInquiry;
  if (one_of(w, {"none", "no", "n", "false", "0", ""})) return ConsentValue::kNone;
  return ConsentValue::kUnknown;
}

// yes/no columns: nullopt when the value is neither.
std::optional<bool> parse_yes_no(std::string_view raw) {
  const std::string w = consent_word(raw);
  if (one_of(w, {"yes", "y", "true", "1"})) return true;
  if (one_of(w, {"no", "n", "false", "0", ""})) return false;
  return std::nullopt;
}

bool parse_digits(std::string_view s, int& out) {
  if (s.empty()) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// "YYYY-MM-DD" (midnight UTC) or an ISO datetime "YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|+HH:MM]"
// (no offset = UTC). False for anything else, including impossible dates (2026-02-30).
bool parse_consent_date(std::string_view text, TimePoint& out) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  int y = 0;
  int mo = 0;
  int d = 0;
  if (!parse_digits(text.substr(0, 4), y) || !parse_digits(text.substr(5, 2), mo) ||
      !parse_digits(text.substr(8, 2), d)) {
    return false;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  if (text.size() == 10) {
    out = TimePoint(std::chrono::sys_days(ymd));
    return true;
  }
  if (text[10] != 'T' && text[10] != ' ') return false;
  std::string iso(text);
  iso[10] = 'T';
  return parse_iso8601(iso, out);
}

// Reads the consent columns of an accepted row into `out` (out.present = false when the row
// grants nothing or a value is unusable). Problems are reported, never rejects: the contact is
// imported either way, only without a consent record.
void read_consent(const ColumnMapping& m, const std::vector<std::string_view>& fields, std::int64_t row,
                  std::int64_t line, TimePoint import_time, IssueSink& issues, PendingConsent& out) {
  out = PendingConsent{};
  auto col = [&fields](int i) {
    return i < 0 ? std::string_view{} : trim(fields[static_cast<std::size_t>(i)]);
  };
  const std::string_view value = col(m.consent_value);
  const ConsentValue kind = classify_consent_value(value);
  switch (kind) {
    case ConsentValue::kNone: return;
    case ConsentValue::kUnknown:
      issues.add(row, line, "consent", value, "unknown_consent_value",
                 "consent value not recognized (expected prior_express_written, prior_express, ebr, "
                 "ebr_inquiry or none); no consent recorded",
                 {}, false);
      return;
    case ConsentValue::kWritten:
    case ConsentValue::kWrittenAi: out.type = ConsentType::kPriorExpressWritten; break;
    case ConsentValue::kExpress: out.type = ConsentType::kPriorExpress; break;
    case ConsentValue::kEbrPurchase:
      out.type = ConsentType::kEstablishedBusinessRelationship;
      out.ebr_kind = EbrKind::kPurchase;
      break;
    case ConsentValue::kEbrInquiry:
      out.type = ConsentType::kEstablishedBusinessRelationship;
      out.ebr_kind = EbrKind::kInquiry;
      break;
  }

  // Channel: absent or empty = every channel. An unknown channel records nothing rather than
  // widening the consent to every channel.
  if (std::string_view ch = col(m.consent_channel); !ch.empty()) {
    const std::string w = consent_word(ch);
    if (one_of(w, {"all", "any", "both"})) {
      out.channel = std::nullopt;
    } else if (auto parsed = parse_channel(w)) {
      out.channel = parsed;
    } else {
      issues.add(row, line, "consent_channel", ch, "unknown_consent_channel",
                 "consent channel not recognized (expected voice or sms); no consent recorded", {},
                 false);
      return;
    }
  }

  // Artificial voice: only written consent can cover it, and only when the file says so.
  if (out.type == ConsentType::kPriorExpressWritten) {
    const bool value_says_ai = kind == ConsentValue::kWrittenAi;
    std::optional<bool> column_says_ai = false;
    std::string_view ai_raw = col(m.consent_ai);
    if (m.consent_ai >= 0) {
      column_says_ai = parse_yes_no(ai_raw);
      if (!column_says_ai) {
        issues.add(row, line, "consent_ai", ai_raw, "unknown_consent_ai_value",
                   "AI consent value not recognized (expected yes or no); treated as no", {}, false);
        column_says_ai = false;
      }
    }
    if (value_says_ai && m.consent_ai >= 0 && !ai_raw.empty() && !*column_says_ai) {
      // "pewc_ai" but the AI column says no: the narrower reading wins.
      issues.add(row, line, "consent_ai", ai_raw, "conflicting_consent_ai",
                 "consent value names AI voice but the AI consent column says no; treated as no", {},
                 false);
      out.covers_artificial_voice = false;
    } else {
      out.covers_artificial_voice = value_says_ai || *column_says_ai;
    }
  }

  const std::string_view date = col(m.consent_date);
  if (date.empty()) {
    if (out.type == ConsentType::kEstablishedBusinessRelationship) {
      // The EBR window runs from the purchase/inquiry date; dating it at import would extend it
      // past what the file proves.
      issues.add(row, line, "consent_date", date, "consent_date_missing",
                 "no consent date: an EBR needs its purchase or inquiry date; no consent recorded", {},
                 false);
      return;
    }
    issues.add(row, line, "consent_date", date, "consent_date_missing",
               "no consent date; the import time is recorded as the grant time", {}, false);
    out.granted_at = import_time;
  } else if (!parse_consent_date(date, out.granted_at)) {
    issues.add(row, line, "consent_date", date, "invalid_consent_date",
               "consent date is not an ISO date (YYYY-MM-DD) or datetime; no consent recorded", {},
               false);
    return;
  }
  out.present = true;
}

}  // namespace

std::uint64_t e164_key(std::string_view e164) {
  if (e164.size() < 3 || e164.size() > 16 || e164.front() != '+') return 0;
  std::uint64_t v = 0;
  for (std::size_t i = 1; i < e164.size(); ++i) {
    char c = e164[i];
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

CsvImportService::CsvImportService(storage::ContactStore& store,
                                   const phone::PhoneNormalizer& normalizer,
                                   const dnc::NationalRegistry* registry, const Clock* clock,
                                   storage::ComplianceStore* consents)
    : store_(store), normalizer_(normalizer), registry_(registry), clock_(clock), consents_(consents) {}

Result<ImportReport> CsvImportService::import_csv(std::istream& in, const ImportOptions& opts) {
  ImportReport report;
  IssueSink issues(report, opts.max_issues);
  CsvReader reader(in);
  std::vector<std::string_view> fields;

  if (!reader.next(fields)) {
    if (reader.failed()) return make_error(ErrorCode::kInvalidArgument, "could not read the file");
    return make_error(ErrorCode::kInvalidArgument, "empty file: no header row");
  }
  for (auto f : fields) report.headers.emplace_back(trim(f));
  auto mapped = map_headers(report.headers);
  if (!mapped.ok()) return mapped.error();
  const ColumnMapping& m = mapped.value();
  for (int c : m.custom) report.custom_fields.push_back(report.headers[static_cast<std::size_t>(c)]);
  for (int c : m.consent) report.consent_columns.push_back(report.headers[static_cast<std::size_t>(c)]);
  if (opts.list_name.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "list name is required", {{"field", "list_name"}});
  }

  // The target list: created on the first real import, only looked up when validating.
  auto found = store_.find_list_by_name(opts.tenant_id, opts.list_name);
  if (!found.ok()) return found.error();
  if (found.value()) {
    report.list_id = found.value()->id;
  } else if (!opts.validate_only) {
    ContactList list;
    list.tenant_id = opts.tenant_id;
    list.name = opts.list_name;
    if (clock_ != nullptr) list.created_at = clock_->now();
    auto created = store_.create_list(list);
    if (!created.ok()) return created.error();
    report.list_id = created->id;
  }

  // The batches go through one load, which a store may write faster than batch by batch (each
  // batch still refuses numbers already in the list, whatever was written since the list's
  // numbers were read below). finish() once every batch is in.
  std::unique_ptr<storage::ContactLoad> load;
  if (!opts.validate_only) {
    auto begun = store_.begin_load(opts.tenant_id, report.list_id);
    if (!begun.ok()) return begun.error();
    load = std::move(begun).value();
  }

  U64Set in_list;
  if (report.list_id != 0) {
    auto phones = store_.phones_in_list(opts.tenant_id, report.list_id);
    if (!phones.ok()) return phones.error();
    in_list = U64Set(phones->size());
    for (const auto& p : phones.value()) {
      if (std::uint64_t k = e164_key(p); k != 0) in_list.insert(k);
    }
  }
  U64Set in_file;

  const bool read_consents = consents_ != nullptr && m.consent_value >= 0;
  const std::string consent_source = "csv:" + opts.list_name;
  const TimePoint consent_time = clock_ != nullptr ? clock_->now() : SystemClock().now();

  const std::size_t batch_size = std::max<std::size_t>(1, opts.batch_size);
  // Rows in the batch being filled. With overlapped writes the writer (the slower stage: ~1.7x
  // the parser's time per row with SQLite) idles until the first batch is parsed, so large
  // batches start at 1/16 of batch_size and grow by half each time: the writer starts after a
  // sixteenth of a batch of parsing, and each next batch (1.5x rows) is parsed while the writer
  // stores the previous one. Small batch sizes (tests, tiny files) are used as they are.
  constexpr std::size_t kRampFrom = 1024;
  const bool ramp = opts.overlap_writes && !opts.validate_only && batch_size >= kRampFrom;
  std::size_t batch_limit = ramp ? batch_size / 16 : batch_size;
  // Contacts are recycled between batches: once warm, filling a row reuses the strings' and the
  // custom-field map's storage instead of allocating (the same headers come back every row).
  // Two buffers: with overlap_writes, batch k is written on a worker thread while batch k+1 is
  // parsed; the store still sees one call at a time.
  std::array<std::vector<Contact>, 2> buffers;
  std::array<std::vector<Pending>, 2> pendings;
  std::size_t cur = 0;
  std::size_t used = 0;
  for (std::size_t b = 0; b < 2; ++b) {
    buffers[b].reserve(std::min<std::size_t>(batch_size, 1 << 16));
    pendings[b].reserve(std::min<std::size_t>(batch_size, 1 << 16));
  }
  std::future<Result<std::vector<bool>>> in_flight;
  std::size_t in_flight_buffer = 0;

  // Accounts for a finished insert_batch of buffers[b].
  auto settle = [&](std::size_t b, Result<std::vector<bool>> inserted) -> Status {
    if (!inserted.ok()) return inserted.error();
    const auto& flags = inserted.value();
    const auto& written = buffers[b];
    for (std::size_t i = 0; i < written.size(); ++i) {
      if (i < flags.size() && flags[i]) {
        ++report.inserted;
        // No duplicate consents: a consent is written only for a contact this import inserted.
        // A number already in the list (re-import) or repeated in the file (duplicate_in_file)
        // never reaches here, and one lost to a concurrent import (the else branch) neither.
        // If writing a consent fails the import stops; its contact stays, so a re-import will
        // not retry that consent (the store error names the cause).
        if (const PendingConsent& pc = pendings[b][i].consent; pc.present && consents_ != nullptr) {
          ConsentRecord rec;
          rec.tenant_id = written[i].tenant_id;
          rec.phone_e164 = written[i].phone_e164;
          rec.type = pc.type;
          rec.ebr_kind = pc.ebr_kind;
          if (pc.ebr_kind != EbrKind::kNone) rec.ebr_start = pc.granted_at;
          rec.channel = pc.channel;
          rec.covers_artificial_voice = pc.covers_artificial_voice;
          rec.source = consent_source;
          rec.evidence = "row " + std::to_string(pendings[b][i].row);
          rec.granted_at = pc.granted_at;
          auto added = consents_->add_consent(rec);
          if (!added.ok()) return added.error();
          ++report.consents_created;
        }
      } else {
        // Another import put the number into the list after we read phones_in_list.
        ++report.duplicates;
        ++report.rejected;
        issues.add(pendings[b][i].row, pendings[b][i].line, "phone", written[i].phone_e164,
                   "duplicate_in_list", "number is already in the list");
      }
    }
    return ok_status();
  };
  auto wait_in_flight = [&]() -> Status {
    if (!in_flight.valid()) return ok_status();
    return settle(in_flight_buffer, in_flight.get());
  };
  // The batch's national DNC lookups in one contains_batch() call, so that a registry larger than
  // the CPU cache overlaps their memory reads.
  std::vector<std::uint64_t> dnc_numbers;
  std::vector<std::size_t> dnc_rows;
  std::unique_ptr<bool[]> dnc_hits;
  std::size_t dnc_hits_size = 0;
  auto flag_national_dnc = [&](std::vector<Contact>& batch, const std::vector<Pending>& pending) {
    if (registry_ == nullptr) return;
    dnc_numbers.clear();
    dnc_rows.clear();
    for (std::size_t i = 0; i < used; ++i) {
      if (pending[i].dnc_number != 0) {
        dnc_numbers.push_back(pending[i].dnc_number);
        dnc_rows.push_back(i);
      }
    }
    if (dnc_hits_size < dnc_numbers.size()) {
      dnc_hits_size = std::max(dnc_numbers.size(), batch_size);
      dnc_hits = std::make_unique<bool[]>(dnc_hits_size);
    }
    registry_->contains_batch(dnc_numbers, std::span<bool>(dnc_hits.get(), dnc_numbers.size()));
    for (std::size_t k = 0; k < dnc_numbers.size(); ++k) {
      if (dnc_hits[k]) {
        batch[dnc_rows[k]].national_dnc = true;
        ++report.national_dnc_flagged;
      }
    }
  };
  auto flush = [&]() -> Status {
    if (used == 0) return ok_status();
    std::vector<Contact>& batch = buffers[cur];
    // The last, partial batch; or a slot filled for a row that then turned out a duplicate.
    if (used < batch.size()) batch.resize(used);
    flag_national_dnc(batch, pendings[cur]);
    if (!opts.validate_only) {
      if (opts.overlap_writes) {
        if (auto s = wait_in_flight(); !s.ok()) return s;
        in_flight = std::async(std::launch::async,
                               [&load, &batch] { return load->insert_batch(batch); });
        in_flight_buffer = cur;
        cur ^= 1;
      } else {
        if (auto s = settle(cur, load->insert_batch(batch)); !s.ok()) return s;
      }
    }
    used = 0;
    pendings[cur].clear();
    return ok_status();
  };

  const std::size_t ncols = report.headers.size();
  const TimePoint now = clock_ != nullptr ? clock_->now() : TimePoint{};
  phone::NormalizedPhone norm;
  while (reader.next(fields)) {
    const std::int64_t row = reader.record_number() - 1;
    const std::int64_t line = reader.line_number();
    ++report.rows;

    if (reader.unterminated_quote()) {
      ++report.malformed;
      ++report.rejected;
      issues.add(row, line, "", join_fields(fields), "malformed_row",
                 "unterminated quoted field: a \" opened on or after line " +
                     std::to_string(line) + " is never closed before the end of the file");
      continue;
    }
    if (fields.size() != ncols) {
      ++report.malformed;
      ++report.rejected;
      issues.add(row, line, "", join_fields(fields), "malformed_row",
                 (fields.size() > ncols ? "too many fields: expected " : "too few fields: expected ") +
                     std::to_string(ncols) + ", found " + std::to_string(fields.size()));
      continue;
    }

    const std::string_view raw_phone = fields[static_cast<std::size_t>(m.phone)];
    const std::string_view phone_text = trim(raw_phone);
    phone::PhoneReject why =
        normalizer_.normalize_into(phone_text, opts.default_region, opts.us_only, norm);
    if (why != phone::PhoneReject::kNone) {
      ++report.rejected;
      issues.add(row, line, "phone", raw_phone, phone::to_code(why), phone::describe(why));
      continue;
    }
    const std::uint64_t key = e164_key(norm.e164);
    // The dedupe set is far larger than the CPU cache: start loading the key's slot now and fill
    // the row's contact meanwhile; the set is probed once the row is filled. The contact goes
    // into the batch's next slot, which only counts (`used`) when the number turns out new; the
    // row's own notes are reported after the duplicate checks, as a duplicate gets only its
    // duplicate note.
    in_file.prefetch(key);
    std::vector<Contact>& batch = buffers[cur];
    Contact& c = used < batch.size() ? batch[used] : batch.emplace_back();
    c.id = 0;
    c.tenant_id = opts.tenant_id;
    c.list_id = report.list_id;
    c.phone_e164.assign(norm.e164);
    c.line_type = norm.line_type;
    c.created_at = now;
    c.national_dnc = false;  // set by flag_national_dnc() when the batch is complete
    c.timezone.clear();
    c.state.clear();
    c.tags.clear();
    auto col = [&fields](int i) {
      return i < 0 ? std::string_view{} : trim(fields[static_cast<std::size_t>(i)]);
    };
    c.first_name.assign(col(m.first_name));
    c.last_name.assign(col(m.last_name));
    if (m.full_name >= 0 && m.first_name < 0 && m.last_name < 0) {
      split_name(col(m.full_name), c.first_name, c.last_name);
    }
    c.email.assign(col(m.email));
    const std::string_view tz = col(m.timezone);
    const bool tz_ok = tz.empty() || is_valid_timezone_name(tz);
    if (!tz.empty() && tz_ok) c.timezone.assign(tz);
    const std::string_view st = col(m.state);
    bool state_ok = st.empty();
    if (!st.empty()) {
      if (auto code = normalize_state_code(st)) {
        c.state.assign(*code);
        state_ok = true;
      }
    }
    if (m.tags >= 0) split_tags(fields[static_cast<std::size_t>(m.tags)], c.tags);
    for (int i : m.custom) {
      const auto idx = static_cast<std::size_t>(i);
      c.custom_fields[report.headers[idx]].assign(fields[idx]);
    }

    if (in_list.contains(key)) {
      ++report.duplicates;
      ++report.rejected;
      issues.add(row, line, "phone", raw_phone, "duplicate_in_list",
                 "number is already in the list", norm.e164);
      continue;
    }
    if (!in_file.insert(key)) {
      ++report.duplicates;
      ++report.rejected;
      issues.add(row, line, "phone", raw_phone, "duplicate_in_file",
                 "number appears earlier in this file", norm.e164);
      continue;
    }

    ++report.accepted;
    ++used;
    if (phone_text != norm.e164) {
      ++report.normalized;
      issues.add(row, line, "phone", raw_phone, "normalized", "phone number rewritten as E.164",
                 norm.e164, false);
    }
    Pending& pending = pendings[cur].emplace_back();
    pending.row = row;
    pending.line = line;
    pending.dnc_number = registry_ != nullptr && norm.country_code == 1 ? norm.national_number : 0;
    if (read_consents) read_consent(m, fields, row, line, consent_time, issues, pending.consent);
    if (!tz_ok) {
      issues.add(row, line, "timezone", tz, "invalid_timezone",
                 "not an IANA time zone name (e.g. America/New_York); ignored", {}, false);
    }
    if (!state_ok) {
      issues.add(row, line, "state", st, "invalid_state", "not a USPS two-letter state code; ignored", {},
                 false);
    }

    if (used >= batch_limit) {
      batch_limit = std::min(batch_size, batch_limit + batch_limit / 2);
      if (auto s = flush(); !s.ok()) {
        (void)wait_in_flight();  // never leave a write running on our buffers
        return s.error();
      }
    }
  }
  Status last = flush();
  Status drained = wait_in_flight();
  if (!last.ok()) return last.error();
  if (!drained.ok()) return drained.error();
  if (load) {
    if (auto s = load->finish(); !s.ok()) return s.error();
  }
  if (reader.failed()) return make_error(ErrorCode::kInvalidArgument, "reading the file failed");
  issues.finish();
  return report;
}

}  // namespace outdial::importer
