// COPY ... FROM stdin with inline data, as pg_dump writes it and psql -f loads it; and the guarantee that no
// COPY response of the server (IN without rows, OUT, BOTH) can leave pgentry waiting or spinning.
#include <algorithm>
#include <cstdlib>
#include <future>
#include <iostream>

#include "db/connection.hpp"
#include "db/database_url.hpp"
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

// The input: what pg_dump --inserts=off writes for a small table.
constexpr std::string_view items =
    "CREATE TABLE items (id int, label text);\n"
    "COPY items (id, label) FROM stdin;\n"
    "1\tone\n"
    "2\ttwo\n"
    "\\.\n";

class Copy : public PgentryTest {};

TEST_F(Copy, LoadsTheInlineDataOfAFileWithoutMarkers) {
    dir.write("20240101000001_items.sql", items);
    const auto result = pgentry("migrate-only", {}, {}, 30s);
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(db.sql().rows("SELECT id::text, label FROM items ORDER BY id"),
              (std::vector<Row>{{"1", "one"}, {"2", "two"}}));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{20240101000001}));
}

TEST_F(Copy, DataLinesCountForTheLinesOfLaterStatementsAndWorkOutsideATransaction) {
    dir.write("20240101000001_items.sql",
              "-- migrate:up transaction:false\r\n"
              "CREATE TABLE items (id int, label text);\r\n"
              "COPY items FROM STDIN WITH (FORMAT csv); -- rows follow\r\n"
              "1,\"a;b\"\r\n"
              "2,\"it's $$\"\r\n"
              "\\.\r\n"
              "SELECT * FROM missing;\r\n");
    const auto result = pgentry("migrate-only", {}, {}, 30s);
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_FALSE(line_with(result.err, {"20240101000001_items.sql:7", "42P01"}).empty()) << result;
    EXPECT_EQ(db.sql().rows("SELECT label FROM items ORDER BY id"), (std::vector<Row>{{"a;b"}, {"it's $$"}}));
}

TEST_F(Copy, BadDataFailsNamingItsLineAndRollsBackTheMigration) {
    dir.write("20240101000001_items.sql",
              "-- migrate:up\n"
              "CREATE TABLE items (id int, label text);\n"
              "COPY items (id, label) FROM stdin;\n"
              "1\tone\n"
              "two\ttwo\n"
              "\\.\n"
              "\n"
              "-- migrate:down\n"
              "DROP TABLE items;\n");
    const auto result = pgentry("migrate-only", {}, {}, 30s);
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_FALSE(line_with(result.err, {"20240101000001_items.sql:5", "22P02", "invalid input syntax",
                                        "the statement starts at line 3", "COPY items, line 2"})
                     .empty())
        << result;
    EXPECT_FALSE(db.has_table("items"));
    EXPECT_TRUE(db.applied_versions().empty());
}

TEST_F(Copy, ARowATriggerRefusesIsNamedByItsLine) {
    dir.write("20240101000001_items.sql",
              "CREATE TABLE items (id int);\n"
              "CREATE FUNCTION no_sevens() RETURNS trigger LANGUAGE plpgsql AS $$\n"
              "BEGIN IF NEW.id = 7 THEN RAISE EXCEPTION 'no sevens'; END IF; RETURN NEW; END $$;\n"
              "CREATE TRIGGER no_sevens BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION no_sevens();\n"
              "COPY items FROM stdin;\n"
              "1\n"
              "7\n"
              "\\.\n");
    const auto result = pgentry("migrate-only", {}, {}, 30s);
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_FALSE(line_with(result.err, {"20240101000001_items.sql:7", "P0001", "no sevens",
                                        "the statement starts at line 5; COPY items, line 2"})
                     .empty())
        << result;
    EXPECT_FALSE(db.has_table("items"));
}

TEST_F(Copy, LoadsMegabytesOfRows) {
    constexpr int rows = 200'000;
    std::string body = "CREATE TABLE numbers (n int, label text);\nCOPY numbers FROM stdin;\n";
    for (int n = 1; n <= rows; ++n) {
        body += std::to_string(n) + "\tnumber " + std::to_string(n) + "\n";
    }
    body += "\\.\nCREATE INDEX numbers_n ON numbers (n);\n";
    dir.write("20240101000001_numbers.sql", body);
    const auto result = pgentry("migrate-only", {}, {}, 60s);
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM numbers"), rows);
    EXPECT_EQ(db.sql().count("SELECT sum(n) FROM numbers"), std::int64_t{rows} * (rows + 1) / 2);
}

// ---- the result loop, driven directly: responses no migration file can produce any more

// Runs body on a thread of its own and fails the whole test program if it has not returned by the deadline:
// a hang must show as a failure, not as a test that never ends.
template <typename Body>
auto within(Clock::duration limit, Body body) {
    auto outcome = std::async(std::launch::async, std::move(body));
    if (outcome.wait_for(limit) != std::future_status::ready) {
        std::cerr << "the statement did not finish within the deadline: pgentry would hang\n";
        std::_Exit(1);
    }
    return outcome.get();
}

// What a statement run by pgentry's Connection ends with: "" on success, else "SQLSTATE: message".
std::string outcome_of(db::Connection& connection, const std::string& sql) {
    try {
        connection.exec(sql);
        return "";
    } catch (const db::QueryError& error) {
        return error.error().sqlstate + ": " + error.what();
    }
}

class ResultLoop : public ::testing::Test {
protected:
    db::Connection connect(db::EventLoop& loop, const std::string& extra = "") const {
        return db::Connection::open(
            loop, {db::DatabaseUrl::parse(db.conninfo() + extra), "pgentry-copy-test"}, Clock::now() + 20s);
    }

    TestDatabase db;
};

TEST_F(ResultLoop, CopyInWithoutRowsFailsAndTheSessionStaysUsable) {
    db.sql().exec("CREATE TABLE t (a int)");
    const auto [failure, after] = within(30s, [&] {
        db::EventLoop loop;
        auto connection = connect(loop);
        std::string failed = outcome_of(connection, "COPY t FROM STDIN");
        return std::pair{failed, connection.exec("SELECT 41 + 1").text(0, 0)};
    });
    EXPECT_TRUE(contains(failure, "57014")) << failure;
    EXPECT_TRUE(contains(failure, "pgentry: COPY FROM STDIN without inline data"));
    EXPECT_EQ(after, "42");
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM t"), 0);
}

TEST_F(ResultLoop, CopyOutFailsAfterDroppingItsRows) {
    const auto [failure, after] = within(30s, [&] {
        db::EventLoop loop;
        auto connection = connect(loop);
        std::string failed = outcome_of(connection, "COPY (SELECT generate_series(1, 100000)) TO STDOUT");
        return std::pair{failed, connection.exec("SELECT 41 + 1").text(0, 0)};
    });
    EXPECT_TRUE(contains(failure, "0A000: COPY ... TO STDOUT is not supported")) << failure;
    EXPECT_EQ(after, "42");
}

// copy_out(), how the history is read: every row, in COPY's text format, however many reads they take.
TEST_F(ResultLoop, CopyOutCollectsEveryRow) {
    const auto [rows, after] = within(30s, [&] {
        db::EventLoop loop;
        auto connection = connect(loop);
        std::string copied = connection.copy_out(
            "COPY (SELECT n, CASE WHEN n % 2 = 0 THEN md5(n::text) END FROM "
            "generate_series(1, 100000) AS n) TO STDOUT");
        return std::pair{copied, connection.exec("SELECT 41 + 1").text(0, 0)};
    });
    EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 100000);
    EXPECT_TRUE(rows.starts_with("1\t\\N\n2\t" + *db.sql().scalar("SELECT md5('2')") + "\n"))
        << rows.substr(0, 80);
    EXPECT_TRUE(rows.ends_with("100000\t" + *db.sql().scalar("SELECT md5('100000')") + "\n"));
    EXPECT_EQ(after, "42");
}

// A COPY that fails after sending rows: the failure, not the rows, and the session goes on.
TEST_F(ResultLoop, CopyOutThatFailsMidwayThrowsAndTheSessionStaysUsable) {
    const auto [failure, after] = within(30s, [&] {
        db::EventLoop loop;
        auto connection = connect(loop);
        std::string failed;
        try {
            connection.copy_out(
                "COPY (SELECT 1 / (50000 - n) FROM generate_series(1, 100000) AS n) TO STDOUT");
        } catch (const db::QueryError& error) {
            failed = error.error().sqlstate;
        }
        return std::pair{failed, connection.exec("SELECT 41 + 1").text(0, 0)};
    });
    EXPECT_EQ(failure, "22012");  // division_by_zero
    EXPECT_EQ(after, "42");
}

TEST_F(ResultLoop, CopyBothIsEndedAndFails) {
    const auto outcome = within(30s, [&]() -> std::optional<std::string> {
        db::EventLoop loop;
        std::optional<db::Connection> connection;
        try {
            connection.emplace(connect(loop, " replication=true"));
        } catch (const db::ConnectError&) {
            return std::nullopt;  // no replication connections allowed here
        }
        const std::string position = connection->exec("IDENTIFY_SYSTEM").text(0, 2);
        return outcome_of(*connection, "START_REPLICATION " + position);
    });
    if (!outcome) {
        GTEST_SKIP() << "the server refuses replication connections";
    }
    EXPECT_TRUE(contains(*outcome, "08P01: a COPY BOTH (replication) stream is not supported")) << *outcome;
}

TEST_F(ResultLoop, ANoticeFloodEnds) {
    const auto [outcome, after] = within(30s, [&] {
        db::EventLoop loop;
        auto connection = connect(loop);
        std::string done = outcome_of(
            connection, "DO $$ BEGIN FOR i IN 1..100000 LOOP RAISE NOTICE 'notice %', i; END LOOP; END $$");
        return std::pair{done, connection.exec("SELECT 41 + 1").text(0, 0)};
    });
    EXPECT_EQ(outcome, "");
    EXPECT_EQ(after, "42");
}

TEST_F(ResultLoop, RowsSentAcrossManyShortDeadlinesArriveWhole) {
    db.sql().exec("CREATE TABLE t (a int)");
    constexpr int rows = 300'000;
    std::string data;
    for (int n = 1; n <= rows; ++n) {
        data += std::to_string(n) + "\n";
    }
    const int returns = within(60s, [&] {
        db::EventLoop loop;
        auto connection = connect(loop);
        connection.send("COPY t FROM STDIN", data);
        int early = 0;
        while (!connection.await_result(Clock::now() + 1ms)) {
            ++early;
        }
        return early;
    });
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM t"), rows);
    EXPECT_EQ(db.sql().count("SELECT sum(a) FROM t"), std::int64_t{rows} * (rows + 1) / 2);
    RecordProperty("early_returns", returns);
}

}  // namespace
}  // namespace pgentry::test
