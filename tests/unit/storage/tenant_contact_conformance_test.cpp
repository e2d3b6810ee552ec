// Conformance: Database (migrations, transactions), TenantStore, ContactStore.
#include <set>

#include "unit/storage/conformance_fixture.hpp"

namespace outdial::storage::testing {
namespace {

template <typename F>
class DatabaseConformance : public StoreConformance<F> {};
TYPED_TEST_SUITE(DatabaseConformance, ConformanceFactories, FactoryNames);

TYPED_TEST(DatabaseConformance, MigrateIsIdempotentAndVersioned) {
  const int version = this->db().schema_version();
  EXPECT_GE(version, 2);
  ASSERT_TRUE(this->db().migrate());
  ASSERT_TRUE(this->db().migrate());
  EXPECT_EQ(this->db().schema_version(), version);
  // Data survives a re-run of migrate().
  auto t = this->seed_tenant("acme");
  ASSERT_TRUE(this->db().migrate());
  EXPECT_TRUE(this->db().tenants().get_tenant(t.id));
}

TYPED_TEST(DatabaseConformance, SecondConnectionSeesSameSchemaAndData) {
  auto second = this->factory_.open_second();
  if (!second) GTEST_SKIP() << "backend cannot share a database between connections";
  auto t = this->seed_tenant("acme");
  EXPECT_EQ(second->schema_version(), this->db().schema_version());
  auto got = second->tenants().get_tenant(t.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "acme");
}

TYPED_TEST(DatabaseConformance, WithTransactionCommitsOrRollsBackEverything) {
  auto& tenants = this->db().tenants();
  Status failed = this->db().with_transaction([&]() -> Status {
    Tenant t;
    t.name = "rolled-back";
    if (auto r = tenants.create_tenant(t); !r) return r.error();
    return make_error(ErrorCode::kInternal, "caller gave up");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "caller gave up");
  EXPECT_FALSE(must(tenants.find_tenant_by_name("rolled-back")).has_value());

  Status ok = this->db().with_transaction([&]() -> Status {
    for (const char* name : {"a", "b", "c"}) {
      Tenant t;
      t.name = name;
      if (auto r = tenants.create_tenant(t); !r) return r.error();
    }
    // Nested transaction: its failure rolls back only its own writes.
    Status inner = this->db().with_transaction([&]() -> Status {
      Tenant t;
      t.name = "inner";
      if (auto r = tenants.create_tenant(t); !r) return r.error();
      return make_error(ErrorCode::kConflict, "inner gave up");
    });
    EXPECT_FALSE(inner);
    return ok_status();
  });
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(must(tenants.list_tenants()).size(), 3u);
  EXPECT_FALSE(must(tenants.find_tenant_by_name("inner")).has_value());
}

TYPED_TEST(DatabaseConformance, BatchedWritesAloneAreATransactionInsideOneJoinIt) {
  auto& tenants = this->db().tenants();
  auto named = [&](const char* name) { return must(tenants.find_tenant_by_name(name)).has_value(); };
  auto create = [&](const char* name) -> Status {
    Tenant t;
    t.name = name;
    auto r = tenants.create_tenant(t);
    return r ? ok_status() : Status(r.error());
  };
  // Alone: exactly with_transaction (all or nothing).
  Status alone = this->db().with_batched_writes([&]() -> Status {
    if (auto st = create("alone"); !st) return st;
    return make_error(ErrorCode::kInternal, "gave up");
  });
  ASSERT_FALSE(alone);
  EXPECT_FALSE(named("alone"));
  ASSERT_TRUE(this->db().with_batched_writes([&] { return create("alone-ok"); }));
  EXPECT_TRUE(named("alone-ok"));
  // Inside a transaction: part of it, no savepoint of its own. Its writes stay when it fails and
  // commit (or roll back) with the enclosing transaction.
  Status outer = this->db().with_transaction([&]() -> Status {
    Status inner = this->db().with_batched_writes([&]() -> Status {
      if (auto st = create("joined"); !st) return st;
      return make_error(ErrorCode::kConflict, "inner gave up");
    });
    EXPECT_FALSE(inner);
    return ok_status();
  });
  ASSERT_TRUE(outer);
  EXPECT_TRUE(named("joined"));
  Status rolled = this->db().with_transaction([&]() -> Status {
    EXPECT_TRUE(this->db().with_batched_writes([&] { return create("joined-then-rolled-back"); }));
    return make_error(ErrorCode::kInternal, "outer gave up");
  });
  ASSERT_FALSE(rolled);
  EXPECT_FALSE(named("joined-then-rolled-back"));
}

template <typename F>
class TenantStoreConformance : public StoreConformance<F> {};
TYPED_TEST_SUITE(TenantStoreConformance, ConformanceFactories, FactoryNames);

TYPED_TEST(TenantStoreConformance, TenantRoundTripsEveryField) {
  auto& store = this->db().tenants();
  Tenant t;
  t.name = "Ünïcode Dental 'Group'";
  t.default_region = "CA";
  t.us_only = false;
  t.help_text = "Call us at 555";
  t.created_at = at_s(42);
  auto created = must(store.create_tenant(t));
  EXPECT_GT(created.id, 0);
  for (const Tenant& got : {must(store.get_tenant(created.id)), *must(store.find_tenant_by_name(t.name))}) {
    EXPECT_EQ(got.id, created.id);
    EXPECT_EQ(got.name, t.name);
    EXPECT_EQ(got.default_region, "CA");
    EXPECT_FALSE(got.us_only);
    EXPECT_EQ(got.help_text, t.help_text);
    EXPECT_EQ(got.created_at, t.created_at);
  }
  EXPECT_FALSE(must(store.find_tenant_by_name("nobody")).has_value());
  auto missing = store.get_tenant(created.id + 100);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto dup = store.create_tenant(t);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  this->seed_tenant("second");
  EXPECT_EQ(must(store.list_tenants()).size(), 2u);
}

TYPED_TEST(TenantStoreConformance, UsersAndApiKeys) {
  auto& store = this->db().tenants();
  auto tenant = this->seed_tenant("acme");
  auto other = this->seed_tenant("other");
  User u;
  u.tenant_id = tenant.id;
  u.email = "ops@acme.test";
  u.name = "Ops Person";
  u.role = Role::kOperatorStaff;
  u.created_at = at_s(7);
  auto created = must(store.create_user(u));
  EXPECT_GT(created.id, 0);
  auto got = must(store.get_user(created.id));
  EXPECT_EQ(got.tenant_id, tenant.id);
  EXPECT_EQ(got.email, u.email);
  EXPECT_EQ(got.name, u.name);
  EXPECT_EQ(got.role, Role::kOperatorStaff);
  EXPECT_EQ(got.created_at, u.created_at);
  EXPECT_EQ(must(store.find_user_by_email(tenant.id, u.email))->id, created.id);
  EXPECT_FALSE(must(store.find_user_by_email(other.id, u.email)).has_value());  // tenant-scoped
  EXPECT_EQ(store.create_user(u).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store.get_user(created.id + 50).error().code, ErrorCode::kNotFound);

  ApiKey k;
  k.user_id = created.id;
  k.key_hash = std::string(64, 'a');
  k.label = "ci";
  k.created_at = at_s(8);
  auto key = must(store.create_api_key(k));
  EXPECT_GT(key.id, 0);
  EXPECT_EQ(must(store.find_user_by_key_hash(k.key_hash))->id, created.id);
  EXPECT_FALSE(must(store.find_user_by_key_hash(std::string(64, 'b'))).has_value());

  ApiKey revoked = k;
  revoked.key_hash = std::string(64, 'c');
  revoked.revoked_at = at_s(9);
  must(store.create_api_key(revoked));
  EXPECT_FALSE(must(store.find_user_by_key_hash(revoked.key_hash)).has_value());
  EXPECT_EQ(store.create_api_key(k).error().code, ErrorCode::kAlreadyExists);
}

template <typename F>
class ContactStoreConformance : public StoreConformance<F> {};
TYPED_TEST_SUITE(ContactStoreConformance, ConformanceFactories, FactoryNames);

TYPED_TEST(ContactStoreConformance, ListsRoundTripAndAreTenantScoped) {
  auto& store = this->db().contacts();
  auto a = this->seed_tenant("a");
  auto b = this->seed_tenant("b");
  ContactList l;
  l.tenant_id = a.id;
  l.name = "January leads";
  l.created_at = at_s(3);
  auto created = must(store.create_list(l));
  auto got = must(store.get_list(a.id, created.id));
  EXPECT_EQ(got.name, l.name);
  EXPECT_EQ(got.tenant_id, a.id);
  EXPECT_EQ(got.created_at, l.created_at);
  EXPECT_EQ(must(store.find_list_by_name(a.id, l.name))->id, created.id);
  EXPECT_FALSE(must(store.find_list_by_name(b.id, l.name)).has_value());
  EXPECT_EQ(store.get_list(b.id, created.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.create_list(l).error().code, ErrorCode::kAlreadyExists);
  this->seed_list(a.id, "second");
  this->seed_list(b.id, "b's");
  EXPECT_EQ(must(store.list_lists(a.id)).size(), 2u);
  EXPECT_EQ(must(store.list_lists(b.id)).size(), 1u);
}

TYPED_TEST(ContactStoreConformance, ContactRoundTripsEveryField) {
  auto& store = this->db().contacts();
  auto tenant = this->seed_tenant("acme");
  auto list = this->seed_list(tenant.id, "main");
  Contact c;
  c.tenant_id = tenant.id;
  c.list_id = list.id;
  c.phone_e164 = "+14155550123";
  c.first_name = "Zoë";
  c.last_name = "O'Brien \"Jr\"";
  c.email = "zoe@example.test";
  c.timezone = "America/Los_Angeles";
  c.state = "CA";
  c.tags = {"vip", "spring 2027", "quote\"d"};
  c.custom_fields = {
      {"Last Visit", "2026-10-01"}, {"note", "likes {json}, commas, and \n newlines"}, {"empty", ""}};
  c.line_type = LineType::kWireless;
  c.national_dnc = true;
  c.created_at = at_s(11);
  auto inserted = must(store.insert_batch({c}));
  ASSERT_EQ(inserted, std::vector<bool>{true});
  auto page = must(store.list_contacts(tenant.id, list.id, 0, 10));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.total, 1);
  const Contact got = must(store.get_contact(tenant.id, page.items[0].id));
  EXPECT_GT(got.id, 0);
  EXPECT_EQ(got.tenant_id, c.tenant_id);
  EXPECT_EQ(got.list_id, c.list_id);
  EXPECT_EQ(got.phone_e164, c.phone_e164);
  EXPECT_EQ(got.first_name, c.first_name);
  EXPECT_EQ(got.last_name, c.last_name);
  EXPECT_EQ(got.email, c.email);
  EXPECT_EQ(got.timezone, c.timezone);
  EXPECT_EQ(got.state, c.state);
  EXPECT_EQ(got.tags, c.tags);
  EXPECT_EQ(got.custom_fields, c.custom_fields);
  EXPECT_EQ(got.line_type, LineType::kWireless);
  EXPECT_TRUE(got.national_dnc);
  EXPECT_EQ(got.created_at, c.created_at);

  auto other = this->seed_tenant("other");
  EXPECT_EQ(store.get_contact(other.id, got.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.get_contact(tenant.id, got.id + 1000).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(ContactStoreConformance, InsertBatchReportsDuplicatesAndReinsertChangesNothing) {
  auto& store = this->db().contacts();
  auto tenant = this->seed_tenant("acme");
  auto list = this->seed_list(tenant.id, "main");
  auto other_list = this->seed_list(tenant.id, "other");
  std::vector<Contact> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(this->make_contact(tenant.id, list.id, i));
  batch.push_back(this->make_contact(tenant.id, list.id, 2));  // duplicate inside the batch
  EXPECT_EQ(must(store.insert_batch(batch)), (std::vector<bool>{true, true, true, true, true, false}));
  const auto before = must(store.list_contacts(tenant.id, list.id, 0, 100)).items;

  // Re-import: every row is a duplicate, even with changed fields; stored rows are unchanged.
  for (auto& c : batch) c.first_name = "Changed";
  EXPECT_EQ(must(store.insert_batch(batch)), std::vector<bool>(6, false));
  const auto after = must(store.list_contacts(tenant.id, list.id, 0, 100)).items;
  ASSERT_EQ(after.size(), 5u);
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].first_name, before[i].first_name);
  }
  // The same number in another list is not a duplicate.
  EXPECT_EQ(must(store.insert_batch({this->make_contact(tenant.id, other_list.id, 0)})),
            std::vector<bool>{true});
  EXPECT_EQ(must(store.insert_batch({})), std::vector<bool>{});
}

TYPED_TEST(ContactStoreConformance, InsertBatchIsAllOrNothing) {
  auto& store = this->db().contacts();
  auto tenant = this->seed_tenant("acme");
  auto list = this->seed_list(tenant.id, "main");
  std::vector<Contact> batch{this->make_contact(tenant.id, list.id, 1),
                             this->make_contact(tenant.id, list.id + 99, 2)};
  auto r = store.insert_batch(batch);  // the second row names a list that does not exist
  ASSERT_FALSE(r);
  EXPECT_EQ(must(store.count_contacts(tenant.id, list.id)), 0);
}

// Batches longer than one multi-row statement of the SQLite driver (16 rows), with numbers
// already in the list and repeats inside one statement and across statements: each flag is
// exact, and ids follow the input order of the inserted rows.
TYPED_TEST(ContactStoreConformance, InsertBatchFlagsAreExactInLongBatches) {
  auto& store = this->db().contacts();
  auto tenant = this->seed_tenant("acme");
  auto list = this->seed_list(tenant.id, "main");
  // Already in the list: 3, 17, 40.
  ASSERT_EQ(must(store.insert_batch({this->make_contact(tenant.id, list.id, 3),
                                     this->make_contact(tenant.id, list.id, 17),
                                     this->make_contact(tenant.id, list.id, 40)})),
            std::vector<bool>(3, true));

  std::vector<int> numbers;
  for (int n = 0; n < 45; ++n) numbers.push_back(n);
  numbers.insert(numbers.begin() + 5, 2);    // same statement as its first occurrence
  numbers.insert(numbers.begin() + 30, 10);  // a later statement
  numbers.push_back(44);                     // the single-row tail
  std::vector<Contact> batch;
  std::vector<bool> expected;
  std::vector<std::string> expected_order;  // phones of inserted rows, in input order
  std::set<int> seen{3, 17, 40};
  for (int n : numbers) {
    batch.push_back(this->make_contact(tenant.id, list.id, n));
    const bool fresh = seen.insert(n).second;
    expected.push_back(fresh);
    if (fresh) expected_order.push_back(batch.back().phone_e164);
  }
  ASSERT_EQ(batch.size(), 48u);
  EXPECT_EQ(must(store.insert_batch(batch)), expected);

  auto page = must(store.list_contacts(tenant.id, list.id, 3, 100));  // skip the first 3
  ASSERT_EQ(page.items.size(), expected_order.size());
  EXPECT_EQ(page.total, 45);
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    EXPECT_EQ(page.items[i].phone_e164, expected_order[i]) << "position " << i;
    if (i > 0) {
      EXPECT_GT(page.items[i].id, page.items[i - 1].id);
    }
  }
  // Everything again: nothing is inserted, in long statements too.
  EXPECT_EQ(must(store.insert_batch(batch)), std::vector<bool>(batch.size(), false));
  EXPECT_EQ(must(store.count_contacts(tenant.id, list.id)), 45);
}

TYPED_TEST(ContactStoreConformance, InsertBatchNeedsAnExistingTenantAndList) {
  auto& store = this->db().contacts();
  auto tenant = this->seed_tenant("acme");
  auto list = this->seed_list(tenant.id, "main");
  std::vector<Contact> batch;
  for (int n = 0; n < 20; ++n) batch.push_back(this->make_contact(tenant.id, list.id, n));

  auto wrong_tenant = batch;
  wrong_tenant[19].tenant_id = tenant.id + 99;  // in the tail, after a full statement
  auto r = store.insert_batch(wrong_tenant);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);

  auto wrong_list = batch;
  wrong_list[0].list_id = list.id + 99;
  r = store.insert_batch(wrong_list);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(must(store.count_contacts(tenant.id, list.id)), 0);

  // The same checks hold inside a caller's transaction, and other tables keep theirs after a
  // failed batch: a list for a missing tenant is still refused.
  Status in_tx = this->db().with_transaction([&]() -> Status {
    auto nested = store.insert_batch(wrong_list);
    if (nested) return make_error(ErrorCode::kInternal, "nested insert_batch accepted a missing list");
    return nested.error();
  });
  ASSERT_FALSE(in_tx);
  EXPECT_EQ(in_tx.error().code, ErrorCode::kNotFound);
  ContactList orphan;
  orphan.tenant_id = tenant.id + 99;
  orphan.name = "orphan";
  orphan.created_at = kT0;
  EXPECT_FALSE(store.create_list(orphan));

  EXPECT_EQ(must(store.insert_batch(batch)), std::vector<bool>(20, true));
  EXPECT_EQ(must(store.count_contacts(tenant.id, list.id)), 20);
}

TYPED_TEST(ContactStoreConformance, PagingCountsAndPhones) {
  auto& store = this->db().contacts();
  auto tenant = this->seed_tenant("acme");
  auto list = this->seed_list(tenant.id, "main");
  auto contacts = this->seed_contacts(tenant.id, list.id, 25);
  ASSERT_EQ(contacts.size(), 25u);
  auto page = must(store.list_contacts(tenant.id, list.id, 20, 10));
  EXPECT_EQ(page.total, 25);
  ASSERT_EQ(page.items.size(), 5u);
  EXPECT_EQ(page.items[0].id, contacts[20].id);
  EXPECT_EQ(must(store.count_contacts(tenant.id, list.id)), 25);
  auto phones = must(store.phones_in_list(tenant.id, list.id));
  ASSERT_EQ(phones.size(), 25u);
  EXPECT_EQ(phones[3], contacts[3].phone_e164);
  auto other = this->seed_tenant("other");
  EXPECT_EQ(must(store.count_contacts(other.id, list.id)), 0);
  EXPECT_TRUE(must(store.phones_in_list(other.id, list.id)).empty());
  EXPECT_TRUE(must(store.list_contacts(other.id, list.id, 0, 10)).items.empty());
}

}  // namespace
}  // namespace outdial::storage::testing
