#include "launch/identity.hpp"

#include <grp.h>
#include <pwd.h>

#include <charconv>
#include <optional>

#include "common/error.hpp"

namespace pgentry::launch {

namespace {

template <class Id>
std::optional<Id> numeric(std::string_view text) {
    Id id{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return id;
}

gid_t resolve_group(const std::string& name) {
    if (const group* entry = getgrnam(name.c_str())) {
        return entry->gr_gid;
    }
    if (auto id = numeric<gid_t>(name)) {
        return *id;
    }
    throw Error(exit_code::no_user, "--user: unknown group '" + name + "'");
}

std::vector<gid_t> supplementary_groups(const passwd& user, gid_t primary) {
    int count = 32;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    while (getgrouplist(user.pw_name, primary, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(count));
    }
    groups.resize(static_cast<std::size_t>(count));
    return groups;
}

}  // namespace

Identity resolve_user(const std::string& spec) {
    auto colon = spec.find(':');
    std::string user_part = spec.substr(0, colon);
    std::optional<std::string> group_part;
    if (colon != std::string::npos) {
        group_part = spec.substr(colon + 1);
    }

    const passwd* user = getpwnam(user_part.c_str());
    if (!user) {
        if (auto uid = numeric<uid_t>(user_part)) {
            user = getpwuid(*uid);
        }
    }
    if (user) {
        Identity identity{
            user->pw_uid, group_part ? resolve_group(*group_part) : user->pw_gid, {}, user->pw_dir};
        identity.groups = supplementary_groups(*user, identity.gid);
        return identity;
    }
    // A numeric uid with no passwd entry is fine in containers (as with docker run --user 1000).
    if (auto uid = numeric<uid_t>(user_part)) {
        gid_t gid = group_part ? resolve_group(*group_part) : static_cast<gid_t>(*uid);
        return {*uid, gid, {gid}, "/"};
    }
    throw Error(exit_code::no_user, "--user: unknown user '" + user_part + "'");
}

}  // namespace pgentry::launch
