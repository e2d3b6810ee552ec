#include "outdial/core/call.hpp"

#include "outdial/core/enum_table.hpp"

namespace outdial {
namespace {
constexpr std::pair<CallState, const char*> kStates[] = {
    {CallState::kQueued, "queued"},
    {CallState::kDialing, "dialing"},
    {CallState::kRinging, "ringing"},
    {CallState::kAnsweredHuman, "answered_human"},
    {CallState::kAnsweredMachine, "answered_machine"},
    {CallState::kCompleted, "completed"},
    {CallState::kBusy, "busy"},
    {CallState::kNoAnswer, "no_answer"},
    {CallState::kFailed, "failed"},
    {CallState::kCanceled, "canceled"},
    {CallState::kDropped, "dropped"},
};
constexpr std::pair<CallEventKind, const char*> kEventKinds[] = {
    {CallEventKind::kInitiated, "initiated"},
    {CallEventKind::kRinging, "ringing"},
    {CallEventKind::kAnsweredHuman, "answered_human"},
    {CallEventKind::kAnsweredMachine, "answered_machine"},
    {CallEventKind::kDigits, "digits"},
    {CallEventKind::kCompleted, "completed"},
    {CallEventKind::kBusy, "busy"},
    {CallEventKind::kNoAnswer, "no_answer"},
    {CallEventKind::kFailed, "failed"},
    {CallEventKind::kCanceled, "canceled"},
    {CallEventKind::kDropped, "dropped"},
};
}  // namespace

const char* to_string(CallState s) { return detail::name_of(kStates, s); }
std::optional<CallState> parse_call_state(const std::string& s) { return detail::parse_name(kStates, s); }
const char* to_string(CallEventKind k) { return detail::name_of(kEventKinds, k); }
std::optional<CallEventKind> parse_call_event_kind(const std::string& s) {
  return detail::parse_name(kEventKinds, s);
}

bool is_terminal(CallState s) {
  switch (s) {
    case CallState::kCompleted:
    case CallState::kBusy:
    case CallState::kNoAnswer:
    case CallState::kFailed:
    case CallState::kCanceled:
    case CallState::kDropped:
      return true;
    default:
      return false;
  }
}

bool can_transition(CallState from, CallState to) {
  using S = CallState;
  switch (from) {
    case S::kQueued:
      return to == S::kDialing || to == S::kCanceled || to == S::kFailed;
    case S::kDialing:
      return to == S::kRinging || to == S::kAnsweredHuman || to == S::kAnsweredMachine ||
             to == S::kBusy || to == S::kNoAnswer || to == S::kFailed || to == S::kCanceled;
    case S::kRinging:
      return to == S::kAnsweredHuman || to == S::kAnsweredMachine || to == S::kBusy ||
             to == S::kNoAnswer || to == S::kFailed || to == S::kCanceled;
    case S::kAnsweredHuman:
    case S::kAnsweredMachine:
      return to == S::kCompleted || to == S::kDropped;
    default:
      return false;  // terminal states never change
  }
}

Result<CallState> transition(CallState from, CallState to) {
  if (can_transition(from, to)) return to;
  return make_error(ErrorCode::kFailedPrecondition,
                    std::string("illegal call state transition ") + to_string(from) + " -> " +
                        to_string(to),
                    {{"from", to_string(from)}, {"to", to_string(to)}});
}

std::optional<CallState> state_for(CallEventKind k) {
  using K = CallEventKind;
  switch (k) {
    case K::kInitiated: return CallState::kDialing;
    case K::kRinging: return CallState::kRinging;
    case K::kAnsweredHuman: return CallState::kAnsweredHuman;
    case K::kAnsweredMachine: return CallState::kAnsweredMachine;
    case K::kDigits: return std::nullopt;
    case K::kCompleted: return CallState::kCompleted;
    case K::kBusy: return CallState::kBusy;
    case K::kNoAnswer: return CallState::kNoAnswer;
    case K::kFailed: return CallState::kFailed;
    case K::kCanceled: return CallState::kCanceled;
    case K::kDropped: return CallState::kDropped;
  }
  return std::nullopt;
}

}  // namespace outdial
