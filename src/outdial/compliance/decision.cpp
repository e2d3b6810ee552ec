#include "outdial/compliance/decision.hpp"

namespace outdial::compliance {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kAllow:
      return "allow";
    case Verdict::kBlock:
      return "block";
    case Verdict::kDefer:
      return "defer";
  }
  return "unknown";
}

}  // namespace outdial::compliance
