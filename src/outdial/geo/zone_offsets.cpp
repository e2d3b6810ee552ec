#include "outdial/geo/zone_offsets.hpp"

#include <algorithm>
#include <stdexcept>

#include <date/tz.h>

#include "outdial/geo/npa.hpp"

namespace outdial::geo {
namespace {
// Table range; outside it the slow tz lookup is used.
constexpr date::year kFirstYear{2000};
constexpr date::year kEndYear{2100};
}  // namespace

ZoneOffsets::ZoneOffsets(std::string_view iana) : name_(iana) {
  zone_ = date::locate_zone(name_);  // throws std::runtime_error when unknown
  const SysSeconds begin = date::sys_days{kFirstYear / date::January / 1};
  const SysSeconds end = date::sys_days{kEndYear / date::January / 1};
  table_end_ = end.time_since_epoch().count();
  SysSeconds t = begin;
  while (t < end) {
    const date::sys_info info = zone_->get_info(t);
    const std::int64_t b = std::max(info.begin, begin).time_since_epoch().count();
    const auto off = static_cast<std::int32_t>(info.offset.count());
    if (transitions_.empty() || transitions_.back().offset != off) transitions_.push_back({b, off});
    if (info.end <= t) break;  // defensive: never loop forever
    t = info.end;
  }
}

Seconds ZoneOffsets::offset_at(SysSeconds t) const {
  const std::int64_t s = t.time_since_epoch().count();
  if (transitions_.empty() || s < transitions_.front().begin || s >= table_end_) {
    return zone_->get_info(t).offset;
  }
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s,
                                   [](std::int64_t v, const Transition& tr) { return v < tr.begin; });
  return Seconds{std::prev(it)->offset};
}

SysSeconds ZoneOffsets::to_utc(LocalSeconds local) const {
  // Offsets a day either side bracket any single transition near `local`.
  const SysSeconds as_utc{local.time_since_epoch()};
  const Seconds before = offset_at(as_utc - Seconds{86400});
  const Seconds after = offset_at(as_utc + Seconds{86400});
  const SysSeconds ua = as_utc - before;
  const SysSeconds ub = as_utc - after;
  const bool a_ok = ua + offset_at(ua) == as_utc;
  const bool b_ok = ub + offset_at(ub) == as_utc;
  if (a_ok && b_ok) return std::min(ua, ub);
  if (a_ok) return ua;
  if (b_ok) return ub;
  // Gap (spring forward): the wall time does not exist; shift it forward by the gap length.
  return std::max(ua, ub);
}

ZoneCatalog::ZoneCatalog() {
  for (std::string_view name : npa_zone_names()) {
    prebuilt_.emplace(std::string(name), std::make_unique<ZoneOffsets>(name));
  }
}

const ZoneOffsets* ZoneCatalog::find(std::string_view iana) const {
  if (auto it = prebuilt_.find(iana); it != prebuilt_.end()) return it->second.get();
  if (iana.empty()) return nullptr;
  std::lock_guard lock(mutex_);
  if (auto it = extra_.find(iana); it != extra_.end()) return it->second.get();
  std::unique_ptr<ZoneOffsets> built;
  try {
    built = std::make_unique<ZoneOffsets>(iana);
  } catch (const std::exception&) {
    built = nullptr;  // unknown zone: cache the miss too
  }
  const ZoneOffsets* raw = built.get();
  extra_.emplace(std::string(iana), std::move(built));
  return raw;
}

}  // namespace outdial::geo
