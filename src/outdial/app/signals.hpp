#pragma once
#include <chrono>

namespace outdial::app {
// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts afterwards).
void block_termination_signals();
// Waits for SIGINT or SIGTERM (blocked beforehand); returns the signal number.
int wait_for_termination();
// Waits at most `timeout` for SIGINT or SIGTERM (blocked beforehand); 0 when none came.
int poll_termination(std::chrono::milliseconds timeout);
}  // namespace outdial::app
