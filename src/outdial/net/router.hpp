#pragma once
// Method + path routing with ":name" path parameters ("/api/campaigns/:id/start").
#include <string>
#include <vector>

#include "outdial/net/http_types.hpp"

namespace outdial::net {

// Builds the 404/405 (and other net-level) error bodies so the API can keep one error format.
// Arguments: HTTP status, machine code ("not_found", "method_not_allowed"), message.
using ErrorResponder = std::function<Response(int, const std::string&, const std::string&)>;

// Default error body: {"error":{"code":..,"message":..,"details":{}}}.
Response default_error_response(int status, const std::string& code, const std::string& message);

// Not thread-safe to mutate; add every route before the server starts. dispatch() is const and
// safe to call concurrently.
class Router {
 public:
  Router();
  // pattern: "/literal/:param/literal". A ":param" matches exactly one non-empty segment.
  // When several routes match, the one with more literal segments wins (so "/lists/new" beats
  // "/lists/:id"); among equals, the first added wins.
  void add(const std::string& method, const std::string& pattern, Handler handler);
  void set_error_responder(ErrorResponder responder) { error_ = std::move(responder); }

  // Finds the route, fills req.path_params and calls the handler. 404 when no pattern matches
  // the path, 405 (with an Allow header) when the path matches but the method does not.
  Response dispatch(Request& req) const;
  // As a plain Handler for HttpServer (the router must outlive the server).
  RequestHandler as_handler() const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // ":x" marks a parameter
    int literal_count = 0;
    Handler handler;
  };
  std::vector<Route> routes_;
  ErrorResponder error_;
};

// "/a//b/" -> {"a", "b"}; the root is {}.
std::vector<std::string> split_path(const std::string& path);

}  // namespace outdial::net
