#pragma once
// Fast UTC <-> local conversion for IANA zones. date::locate_zone and time_zone::get_info are
// too slow for the gate's hot path (≥1M decisions/s), so each zone's UTC-offset transitions for
// 2000..2100 are precomputed once into a sorted table; lookups are a binary search.
// Uses the OS tz database (Debian's date-tz is built with USE_OS_TZDB=1, /usr/share/zoneinfo).
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace date {
class time_zone;
}

namespace outdial::geo {

using Seconds = std::chrono::seconds;
using SysSeconds = std::chrono::sys_seconds;
using LocalSeconds = std::chrono::local_seconds;

class ZoneOffsets {
 public:
  // Builds the table from the tz database. Throws std::runtime_error for an unknown zone (use
  // ZoneCatalog, which translates that into nullptr).
  explicit ZoneOffsets(std::string_view iana);

  const std::string& name() const { return name_; }
  // UTC offset in effect at `t` (local = utc + offset).
  Seconds offset_at(SysSeconds t) const;
  LocalSeconds to_local(SysSeconds t) const { return LocalSeconds{(t + offset_at(t)).time_since_epoch()}; }
  // The UTC instant for a local wall time. Ambiguous times (fall-back hour) give the earlier
  // instant; non-existent times (spring-forward gap) are shifted forward by the gap
  // length (02:30 -> 03:30 daylight time).
  SysSeconds to_utc(LocalSeconds local) const;

 private:
  struct Transition {
    std::int64_t begin;   // UTC seconds since epoch
    std::int32_t offset;  // seconds
  };
  std::string name_;
  const date::time_zone* zone_ = nullptr;
  std::vector<Transition> transitions_;
  std::int64_t table_end_ = 0;
};

// Name -> ZoneOffsets. Every zone of the NPA table is built in the constructor; other names are
// resolved on first use under a mutex. Thread-safe; returned pointers live as long as the catalog.
class ZoneCatalog {
 public:
  ZoneCatalog();
  ZoneCatalog(const ZoneCatalog&) = delete;
  ZoneCatalog& operator=(const ZoneCatalog&) = delete;

  // nullptr for names the tz database does not know.
  const ZoneOffsets* find(std::string_view iana) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, std::unique_ptr<ZoneOffsets>, Hash, std::equal_to<>>;
  Map prebuilt_;  // immutable after construction: lock-free reads
  mutable std::mutex mutex_;
  mutable Map extra_;  // includes nullptr entries for unknown names (negative cache)
};

}  // namespace outdial::geo
