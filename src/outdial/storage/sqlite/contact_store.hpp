#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "outdial/storage/contact_store.hpp"

namespace outdial::storage::sqlite {

class Connection;

class SqliteContactStore final : public ContactStore {
 public:
  explicit SqliteContactStore(Connection& conn) : conn_(conn) {}
  Result<ContactList> create_list(const ContactList& l) override;
  Result<std::optional<ContactList>> find_list_by_name(TenantId tenant, const std::string& name) override;
  Result<ContactList> get_list(TenantId tenant, ListId id) override;
  Result<std::vector<ContactList>> list_lists(TenantId tenant) override;
  Result<std::vector<bool>> insert_batch(const std::vector<Contact>& contacts) override;
  // A load into a list that is empty when its first batch is written keeps the list's number
  // keys in memory and writes them once, in key order, at finish() (migration 17 explains why
  // and the invariant that keeps this safe with other writers, crashes and failed imports).
  Result<std::unique_ptr<ContactLoad>> begin_load(TenantId tenant, ListId list) override;
  Result<Contact> get_contact(TenantId tenant, ContactId id) override;
  Result<ContactPage> list_contacts(TenantId tenant, ListId list, std::int64_t offset,
                                    std::int64_t limit) override;
  Result<std::int64_t> count_contacts(TenantId tenant, ListId list) override;
  Result<std::vector<std::string>> phones_in_list(TenantId tenant, ListId list) override;

 private:
  friend class SqliteContactLoad;
  // A number key of contact_numbers (the E.164 digits) and the contact that holds it.
  struct NumberKey {
    std::int64_t phone_key = 0;
    std::int64_t contact_id = 0;
    bool operator<(const NumberKey& other) const { return phone_key < other.phone_key; }  // key order
  };
  // What a load has deferred in (tenant, list): while `deferring`, every contact of the list with
  // id >= pending_from (the column's value) is this load's, last_id is the list's largest id and
  // keys holds those contacts' numbers in key order, none of them in contact_numbers yet.
  struct LoadState {
    TenantId tenant = 0;
    ListId list = 0;
    bool deferring = true;
    std::optional<std::int64_t> pending_from;
    std::int64_t last_id = 0;
    std::vector<NumberKey> keys;
  };
  Result<std::vector<bool>> insert_rows(const std::vector<Contact>& contacts, LoadState* load);
  Status finish_load(LoadState& load);
  // Writes the keys of `list`'s pending contacts (read back from contacts) and clears
  // numbers_pending_from; nothing if it is NULL. Inside the caller's transaction, lock held.
  Status complete_pending(ListId list);
  // Inside the batch's transaction: is the list still exactly as `load` left it (its pending
  // contacts are the load's and nobody added to the list since)?
  Result<bool> load_still_owns(const LoadState& load);
  // Inserts the list's pending (list, key, contact) rows, keys sorted, and clears
  // numbers_pending_from; fails (kInternal) if a number is taken.
  Status write_pending_numbers(ListId list, const std::vector<NumberKey>& keys);

  Connection& conn_;
};

}  // namespace outdial::storage::sqlite
