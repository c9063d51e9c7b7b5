// pgentry, the program Docker starts: static and small, so that a plain init (launch-only) starts as
// fast as tini. Every mode that needs the database, or --user (name lookups need glibc's shared NSS
// modules), continues in pgentry-migrator, exec'd in place: same pid, signals still blocked.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli/program.hpp"
#include "common/error.hpp"
#include "launch/handoff.hpp"

using namespace pgentry;

int main(int argc, char** argv) {
    return cli::run(argc, argv, [argv](const config::Options& options) -> int {
        if (config::row(options.mode).from_static_front && !options.user) {
            launch::hand_over(options, std::nullopt);
        }
        const auto migrator = launch::sibling_program("pgentry-migrator");
        execv(migrator.c_str(), argv);
        throw Error(exit_code::not_executable, "cannot run " + migrator + ": " + std::strerror(errno));
    });
}
