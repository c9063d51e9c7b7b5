#pragma once
// Internal to src/config: the options pgentry knows, their help, and how each is spelt in the environment.
#include <string>

#include <boost/program_options/options_description.hpp>

#include "config/options.hpp"

namespace pgentry::config::detail {

// Every option by its long name, each value kept as text (options.cpp converts it).
const boost::program_options::options_description& descriptions();

// --help and --version: not from the environment or the config file.
bool is_command_line_only(const std::string& name);

// "wait-timeout" -> "PGENTRY_WAIT_TIMEOUT".
std::string variable_for(const std::string& option);

// --help's text, the modes' rows included.
std::string help_text();

}  // namespace pgentry::config::detail
