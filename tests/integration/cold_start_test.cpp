// The cold-start wave (issue 8, items 5 and 6): replicas started while the server is down, released
// together, and the server started under them once every one of them is waiting for it. The first
// connections then meet a server that is starting up (57P03) and, with few slots, one that is full
// (53300); every replica must still exit 0 and each migration run once.
#include <algorithm>
#include <iostream>
#include <map>

#include "pgentry.hpp"
#include "starting_gate.hpp"

namespace pgentry::test {
namespace {

constexpr int replicas = 30;

// Exit codes and how many replicas gave each, "0 x30", for the failure messages and the test's output.
std::string exit_counts(const std::vector<RunResult>& results) {
    std::map<int, int> counts;
    for (const auto& result : results) {
        ++counts[result.exit_code];
    }
    std::string text;
    for (const auto& [code, count] : counts) {
        text += (text.empty() ? "" : ", ") + std::to_string(code) + " x" + std::to_string(count);
    }
    return text;
}

class ColdStart : public PgentryTest {
protected:
    // A database of the private cluster owned by a role that is no superuser (so the reserved slots are
    // not its), with `ran`: one row per migration run, no unique constraint, so a second run shows.
    std::string prepare_database(PrivateCluster& cluster, const std::string& name) {
        Connection admin(cluster.url());
        admin.exec("CREATE DATABASE " + name + " OWNER app");
        Connection wave(cluster.url(name));
        wave.exec("CREATE TABLE ran (version bigint NOT NULL); ALTER TABLE ran OWNER TO app");
        return make_url("127.0.0.1", std::to_string(cluster.port()), "app", "", name);
    }

    // Stops the server, starts the replicas behind one gate, opens it, and starts the server once each
    // replica has said it waits for the database; returns when all have exited (or were killed at 60 s).
    std::vector<RunResult> wave(PrivateCluster& cluster, const std::string& url) {
        cluster.stop();
        StartingGate gate;
        std::vector<std::unique_ptr<Process>> processes;
        for (int i = 0; i < replicas; ++i) {
            processes.push_back(
                std::make_unique<Process>(gate.behind(command(url, "migrate-only", {"--wait-timeout=30s"}))));
        }
        gate.open_when_waiting(replicas);
        const auto all_waiting = Clock::now() + 20s;
        for (const auto& process : processes) {
            if (!process->wait_for_output("waiting for database", all_waiting)) {
                ADD_FAILURE() << "a replica never said it waits for the database:\n" << process->err();
            }
        }
        const auto start = Clock::now();
        cluster.start();
        return results_of(processes, start, 60s);
    }

    void expect_all_succeeded(const std::vector<RunResult>& results, int round) {
        const auto closed_first = std::count_if(results.begin(), results.end(), [](const RunResult& result) {
            return result.err.find("closing the first") != std::string::npos;
        });
        // So that a passing run shows the wave was contended.
        std::cout << "round " << round << ": exit codes " << exit_counts(results) << ", last exit "
                  << seconds(results.back().elapsed) << " after the server started, " << closed_first
                  << " replicas closed their first session when the second found no slot\n";
        for (const auto& result : results) {
            EXPECT_EQ(result.exit_code, 0) << "round " << round << ": " << result;
            if (result.exit_code != 0) {
                break;  // one replica's log is enough
            }
        }
    }

    void expect_each_ran_once(PrivateCluster& cluster, const std::string& name, int pending, int round) {
        Connection wave(cluster.url(name));
        const auto count = std::to_string(pending);
        EXPECT_EQ(wave.rows("SELECT count(*), count(DISTINCT version) FROM ran"),
                  (std::vector<Row>{{count, count}}))
            << "round " << round;
        EXPECT_EQ(wave.count("SELECT count(*) FROM schema_migrations"), pending) << "round " << round;
    }

    void write_migrations(int pending) {
        for (int version = 1; version <= pending; ++version) {
            dir.write(std::to_string(version) + "_step.sql",
                      "INSERT INTO ran VALUES (" + std::to_string(version) + ");\n");
        }
    }
};

// Item 5: 12 connections, 3 of them reserved for superusers, leave 9 slots for 30 replicas that each
// need 2 while migrating. Hold-and-wait would let 9 first sessions wait for a second until
// --wait-timeout (before the fix: 26-27 of 30 exited 69 in 5 of 11 waves).
TEST_F(ColdStart, ThirtyReplicasOnNineSlotsAllMigrateOnceTheServerComesUp) {
    PrivateCluster cluster(12);
    cluster.start();
    Connection(cluster.url()).exec("CREATE ROLE app LOGIN");
    constexpr int pending = 5;
    write_migrations(pending);
    for (int round = 0; round < 5; ++round) {
        const std::string name = "wave" + std::to_string(round);
        const std::string url = prepare_database(cluster, name);
        expect_all_succeeded(wave(cluster, url), round);
        expect_each_ran_once(cluster, name, pending, round);
        if (HasFailure()) {
            break;
        }
    }
}

// Item 6: on a fresh database every replica that reaches the server first tries to create the history
// table; the losers' 42P07, 42710 (its row type) and 23505 are lost races, never failures.
TEST_F(ColdStart, ThirtyReplicasCreateTheTableTogetherWhenAFreshServerComesUp) {
    PrivateCluster cluster(2 * replicas + 5);
    cluster.start();
    Connection(cluster.url()).exec("CREATE ROLE app LOGIN");
    constexpr int pending = 1;
    write_migrations(pending);
    for (int round = 0; round < 10; ++round) {
        const std::string name = "fresh" + std::to_string(round);
        const std::string url = prepare_database(cluster, name);
        expect_all_succeeded(wave(cluster, url), round);
        expect_each_ran_once(cluster, name, pending, round);
        if (HasFailure()) {
            break;
        }
    }
}

}  // namespace
}  // namespace pgentry::test
