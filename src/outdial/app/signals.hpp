#pragma once

namespace outdial::app {
// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts afterwards).
void block_termination_signals();
// Waits for SIGINT or SIGTERM (blocked beforehand); returns the signal number.
int wait_for_termination();
}  // namespace outdial::app
