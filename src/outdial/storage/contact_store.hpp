#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outdial/core/contact.hpp"
#include "outdial/core/result.hpp"

namespace outdial::storage {

struct ContactPage {
  std::vector<Contact> items;
  std::int64_t total = 0;
};

// One import's writes into one list, batch after batch (ContactStore::begin_load).
// insert_batch means what ContactStore::insert_batch means (each batch is committed when it
// returns; true per inserted row, false for a number already in the list or earlier in the
// load); every contact must name the load's tenant and list. finish() completes whatever the
// store deferred; a load destroyed without it (a failed import, a crash) leaves the list
// consistent: the store completes the deferred work at the next write into the list.
class ContactLoad {
 public:
  virtual ~ContactLoad() = default;
  virtual Result<std::vector<bool>> insert_batch(const std::vector<Contact>& contacts) = 0;
  virtual Status finish() = 0;
};

// Contacts and lists. (list_id, phone_e164) is unique.
class ContactStore {
 public:
  virtual ~ContactStore() = default;
  virtual Result<ContactList> create_list(const ContactList& l) = 0;
  virtual Result<std::optional<ContactList>> find_list_by_name(TenantId tenant, const std::string& name) = 0;
  virtual Result<ContactList> get_list(TenantId tenant, ListId id) = 0;
  virtual Result<std::vector<ContactList>> list_lists(TenantId tenant) = 0;

  // Inserts a batch in one transaction. For each input, in order: true if inserted, false if a
  // contact with the same (list_id, phone_e164) already existed (left unchanged, so re-importing
  // a file changes nothing). All-or-nothing on database failure.
  virtual Result<std::vector<bool>> insert_batch(const std::vector<Contact>& contacts) = 0;
  // Starts a load of many batches into (tenant, list). A store may write a load faster than the
  // same batches through insert_batch (the SQLite store writes the number index of a list that
  // was empty at the load's first batch once, at finish()); by default the load is just
  // insert_batch.
  virtual Result<std::unique_ptr<ContactLoad>> begin_load(TenantId tenant, ListId list);
  virtual Result<Contact> get_contact(TenantId tenant, ContactId id) = 0;
  virtual Result<ContactPage> list_contacts(TenantId tenant, ListId list, std::int64_t offset,
                                            std::int64_t limit) = 0;
  virtual Result<std::int64_t> count_contacts(TenantId tenant, ListId list) = 0;
  // Every phone number already in the list (for duplicate detection during import).
  virtual Result<std::vector<std::string>> phones_in_list(TenantId tenant, ListId list) = 0;
};

namespace detail {
// ContactStore::begin_load's default: every batch through the store's insert_batch.
class BatchByBatchLoad final : public ContactLoad {
 public:
  explicit BatchByBatchLoad(ContactStore& store) : store_(store) {}
  Result<std::vector<bool>> insert_batch(const std::vector<Contact>& contacts) override {
    return store_.insert_batch(contacts);
  }
  Status finish() override { return ok_status(); }

 private:
  ContactStore& store_;
};
}  // namespace detail

inline Result<std::unique_ptr<ContactLoad>> ContactStore::begin_load(TenantId, ListId) {
  return std::unique_ptr<ContactLoad>(std::make_unique<detail::BatchByBatchLoad>(*this));
}

}  // namespace outdial::storage
