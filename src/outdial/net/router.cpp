#include "outdial/net/router.hpp"

#include <set>

namespace outdial::net {

Response default_error_response(int status, const std::string& code, const std::string& message) {
  return Response::json(status, "{\"error\":{\"code\":" + json_quote(code) +
                                    ",\"message\":" + json_quote(message) + ",\"details\":{}}}");
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    const auto slash = path.find('/', i);
    const auto end = slash == std::string::npos ? path.size() : slash;
    if (end > i) out.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

Router::Router() : error_(default_error_response) {}

void Router::add(const std::string& method, const std::string& pattern, Handler handler) {
  Route r;
  r.method = method;
  r.segments = split_path(pattern);
  for (const auto& s : r.segments) {
    if (s.empty() || s[0] != ':') ++r.literal_count;
  }
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

Response Router::dispatch(Request& req) const {
  // Match on the raw path split first, then decode each segment: an encoded "/" (%2F) inside a
  // parameter must not split it.
  const auto raw_segments = split_path(req.raw_path.empty() ? req.path : req.raw_path);
  std::vector<std::string> segments;
  segments.reserve(raw_segments.size());
  for (const auto& s : raw_segments) {
    auto d = percent_decode(s, false);
    if (!d) return error_(400, "invalid_argument", "malformed percent-encoding in path");
    segments.push_back(std::move(*d));
  }

  const Route* best = nullptr;
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      const auto& p = route.segments[i];
      if (p[0] == ':') {
        match = !segments[i].empty();
      } else {
        match = p == segments[i];
      }
    }
    if (!match) continue;
    allowed.insert(route.method);
    // HEAD is served by GET handlers (the server drops the body).
    const bool method_ok = route.method == req.method || (req.method == "HEAD" && route.method == "GET");
    if (method_ok && (best == nullptr || route.literal_count > best->literal_count)) best = &route;
  }
  if (best == nullptr) {
    if (allowed.empty()) return error_(404, "not_found", "no route for " + req.path);
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    Response r = error_(405, "method_not_allowed", req.method + " is not allowed on " + req.path);
    r.headers["Allow"] = allow;
    return r;
  }
  req.path_params.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (best->segments[i][0] == ':') req.path_params[best->segments[i].substr(1)] = segments[i];
  }
  return best->handler(req);
}

RequestHandler Router::as_handler() const {
  return [this](Request& req) { return dispatch(req); };
}

}  // namespace outdial::net
