#include "outdial/net/curl/curl_http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace outdial::net {
namespace {

// curl_global_init is not thread-safe and must run once before any other call (libcurl docs,
// "curl_global_init"). Never cleaned up: the process keeps the client for its lifetime.
void global_init_once() {
  static std::once_flag flag;
  std::call_once(flag, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// "https://user:pw@host:1/p?q" -> "https://host:1/p": for error messages only.
std::string redact_url(const std::string& url) {
  std::string out = url;
  const auto q = out.find_first_of("?#");
  if (q != std::string::npos) out.erase(q);
  const auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const auto auth_start = scheme_end + 3;
    const auto path_start = out.find('/', auth_start);
    const auto at = out.find('@', auth_start);
    if (at != std::string::npos && (path_start == std::string::npos || at < path_start)) {
      out.erase(auth_start, at + 1 - auth_start);
    }
  }
  return out;
}

struct Collected {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

extern "C" std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* c = static_cast<Collected*>(user);
  c->body.append(data, size * n);
  return size * n;
}

extern "C" std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* c = static_cast<Collected*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  // A new status line starts a new header block (e.g. after "100 Continue"): keep only the last.
  if (line.rfind("HTTP/", 0) == 0) {
    c->headers.clear();
    return size * n;
  }
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  std::size_t v = colon + 1;
  while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) ++v;
  c->headers.emplace_back(std::move(name), line.substr(v));
  return size * n;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlClientOptions options) : options_(std::move(options)) { global_init_once(); }
  ~CurlHttpClient() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<ClientResponse> send(const ClientRequest& request) override {
    const std::string where = redact_url(request.url);
    if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0) {
      return make_error(ErrorCode::kInvalidArgument, "URL must start with http:// or https://: " + where,
                        {{"url", where}});
    }
    CURL* h = acquire();
    if (h == nullptr) return make_error(ErrorCode::kInternal, "curl_easy_init failed");
    auto result = perform(h, request, where);
    release(h);
    return result;
  }

 private:
  Result<ClientResponse> perform(CURL* h, const ClientRequest& request, const std::string& where) {
    Collected collected;
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    auto append_header = [&headers](const std::string& line) {
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (next != nullptr) {
        (void)headers.release();
        headers.reset(next);
      }
    };
    for (const auto& [k, v] : request.headers) append_header(k + ": " + v);
    // Send bodies at once instead of waiting up to 1 s for "100 Continue".
    append_header("Expect:");

    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required for multi-threaded use with time-outs
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(
                                                       options_.connect_timeout, request.timeout).count()));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &collected);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &collected);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    if (!request.basic_user.empty() || !request.basic_password.empty()) {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(h, CURLOPT_USERNAME, request.basic_user.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, request.basic_password.c_str());
    }
    if (request.method == "GET" && request.body.empty()) {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      // POSTFIELDS with an explicit size sends the body as is (binary-safe); CUSTOMREQUEST sets
      // the method for PUT/PATCH/DELETE without changing how the body is sent.
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      if (request.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
      std::map<std::string, std::string> details{{"url", where}, {"curl_code", std::to_string(static_cast<int>(rc))}};
      if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
        return make_error(ErrorCode::kInvalidArgument, std::string("bad URL ") + where + ": " + curl_easy_strerror(rc),
                          std::move(details));
      }
      if (rc == CURLE_OPERATION_TIMEDOUT) details["timeout"] = "true";
      return make_error(ErrorCode::kUnavailable,
                        std::string(request.method) + " " + where + " failed: " + curl_easy_strerror(rc),
                        std::move(details));
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    ClientResponse response;
    response.status = static_cast<int>(status);
    response.headers = std::move(collected.headers);
    response.body = std::move(collected.body);
    return response;
  }

  CURL* acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void release(CURL* h) {
    // reset() clears every option (credentials included) but keeps the connection cache.
    curl_easy_reset(h);
    {
      std::lock_guard lock(mu_);
      if (idle_.size() < options_.max_idle_handles) {
        idle_.push_back(h);
        return;
      }
    }
    curl_easy_cleanup(h);
  }

  CurlClientOptions options_;
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_client(CurlClientOptions options) {
  return std::make_unique<CurlHttpClient>(std::move(options));
}

}  // namespace outdial::net
