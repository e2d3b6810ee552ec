#include "load_client.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include <time.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <cstdio>
#include <memory>

#include "outdial/telephony/twilio/twilio_signature.hpp"

namespace outdial::webhook_bench {

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Shared {
  Shared(const LoadConfig& c, LoadResult& o) : cfg(c), out(o) {}
  const LoadConfig& cfg;
  LoadResult& out;
  std::size_t next = 0;
  Clock::time_point start;
  Clock::time_point measure_from;
  Clock::time_point end;
  bool done = false;
};

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(asio::io_context& ioc, Shared& sh, tcp::endpoint ep) : socket_(ioc), sh_(sh), ep_(ep) {}
  void start() {
    socket_.async_connect(ep_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail();
      self->socket_.set_option(tcp::no_delay(true));
      self->send_next();
    });
  }

 private:
  void send_next() {
    const auto now = Clock::now();
    if (now >= sh_.end || sh_.next >= sh_.cfg.requests->size()) return close();
    index_ = static_cast<std::int64_t>(sh_.next++);
    sent_at_ = now;
    ++sh_.out.sent;
    const std::string& bytes = (*sh_.cfg.requests)[static_cast<std::size_t>(index_)];
    asio::async_write(socket_, asio::buffer(bytes), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail();
      self->res_.emplace();
      http::async_read(self->socket_, self->buffer_, *self->res_,
                       [self](beast::error_code rec, std::size_t) { self->on_response(rec); });
    });
  }

  void on_response(beast::error_code ec) {
    if (ec) return fail();
    const auto now = Clock::now();
    if (res_->result_int() == 200) {
      ++sh_.out.ok_total;
      if (sh_.cfg.record_acked) sh_.out.acked.push_back(index_);
      if (sent_at_ >= sh_.measure_from && now <= sh_.end) {
        ++sh_.out.ok;
        sh_.out.latencies_us.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at_).count()));
      }
    } else {
      ++sh_.out.non_200;
    }
    if (!res_->keep_alive()) return close();
    send_next();
  }

  void fail() {
    ++sh_.out.errors;
    close();
  }
  void close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  tcp::socket socket_;
  Shared& sh_;
  tcp::endpoint ep_;
  beast::flat_buffer buffer_;
  std::optional<http::response<http::string_body>> res_;
  std::int64_t index_ = -1;
  Clock::time_point sent_at_;
};

}  // namespace

double LoadResult::percentile_ms(double p) const {
  if (latencies_us.empty()) return 0;
  std::vector<std::uint32_t> v = latencies_us;
  const auto k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k] / 1000.0;
}

LoadResult run_load(const LoadConfig& config) {
  LoadResult out;
  asio::io_context ioc(1);
  Shared sh{config, out};
  sh.start = Clock::now();
  sh.measure_from = sh.start + config.warmup;
  sh.end = sh.measure_from + config.duration;
  const tcp::endpoint ep(asio::ip::make_address(config.host), config.port);
  out.latencies_us.reserve(1 << 20);
  const auto thread_cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  const double cpu0 = thread_cpu();
  for (int i = 0; i < config.connections; ++i) std::make_shared<Conn>(ioc, sh, ep)->start();
  ioc.run();
  out.client_cpu_seconds = thread_cpu() - cpu0;
  const auto finished = Clock::now();
  const auto window_end = std::min(finished, sh.end);
  out.window_seconds = std::chrono::duration<double>(window_end - sh.measure_from).count();
  return out;
}

std::string call_sid(std::int64_t call) {
  char sid[40];
  std::snprintf(sid, sizeof sid, "CA%032llx", static_cast<unsigned long long>(call));
  return sid;
}

std::vector<std::string> status_callback_keys(std::int64_t call, int seq) {
  const std::string sid = call_sid(call);
  switch (seq % 4) {
    case 2:
      return {sid + ":answered"};
    case 3:
      return {sid + ":answered", sid + ":" + std::to_string(seq)};
    default:
      return {sid + ":" + std::to_string(seq)};
  }
}

std::string signed_status_callback(const std::string& auth_token, const std::string& host, std::uint16_t port,
                                   const std::string& path, std::int64_t call, int seq) {
  static const char* kStatus[] = {"initiated", "ringing", "in-progress", "completed"};
  const std::string sid = call_sid(call);
  const std::string status = kStatus[seq % 4];
  telephony::twilio::FormParams params{
      {"AccountSid", "AC0123456789abcdef0123456789abcdef"},
      {"ApiVersion", "2010-04-01"},
      {"CallSid", sid},
      {"CallStatus", status},
      {"CallbackSource", "call-progress-events"},
      {"Direction", "outbound-api"},
      {"From", "+15017122661"},
      {"SequenceNumber", std::to_string(seq)},
      {"Timestamp", "Sun, 25 Mar 2018 09:53:19 +0000"},
      {"To", "+15558675310"},
  };
  if (status == "completed") {
    params.emplace_back("CallDuration", "49");
    params.emplace_back("Duration", "1");
  }
  std::string body;
  const auto enc = [](const std::string& s) {
    std::string o;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        o += static_cast<char>(c);
      } else if (c == ' ') {
        o += '+';
      } else {
        char b[4];
        std::snprintf(b, sizeof b, "%%%02X", c);
        o += b;
      }
    }
    return o;
  };
  for (const auto& [k, v] : params) {
    if (!body.empty()) body += '&';
    body += enc(k) + "=" + enc(v);
  }
  const std::string authority = host + ":" + std::to_string(port);
  const std::string sig = telephony::twilio::compute_signature(auth_token, "http://" + authority + path, params);
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: " + authority +
                    "\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: " + sig +
                    "\r\nUser-Agent: TwilioProxy/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                    body;
  return req;
}

}  // namespace outdial::webhook_bench
