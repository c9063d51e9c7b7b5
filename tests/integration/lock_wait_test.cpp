// A waiter that finds everything applied by another instance stops waiting (pipeline/migrate.cpp): replicas
// released together behind a lock the test holds exit 0 while it still holds it, once the history shows their
// one pending migration applied. Directly, in both lock kinds, and through PgBouncer's transaction pooling
// (the table lock: the advisory one is refused there). Before, each waited for the lock, then took it in
// turn only to find nothing to do.
#include <optional>
#include <ostream>

#include "db/advisory_lock.hpp"
#include "db/history.hpp"
#include "pgbouncer.hpp"
#include "pgentry.hpp"
#include "starting_gate.hpp"

namespace pgentry::test {
namespace {

constexpr int replicas = 4;
constexpr int rounds = 5;

struct Route {
    std::string name;
    std::string lock;  // --lock
    bool pooled;       // through PgBouncer, pool_mode=transaction
};

void PrintTo(const Route& route, std::ostream* out) {
    *out << route.name;
}

class WaitersStop : public PgentryTest, public ::testing::WithParamInterface<Route> {};

TEST_P(WaitersStop, OnceAnotherInstanceHasAppliedEverything) {
    const Route& route = GetParam();
    dir.write("0_seed.sql", "SELECT 1;\n");
    ASSERT_EQ(migrate().exit_code, 0);  // the history table, as an earlier boot left it
    dir.write("1_items.sql", "CREATE TABLE items (id int);\n");
    std::optional<PgBouncer> bouncer;
    if (route.pooled) {
        bouncer.emplace(db.server(), PoolerSettings{"transaction", replicas + 1, {}});
    }
    const std::string url = route.pooled ? bouncer->url(db.name()) : db.url();

    // Another instance's lock, held by the test for every round.
    Connection holder(db.conninfo("holder"));
    if (route.lock == "table") {
        holder.exec("BEGIN");
        holder.exec("LOCK TABLE schema_migrations IN SHARE UPDATE EXCLUSIVE MODE");
    } else {
        const auto key = db::AdvisoryLock::key(db.name(), db::TableName::parse("schema_migrations"));
        holder.exec("SELECT pg_advisory_lock(" + std::to_string(key) + ")");
    }

    for (int round = 1; round <= rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        db.sql().exec("DELETE FROM schema_migrations WHERE version = 1");
        StartingGate gate;
        std::vector<std::unique_ptr<Process>> waiters;
        for (int replica = 0; replica < replicas; ++replica) {
            waiters.push_back(std::make_unique<Process>(
                gate.behind(command(url, "migrate-only", {"--lock=" + route.lock}))));
        }
        gate.open_when_waiting(replicas);
        for (const auto& waiter : waiters) {
            ASSERT_TRUE(waiter->wait_for_output("waiting for the migration lock held by", Clock::now() + 20s))
                << waiter->err();
        }
        // What the other instance commits with its migration: the record.
        db.sql().exec("INSERT INTO schema_migrations (version, inserted_at) VALUES (1, now())");
        for (const auto& result : results_of(waiters, Clock::now(), 20s)) {
            EXPECT_EQ(result.exit_code, 0) << result;
            EXPECT_TRUE(contains(result.err, "Migrations already up"));
        }
        EXPECT_FALSE(db.has_table("items"));  // no waiter applied it
    }
    // Every round ended while the other instance still held the lock.
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM pg_locks WHERE granted AND pid = " +
                             std::to_string(holder.backend_pid()) + " AND " +
                             (route.lock == "table" ? "relation = 'schema_migrations'::regclass"
                                                    : "locktype = 'advisory'")),
              1);
}

INSTANTIATE_TEST_SUITE_P(Routes, WaitersStop,
                         ::testing::Values(Route{"table", "table", false},
                                           Route{"advisory", "advisory", false},
                                           Route{"table_through_pgbouncer", "table", true}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace pgentry::test
