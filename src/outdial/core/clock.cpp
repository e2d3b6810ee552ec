#include "outdial/core/clock.hpp"

#include <date/date.h>

#include <sstream>

namespace outdial {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

std::string format_iso8601(TimePoint t) { return date::format("%FT%TZ", t); }

bool parse_iso8601(const std::string& text, TimePoint& out, bool require_zone) {
  // Try the accepted shapes from most to least specific; the zoneless ones come last.
  static const char* const kFormats[] = {"%FT%T%Ez", "%FT%TZ", "%FT%R%Ez", "%FT%RZ", "%FT%T", "%FT%R"};
  const std::size_t count = require_zone ? 4 : 6;
  for (std::size_t i = 0; i < count; ++i) {
    const char* fmt = kFormats[i];
    std::istringstream in(text);
    date::sys_time<Millis> tp;
    in >> date::parse(fmt, tp);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) {
      out = tp;
      return true;
    }
  }
  return false;
}

}  // namespace outdial
