// End-to-end import benchmark: CSV -> parse -> normalize -> dedupe -> national DNC flag ->
// SQLite file, through CsvImportService exactly as `outdial import` runs it.
//   import_bench --csv data.csv --dnc dnc.txt --db out.db [--store driver|raw] [--validate-only]
//                [--batch 50000]
// Prints one JSON line with the report counts and timings.
#include <type_traits>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "outdial/heap/huge_pages.hpp"
#include "outdial/importer/csv_import_service.hpp"
#include "outdial/importer/u64_set.hpp"
#include "outdial/phone/phone_normalizer.hpp"
#include "raw_sqlite_contact_store.hpp"
#ifdef OUTDIAL_BENCH_HAVE_SQLITE_DRIVER
#include "outdial/storage/sqlite/sqlite_database.hpp"
#include "outdial/storage/tenant_store.hpp"
#endif

namespace {

using namespace outdial;  // NOLINT: a benchmark main, not a header

// The bench's national registry: a hash set of 10-digit numbers loaded from a text file (one
// number per line). Open addressing (importer::U64Set): std::unordered_set spent most of its
// time in cache misses on 1M nodes.
class SetRegistry final : public dnc::NationalRegistry {
 public:
  explicit SetRegistry(const std::string& path) : numbers_(1 << 20) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buf(1 << 20);
    std::uint64_t n = 0;
    bool have = false;
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      const auto got = static_cast<std::size_t>(in.gcount());
      for (std::size_t i = 0; i < got; ++i) {
        const char c = buf[i];
        if (c >= '0' && c <= '9') {
          n = n * 10 + static_cast<std::uint64_t>(c - '0');
          have = true;
        } else if (have) {
          numbers_.insert(n);
          n = 0;
          have = false;
        }
      }
    }
    if (have) numbers_.insert(n);
  }
  bool contains(std::uint64_t number) const override { return numbers_.contains(number); }
  // The importer looks a batch up at once: prefetch a few lookups ahead, as the product's
  // CompactRegistry does.
  void contains_batch(std::span<const std::uint64_t> numbers, std::span<bool> out) const override {
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      if (i + kAhead < numbers.size()) numbers_.prefetch(numbers[i + kAhead]);
      out[i] = numbers_.contains(numbers[i]);
    }
  }
  std::optional<TimePoint> loaded_at() const override { return std::nullopt; }
  std::uint64_t size() const override { return numbers_.size(); }

 private:
  importer::U64Set numbers_;
};

class TimedStore;
// A load whose batches and finish() are timed by its TimedStore.
class TimedLoad final : public storage::ContactLoad {
 public:
  TimedLoad(TimedStore& timer, std::unique_ptr<storage::ContactLoad> inner)
      : timer_(timer), inner_(std::move(inner)) {}
  Result<std::vector<bool>> insert_batch(const std::vector<Contact>& contacts) override;
  Status finish() override;

 private:
  TimedStore& timer_;
  std::unique_ptr<storage::ContactLoad> inner_;
};

// Forwards to a store and adds up the time insert_batch takes on the calling (writer) thread:
// wall clock and that thread's CPU time. The rest of the process CPU is the pipeline.
class TimedStore final : public storage::ContactStore {
 public:
  explicit TimedStore(storage::ContactStore& inner) : inner_(inner) {}
  Result<ContactList> create_list(const ContactList& l) override { return inner_.create_list(l); }
  Result<std::optional<ContactList>> find_list_by_name(TenantId t, const std::string& n) override {
    return inner_.find_list_by_name(t, n);
  }
  Result<ContactList> get_list(TenantId t, ListId id) override { return inner_.get_list(t, id); }
  Result<std::vector<ContactList>> list_lists(TenantId t) override { return inner_.list_lists(t); }
  Result<std::vector<bool>> insert_batch(const std::vector<Contact>& contacts) override {
    return timed([&] { return inner_.insert_batch(contacts); });
  }
  // The load's batches and its finish() are timed the same way (both run on the writer's side).
  Result<std::unique_ptr<storage::ContactLoad>> begin_load(TenantId t, ListId l) override {
    auto inner = inner_.begin_load(t, l);
    if (!inner.ok()) return inner.error();
    return std::unique_ptr<storage::ContactLoad>(std::make_unique<TimedLoad>(*this, std::move(inner).value()));
  }
  Result<Contact> get_contact(TenantId t, ContactId id) override { return inner_.get_contact(t, id); }
  Result<storage::ContactPage> list_contacts(TenantId t, ListId l, std::int64_t o, std::int64_t n) override {
    return inner_.list_contacts(t, l, o, n);
  }
  Result<std::int64_t> count_contacts(TenantId t, ListId l) override { return inner_.count_contacts(t, l); }
  Result<std::vector<std::string>> phones_in_list(TenantId t, ListId l) override {
    return inner_.phones_in_list(t, l);
  }
  // Runs f on the calling thread and adds its wall and thread CPU time. A batch unless
  // `other_wall` is given (the load's finish()): then its wall time is also stored there.
  template <class F>
  std::invoke_result_t<F> timed(F&& f, double* other_wall = nullptr) {
    const auto w0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_s();
    auto r = f();
    cpu_s_ += thread_cpu_s() - c0;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    wall_s_ += wall;
    if (other_wall != nullptr) {
      *other_wall = wall;
    } else {
      ++batches_;
    }
    return r;
  }
  double finish_wall_s = 0;  // the load's finish() (part of wall_s)
  // Read after the import returned (the importer has joined its writes).
  double cpu_s() const { return cpu_s_; }
  double wall_s() const { return wall_s_; }
  int batches() const { return batches_; }

 private:
  static double thread_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
  storage::ContactStore& inner_;
  double cpu_s_ = 0;
  double wall_s_ = 0;
  int batches_ = 0;
};

Result<std::vector<bool>> TimedLoad::insert_batch(const std::vector<Contact>& contacts) {
  return timer_.timed([&] { return inner_->insert_batch(contacts); });
}
Status TimedLoad::finish() {
  return timer_.timed([&] { return inner_->finish(); }, &timer_.finish_wall_s);
}

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string csv, dnc_path, db_path = "import_bench.db", store_kind = "driver";
  bool validate_only = false;
  std::size_t batch_size = 50000;
  std::vector<std::string> pragmas;  // driver only: SQL run after open (experiments)
  std::string heap_pages = "huge";   // huge (what `outdial` uses) | 4k
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--csv") csv = value();
    else if (a == "--dnc") dnc_path = value();
    else if (a == "--db") db_path = value();
    else if (a == "--store") store_kind = value();
    else if (a == "--validate-only") validate_only = true;
    else if (a == "--batch") batch_size = std::stoul(value());
    else if (a == "--pragma") pragmas.push_back(value());
    else if (a == "--heap-pages") heap_pages = value();
  }
  if (csv.empty() || (heap_pages != "huge" && heap_pages != "4k")) {
    std::fprintf(stderr, "usage: import_bench --csv data.csv [--dnc dnc.txt] [--db out.db] "
                         "[--store driver|raw] [--validate-only] [--batch N] [--heap-pages huge|4k]\n");
    return 2;
  }
  // As `outdial` does first thing in main(); --heap-pages 4k measures the difference.
  const std::string heap = heap_pages == "4k" ? "4 KiB pages (--heap-pages 4k)"
                                              : std::string(heap::describe(heap::back_heap_with_huge_pages()));
#ifndef OUTDIAL_BENCH_HAVE_SQLITE_DRIVER
  store_kind = "raw";
#endif
  std::remove(db_path.c_str());
  std::remove((db_path + "-wal").c_str());
  std::remove((db_path + "-shm").c_str());

  const auto t_start = std::chrono::steady_clock::now();
  SetRegistry registry(dnc_path);
  const double t_dnc = seconds_since(t_start);
  phone::PhoneNormalizer normalizer;

  std::unique_ptr<storage::ContactStore> raw_store;
  storage::ContactStore* store = nullptr;
  TenantId tenant_id = 1;
#ifdef OUTDIAL_BENCH_HAVE_SQLITE_DRIVER
  std::unique_ptr<storage::sqlite::SqliteDatabase> db;
  if (store_kind == "driver") {
    // Opened as `outdial import` opens it.
    auto opened = storage::sqlite::SqliteDatabase::open(db_path, storage::sqlite::OpenOptions::bulk_load());
    if (!opened.ok()) {
      std::fprintf(stderr, "open: %s\n", opened.error().message.c_str());
      return 1;
    }
    db = std::move(opened).value();
    for (const auto& sql : pragmas) {
      if (auto st = db->execute(sql); !st.ok()) {
        std::fprintf(stderr, "%s: %s\n", sql.c_str(), st.error().message.c_str());
        return 1;
      }
    }
    Tenant t;
    t.name = "bench";
    auto created = db->tenants().create_tenant(t);
    if (!created.ok()) {
      std::fprintf(stderr, "tenant: %s\n", created.error().message.c_str());
      return 1;
    }
    tenant_id = created->id;
    store = &db->contacts();
  }
#endif
  if (store == nullptr) {
    raw_store = std::make_unique<bench::RawSqliteContactStore>(db_path);
    store = raw_store.get();
  }

  TimedStore timed(*store);
  importer::CsvImportService service(timed, normalizer, &registry);
  importer::ImportOptions opts;
  opts.tenant_id = tenant_id;
  opts.list_name = "bench";
  opts.validate_only = validate_only;
  opts.max_issues = 1000;
  // One SQLite transaction per batch; every commit rewrites the index pages the batch touched
  // (random phone numbers touch most of them), so fewer, larger batches cost much less I/O.
  opts.batch_size = batch_size;
  std::ifstream in(csv, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", csv.c_str());
    return 1;
  }
  const auto t_import0 = std::chrono::steady_clock::now();
  auto report = service.import_csv(in, opts);
  const double t_import = seconds_since(t_import0);
  const double cpu_import = process_cpu_s();
#ifdef OUTDIAL_BENCH_HAVE_SQLITE_DRIVER
  db.reset();  // closing the last connection checkpoints the WAL into the database file
#endif
  raw_store.reset();
  const double t_total = seconds_since(t_start);
  const double cpu_total = process_cpu_s();
  if (!report.ok()) {
    std::fprintf(stderr, "import failed: %s\n", report.error().message.c_str());
    return 1;
  }
  const auto& r = report.value();
  std::printf("{\"heap\":\"%s\",\"store\":\"%s\",\"batch\":%zu,\"validate_only\":%s,\"rows\":%lld,\"accepted\":%lld,"
              "\"inserted\":%lld,\"rejected\":%lld,\"duplicates\":%lld,\"dnc_flagged\":%lld,"
              "\"normalized\":%lld,\"malformed\":%lld,\"dnc_size\":%llu,\"dnc_load_s\":%.3f,"
              "\"import_s\":%.3f,\"total_s\":%.3f,\"rows_per_s\":%.0f,\"cpu_s\":%.3f,"
              "\"cpu_close_s\":%.3f,\"writer_cpu_s\":%.3f,\"writer_wall_s\":%.3f,\"finish_s\":%.3f,\"batches\":%d,"
              "\"counts\":{",
              heap.c_str(), store_kind.c_str(), batch_size, validate_only ? "true" : "false",
              static_cast<long long>(r.rows), static_cast<long long>(r.accepted),
              static_cast<long long>(r.inserted), static_cast<long long>(r.rejected),
              static_cast<long long>(r.duplicates),
              static_cast<long long>(r.national_dnc_flagged),
              static_cast<long long>(r.normalized), static_cast<long long>(r.malformed),
              static_cast<unsigned long long>(registry.size()), t_dnc, t_import, t_total,
              static_cast<double>(r.rows) / t_total, cpu_total, cpu_total - cpu_import, timed.cpu_s(),
              timed.wall_s(), timed.finish_wall_s, timed.batches());
  bool first = true;
  for (const auto& [code, n] : r.issue_counts) {
    std::printf("%s\"%s\":%lld", first ? "" : ",", code.c_str(), static_cast<long long>(n));
    first = false;
  }
  std::printf("}}\n");
  return 0;
}
