#pragma once
// Stage 5: the command replaces pgentry (--launch=exec), or pgentry starts the command and pgentry-init
// replaces pgentry to supervise it (--launch=supervise), so the long-lived PID 1 carries none of the
// migrator.
#include <filesystem>
#include <optional>
#include <string_view>

#include "config/options.hpp"
#include "launch/identity.hpp"

namespace pgentry::launch {

// pgentry's other programs: next to the running one in a build tree, in ../libexec/pgentry once
// installed. Error(127) when missing.
std::filesystem::path sibling_program(std::string_view name);

// Signals stay blocked across the exec: whatever arrived so far is still pending, and pgentry-init forwards
// it to the command. identity: --user resolved; none runs the command as pgentry runs. A command that cannot
// start ends pgentry with 126 or 127 (reported); Error(126) when pgentry-init cannot be exec'd.
[[noreturn]] void hand_over(const config::Options& options, const std::optional<Identity>& identity);

}  // namespace pgentry::launch
