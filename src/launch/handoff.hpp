#pragma once
// Stage 5: the command replaces pgentry (--launch=exec), or pgentry starts the command and pgentry-init
// replaces pgentry to supervise it (--launch=supervise), so the long-lived PID 1 carries none of the
// migrator.
#include <optional>
#include <string>
#include <string_view>

#include "config/options.hpp"
#include "launch/identity.hpp"

namespace pgentry::launch {

// The path of one of pgentry's other programs: in ../libexec/pgentry from the running program's own path
// (/proc/self/exe, symbolic links resolved) once installed, else next to it (a build tree). Error(127) when
// neither is executable.
std::string sibling_program(std::string_view name);

// Signals stay blocked across the exec: whatever arrived so far is still pending, and pgentry-init forwards
// it to the command. identity: --user resolved; none runs the command as pgentry runs. A command that cannot
// start ends pgentry with 126 or 127 (reported); Error(126) when pgentry-init cannot be exec'd.
[[noreturn]] void hand_over(const config::Options& options, const std::optional<Identity>& identity);

}  // namespace pgentry::launch
