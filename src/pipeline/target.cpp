#include "pipeline/target.hpp"

#include "db/step.hpp"
#include "db/wait.hpp"

namespace pgentry::pipeline {

namespace {

constexpr std::string_view insufficient_privilege = "42501";

}  // namespace

db::Connection Target::open_worker() {
    // On the session nothing but pgentry has used: its search_path is the role's own.
    db::with_step(db::preparing_session, [&] { history.locate(session); });
    db::Connection worker = db::open_second(loop, params, session, wait_timeout);
    db::with_step(db::preparing_session, [&] { worker.pin_session(std::nullopt); });
    return worker;
}

db::Lock Target::lock(db::Connection& worker, const config::Options& options) {
    try {
        return db::Lock::acquire(session, worker, params, history.table(), options.lock,
                                 options.lock_timeout);
    } catch (const db::QueryError& failure) {
        if (failure.error().sqlstate == insufficient_privilege) history.refuse_lock(session, failure);
        throw db::step_error(db::taking_lock, failure.error());
    }
}

}  // namespace pgentry::pipeline
