// foreign_history: which migrations tables without a checksum column pgentry shares (Ecto's shape) and what
// it says of the others, without a server (the integration tests run it against real tables:
// foreign_table_test.cpp).
#include "db/history_shape.hpp"

#include <gtest/gtest.h>

namespace pgentry::db {
namespace {

const TableName table = TableName::parse("app.schema_migrations");

TEST(HistoryShape, EctosShapeIsShared) {
    EXPECT_EQ(
        foreign_history(
            {{"version", "bigint", true}, {"inserted_at", "timestamp(0) without time zone", false}}, table),
        std::nullopt);
    // Any integer version, and columns of one's own next to them.
    EXPECT_EQ(foreign_history({{"note", "text", false},
                               {"version", "smallint", true},
                               {"inserted_at", "timestamp with time zone", false}},
                              table),
              std::nullopt);
}

TEST(HistoryShape, DbmatesShapeIsNamedWithWhatIsWrongAndWhatToDo) {
    const auto message = foreign_history({{"version", "character varying", false}}, table);
    ASSERT_TRUE(message);
    EXPECT_EQ(
        *message,
        "--migrations-table=app.schema_migrations names a table pgentry cannot share: version is "
        "character varying, no inserted_at column (pgentry shares Ecto's table: version bigint, "
        "inserted_at timestamp(0)); it has dbmate's or Rails' shape (version varchar PRIMARY KEY). "
        "pgentry changed nothing in it: give pgentry a table of its own with --migrations-table=NAME "
        "(e.g. --migrations-table=pgentry_migrations), or keep that tool and run it with --migrate-command");
}

TEST(HistoryShape, GolangMigratesShapeIsNamed) {
    const auto message = foreign_history({{"version", "bigint", true}, {"dirty", "boolean", false}}, table);
    ASSERT_TRUE(message);
    EXPECT_NE(message->find("cannot share: no inserted_at column ("), std::string::npos) << *message;
    EXPECT_NE(message->find("golang-migrate's shape (version bigint PRIMARY KEY, dirty boolean)"),
              std::string::npos)
        << *message;
}

TEST(HistoryShape, AnUnknownShapeSaysWhatIsWrongWithoutNamingATool) {
    const auto message = foreign_history(
        {{"id", "integer", true}, {"name", "text", false}, {"inserted_at", "timestamp", false}}, table);
    ASSERT_TRUE(message);
    EXPECT_NE(message->find("cannot share: no version column ("), std::string::npos) << *message;
    EXPECT_NE(message->find("it looks like another tool's history table."), std::string::npos) << *message;
    // A text version next to an inserted_at: only the version is wrong.
    const auto text_version =
        foreign_history({{"version", "text", false}, {"inserted_at", "timestamp", false}}, table);
    ASSERT_TRUE(text_version);
    EXPECT_NE(text_version->find("cannot share: version is text ("), std::string::npos) << *text_version;
}

}  // namespace
}  // namespace pgentry::db
