#pragma once
// A small HTTP/1.1 server (Boost.Beast + Asio behind a pimpl: no Beast type leaks from here).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "outdial/core/result.hpp"
#include "outdial/net/http_types.hpp"

namespace outdial::net {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                     // 0 = any free port; see HttpServer::port()
  int threads = 2;                            // io threads; handlers run on them
  std::size_t body_limit = 64 * 1024 * 1024;  // larger bodies answer 413 and close
  std::chrono::seconds header_timeout{30};    // idle keep-alive wait + reading the header
  std::chrono::seconds body_timeout{300};     // reading the body (uploads)
  std::chrono::seconds write_timeout{60};
  std::chrono::seconds shutdown_grace{5};  // stop() waits this long for in-flight requests
  std::string server_name = "outdial";
};

// Answers one request of an asynchronous handler. Call it once, from any thread (later calls
// are ignored). If every copy is destroyed without a call, the request is answered 500.
using Responder = std::function<void(Response)>;
// An asynchronous handler returns at once and answers later through the Responder, so the io
// threads never wait for it (e.g. many webhooks waiting on one disk commit; see ingest). The
// Request is valid only during the call: copy what is needed later.
using AsyncRequestHandler = std::function<void(Request&, Responder)>;

// Lifecycle: construct -> start() -> ... -> stop() (or destroy). Keep-alive per HTTP/1.1;
// "Expect: 100-continue" is answered. A handler that throws answers 500. The handler is called
// concurrently from the io threads, so it must be thread-safe.
class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandler handler);
  // Asynchronous mode. stop() (and the destructor) also waits, past shutdown_grace, until every
  // Responder handed out was called or destroyed: the handler must not hold one forever.
  HttpServer(ServerOptions options, AsyncRequestHandler handler);
  ~HttpServer();  // calls stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the io threads. kInvalidArgument for a bad address, kUnavailable
  // when the port cannot be bound, kFailedPrecondition when already started.
  Status start();
  // The bound port (useful with port 0); 0 before start().
  std::uint16_t port() const;
  // Graceful: stops accepting, closes idle keep-alive connections, lets in-flight requests finish
  // (up to shutdown_grace), then stops the io threads. Idempotent; safe from any non-io thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outdial::net
