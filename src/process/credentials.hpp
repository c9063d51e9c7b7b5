#pragma once
// Whom the command runs as (--user), resolved to numbers by pgentry-migrator (launch/identity.hpp) and
// carried to pgentry-init as they are (process/init_arguments.hpp).
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace pgentry::process {

struct Credentials {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // all supplementary groups, as initgroups would set them; empty clears root's
    std::optional<std::string> home;  // HOME for the command; none leaves it as inherited
};

}  // namespace pgentry::process
