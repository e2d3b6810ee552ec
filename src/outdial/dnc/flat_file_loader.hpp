#pragma once
// Streams the registry's flat files into a RegistryBuilder.
//
// Input: a directory with one file per area code (e.g. "212.txt"), one 10-digit number per line.
// Tolerated: CRLF line ends, blank lines, spaces/tabs around the number, a UTF-8 BOM. Anything
// else (wrong length, non-digits, NPA or NXX starting with 0/1) is a malformed line: it is
// counted, the first kMaxReportedLines are kept with file and line number, and loading goes on.
// A number whose NPA differs from a 3-digit file name is still loaded (blocking more is the safe
// side) and counted in npa_mismatches.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "outdial/core/result.hpp"
#include "outdial/dnc/registry_builder.hpp"

namespace outdial::dnc {

struct MalformedLine {
  std::string file;        // file name within the directory
  std::uint64_t line = 0;  // 1-based
  std::string reason;
  std::string text;        // the offending line, trimmed, cut to 40 characters
};

struct LoadReport {
  static constexpr std::size_t kMaxReportedLines = 1000;

  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;
  std::uint64_t blank_lines = 0;
  std::uint64_t numbers_added = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t malformed = 0;  // total, including those beyond kMaxReportedLines
  std::uint64_t npa_mismatches = 0;
  std::vector<MalformedLine> malformed_lines;
  std::vector<std::string> skipped_files;  // entries that are not regular *.txt files
};

// Loads one file. Errors (kNotFound, kUnavailable) only for I/O failures.
Status load_registry_file(const std::filesystem::path& file, RegistryBuilder& builder,
                          LoadReport& report);

// Loads every regular *.txt file of `directory` in name order. Fails on the first unreadable file
// (a partially loaded registry would allow calls to listed numbers), on a missing directory and
// when no *.txt file exists.
Status load_registry_directory(const std::filesystem::path& directory, RegistryBuilder& builder,
                               LoadReport& report);

}  // namespace outdial::dnc
