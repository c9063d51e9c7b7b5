// A hot standby as the target: with migrations pending pgentry says it is a read-only standby and what
// to do (69); with nothing pending it boots.
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

class Standby : public PgentryTest {
protected:
    // The standby's copy of this test's database (it exists on the primary before the clone).
    std::string standby_url(const PrivateCluster& standby) const {
        return make_url("127.0.0.1", std::to_string(standby.port()), db.server().user, "", db.name());
    }
};

TEST_F(Standby, PendingMigrationsOnAStandbySayWhatToDo) {
    dir.write("1_a.sql", "CREATE TABLE a (id int);\n");
    ASSERT_EQ(migrate().exit_code, 0);
    dir.write("2_b.sql", "CREATE TABLE b (id int);\n");
    PrivateCluster standby(db.server());
    standby.start();

    const auto pending = run(command(standby_url(standby), "migrate-only", {"--log-format=json"}));
    EXPECT_EQ(pending.exit_code, 69) << pending;
    const auto error = line_with(pending.err, {"\"error\"", "read-only hot standby"});
    EXPECT_TRUE(contains(error, "point --database-url at the primary")) << pending;
    EXPECT_TRUE(contains(error, "target_session_attrs=read-write")) << pending;
    EXPECT_TRUE(contains(error, "\"sqlstate\":\"25006\"")) << pending;

    // Nothing pending: a replica pointed at the standby boots.
    dir.remove("2_b.sql");
    const auto up = run(command(standby_url(standby), "migrate-only", {}));
    EXPECT_EQ(up.exit_code, 0) << up;
    EXPECT_TRUE(contains(up.err, "Migrations already up"));
}

}  // namespace
}  // namespace pgentry::test
