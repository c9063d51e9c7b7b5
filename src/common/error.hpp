#pragma once
// Failures that end pgentry with a documented exit code (SPEC.md, "Exit codes").
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace pgentry {

namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int pending = 1;       // verify: migrations are pending
inline constexpr int usage = 64;        // usage or configuration error
inline constexpr int invalid_set = 65;  // malformed file, duplicate, changed checksum, no down
inline constexpr int no_input = 66;     // migrations directory missing or unreadable
inline constexpr int no_user = 67;      // --user names an unknown user or group
inline constexpr int unavailable = 69;  // database not reachable within --wait-timeout
inline constexpr int migration_failed = 70;
inline constexpr int lock_timeout = 75;
inline constexpr int auth_refused = 77;
inline constexpr int not_executable = 126;
inline constexpr int not_found = 127;
}  // namespace exit_code

// Which migration or step a failure is about, for the structured fields of the JSON log line.
struct MigrationContext {
    std::int64_t version = 0;  // 0: not one migration's (a step's, db/step.hpp)
    std::string name;
    std::string sqlstate;  // empty when the server said nothing
    std::string step;      // "reading the history": what pgentry was doing, when not applying a migration
};

// Thrown by any stage; main logs what() at error level and exits with code.
class Error : public std::runtime_error {
public:
    Error(int code, const std::string& message, std::optional<MigrationContext> context = std::nullopt)
        : std::runtime_error(message), code_(code), context_(std::move(context)) {}
    int code() const noexcept { return code_; }
    const std::optional<MigrationContext>& context() const noexcept { return context_; }

private:
    int code_;
    std::optional<MigrationContext> context_;
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
