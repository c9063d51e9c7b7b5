#pragma once
// Failures that end pgentry with a documented exit code (SPEC.md, "Exit codes").
#include <stdexcept>
#include <string>

namespace pgentry {

namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int pending = 1;          // verify: migrations are pending
inline constexpr int usage = 64;           // usage or configuration error
inline constexpr int invalid_set = 65;     // malformed file, duplicate, changed checksum, no down
inline constexpr int no_input = 66;        // migrations directory missing or unreadable
inline constexpr int no_user = 67;         // --user names an unknown user or group
inline constexpr int unavailable = 69;     // database not reachable within --wait-timeout
inline constexpr int migration_failed = 70;
inline constexpr int lock_timeout = 75;
inline constexpr int auth_refused = 77;
inline constexpr int not_executable = 126;
inline constexpr int not_found = 127;
}  // namespace exit_code

// Thrown by any stage; main logs what() at error level and exits with code.
class Error : public std::runtime_error {
public:
    Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

// Thrown when a stop signal (TERM, INT, QUIT, HUP) ends pgentry before the command started.
class Interrupted : public std::runtime_error {
public:
    explicit Interrupted(int signal);
    int signal() const noexcept { return signal_; }

private:
    int signal_;
};

}  // namespace pgentry
