#pragma once
// --lint=warn|error|off (SPEC.md "Rolling updates", Lint): what pgentry does with the pending migrations'
// findings before applying them. Its own header, without the parser, so that the options (which pgentry's
// static front links) and the pipeline's settings share it.
#include "process/log_format.hpp"

namespace pgentry::lint {

enum class Policy {
    warn,   // log each finding as a warning, then apply
    error,  // exit 65 before applying when any finding is a hazard (syntax-error never is)
    off,    // never call the parser
};

inline constexpr process::Named<Policy> policies[] = {
    {"warn", Policy::warn}, {"error", Policy::error}, {"off", Policy::off}};

}  // namespace pgentry::lint
