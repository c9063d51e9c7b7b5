// --mode=rollback: down sections newest first, each with the removal of its row; all or nothing when a
// migration to roll back cannot be.
#include <fmt/format.h>

#include "pgentry.hpp"

namespace pgentry::test {
namespace {

using Versions = std::vector<std::int64_t>;

class Rollback : public PgentryTest {
protected:
    // Four applied migrations; the Nth creates table tN and its down section drops it.
    void SetUp() override {
        for (int n = 1; n <= 4; ++n) {
            const auto table = table_name(n);
            dir.write(file(n), "-- migrate:up\nCREATE TABLE " + table +
                                   " (id int);\n\n-- migrate:down\nDROP TABLE " + table + ";\n");
        }
        const auto result = migrate();
        ASSERT_EQ(result.exit_code, 0) << result;
    }

    // Formatted, not "t" + std::to_string(n): GCC 12 at -O3 warns (-Wrestrict) about that (GCC bug 105329).
    static std::string table_name(int n) { return fmt::format("t{}", n); }

    static std::string file(int n) {
        return "2024010100000" + std::to_string(n) + "_t" + std::to_string(n) + ".sql";
    }

    std::vector<bool> tables() {
        std::vector<bool> exist;
        for (int n = 1; n <= 4; ++n) {
            exist.push_back(db.has_table(table_name(n)));
        }
        return exist;
    }
};

const Versions all{20240101000001, 20240101000002, 20240101000003, 20240101000004};

TEST_F(Rollback, StepsRollsBackTheNewestFirstAndMigrateReappliesThem) {
    const auto result = pgentry("rollback", {"--steps=2"});
    ASSERT_EQ(result.exit_code, 0) << result;
    const auto fourth = result.err.find("== Running 20240101000004 t4 backward");
    const auto third = result.err.find("== Running 20240101000003 t3 backward");
    ASSERT_NE(fourth, std::string::npos) << result;
    EXPECT_LT(fourth, third) << result;
    EXPECT_EQ(tables(), (std::vector<bool>{true, true, false, false}));
    EXPECT_EQ(db.applied_versions(), (Versions{20240101000001, 20240101000002}));

    const auto one_step = pgentry("rollback");
    EXPECT_EQ(one_step.exit_code, 0) << one_step;
    EXPECT_EQ(db.applied_versions(), (Versions{20240101000001}));

    const auto again = migrate();
    EXPECT_EQ(again.exit_code, 0) << again;
    EXPECT_EQ(tables(), (std::vector<bool>{true, true, true, true}));
    EXPECT_EQ(db.applied_versions(), all);
}

// The history is read without ORDER BY (history.hpp): the newest is the highest version however the rows lie
// in the table, as after an older pending migration was applied last.
TEST_F(Rollback, StepsGoByVersionWhateverOrderTheRowsAreStoredIn) {
    db.sql().exec("DELETE FROM schema_migrations WHERE version = 20240101000004");
    db.sql().exec("INSERT INTO schema_migrations (version, inserted_at) VALUES (20240101000004, now())");
    db.sql().exec("DELETE FROM schema_migrations WHERE version = 20240101000001");
    db.sql().exec("INSERT INTO schema_migrations (version, inserted_at) VALUES (20240101000001, now())");
    ASSERT_EQ(db.sql().rows("SELECT version FROM schema_migrations").back().front(), Value("20240101000001"))
        << "the rows are not stored out of order: the test proves nothing";

    const auto result = pgentry("rollback", {"--steps=2"});
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(tables(), (std::vector<bool>{true, true, false, false}));
    EXPECT_EQ(db.applied_versions(), (Versions{20240101000001, 20240101000002}));
}

TEST_F(Rollback, ToLeavesThatVersionApplied) {
    const auto result = pgentry("rollback", {"--to=20240101000002"});
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(tables(), (std::vector<bool>{true, true, false, false}));
    EXPECT_EQ(db.applied_versions(), (Versions{20240101000001, 20240101000002}));
}

TEST_F(Rollback, ToAVersionThatIsNotAppliedRollsBackNothing) {
    // 2024010100002: a digit dropped from 20240101000002, below every applied version.
    for (const char* to : {"--to=2024010100002", "--to=20240101000009", "--to=20240101000000"}) {
        const auto result = pgentry("rollback", {to});
        EXPECT_EQ(result.exit_code, 65) << result;
        EXPECT_TRUE(contains(result.err, std::string(to) + " is not an applied version")) << result;
        EXPECT_TRUE(
            contains(result.err, "the newest applied: 20240101000004, 20240101000003, 20240101000002"));
        EXPECT_EQ(tables(), (std::vector<bool>{true, true, true, true}));
        EXPECT_EQ(db.applied_versions(), all);
    }
}

TEST_F(Rollback, ToZeroRollsBackEverything) {
    const auto result = pgentry("rollback", {"--to=0"});
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(tables(), (std::vector<bool>{false, false, false, false}));
    EXPECT_TRUE(db.applied_versions().empty());

    const auto again = pgentry("rollback", {"--to=0"});
    EXPECT_EQ(again.exit_code, 0) << again;
    EXPECT_TRUE(contains(again.err, "Nothing to roll back")) << again;
}

TEST_F(Rollback, WithoutDownSectionNothingIsRolledBack) {
    // The same up section, so that only the missing down section can be the reason to refuse.
    dir.write(file(3), "-- migrate:up\nCREATE TABLE t3 (id int);\n\n");
    const auto verify = pgentry("verify");
    ASSERT_EQ(verify.exit_code, 0) << verify;

    const auto result = pgentry("rollback", {"--steps=2"});
    EXPECT_EQ(result.exit_code, 65) << result;
    EXPECT_TRUE(contains(result.err, "20240101000003"));
    EXPECT_EQ(tables(), (std::vector<bool>{true, true, true, true}));
    EXPECT_EQ(db.applied_versions(), all);
}

TEST_F(Rollback, WithoutFileNothingIsRolledBack) {
    dir.remove(file(3));

    const auto result = pgentry("rollback", {"--to=20240101000001"});
    EXPECT_EQ(result.exit_code, 65) << result;
    EXPECT_TRUE(contains(result.err, "20240101000003"));
    EXPECT_EQ(tables(), (std::vector<bool>{true, true, true, true}));
    EXPECT_EQ(db.applied_versions(), all);
}

}  // namespace
}  // namespace pgentry::test
