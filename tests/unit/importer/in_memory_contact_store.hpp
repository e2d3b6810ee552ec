#pragma once
// In-memory ContactStore for importer tests: (list_id, phone_e164) unique, like the real store.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "outdial/storage/contact_store.hpp"

namespace outdial::importer::testing {

class InMemoryContactStore final : public storage::ContactStore {
 public:
  std::vector<ContactList> lists;
  std::vector<Contact> contacts;
  int insert_batch_calls = 0;
  std::vector<std::size_t> batch_sizes;  // rows per insert_batch call, in call order
  bool fail_inserts = false;

  Result<ContactList> create_list(const ContactList& l) override {
    ContactList copy = l;
    copy.id = static_cast<ListId>(lists.size() + 1);
    lists.push_back(copy);
    return copy;
  }
  Result<std::optional<ContactList>> find_list_by_name(TenantId tenant, const std::string& name) override {
    for (const auto& l : lists) {
      if (l.tenant_id == tenant && l.name == name) return std::optional<ContactList>(l);
    }
    return std::optional<ContactList>();
  }
  Result<ContactList> get_list(TenantId tenant, ListId id) override {
    for (const auto& l : lists) {
      if (l.tenant_id == tenant && l.id == id) return l;
    }
    return make_error(ErrorCode::kNotFound, "no list");
  }
  Result<std::vector<ContactList>> list_lists(TenantId) override { return lists; }
  Result<std::vector<bool>> insert_batch(const std::vector<Contact>& batch) override {
    ++insert_batch_calls;
    batch_sizes.push_back(batch.size());
    if (fail_inserts) return make_error(ErrorCode::kUnavailable, "disk on fire");
    std::vector<bool> out;
    for (const auto& c : batch) {
      bool fresh = keys_.emplace(c.list_id, c.phone_e164).second;
      if (fresh) {
        contacts.push_back(c);
        contacts.back().id = static_cast<ContactId>(contacts.size());
      }
      out.push_back(fresh);
    }
    return out;
  }
  Result<Contact> get_contact(TenantId, ContactId id) override {
    if (id <= 0 || static_cast<std::size_t>(id) > contacts.size()) {
      return make_error(ErrorCode::kNotFound, "no contact");
    }
    return contacts[static_cast<std::size_t>(id - 1)];
  }
  Result<storage::ContactPage> list_contacts(TenantId, ListId list, std::int64_t, std::int64_t) override {
    storage::ContactPage page;
    for (const auto& c : contacts) {
      if (c.list_id == list) page.items.push_back(c);
    }
    page.total = static_cast<std::int64_t>(page.items.size());
    return page;
  }
  Result<std::int64_t> count_contacts(TenantId, ListId list) override {
    std::int64_t n = 0;
    for (const auto& c : contacts) n += c.list_id == list ? 1 : 0;
    return n;
  }
  Result<std::vector<std::string>> phones_in_list(TenantId, ListId list) override {
    std::vector<std::string> out;
    for (const auto& c : contacts) {
      if (c.list_id == list) out.push_back(c.phone_e164);
    }
    return out;
  }

 private:
  std::set<std::pair<ListId, std::string>> keys_;
};

}  // namespace outdial::importer::testing
