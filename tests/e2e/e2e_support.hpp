#pragma once
// Shared by the end-to-end tests: temp directories, files, a bounded subprocess runner for the
// `outdial` binary, and JSON calls over the loopback test client.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "unit/net/test_http_client.hpp"

namespace outdial::e2e {

using nlohmann::json;

inline std::string make_temp_dir(const std::string& tag) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("outdial_e2e_" + tag + "_XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const char* dir = ::mkdtemp(buf.data());
  return dir == nullptr ? std::string() : std::string(dir);
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A child process whose stdout and stderr go to files (so a chatty child can never block on a
// full pipe). Every wait is bounded; the destructor SIGKILLs a child that is still running.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& out_path, const std::string& err_path)
      : out_path_(out_path), err_path_(err_path) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out >= 0) ::dup2(out, 1);
      if (err >= 0) ::dup2(err, 2);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));  // NOLINT: execv's API
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      wait_for(std::chrono::seconds(10));
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const { return pid_ > 0; }
  bool running() const { return pid_ > 0 && !reaped_; }
  pid_t pid() const { return pid_; }

  // Waits at most `limit`; true when the child has ended (status in exit_code()/signaled()).
  bool wait_for(std::chrono::milliseconds limit) {
    if (!running()) return reaped_;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        signaled_ = WIFSIGNALED(status);
        signal_ = signaled_ ? WTERMSIG(status) : 0;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return true;
      }
      if (r < 0 || std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  void send(int sig) {
    if (running()) ::kill(pid_, sig);
  }

  int exit_code() const { return exit_code_; }
  bool signaled() const { return signaled_; }
  int signal() const { return signal_; }
  std::string out() const { return read_file(out_path_); }
  std::string err() const { return read_file(err_path_); }

 private:
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  bool signaled_ = false;
  int signal_ = 0;
  int exit_code_ = -1;
};

struct RunResult {
  int exit_code = -1;  // -1: killed (timeout or signal)
  bool timed_out = false;
  std::string out, err;
};

// Runs the command to completion, SIGKILLing it after `limit`.
inline RunResult run(const std::vector<std::string>& args, const std::string& scratch_dir,
                     std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  static int counter = 0;
  const std::string base = scratch_dir + "/run" + std::to_string(counter++);
  RunResult r;
  Child c(args, base + ".out", base + ".err");
  if (!c.wait_for(limit)) {
    r.timed_out = true;
    c.send(SIGKILL);
    c.wait_for(std::chrono::seconds(10));
  }
  r.exit_code = c.signaled() ? -1 : c.exit_code();
  r.out = c.out();
  r.err = c.err();
  return r;
}

struct Reply {
  int status = 0;
  json body;
  std::string raw;
};

inline Reply http(std::uint16_t port, const std::string& method, const std::string& target, const std::string& key,
                  const std::string& body = "", std::map<std::string, std::string> headers = {}) {
  outdial::testing::TestHttpClient c(port);
  if (!key.empty()) headers["Authorization"] = "Bearer " + key;
  if (!body.empty() && headers.count("Content-Type") == 0) headers["Content-Type"] = "application/json";
  auto raw = c.request(method, target, body, headers);
  Reply r;
  r.status = raw.status;
  r.raw = raw.body;
  r.body = raw.body.empty() ? json() : json::parse(raw.body, nullptr, false);
  return r;
}

inline Reply http_json(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& key, const json& body) {
  return http(port, method, target, key, body.dump());
}

// A multipart/form-data body (RFC 7578) with text fields and one `file` part.
inline std::string multipart(const std::map<std::string, std::string>& fields, const std::string& csv,
                             const std::string& boundary = "e2e-boundary-7MA4YWxk") {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  body += "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"contacts.csv\"\r\nContent-Type: "
          "text/csv\r\n\r\n" +
          csv + "\r\n--" + boundary + "--\r\n";
  return body;
}

}  // namespace outdial::e2e
