#include "pipeline/target.hpp"

#include "db/wait.hpp"

namespace pgentry::pipeline {

namespace {

constexpr std::string_view insufficient_privilege = "42501";

}  // namespace

db::Connection Target::open_worker() {
    // On the session nothing but pgentry has used: its search_path is the role's own.
    history.locate(session);
    db::Connection worker = db::open_second(loop, params, session, wait_timeout);
    worker.pin_session(std::nullopt);
    return worker;
}

db::Lock Target::lock(db::Connection& worker, const config::Options& options) {
    try {
        return db::Lock::acquire(session, worker, params, history.table(), options.lock,
                                 options.lock_timeout);
    } catch (const db::QueryError& failure) {
        if (failure.error().sqlstate != insufficient_privilege) throw;
        history.refuse_lock(session, failure);
    }
}

}  // namespace pgentry::pipeline
