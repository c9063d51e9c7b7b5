// Reading the heads of index statements and lock_timeout settings (migrations/index_statement.hpp).
#include "migrations/index_statement.hpp"

#include <gtest/gtest.h>

namespace pgentry::migrations {
namespace {

TEST(IndexStatement, ReadsTheNameAndTableOfCreateIndexInEveryForm) {
    struct Case {
        std::string_view sql;
        bool concurrently;
        bool if_not_exists;
        std::optional<std::string> index;
        std::string table;  // quoted
    };
    const Case cases[] = {
        {"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", true, false, "users_email_idx",
         "\"users\""},
        {"create unique index concurrently if not exists Users_Email_Idx on only Public.Users(email)", true,
         true, "users_email_idx", "\"public\".\"users\""},
        {"CREATE INDEX /* c */ CONCURRENTLY -- x\n \"Users \"\"E\"\"\" ON app.\"Users\" USING btree (email)",
         true, false, "Users \"E\"", "\"app\".\"Users\""},
        {"CREATE INDEX ON users (email)", false, false, std::nullopt, "\"users\""},
        {"CREATE UNIQUE INDEX CONCURRENTLY ON mydb.app.users (email)", true, false, std::nullopt,
         "\"app\".\"users\""},
        {"CREATE INDEX IF NOT EXISTS i ON ONLY t (a)", false, true, "i", "\"t\""},
    };
    for (const auto& c : cases) {
        const IndexStatement read = read_index_statement(c.sql);
        EXPECT_EQ(read.action, IndexAction::create) << c.sql;
        EXPECT_EQ(read.concurrently, c.concurrently) << c.sql;
        EXPECT_EQ(read.if_not_exists, c.if_not_exists) << c.sql;
        EXPECT_EQ(read.index, c.index) << c.sql;
        EXPECT_EQ(read.target.quoted(), c.table) << c.sql;
    }
}

TEST(IndexStatement, CutsLongNamesAsTheServerDoes) {
    const std::string name(70, 'a');
    EXPECT_EQ(read_index_statement("CREATE INDEX " + name + " ON t (a)").index, std::string(63, 'a'));
}

TEST(IndexStatement, TellsWhichStatementsRunWithoutLockTimeout) {
    for (const std::string_view sql :
         {"CREATE INDEX CONCURRENTLY i ON t (a)", "DROP INDEX CONCURRENTLY IF EXISTS i",
          "REINDEX INDEX CONCURRENTLY i", "REINDEX TABLE CONCURRENTLY public.t",
          "REINDEX (VERBOSE, CONCURRENTLY) TABLE t", "reindex schema concurrently app"}) {
        EXPECT_TRUE(runs_without_lock_timeout(read_index_statement(sql))) << sql;
    }
    for (const std::string_view sql :
         {"CREATE INDEX i ON t (a)", "DROP INDEX i", "REINDEX TABLE t",
          "REINDEX (CONCURRENTLY false) TABLE t", "ALTER TABLE t ADD COLUMN concurrently int",
          "SELECT 'CREATE INDEX CONCURRENTLY i ON t (a)'",
          "-- CREATE INDEX CONCURRENTLY\nALTER TABLE t ADD COLUMN c int"}) {
        EXPECT_FALSE(runs_without_lock_timeout(read_index_statement(sql))) << sql;
    }
}

TEST(IndexStatement, ReadsWhatReindexRebuilds) {
    const IndexStatement index = read_index_statement("REINDEX INDEX CONCURRENTLY app.\"I\"");
    EXPECT_EQ(index.action, IndexAction::reindex_index);
    EXPECT_EQ(index.target.quoted(), "\"app\".\"I\"");
    const IndexStatement table = read_index_statement("REINDEX (VERBOSE) TABLE t");
    EXPECT_EQ(table.action, IndexAction::reindex_table);
    EXPECT_FALSE(table.concurrently);
    EXPECT_EQ(table.target.quoted(), "\"t\"");
    EXPECT_EQ(read_index_statement("REINDEX DATABASE CONCURRENTLY").action, IndexAction::reindex_other);
}

TEST(IndexStatement, FindsEveryWayASectionSetsLockTimeout) {
    for (const std::string_view sql : {"SET lock_timeout = '10s';", "set LOCAL lock_timeout to 0",
                                       "SET SESSION \"lock_timeout\" = 1000", "SET Lock_Timeout TO DEFAULT",
                                       "RESET lock_timeout", "SELECT set_config('lock_timeout', '3s', true)",
                                       "select pg_catalog.set_config ( 'LOCK_TIMEOUT' , '3s', false);"}) {
        EXPECT_TRUE(sets_lock_timeout(sql)) << sql;
    }
    for (const std::string_view sql :
         {"SET statement_timeout = '10s'", "ALTER ROLE app SET lock_timeout = '1s'",
          "SELECT 'SET lock_timeout = 1'", "-- SET lock_timeout = 1\nSELECT 1",
          "SELECT set_config('statement_timeout', 'lock_timeout', true)",
          "DO $$ BEGIN PERFORM set_config('lock_timeout', '1s', true); END $$"}) {
        EXPECT_FALSE(sets_lock_timeout(sql)) << sql;
    }
}

TEST(IndexStatement, ACommentEndsAtALoneCrAsInPostgresql) {
    const IndexStatement create =
        read_index_statement("CREATE INDEX -- built online\rCONCURRENTLY i ON t (a) -- why\r");
    EXPECT_TRUE(create.concurrently);
    EXPECT_EQ(create.index, "i");
    EXPECT_EQ(create.target.quoted(), "\"t\"");
    EXPECT_TRUE(sets_lock_timeout("SET -- the statement's own\rlock_timeout = '1s'"));
    // In a string or a block comment a CR ends nothing.
    EXPECT_FALSE(sets_lock_timeout("SELECT '-- x\rSET lock_timeout = 1'"));
    EXPECT_FALSE(
        runs_without_lock_timeout(read_index_statement("/* -- x\rCREATE INDEX CONCURRENTLY i ON t (a)\r*/ "
                                                       "CREATE INDEX i ON t (a)")));
}

}  // namespace
}  // namespace pgentry::migrations
