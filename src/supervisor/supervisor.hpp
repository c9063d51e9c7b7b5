#pragma once
// pgentry-init's life as PID 1: start the command, forward signals to it, reap every child, and when the
// command exits stop what it left behind and return its exit code.
#include "process/init_arguments.hpp"

namespace pgentry::supervisor {

// Expects every signal blocked. Returns the command's exit code, 128+S when signal S killed it, or 126/127
// when it could not be started.
int supervise(const process::InitArguments& arguments);

}  // namespace pgentry::supervisor
