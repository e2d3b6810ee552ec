#include "outdial/dnc/flat_file_loader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

#include "outdial/dnc/nanp.hpp"

namespace outdial::dnc {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;
constexpr std::size_t kMaxLine = 4096;  // longer lines are malformed; only their head is kept
constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The NPA a file is named for ("212.txt" -> 212), if its stem is three digits.
std::optional<std::uint64_t> file_npa(const std::filesystem::path& file) {
  const std::string stem = file.stem().string();
  if (stem.size() != 3 || !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(std::stoi(stem));
}

class LineSink {
 public:
  LineSink(std::string file, std::optional<std::uint64_t> npa, RegistryBuilder& builder, LoadReport& report)
      : file_(std::move(file)), npa_(npa), builder_(builder), report_(report) {}

  void line(std::string_view raw) {
    ++line_no_;
    ++report_.lines;
    if (line_no_ == 1 && raw.substr(0, kBom.size()) == kBom) raw.remove_prefix(kBom.size());
    const std::string_view text = trim(raw);
    if (text.empty()) {
      ++report_.blank_lines;
      return;
    }
    const std::optional<std::uint64_t> number = parse_ten_digits(text);
    if (!number) {
      malformed(text, "expected exactly 10 digits");
      return;
    }
    switch (builder_.add(*number)) {
      case AddResult::kAdded: ++report_.numbers_added; break;
      case AddResult::kDuplicate: ++report_.duplicates; break;
      case AddResult::kInvalid: malformed(text, "area code or exchange starts with 0 or 1"); return;
    }
    if (npa_ && *number / 10'000'000 != *npa_) ++report_.npa_mismatches;
  }

 private:
  void malformed(std::string_view text, const char* reason) {
    ++report_.malformed;
    if (report_.malformed_lines.size() < LoadReport::kMaxReportedLines) {
      report_.malformed_lines.push_back(
          MalformedLine{file_, line_no_, reason, std::string(text.substr(0, 40))});
    }
  }

  std::string file_;
  std::optional<std::uint64_t> npa_;
  RegistryBuilder& builder_;
  LoadReport& report_;
  std::uint64_t line_no_ = 0;
};

Error io_error(const std::filesystem::path& file, const char* what, int err) {
  return make_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                    std::string("dnc: cannot ") + what + " " + file.string() + ": " + std::strerror(err),
                    {{"path", file.string()}});
}

}  // namespace

Status load_registry_file(const std::filesystem::path& file, RegistryBuilder& builder, LoadReport& report) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(file, "open", errno);
  (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  LineSink sink(file.filename().string(), file_npa(file), builder, report);
  std::string buffer(kChunk, '\0');
  std::string carry;  // an unfinished line from the previous chunk
  while (true) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return io_error(file, "read", err);
    }
    if (got == 0) break;
    report.bytes += static_cast<std::uint64_t>(got);
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(got));
    while (!chunk.empty()) {
      const std::size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        if (carry.size() < kMaxLine) carry.append(chunk.substr(0, kMaxLine - carry.size()));
        break;
      }
      if (carry.empty()) {
        sink.line(chunk.substr(0, nl));
      } else {
        if (carry.size() < kMaxLine) carry.append(chunk.substr(0, std::min(nl, kMaxLine - carry.size())));
        sink.line(carry);
        carry.clear();
      }
      chunk.remove_prefix(nl + 1);
    }
  }
  ::close(fd);
  if (!carry.empty()) sink.line(carry);  // last line without a newline
  ++report.files;
  return ok_status();
}

Status load_registry_directory(const std::filesystem::path& directory, RegistryBuilder& builder,
                               LoadReport& report) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(directory, ec);
  if (ec) {
    return make_error(ec == std::errc::no_such_file_or_directory ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                      "dnc: cannot list " + directory.string() + ": " + ec.message(),
                      {{"path", directory.string()}});
  }
  // increment(ec) rather than range-for: the operator++ form throws filesystem_error.
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::filesystem::path& p = it->path();
    const std::string name = p.filename().string();
    if (!name.empty() && name[0] == '.') continue;
    if (!it->is_regular_file(ec) || p.extension() != ".txt") {
      report.skipped_files.push_back(name);
      continue;
    }
    files.push_back(p);
  }
  if (ec) {
    return make_error(ErrorCode::kUnavailable, "dnc: cannot list " + directory.string() + ": " + ec.message(),
                      {{"path", directory.string()}});
  }
  if (files.empty()) {
    return make_error(ErrorCode::kNotFound, "dnc: no *.txt registry files in " + directory.string(),
                      {{"path", directory.string()}});
  }
  std::sort(files.begin(), files.end());
  std::sort(report.skipped_files.begin(), report.skipped_files.end());
  for (const std::filesystem::path& file : files) {
    Status status = load_registry_file(file, builder, report);
    if (!status) return status;
  }
  return ok_status();
}

}  // namespace outdial::dnc
