#include "pipeline/target.hpp"

#include "db/step.hpp"
#include "db/wait.hpp"

namespace pgentry::pipeline {

db::Connection Target::open_worker() const {
    db::Connection worker = db::wait_for_database(loop, params, wait_timeout);
    db::with_step(db::preparing_session, [&] { worker.prepare_for_migrating(); });
    return worker;
}

}  // namespace pgentry::pipeline
