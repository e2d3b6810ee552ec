#pragma once
// Shared by the carrier emulators: the bytes an emulator serves as a recording's audio. 4 KiB
// after an ID3 tag head (so it looks like an mp3), deterministic per recording id (FNV-1a of the
// id seeds an xorshift stream), so a test can tell which recording it was handed.
#include <cstdint>
#include <string>

namespace outdial::tools::emulator {

inline std::string fake_recording_mp3(const std::string& recording_id) {
  std::uint64_t x = 1469598103934665603ULL;
  for (unsigned char ch : recording_id) x = (x ^ ch) * 1099511628211ULL;
  std::string out("ID3\x04\x00\x00\x00\x00\x00\x00", 10);
  out.reserve(10 + 4096);
  for (int i = 0; i < 4096; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out.push_back(static_cast<char>(i < 256 ? i : static_cast<int>(x & 0xff)));
  }
  return out;
}

}  // namespace outdial::tools::emulator
