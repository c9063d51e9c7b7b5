#include "pipeline/read_ahead.hpp"

#include <system_error>

namespace pgentry::pipeline {

ReadAhead::ReadAhead(const migrations::MigrationDirectory* directory, db::EventLoop& loop) {
    if (directory == nullptr) {
        return;
    }
    const auto read = [this, directory] {
        try {
            set_ = migrations::MigrationSet::read(*directory);
        } catch (...) {
            failure_ = std::current_exception();
        }
    };
    try {
        // The thread inherits the blocked signal mask: stop signals still reach only the loop's signalfd.
        reader_ = std::thread([read, &loop, this] {
            read();
            if (failure_) {
                loop.interrupt(failure_);
            }
        });
    } catch (const std::system_error&) {
        read();  // no thread to be had (a container's pids limit): read now, as before the connection
    }
}

ReadAhead::~ReadAhead() {
    if (reader_.joinable()) {
        reader_.join();
    }
}

const migrations::MigrationSet& ReadAhead::get() {
    if (reader_.joinable()) {
        reader_.join();
    }
    if (failure_) {
        std::rethrow_exception(failure_);
    }
    return set_;
}

}  // namespace pgentry::pipeline
