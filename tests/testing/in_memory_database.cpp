#include "testing/in_memory_database.hpp"

#include <algorithm>
#include <optional>

#include "testing/memory_state.hpp"

namespace outdial::testing {
namespace {

using Lock = std::lock_guard<std::mutex>;
Error not_found(const std::string& what) { return make_error(ErrorCode::kNotFound, what + " not found"); }

template <typename T>
std::vector<T> page(const std::vector<T>& all, std::int64_t offset, std::int64_t limit) {
  std::vector<T> out;
  for (std::int64_t i = offset; i < static_cast<std::int64_t>(all.size()) && i < offset + limit; ++i) {
    out.push_back(all[static_cast<std::size_t>(i)]);
  }
  return out;
}

class Tenants final : public storage::TenantStore {
 public:
  explicit Tenants(MemoryState& s) : s_(s) {}
  Result<Tenant> create_tenant(const Tenant& t) override {
    Lock l(s_.mu);
    for (auto& [id, x] : s_.tenants) {
      if (x.name == t.name) return make_error(ErrorCode::kAlreadyExists, "tenant exists");
    }
    Tenant c = t;
    c.id = s_.next_id++;
    return s_.tenants[c.id] = c;
  }
  Result<Tenant> get_tenant(TenantId id) override {
    Lock l(s_.mu);
    auto it = s_.tenants.find(id);
    if (it == s_.tenants.end()) return not_found("tenant");
    return it->second;
  }
  Result<std::optional<Tenant>> find_tenant_by_name(const std::string& name) override {
    Lock l(s_.mu);
    for (auto& [id, x] : s_.tenants) {
      if (x.name == name) return std::optional<Tenant>(x);
    }
    return std::optional<Tenant>();
  }
  Result<std::vector<Tenant>> list_tenants() override {
    Lock l(s_.mu);
    std::vector<Tenant> out;
    for (auto& [id, x] : s_.tenants) out.push_back(x);
    return out;
  }
  Result<User> create_user(const User& u) override {
    Lock l(s_.mu);
    User c = u;
    c.id = s_.next_id++;
    return s_.users[c.id] = c;
  }
  Result<User> get_user(UserId id) override {
    Lock l(s_.mu);
    auto it = s_.users.find(id);
    if (it == s_.users.end()) return not_found("user");
    return it->second;
  }
  Result<std::optional<User>> find_user_by_email(TenantId tenant, const std::string& email) override {
    Lock l(s_.mu);
    for (auto& [id, u] : s_.users) {
      if (u.tenant_id == tenant && u.email == email) return std::optional<User>(u);
    }
    return std::optional<User>();
  }
  Result<ApiKey> create_api_key(const ApiKey& k) override {
    Lock l(s_.mu);
    ApiKey c = k;
    c.id = s_.next_id++;
    s_.keys.push_back(c);
    return c;
  }
  Result<std::optional<User>> find_user_by_key_hash(const std::string& hash) override {
    Lock l(s_.mu);
    for (auto& k : s_.keys) {
      if (k.key_hash == hash && !k.revoked_at && s_.users.count(k.user_id)) {
        return std::optional<User>(s_.users[k.user_id]);
      }
    }
    return std::optional<User>();
  }

 private:
  MemoryState& s_;
};

class Contacts final : public storage::ContactStore {
 public:
  explicit Contacts(MemoryState& s) : s_(s) {}
  Result<ContactList> create_list(const ContactList& l) override {
    Lock g(s_.mu);
    ContactList c = l;
    c.id = s_.next_id++;
    return s_.lists[c.id] = c;
  }
  Result<std::optional<ContactList>> find_list_by_name(TenantId tenant, const std::string& name) override {
    Lock g(s_.mu);
    for (auto& [id, x] : s_.lists) {
      if (x.tenant_id == tenant && x.name == name) return std::optional<ContactList>(x);
    }
    return std::optional<ContactList>();
  }
  Result<ContactList> get_list(TenantId tenant, ListId id) override {
    Lock g(s_.mu);
    auto it = s_.lists.find(id);
    if (it == s_.lists.end() || it->second.tenant_id != tenant) return not_found("list");
    return it->second;
  }
  Result<std::vector<ContactList>> list_lists(TenantId tenant) override {
    Lock g(s_.mu);
    std::vector<ContactList> out;
    for (auto& [id, x] : s_.lists) {
      if (x.tenant_id == tenant) out.push_back(x);
    }
    return out;
  }
  Result<std::vector<bool>> insert_batch(const std::vector<Contact>& contacts) override {
    Lock g(s_.mu);
    std::vector<bool> out;
    for (const auto& c : contacts) {
      auto key = std::make_pair(c.list_id, c.phone_e164);
      if (s_.contact_by_phone.count(key)) {
        out.push_back(false);
        continue;
      }
      Contact x = c;
      x.id = s_.next_id++;
      s_.contacts[x.id] = x;
      s_.contact_by_phone[key] = x.id;
      out.push_back(true);
    }
    return out;
  }
  Result<Contact> get_contact(TenantId tenant, ContactId id) override {
    Lock g(s_.mu);
    auto it = s_.contacts.find(id);
    if (it == s_.contacts.end() || it->second.tenant_id != tenant) return not_found("contact");
    return it->second;
  }
  Result<storage::ContactPage> list_contacts(TenantId tenant, ListId list, std::int64_t offset,
                                             std::int64_t limit) override {
    Lock g(s_.mu);
    std::vector<Contact> all;
    for (auto& [id, c] : s_.contacts) {
      if (c.tenant_id == tenant && c.list_id == list) all.push_back(c);
    }
    return storage::ContactPage{page(all, offset, limit), static_cast<std::int64_t>(all.size())};
  }
  Result<std::int64_t> count_contacts(TenantId tenant, ListId list) override {
    Lock g(s_.mu);
    std::int64_t n = 0;
    for (auto& [id, c] : s_.contacts) n += (c.tenant_id == tenant && c.list_id == list) ? 1 : 0;
    return n;
  }
  Result<std::vector<std::string>> phones_in_list(TenantId tenant, ListId list) override {
    Lock g(s_.mu);
    std::vector<std::string> out;
    for (auto& [id, c] : s_.contacts) {
      if (c.tenant_id == tenant && c.list_id == list) out.push_back(c.phone_e164);
    }
    return out;
  }

 private:
  MemoryState& s_;
};

class Compliance final : public storage::ComplianceStore {
 public:
  explicit Compliance(MemoryState& s) : s_(s) {}
  Result<ConsentRecord> add_consent(const ConsentRecord& c) override {
    Lock g(s_.mu);
    ConsentRecord x = c;
    x.id = s_.next_id++;
    s_.consents.push_back(x);
    return x;
  }
  Result<std::vector<ConsentRecord>> consents_for(TenantId tenant, const std::string& phone) override {
    Lock g(s_.mu);
    std::vector<ConsentRecord> out;
    for (auto& c : s_.consents) {
      if (c.tenant_id == tenant && c.phone_e164 == phone) out.push_back(c);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const ConsentRecord& x, const ConsentRecord& y) { return x.granted_at < y.granted_at; });
    return out;
  }
  Result<std::vector<ConsentRecord>> list_consents(TenantId tenant, std::int64_t offset,
                                                   std::int64_t limit) override {
    Lock g(s_.mu);
    std::vector<ConsentRecord> out;
    std::int64_t skipped = 0;
    for (auto it = s_.consents.rbegin(); it != s_.consents.rend(); ++it) {  // newest first
      if (it->tenant_id != tenant) continue;
      if (skipped++ < offset) continue;
      if (static_cast<std::int64_t>(out.size()) >= limit) break;
      out.push_back(*it);
    }
    return out;
  }
  Result<int> revoke_consents(TenantId tenant, const std::string& phone, std::optional<Channel> channel,
                              TimePoint at) override {
    Lock g(s_.mu);
    int n = 0;
    for (auto& c : s_.consents) {
      if (c.tenant_id == tenant && c.phone_e164 == phone && !c.revoked_at && (!channel || c.channel == channel)) {
        c.revoked_at = at;
        ++n;
      }
    }
    return n;
  }
  Result<DncEntry> add_dnc(const DncEntry& e) override {
    Lock g(s_.mu);
    for (auto& d : s_.dnc) {
      if (d.tenant_id == e.tenant_id && d.phone_e164 == e.phone_e164) return d;
    }
    DncEntry x = e;
    x.id = s_.next_id++;
    s_.dnc.push_back(x);
    return x;
  }
  Result<bool> remove_dnc(TenantId tenant, const std::string& phone) override {
    Lock g(s_.mu);
    auto it = std::find_if(s_.dnc.begin(), s_.dnc.end(),
                           [&](const DncEntry& d) { return d.tenant_id == tenant && d.phone_e164 == phone; });
    if (it == s_.dnc.end()) return false;
    s_.dnc.erase(it);
    return true;
  }
  Result<std::optional<DncEntry>> find_dnc(TenantId tenant, const std::string& phone) override {
    Lock g(s_.mu);
    for (auto& d : s_.dnc) {
      if (d.tenant_id == tenant && d.phone_e164 == phone) return std::optional<DncEntry>(d);
    }
    return std::optional<DncEntry>();
  }
  Result<std::vector<DncEntry>> list_dnc(TenantId tenant, std::int64_t offset, std::int64_t limit) override {
    Lock g(s_.mu);
    std::vector<DncEntry> all;
    for (auto& d : s_.dnc) {
      if (d.tenant_id == tenant) all.push_back(d);
    }
    return page(all, offset, limit);
  }
  Result<RejectedNumber> add_rejected(const RejectedNumber& r) override {
    Lock g(s_.mu);
    for (auto& x : s_.rejected) {
      if (x.tenant_id == r.tenant_id && x.phone_e164 == r.phone_e164 && x.channel == r.channel) return x;
    }
    s_.rejected.push_back(r);
    return r;
  }
  Result<std::optional<RejectedNumber>> find_rejected(TenantId tenant, const std::string& phone,
                                                      Channel channel) override {
    Lock g(s_.mu);
    for (auto& x : s_.rejected) {
      if (x.tenant_id == tenant && x.phone_e164 == phone && x.channel == channel) {
        return std::optional<RejectedNumber>(x);
      }
    }
    return std::optional<RejectedNumber>();
  }
  Result<bool> remove_rejected(TenantId tenant, const std::string& phone) override {
    Lock g(s_.mu);
    const auto n = std::erase_if(
        s_.rejected, [&](const RejectedNumber& x) { return x.tenant_id == tenant && x.phone_e164 == phone; });
    return n > 0;
  }
  Result<std::vector<RejectedNumber>> list_rejected(TenantId tenant, std::int64_t offset,
                                                    std::int64_t limit) override {
    Lock g(s_.mu);
    std::vector<RejectedNumber> all;
    for (auto& x : s_.rejected) {
      if (x.tenant_id == tenant) all.push_back(x);
    }
    std::stable_sort(all.begin(), all.end(), [](const RejectedNumber& a, const RejectedNumber& b) {
      return std::tie(a.rejected_at, a.phone_e164, a.channel) < std::tie(b.rejected_at, b.phone_e164, b.channel);
    });
    return page(all, offset, limit);
  }
  Result<std::int64_t> record_decision(const storage::DecisionRecord& d) override {
    Lock g(s_.mu);
    storage::DecisionRecord x = d;
    x.id = s_.next_id++;
    s_.decisions.push_back(x);
    return x.id;
  }
  Result<std::vector<storage::DecisionRecord>> list_decisions(TenantId tenant, std::int64_t campaign,
                                                              std::int64_t limit) override {
    Lock g(s_.mu);
    std::vector<storage::DecisionRecord> out;
    for (auto it = s_.decisions.rbegin(); it != s_.decisions.rend(); ++it) {
      if (it->tenant_id == tenant && (campaign == 0 || it->campaign_id == campaign) &&
          static_cast<std::int64_t>(out.size()) < limit) {
        out.push_back(*it);
      }
    }
    return out;
  }

 private:
  MemoryState& s_;
};

class Audit final : public storage::AuditStore {
 public:
  explicit Audit(MemoryState& s) : s_(s) {}
  Result<std::int64_t> append(const AuditEntry& e) override {
    Lock g(s_.mu);
    AuditEntry x = e;
    x.id = s_.next_id++;
    s_.audit.push_back(x);
    return x.id;
  }
  Result<std::vector<AuditEntry>> list(TenantId tenant, const std::string& type, std::int64_t offset,
                                       std::int64_t limit) override {
    Lock g(s_.mu);
    std::vector<AuditEntry> all;
    for (auto it = s_.audit.rbegin(); it != s_.audit.rend(); ++it) {
      if (it->tenant_id == tenant && (type.empty() || it->entity_type == type)) all.push_back(*it);
    }
    return page(all, offset, limit);
  }

 private:
  MemoryState& s_;
};

}  // namespace

std::unique_ptr<storage::CampaignStore> make_memory_campaign_store(MemoryState& s);
std::unique_ptr<storage::CallStore> make_memory_call_store(MemoryState& s);

InMemoryDatabase::InMemoryDatabase()
    : state_(std::make_shared<MemoryState>()),
      tenants_(std::make_unique<Tenants>(*state_)),
      contacts_(std::make_unique<Contacts>(*state_)),
      compliance_(std::make_unique<Compliance>(*state_)),
      campaigns_(make_memory_campaign_store(*state_)),
      calls_(make_memory_call_store(*state_)),
      audit_(std::make_unique<Audit>(*state_)) {}

InMemoryDatabase::~InMemoryDatabase() = default;

void InMemoryDatabase::fail_next_attempt_updates(int n) {
  Lock g(state_->mu);
  state_->fail_attempt_updates = n;
}

void InMemoryDatabase::fail_next_transactions(int n) {
  Lock g(state_->mu);
  fail_transactions_ = n;
}

Status InMemoryDatabase::with_transaction(const std::function<Status()>& fn) {
  std::optional<MemoryTables> snapshot;
  {
    Lock g(state_->mu);
    if (tx_depth_ == 0 && fail_transactions_ > 0) {
      --fail_transactions_;
      snapshot = static_cast<const MemoryTables&>(*state_);
    }
  }
  ++tx_depth_;
  Status st = fn();
  --tx_depth_;
  if (!snapshot) return st;
  Lock g(state_->mu);
  static_cast<MemoryTables&>(*state_) = std::move(*snapshot);
  ++failed_transactions_;
  return make_error(ErrorCode::kUnavailable, "injected commit failure: rolled back");
}

}  // namespace outdial::testing
