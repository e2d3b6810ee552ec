#include "outdial/api/json_reader.hpp"

#include <limits>

namespace outdial::api {

using nlohmann::json;

Result<json> parse_json_body(const std::string& body, bool allow_empty) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (allow_empty) return json::object();
    return make_error(ErrorCode::kInvalidArgument, "request body is empty; expected a JSON object",
                      {{"position", "0"}});
  }
  try {
    return json::parse(body);
  } catch (const json::parse_error& e) {
    return make_error(ErrorCode::kInvalidArgument,
                      "malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what(),
                      {{"position", std::to_string(e.byte)}});
  }
}

ObjectReader::ObjectReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
  if (!j_.is_object()) {
    error_ = make_error(ErrorCode::kInvalidArgument,
                        (path_.empty() ? std::string("request body") : path_) + " must be a JSON object",
                        {{"field", path_.empty() ? std::string("$") : path_}});
  }
}

std::string ObjectReader::field(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void ObjectReader::fail(const std::string& key, const std::string& message) {
  if (error_) return;
  const std::string f = field(key);
  error_ = make_error(ErrorCode::kInvalidArgument, f + ": " + message, {{"field", f}});
}

bool ObjectReader::has(const std::string& key) const {
  if (!j_.is_object()) return false;
  auto it = j_.find(key);
  return it != j_.end() && !it->is_null();
}

const json* ObjectReader::take(const std::string& key, bool required) {
  if (error_) return nullptr;
  seen_.insert(key);
  auto it = j_.find(key);
  if (it == j_.end() || it->is_null()) {
    if (required) fail(key, "is required");
    return nullptr;
  }
  return &*it;
}

void ObjectReader::str(const std::string& key, std::string& out, bool required) {
  const json* v = take(key, required);
  if (v == nullptr) return;
  if (!v->is_string()) return fail(key, "must be a string");
  out = v->get<std::string>();
  if (required && out.empty()) fail(key, "must not be empty");
}

void ObjectReader::integer(const std::string& key, int& out, int min, int max, bool required) {
  const json* v = take(key, required);
  if (v == nullptr) return;
  if (!v->is_number_integer()) return fail(key, "must be an integer");
  // An unsigned value above INT64_MAX would wrap to a negative number: out of range, say so.
  const bool huge = v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX);
  const auto n = huge ? std::numeric_limits<std::int64_t>::max() : v->get<std::int64_t>();
  if (n < min || n > max) {
    return fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  out = static_cast<int>(n);
}

void ObjectReader::int64(const std::string& key, std::int64_t& out, bool required) {
  const json* v = take(key, required);
  if (v == nullptr) return;
  if (!v->is_number_integer()) return fail(key, "must be an integer");
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    return fail(key, "is too large (at most " + std::to_string(INT64_MAX) + ")");
  }
  out = v->get<std::int64_t>();
}

void ObjectReader::boolean(const std::string& key, bool& out) {
  const json* v = take(key);
  if (v == nullptr) return;
  if (!v->is_boolean()) return fail(key, "must be true or false");
  out = v->get<bool>();
}

void ObjectReader::time(const std::string& key, TimePoint& out, bool required) {
  const json* v = take(key, required);
  if (v == nullptr) return;
  if (!v->is_string()) return fail(key, "must be an ISO-8601 string");
  TimePoint t;
  if (!parse_iso8601(v->get<std::string>(), t, /*require_zone=*/true)) {
    return fail(key, "'" + v->get<std::string>() +
                         "' is not an ISO-8601 time with a zone (e.g. 2026-11-22T14:03:00Z or 2026-11-22T09:03:00-05:00)");
  }
  out = t;
}

void ObjectReader::opt_time(const std::string& key, std::optional<TimePoint>& out) {
  if (!has(key)) {
    seen_.insert(key);
    return;
  }
  TimePoint t;
  time(key, t);
  if (ok()) out = t;
}

void ObjectReader::finish() {
  if (error_ || !j_.is_object()) return;
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (seen_.count(it.key()) == 0) return fail(it.key(), "unknown field");
  }
}

json time_json(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return format_iso8601(*t);
}

}  // namespace outdial::api
