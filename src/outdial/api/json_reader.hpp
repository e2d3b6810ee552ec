#pragma once
// Reads fields out of a JSON object with errors that name the field path ("consents[1].type").
// The first error wins; later reads are no-ops once failed. Unknown keys are rejected by
// finish() so a typo never silently falls back to a default.
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "outdial/core/clock.hpp"
#include "outdial/core/result.hpp"

namespace outdial::api {

// Parses a request body as JSON. kInvalidArgument naming the byte position on malformed input
// (details {"position": N}); an empty body parses as {} when allow_empty.
Result<nlohmann::json> parse_json_body(const std::string& body, bool allow_empty = false);

class ObjectReader {
 public:
  // path: "" for the root object, else the object's own path ("campaign", "consents[0]").
  ObjectReader(const nlohmann::json& j, std::string path);

  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }
  Status status() const { return ok() ? ok_status() : Status(*error_); }
  // Records a failure naming `key` (first failure wins).
  void fail(const std::string& key, const std::string& message);
  std::string field(const std::string& key) const;  // "path.key"
  bool has(const std::string& key) const;           // present and not null

  void str(const std::string& key, std::string& out, bool required = false);
  void integer(const std::string& key, int& out, int min, int max, bool required = false);
  void int64(const std::string& key, std::int64_t& out, bool required = false);
  void boolean(const std::string& key, bool& out);
  void time(const std::string& key, TimePoint& out, bool required = false);
  void opt_time(const std::string& key, std::optional<TimePoint>& out);

  template <typename E, typename Parse>
  void enumeration(const std::string& key, E& out, Parse parse, bool required = false) {
    const nlohmann::json* v = take(key, required);
    if (v == nullptr) return;
    if (!v->is_string()) return fail(key, "must be a string");
    auto parsed = parse(v->template get<std::string>());
    if (!parsed) return fail(key, "unknown value '" + v->template get<std::string>() + "'");
    out = *parsed;
  }
  template <typename E, typename Parse>
  void opt_enumeration(const std::string& key, std::optional<E>& out, Parse parse) {
    if (!has(key)) {
      seen_.insert(key);
      return;
    }
    E value{};
    enumeration(key, value, parse);
    if (ok()) out = value;
  }

  // The value (marks the key seen), or nullptr when absent/null; fails when required and absent.
  const nlohmann::json* take(const std::string& key, bool required = false);
  // Rejects keys never read: {"field": "path.key"}.
  void finish();

 private:
  const nlohmann::json& j_;
  std::string path_;
  std::set<std::string> seen_;
  std::optional<Error> error_;
};

// Optional instant as JSON: ISO-8601 string or null.
nlohmann::json time_json(const std::optional<TimePoint>& t);

}  // namespace outdial::api
