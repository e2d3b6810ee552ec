#pragma once
#include "outdial/core/clock.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/importer/import_service.hpp"
#include "outdial/phone/phone_normalizer.hpp"
#include "outdial/storage/compliance_store.hpp"
#include "outdial/storage/contact_store.hpp"

namespace outdial::importer {

// The CSV import pipeline: CsvReader -> header mapping -> PhoneNormalizer -> dedupe (in file and
// against the list) -> national DNC flag -> ContactStore::insert_batch every batch_size rows.
//
// Memory is bounded by one batch plus a set of 8-byte numbers (the list's existing numbers and
// the numbers accepted so far); rows are never kept. Rows are numbered from 1 after the header.
// A database failure stops the import with the store's error; batches already written stay
// written (re-running the import then only adds the rest: every number already in the list is a
// duplicate_in_list).
//
// Consent columns (ColumnMapping::consent_*) become ConsentRecords when a ComplianceStore is
// given: one record per *inserted* contact whose consent value names a consent (see
// csv_import_service.cpp for the value table). The record is written only after the store
// reported the contact as newly inserted, so re-importing a file (every number already in the
// list) or a number repeated in the file creates no second record. validate_only reports the
// consent issues but writes nothing. Without a ComplianceStore consent columns are only kept as
// custom fields (and not checked).
//
// Threading: one import_csv call at a time per instance; the collaborators must outlive it.
class CsvImportService final : public ImportService {
 public:
  // registry may be null (no national DNC copy loaded: nothing is flagged).
  // clock, when given, stamps Contact::created_at and consents without a date; otherwise the
  // store decides created_at and the system clock dates consents.
  // consents may be null (consent columns create no records).
  CsvImportService(storage::ContactStore& store, const phone::PhoneNormalizer& normalizer,
                   const dnc::NationalRegistry* registry, const Clock* clock = nullptr,
                   storage::ComplianceStore* consents = nullptr);

  Result<ImportReport> import_csv(std::istream& in, const ImportOptions& opts) override;

 private:
  storage::ContactStore& store_;
  const phone::PhoneNormalizer& normalizer_;
  const dnc::NationalRegistry* registry_;
  const Clock* clock_;
  storage::ComplianceStore* consents_;
};

// The dedupe key of an E.164 string: its digits as an integer ("+12125550123" -> 12125550123),
// 0 when the text is not "+" followed by 2..15 digits.
std::uint64_t e164_key(std::string_view e164);

}  // namespace outdial::importer
