#pragma once
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
  Result<Contact> get_contact(TenantId tenant, ContactId id) override;
  Result<ContactPage> list_contacts(TenantId tenant, ListId list, std::int64_t offset,
                                    std::int64_t limit) override;
  Result<std::int64_t> count_contacts(TenantId tenant, ListId list) override;
  Result<std::vector<std::string>> phones_in_list(TenantId tenant, ListId list) override;

 private:
  Connection& conn_;
};

}  // namespace outdial::storage::sqlite
