#pragma once
// The migration files read on a thread of their own while the first connection is made. A no-op boot reads
// and hashes every file (200 of them: 2 ms here) and then waits on the server's fork and SCRAM exchange
// (8 ms); read beside that wait, the files cost a boot no time of its own (docs/benchmarks.md, no-op boot).
// Their names were checked before, from the listing (MigrationDirectory::open), as SPEC.md asks.
#include <exception>
#include <thread>

#include "db/event_loop.hpp"
#include "migrations/migration_set.hpp"

namespace pgentry::pipeline {

class ReadAhead {
public:
    // Starts reading directory (nullptr: nothing to read; get() gives an empty set). Should the reading fail,
    // the wait running in loop throws its error (db::EventLoop::interrupt): a bad file is reported at once,
    // even while the database is still unreachable. Both must outlive this object.
    ReadAhead(const migrations::MigrationDirectory* directory, db::EventLoop& loop);
    ~ReadAhead();  // waits for the reading to end
    ReadAhead(const ReadAhead&) = delete;
    ReadAhead& operator=(const ReadAhead&) = delete;

    // Waits for the reading to end; throws its error (Error 65 or 66).
    const migrations::MigrationSet& get();

private:
    migrations::MigrationSet set_;
    std::exception_ptr failure_;
    std::thread reader_;  // last: started once the members it writes exist
};

}  // namespace pgentry::pipeline
