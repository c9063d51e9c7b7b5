#pragma once
// Stage 2: wait until the database accepts a session (SPEC.md "--wait-timeout").
#include "config/options.hpp"
#include "db/connection.hpp"

namespace pgentry::db {

// Retries what waiting can fix (refused, unresolvable host, starting up, too many connections)
// with a short capped backoff. Throws Error(77) at once when the credentials are refused, Error(69) at
// once for what waiting cannot fix (TLS, a refused startup parameter) and when timeout passes (0: one
// attempt), Error(64) for a setting libpq refuses, Interrupted on a stop signal.
Connection wait_for_database(EventLoop& loop, const ConnectParams& params, config::Duration timeout);

}  // namespace pgentry::db
