#pragma once
// The frame shared by pgentry's two programs: signals blocked before anything else, options parsed,
// logging set up, and every failure turned into its documented exit code.
#include <functional>

#include "config/options.hpp"

namespace pgentry::cli {

int run(int argc, char** argv, const std::function<int(const config::Options&)>& stages);

}  // namespace pgentry::cli
