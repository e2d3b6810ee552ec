#pragma once
// A tiny name table shared by the enum to_string/parse pairs in core.
#include <optional>
#include <string_view>
#include <utility>

namespace outdial::detail {

template <typename E, std::size_t N>
const char* name_of(const std::pair<E, const char*> (&table)[N], E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename E, std::size_t N>
std::optional<E> parse_name(const std::pair<E, const char*> (&table)[N], std::string_view text) {
  for (const auto& [e, name] : table) {
    if (text == name) return e;
  }
  return std::nullopt;
}

}  // namespace outdial::detail
