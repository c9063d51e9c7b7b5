#pragma once
// --user=USER[:GROUP], resolved before anything else runs so that a typo fails before migrating.
#include <string>

#include "process/credentials.hpp"

namespace pgentry::launch {

// Names or numeric ids, with the user's supplementary groups and home. Throws Error(67) for an unknown user
// or group.
process::Credentials resolve_user(const std::string& spec);

}  // namespace pgentry::launch
