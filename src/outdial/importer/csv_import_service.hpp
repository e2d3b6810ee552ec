#pragma once
#include "outdial/core/clock.hpp"
#include "outdial/dnc/national_registry.hpp"
#include "outdial/importer/import_service.hpp"
#include "outdial/phone/phone_normalizer.hpp"
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
// Threading: one import_csv call at a time per instance; the collaborators must outlive it.
class CsvImportService final : public ImportService {
 public:
  // registry may be null (no national DNC copy loaded: nothing is flagged).
  // clock, when given, stamps Contact::created_at; otherwise the store decides.
  CsvImportService(storage::ContactStore& store, const phone::PhoneNormalizer& normalizer,
                   const dnc::NationalRegistry* registry, const Clock* clock = nullptr);

  Result<ImportReport> import_csv(std::istream& in, const ImportOptions& opts) override;

 private:
  storage::ContactStore& store_;
  const phone::PhoneNormalizer& normalizer_;
  const dnc::NationalRegistry* registry_;
  const Clock* clock_;
};

// The dedupe key of an E.164 string: its digits as an integer ("+12125550123" -> 12125550123),
// 0 when the text is not "+" followed by 2..15 digits.
std::uint64_t e164_key(std::string_view e164);

}  // namespace outdial::importer
