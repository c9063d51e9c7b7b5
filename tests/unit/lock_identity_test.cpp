// What names pgentry's lock, checked without a server: --migrations-table as TableName parses, quotes and
// gives it back, and the advisory key derived from it. Replicas of different pgentry versions must agree on
// the key during a rolling update, or both take "the" lock: the known answers below pin the derivation.
#include <cstdint>

#include <gtest/gtest.h>

#include "db/advisory_lock.hpp"
#include "db/history.hpp"

namespace pgentry::db {
namespace {

TEST(TableNameTest, AloneTheNameLeavesTheSchemaToTheSearchPath) {
    const TableName table = TableName::parse("schema_migrations");
    EXPECT_EQ(table.schema, "");
    EXPECT_EQ(table.name, "schema_migrations");
    EXPECT_EQ(table.text(), "schema_migrations");
    EXPECT_EQ(table.quoted(), "\"schema_migrations\"");
}

TEST(TableNameTest, ASchemaBeforeTheDot) {
    const TableName table = TableName::parse("ops.schema_migrations");
    EXPECT_EQ(table.schema, "ops");
    EXPECT_EQ(table.name, "schema_migrations");
    EXPECT_EQ(table.text(), "ops.schema_migrations");
    EXPECT_EQ(table.quoted(), "\"ops\".\"schema_migrations\"");
}

// Quoted as given: PostgreSQL would fold an unquoted Ops to ops, another table.
TEST(TableNameTest, QuotingKeepsTheCase) {
    EXPECT_EQ(TableName::parse("Ops.Migrations").quoted(), "\"Ops\".\"Migrations\"");
}

TEST(TableNameTest, AQuoteInsideIsDoubled) {
    EXPECT_EQ((TableName{"", "a\"b"}).quoted(), "\"a\"\"b\"");
}

// The first 8 bytes of SHA-256("<database>/<table>") as a big-endian int64: computed independently with
// python3 -c 'import hashlib,struct; print(struct.unpack(">q", hashlib.sha256(b"app/schema_migrations")
// .digest()[:8])[0])'.
TEST(AdvisoryKeyTest, KnownAnswers) {
    EXPECT_EQ(AdvisoryLock::key("app", TableName::parse("schema_migrations")), INT64_C(-8683255442443240301));
    EXPECT_EQ(AdvisoryLock::key("other", TableName::parse("schema_migrations")),
              INT64_C(9130995289808763368));
    EXPECT_EQ(AdvisoryLock::key("pgentry", TableName::parse("schema_migrations")),
              INT64_C(227695093868229292));
    EXPECT_EQ(AdvisoryLock::key("app", TableName::parse("ops.migrations")), INT64_C(3804480160318787037));
}

// The key follows --migrations-table as given: "public.schema_migrations" is another key than
// "schema_migrations", although both may name one table. Replicas must be given the same option.
TEST(AdvisoryKeyTest, DerivedFromTheTableAsGiven) {
    EXPECT_EQ(AdvisoryLock::key("app", TableName::parse("public.schema_migrations")),
              INT64_C(-4383088765894509873));
    EXPECT_NE(AdvisoryLock::key("app", TableName::parse("public.schema_migrations")),
              AdvisoryLock::key("app", TableName::parse("schema_migrations")));
}

}  // namespace
}  // namespace pgentry::db
