// --migrations-table naming another tool's history table (db/history_shape.hpp): refused as a configuration
// error (64) in every mode that reads the table, saying what is wrong and what to do, before anything changes
// it. Before, migrate added its checksum column to dbmate's table and then failed on the INSERT (70), and
// --mode=status failed with 70 on the missing inserted_at.
#include <ostream>

#include "pgentry.hpp"

namespace pgentry::test {
namespace {

// What dbmate 2.36 (npm @dbmate/linux-x64) leaves, as `\d schema_migrations` showed it after `dbmate up`:
// a varchar version as the primary key and nothing else.
constexpr std::string_view dbmate_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar NOT NULL PRIMARY KEY)";

constexpr std::string_view refusal =
    "--migrations-table=schema_migrations names a table pgentry cannot share";

struct ModeCase {
    std::string name;  // as --mode spells it
    Args extra;
};

void PrintTo(const ModeCase& mode, std::ostream* out) {
    *out << mode.name;
}

class ForeignTable : public PgentryTest {
protected:
    // The table's columns and rows as text, to see that nothing changed.
    std::string shape() {
        return *db.sql().scalar(
            "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
            "FROM pg_attribute WHERE attrelid = 'schema_migrations'::regclass AND attnum > 0 AND NOT "
            "attisdropped");
    }
    std::vector<Row> rows() { return db.sql().rows("SELECT * FROM schema_migrations ORDER BY 1"); }

    // Refused with 64 naming the table and saying what to do, and the table left as it was.
    void expect_refused(const RunResult& result, std::initializer_list<std::string_view> wrong,
                        std::string_view shape_before, const std::vector<Row>& rows_before) {
        EXPECT_EQ(result.exit_code, 64) << result;
        const auto error = line_with(result.err, {"[error]", refusal});
        EXPECT_FALSE(error.empty()) << result;
        for (const auto& what : wrong) {
            EXPECT_TRUE(contains(error, what)) << result;
        }
        EXPECT_TRUE(contains(error, "give pgentry a table of its own with --migrations-table=NAME"))
            << result;
        EXPECT_TRUE(contains(error, "keep that tool and run it with --migrate-command")) << result;
        EXPECT_EQ(shape(), shape_before);
        EXPECT_EQ(rows(), rows_before);
        EXPECT_FALSE(db.has_table("items")) << "a pending migration ran";
    }
};

class ForeignTableInEveryMode : public ForeignTable, public ::testing::WithParamInterface<ModeCase> {};

TEST_P(ForeignTableInEveryMode, DbmatesTableIsRefusedAndLeftAsItIs) {
    db.sql().exec(std::string(dbmate_table));
    db.sql().exec("INSERT INTO schema_migrations VALUES ('20240101000001')");
    dir.write("20240101000001_seed.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 0;\n");
    dir.write("20240101000002_items.sql", "-- migrate:up\nCREATE TABLE items (id int);\n-- migrate:down\n");

    const auto result = pgentry(GetParam().name, GetParam().extra);
    expect_refused(result,
                   {"version is character varying, no inserted_at column",
                    "it has dbmate's or Rails' shape (version varchar PRIMARY KEY)"},
                   "version character varying", {{"20240101000001"}});
    EXPECT_FALSE(contains(result.out, "command-started")) << result;
}

INSTANTIATE_TEST_SUITE_P(Modes, ForeignTableInEveryMode,
                         ::testing::Values(ModeCase{"status", {}}, ModeCase{"verify", {}},
                                           ModeCase{"migrate-only", {}}, ModeCase{"rollback", {}},
                                           ModeCase{"run", {"--", "/bin/echo", "command-started"}}),
                         [](const auto& info) {
                             std::string name = info.param.name;
                             std::erase(name, '-');
                             return name;
                         });

TEST_F(ForeignTable, OlderDbmatesVarcharWithALengthIsRefusedToo) {
    db.sql().exec("CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)");
    dir.write("20240101000002_items.sql", "CREATE TABLE items (id int);\n");

    expect_refused(migrate(), {"version is character varying(128)", "dbmate's or Rails' shape"},
                   "version character varying(128)", {});
}

TEST_F(ForeignTable, GolangMigratesTableHasAnIntegerVersionButNoInsertedAt) {
    db.sql().exec(
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); "
        "INSERT INTO schema_migrations VALUES (20240101000001, false)");
    dir.write("20240101000002_items.sql", "CREATE TABLE items (id int);\n");

    const auto result = migrate();
    expect_refused(result, {"cannot share: no inserted_at column (", "golang-migrate's shape"},
                   "version bigint, dirty boolean", {{"20240101000001", "f"}});
    EXPECT_FALSE(contains(result.err, "version is")) << result;
}

TEST_F(ForeignTable, AnEctoTableWithAnIntegerVersionIsShared) {
    // Ecto's shape with an int version (a hand-made table): read, adopted, recorded.
    db.sql().exec("CREATE TABLE schema_migrations (version integer PRIMARY KEY, inserted_at timestamp(0))");
    dir.write("1_items.sql", "CREATE TABLE items (id int);\n");

    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
    EXPECT_TRUE(db.has_column("schema_migrations", "checksum"));
}

}  // namespace
}  // namespace pgentry::test
