// An invalid migration set is refused before any connection: the database URL points at a port that
// refuses connections with a long --wait-timeout, so only an exit before connecting is quick.
#include <utility>

#include "pgentry.hpp"

namespace pgentry::test {
namespace {

struct InvalidSet {
    std::string label;
    std::vector<std::pair<std::string, std::string>> files;
    std::string named;  // what the error must mention: the offending file, with the line where it applies
};

void PrintTo(const InvalidSet& set, std::ostream* os) {
    *os << set.label;
}

class Refused : public ::testing::Test {
protected:
    RunResult migrate(const std::string& migrations_dir) const {
        return run(
            {pgentry_bin(), "--mode=migrate-only", "--wait-timeout=30s",
             "--database-url=postgresql://nobody:secret@127.0.0.1:" + std::to_string(port.port()) + "/none",
             "--migrations-dir=" + migrations_dir});
    }

    MigrationDir dir;
    ClosedPort port;
};

class Validation : public Refused, public ::testing::WithParamInterface<InvalidSet> {};

TEST_P(Validation, ExitsWith65BeforeConnecting) {
    dir.write("20240101000000_valid.sql", "CREATE TABLE valid (id int);\n");
    for (const auto& [name, body] : GetParam().files) {
        dir.write(name, body);
    }

    const auto result = migrate(dir.str());
    EXPECT_EQ(result.exit_code, 65) << result;
    EXPECT_LT(result.elapsed, 5s) << "it tried to connect first: " << result;
    EXPECT_TRUE(contains(result.err, GetParam().named));
}

INSTANTIATE_TEST_SUITE_P(
    Sets, Validation,
    ::testing::Values(
        InvalidSet{
            "SpaceInName", {{"20240102000000_add users.sql", "SELECT 1;\n"}}, "20240102000000_add users.sql"},
        InvalidSet{"NoVersion", {{"add_users.sql", "SELECT 1;\n"}}, "add_users.sql"},
        InvalidSet{"NineteenDigits",
                   {{"1234567890123456789_long.sql", "SELECT 1;\n"}},
                   "1234567890123456789_long.sql"},
        InvalidSet{"EmptyName", {{"20240102000000_.sql", "SELECT 1;\n"}}, "20240102000000_.sql"},
        InvalidSet{"DotInName", {{"20240102000000_a.b.sql", "SELECT 1;\n"}}, "20240102000000_a.b.sql"},
        InvalidSet{
            "StatementBeforeFirstMarker",
            {{"20240102000000_x.sql", "-- a comment is fine\n\nCREATE TABLE x (id int);\n-- migrate:up\n"}},
            "20240102000000_x.sql:3"},
        InvalidSet{"UpMarkerTwice",
                   {{"20240102000000_x.sql", "-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n"}},
                   "20240102000000_x.sql:3"},
        InvalidSet{"DownMarkerTwice",
                   {{"20240102000000_x.sql",
                     "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:down\nSELECT 3;\n"}},
                   "20240102000000_x.sql:5"},
        InvalidSet{"UnknownMarkerOption",
                   {{"20240102000000_x.sql", "-- migrate:up transaction:maybe\nSELECT 1;\n"}},
                   "20240102000000_x.sql:1"},
        // dbmate#108: run, it would drop the column it adds, and record the version.
        InvalidSet{"IndentedDownMarker",
                   {{"20240102000000_x.sql",
                     "-- migrate:up\nCREATE TABLE x (id int);\n  -- migrate:down\nDROP TABLE x;\n"}},
                   "20240102000000_x.sql:3"},
        InvalidSet{"UnknownDownMarkerOption",
                   {{"20240102000000_x.sql",
                     "-- migrate:up\nSELECT 1;\n\n-- migrate:down nocache:true\nSELECT 2;\n"}},
                   "20240102000000_x.sql:4"}),
    [](const auto& info) { return info.param.label; });

TEST_F(Refused, DuplicateVersionExitsWith65BeforeConnecting) {
    dir.write("1_a.sql", "SELECT 1;\n");
    dir.write("01_b.sql", "SELECT 2;\n");

    const auto result = migrate(dir.str());
    EXPECT_EQ(result.exit_code, 65) << result;
    EXPECT_LT(result.elapsed, 5s) << "it tried to connect first: " << result;
    EXPECT_TRUE(contains(result.err, "1_a.sql") || contains(result.err, "01_b.sql")) << result;
}

TEST_F(Refused, MissingDirectoryExitsWith66BeforeConnecting) {
    const auto result = migrate(dir.str() + "/does-not-exist");
    EXPECT_EQ(result.exit_code, 66) << result;
    EXPECT_LT(result.elapsed, 5s) << "it tried to connect first: " << result;
    EXPECT_TRUE(contains(result.err, "does-not-exist"));
}

}  // namespace
}  // namespace pgentry::test
