#pragma once
// Stage 2: wait until the database accepts a session (SPEC.md "--wait-timeout").
#include <chrono>
#include <functional>

#include "db/connection.hpp"

namespace pgentry::db {

// Retries what waiting can fix (refused, unresolvable host, starting up, too many connections)
// with a short capped backoff. Throws Error(77) at once when the credentials are refused, Error(69) at
// once for what waiting cannot fix (TLS, a refused startup parameter, a setting libpq refuses only when it
// connects) and when timeout passes (0: one attempt), Interrupted on a stop signal. Never Error(64): the
// URL's are DatabaseUrl::parse's, raised before waiting.
// before_retrying runs once, when an attempt has first failed in a way worth waiting out and before that is
// reported or retried; what it throws ends the wait. pgentry-migrator settles there what must be reported
// before "waiting for database": the migration files, read meanwhile (pipeline/read_ahead.hpp).
Connection wait_for_database(EventLoop& loop, const ConnectParams& params, std::chrono::milliseconds timeout,
                             const std::function<void()>& before_retrying = {});

// pgentry needs two sessions per instance while migrating (the lock's and the worker's): this opens
// the second while `first` is held. All or nothing: when the server has no slot for it (53300:
// max_connections, or the role's or the database's CONNECTION LIMIT), `first` is closed as well and
// both are opened again after a jittered backoff, so instances waiting for their second session
// never hold every slot between them. Other failures are waited out as wait_for_database does.
// Throws Error(69) saying that 2 connections are needed when timeout passes (0: one attempt).
Connection open_second(EventLoop& loop, const ConnectParams& params, Connection& first,
                       std::chrono::milliseconds timeout);

}  // namespace pgentry::db
