#include "cli/program.hpp"

#include <csignal>
#include <iostream>

#include "common/error.hpp"
#include "log/log.hpp"

namespace pgentry::cli {

namespace {

// From here on a signal stays pending until a stage or the command takes it: none is lost, and
// pending ones survive every exec on the way to the command.
void block_all_signals() {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, nullptr);
}

}  // namespace

int run(int argc, char** argv, const std::function<int(const config::Options&)>& stages) {
    block_all_signals();
    try {
        const config::Parsed parsed = config::parse({argv + 1, argv + argc}, config::current_environment());
        if (parsed.print) {
            std::cout << *parsed.print << std::flush;
            return exit_code::ok;
        }
        const config::Options& options = parsed.options;
        log::setup(options.log_format, options.log_level);
        return stages(options);
    } catch (const config::UsageError& failure) {
        log::setup(failure.log_format(), config::LogLevel::info);
        log::error(failure.what());
        return failure.code();
    } catch (const Interrupted& stop) {
        log::info(stop.what());
        return 128 + stop.signal();
    } catch (const Error& failure) {
        if (const auto& step = failure.context(); step && step->version == 0) {
            log::error(failure.what(), {{"step", step->step}, {"sqlstate", step->sqlstate}});
        } else if (const auto& migration = failure.context()) {
            log::error(failure.what(), {{"version", migration->version},
                                        {"name", migration->name},
                                        {"sqlstate", migration->sqlstate}});
        } else {
            log::error(failure.what());
        }
        return failure.code();
    } catch (const std::exception& failure) {
        log::error(std::string("unexpected failure: ") + failure.what());
        return exit_code::migration_failed;
    }
}

}  // namespace pgentry::cli
