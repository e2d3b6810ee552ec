#include "outdial/net/server.hpp"

#include "outdial/net/router.hpp"  // default_error_response

// GCC 12 reports a false "potential null pointer dereference" (-Wnull-dereference) inside
// asio's scheduler.ipp after inlining; it is Boost's code, not ours, so silence it for these
// includes only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace outdial::net {

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Session;

// Shared by the server and its sessions; outlives both (declared first in Impl).
struct ServerState {
  ServerOptions options;
  RequestHandler handler;
  AsyncRequestHandler async_handler;  // set instead of `handler` in asynchronous mode
  std::int64_t async_outstanding = 0;  // Responders not yet called nor destroyed (under mu)
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable cv;
  std::map<Session*, std::weak_ptr<Session>> sessions;

  void add(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard lock(mu);
    sessions.emplace(s, std::move(w));
  }
  void remove(Session* s) {
    std::lock_guard lock(mu);
    sessions.erase(s);
    cv.notify_all();
  }
};

Response safe_call(ServerState& state, Request& req) {
  try {
    return state.handler(req);
  } catch (const std::exception& e) {
    return default_error_response(500, "internal", std::string("unhandled exception: ") + e.what());
  } catch (...) {
    return default_error_response(500, "internal", "unhandled exception");
  }
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerState& state) : stream_(std::move(socket)), state_(state) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  ~Session() { state_.remove(this); }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // Called from stop(): closes the connection if it is waiting for a request; a busy one closes
  // after its response (keep-alive is off once stopping).
  void shutdown_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->close();
    });
  }

 private:
  void read_header() {
    busy_ = false;
    if (state_.stopping) return close();
    parser_.emplace();
    parser_->body_limit(state_.options.body_limit);
    stream_.expires_after(state_.options.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    busy_ = true;
    const auto& req = parser_->get();
    auto expect = req.find(http::field::expect);
    if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
      // RFC 9110 §10.1.1: tell the client to send the body.
      continue_.emplace(http::status::continue_, req.version());
      stream_.expires_after(state_.options.write_timeout);
      http::async_write(stream_, *continue_, [self = shared_from_this()](beast::error_code wec, std::size_t) {
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(state_.options.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->on_read_error(ec);
                       self->handle();
                     });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return respond_error(413, "payload_too_large",
                           "request body exceeds " + std::to_string(state_.options.body_limit) + " bytes");
    }
    const beast::error_code http_category_probe = http::error::bad_target;
    if (ec.category() == http_category_probe.category() && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return respond_error(400, "invalid_argument", "malformed HTTP request: " + ec.message());
    }
    close();  // end of stream, timeout, reset, or aborted by stop()
  }

 public:
  // An asynchronous handler's answer, from any thread: written on the session's strand.
  void post_reply(Response out, unsigned version, bool keep_alive, bool head) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), out = std::move(out), version, keep_alive,
                                        head]() mutable {
      if (head) out.body.clear();
      self->write(std::move(out), version, keep_alive && !self->state_.stopping);
    });
  }

 private:
  void respond_error(int status, const std::string& code, const std::string& message) {
    busy_ = true;
    write(default_error_response(status, code, message), 11, false);
  }

  void handle() {
    auto& in = parser_->get();
    Request req;
    req.method = std::string(in.method_string());
    req.remote_address = remote_;
    const auto target = in.target();
    if (!split_target(std::string_view(target.data(), target.size()), req.raw_path, req.path, req.query)) {
      return respond_error(400, "invalid_argument", "malformed percent-encoding in request target");
    }
    {
      const std::string_view t(target.data(), target.size());
      const auto q = t.find('?');
      if (q != std::string_view::npos) req.raw_query = std::string(t.substr(q + 1, t.find('#', q) - q - 1));
    }
    for (const auto& f : in) {
      std::string name(f.name_string());
      auto it = req.headers.find(name);
      if (it == req.headers.end()) {
        req.headers.emplace(std::move(name), std::string(f.value()));
      } else {
        it->second += ", " + std::string(f.value());
      }
    }
    req.body = std::move(in.body());
    const bool keep_alive = in.keep_alive();
    const unsigned version = in.version();
    const bool head = in.method() == http::verb::head;
    if (state_.async_handler) return handle_async(req, version, keep_alive, head);
    Response out = safe_call(state_, req);
    if (head) out.body.clear();
    write(std::move(out), version, keep_alive && !state_.stopping);
  }

  void handle_async(Request& req, unsigned version, bool keep_alive, bool head);

  void write(Response out, unsigned version, bool keep_alive) {
    res_.emplace(static_cast<http::status>(out.status), version);
    res_->set(http::field::server, state_.options.server_name);
    for (const auto& [name, value] : out.headers) res_->set(name, value);
    res_->body() = std::move(out.body);
    res_->keep_alive(keep_alive);
    res_->prepare_payload();
    stream_.expires_after(state_.options.write_timeout);
    http::async_write(stream_, *res_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec || !keep_alive) return self->close();
                        self->res_.reset();
                        self->read_header();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  ServerState& state_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> res_;
  bool busy_ = false;  // touched only on the session's strand
};

// Shared by every copy of one request's Responder: the first call answers; the last copy's
// destruction answers 500 if nobody did. Counted in ServerState::async_outstanding so stop()
// never lets the io_context go while an answer may still be posted to it.
class AsyncReply {
 public:
  AsyncReply(std::shared_ptr<Session> session, asio::any_io_executor executor, ServerState& state, unsigned version,
             bool keep_alive, bool head)
      : session_(std::move(session)),
        // While an answer is owed the session has no I/O pending; this keeps the io threads
        // from running out of work (after stop() closed the acceptor) before it is written.
        work_(asio::prefer(std::move(executor), asio::execution::outstanding_work.tracked)),
        state_(state),
        version_(version),
        keep_alive_(keep_alive),
        head_(head) {
    std::lock_guard lock(state_.mu);
    ++state_.async_outstanding;
  }
  AsyncReply(const AsyncReply&) = delete;
  AsyncReply& operator=(const AsyncReply&) = delete;
  ~AsyncReply() {
    complete(default_error_response(500, "internal", "the handler dropped the request without answering"));
  }
  void complete(Response out) {
    if (done_.exchange(true)) return;
    session_->post_reply(std::move(out), version_, keep_alive_, head_);
    session_.reset();
    work_ = asio::any_io_executor();
    std::lock_guard lock(state_.mu);
    --state_.async_outstanding;
    state_.cv.notify_all();
  }

 private:
  std::shared_ptr<Session> session_;
  asio::any_io_executor work_;
  ServerState& state_;
  unsigned version_;
  bool keep_alive_;
  bool head_;
  std::atomic<bool> done_{false};
};

void Session::handle_async(Request& req, unsigned version, bool keep_alive, bool head) {
  auto reply = std::make_shared<AsyncReply>(shared_from_this(), stream_.get_executor(), state_, version, keep_alive,
                                            head);
  try {
    state_.async_handler(req, [reply](Response out) { reply->complete(std::move(out)); });
  } catch (const std::exception& e) {
    reply->complete(default_error_response(500, "internal", std::string("unhandled exception: ") + e.what()));
  } catch (...) {
    reply->complete(default_error_response(500, "internal", "unhandled exception"));
  }
}

}  // namespace

struct HttpServer::Impl {
  ServerState state;  // first: destroyed last, after the io_context drops the sessions
  asio::io_context ioc;
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  std::vector<std::thread> threads;
  std::atomic<std::uint16_t> port{0};
  bool started = false;
  bool stopped = false;

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec || state.stopping) return;  // closed by stop()
      auto session = std::make_shared<Session>(std::move(socket), state);
      state.add(session.get(), session);
      session->run();
      accept();
    });
  }
};

HttpServer::HttpServer(ServerOptions options, RequestHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->state.options = std::move(options);
  impl_->state.handler = std::move(handler);
}

HttpServer::HttpServer(ServerOptions options, AsyncRequestHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->state.options = std::move(options);
  impl_->state.async_handler = std::move(handler);
}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  auto& im = *impl_;
  if (im.started) return make_error(ErrorCode::kFailedPrecondition, "server already started");
  beast::error_code ec;
  const auto address = asio::ip::make_address(im.state.options.address, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidArgument, "bad listen address '" + im.state.options.address + "'",
                      {{"field", "address"}});
  }
  const tcp::endpoint endpoint(address, im.state.options.port);
  const auto fail = [&](const char* what) {
    return make_error(ErrorCode::kUnavailable, std::string(what) + " " + endpoint.address().to_string() +
                                                   ":" + std::to_string(endpoint.port()) + ": " +
                                                   ec.message());
  };
  im.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open");
  im.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  im.acceptor.bind(endpoint, ec);
  if (ec) return fail("cannot bind");
  im.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  im.port = im.acceptor.local_endpoint().port();
  im.started = true;
  im.accept();
  const int n = im.state.options.threads < 1 ? 1 : im.state.options.threads;
  for (int i = 0; i < n; ++i) {
    im.threads.emplace_back([&im] {
      // run() returns once the acceptor is closed and every session has ended.
      for (;;) {
        try {
          im.ioc.run();
          return;
        } catch (...) {
          // A handler escaped an exception; keep serving (the session involved is gone).
        }
      }
    });
  }
  return ok_status();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::stop() {
  auto& im = *impl_;
  if (!im.started || im.stopped) return;
  im.stopped = true;
  im.state.stopping = true;
  asio::post(im.acceptor.get_executor(), [&im] {
    beast::error_code ec;
    im.acceptor.close(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(im.state.mu);
    for (auto& [ptr, weak] : im.state.sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->shutdown_if_idle();
  live.clear();  // the sessions' own handlers keep them alive while they work
  {
    std::unique_lock lock(im.state.mu);
    im.state.cv.wait_for(lock, im.state.options.shutdown_grace, [&im] { return im.state.sessions.empty(); });
    // An answer still owed by an asynchronous handler would be posted to the io_context: keep
    // it (and its threads) until every Responder is settled.
    if (im.state.async_outstanding > 0) {
      im.state.cv.wait(lock, [&im] { return im.state.async_outstanding == 0; });
      // Let those late answers be written (their sessions then close: keep-alive is off).
      im.state.cv.wait_for(lock, im.state.options.write_timeout, [&im] { return im.state.sessions.empty(); });
    }
  }
  im.ioc.stop();
  for (auto& t : im.threads) {
    if (t.joinable()) t.join();
  }
  im.threads.clear();
}

}  // namespace outdial::net
