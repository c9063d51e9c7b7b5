#pragma once
// Whom the command runs as (--user), as numbers: what exec needs, and what pgentry-init receives
// (process/init_arguments.hpp). A view: pgentry-init keeps the groups for its life, pgentry-migrator in
// launch::Identity. Plain C++: the PID 1 links no allocating container of libstdc++.
#include <sys/types.h>

#include <span>

namespace pgentry::process {

struct Credentials {
    uid_t uid = 0;
    gid_t gid = 0;
    std::span<const gid_t>
        groups;  // all supplementary groups, as initgroups would set them; empty clears root's
    const char* home = nullptr;  // HOME for the command; nullptr leaves it as inherited
};

}  // namespace pgentry::process
