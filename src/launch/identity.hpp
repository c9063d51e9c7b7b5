#pragma once
// --user=USER[:GROUP], resolved before anything else runs so that a typo fails before migrating.
#include <sys/types.h>

#include <string>
#include <vector>

#include "process/credentials.hpp"

namespace pgentry::launch {

// The resolved user: owns the groups and home its credentials() point to.
struct Identity {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups, as initgroups would set them
    std::string home;

    process::Credentials credentials() const { return {uid, gid, groups, home.c_str()}; }
};

// Names or numeric ids. Throws Error(67) for an unknown user or group.
Identity resolve_user(const std::string& spec);

}  // namespace pgentry::launch
