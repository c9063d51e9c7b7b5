#pragma once
// A relay between one client and the real server that forwards each ReadyForQuery message late, all else at
// once: the gap a loaded machine opens now and then between a statement's last result (or its error, which
// the server flushes as soon as it is raised: PostgreSQL's elog.c) and the end of the statement, made as long
// as a test needs.
#include <chrono>
#include <string>
#include <thread>

#include "database.hpp"

namespace pgentry::test {

class LateReadyForQuery {
public:
    // Listens on a free port of 127.0.0.1 for one client, relayed to server; `late` is added before each
    // ReadyForQuery (the one that ends the login too). Throws std::system_error naming what failed.
    LateReadyForQuery(const Server& server, std::chrono::milliseconds late);
    ~LateReadyForQuery();
    LateReadyForQuery(const LateReadyForQuery&) = delete;
    LateReadyForQuery& operator=(const LateReadyForQuery&) = delete;

    // A postgresql:// URI of dbname through the relay: no SSL or GSS encryption, whose bytes it cannot read.
    std::string url(const std::string& dbname) const;

private:
    void relay();

    Server server_;
    std::chrono::milliseconds late_;
    int listener_ = -1;
    int port_ = 0;
    int stop_[2] = {-1, -1};  // a pipe: closing its write end ends the relay
    std::thread thread_;
};

}  // namespace pgentry::test
