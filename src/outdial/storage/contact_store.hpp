#pragma once
#include <cstdint>
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
  virtual Result<Contact> get_contact(TenantId tenant, ContactId id) = 0;
  virtual Result<ContactPage> list_contacts(TenantId tenant, ListId list, std::int64_t offset,
                                            std::int64_t limit) = 0;
  virtual Result<std::int64_t> count_contacts(TenantId tenant, ListId list) = 0;
  // Every phone number already in the list (for duplicate detection during import).
  virtual Result<std::vector<std::string>> phones_in_list(TenantId tenant, ListId list) = 0;
};

}  // namespace outdial::storage
