#include <string>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "migrations/migration.hpp"
#include "migrations/statement_splitter.hpp"

namespace pgentry::migrations {
namespace {

// ---- file names

TEST(MigrationFileName, ParsesVersionAndName) {
    const auto parsed = parse_file_name("20240705205730_add_users-table.sql");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->version, 20240705205730);
    EXPECT_EQ(parsed->name, "add_users-table");
}

TEST(MigrationFileName, LeadingZerosAndUnderscoresInName) {
    const auto parsed = parse_file_name("0007_a_b_.sql");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->version, 7);
    EXPECT_EQ(parsed->name, "a_b_");
}

TEST(MigrationFileName, EighteenDigitsIsTheLimit) {
    const auto parsed = parse_file_name("999999999999999999_max.sql");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->version, 999999999999999999);
    EXPECT_FALSE(parse_file_name("1000000000000000000_too_long.sql"));
}

TEST(MigrationFileName, RejectsMalformedNames) {
    for (const char* name : {"1_.sql", "1.sql", "_a.sql", "a_b.sql", "1-a.sql", "1_a b.sql", "1_a.b.sql",
                             "1_é.sql", "1_a.SQL", "1_a.sql.bak", "1_a", ".sql", "+1_a.sql"}) {
        EXPECT_FALSE(parse_file_name(name)) << name;
    }
}

// ---- bodies

const FileName name{2, "x"};
const std::filesystem::path path = "migrations/2_x.sql";

Migration parse(std::string_view body) {
    return parse_migration(name, path, body);
}

// The message of the Error(65) that parsing body throws, or "" when it parses.
std::string error_of(std::string_view body) {
    try {
        parse(body);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), exit_code::invalid_set);
        return e.what();
    }
    return "";
}

TEST(MigrationBody, WithoutMarkersTheWholeFileIsUp) {
    const Migration m = parse("CREATE TABLE t (id int);\n");
    EXPECT_EQ(m.version, 2);
    EXPECT_EQ(m.name, "x");
    EXPECT_EQ(m.path, path);
    EXPECT_EQ(m.up.sql, "CREATE TABLE t (id int);\n");
    EXPECT_EQ(m.up.first_line, 1);
    EXPECT_TRUE(m.up.transaction);
    EXPECT_FALSE(m.down);
}

TEST(MigrationBody, EmptyFileIsAValidMigration) {
    const Migration m = parse("");
    EXPECT_EQ(m.up.sql, "");
    EXPECT_EQ(m.up.first_line, 1);
    EXPECT_FALSE(m.down);
    EXPECT_EQ(m.checksum, sha256_hex(""));
}

TEST(MigrationBody, UpAndDownSectionsWithFirstLines) {
    const Migration m = parse(
        "-- a comment\n"
        "\n"
        "-- migrate:up\n"
        "CREATE TABLE t (id int);\n"
        "\n"
        "--migrate:down  \n"
        "DROP TABLE t;\n");
    EXPECT_EQ(m.up.sql, "CREATE TABLE t (id int);\n\n");
    EXPECT_EQ(m.up.first_line, 4);
    ASSERT_TRUE(m.down);
    EXPECT_EQ(m.down->sql, "DROP TABLE t;\n");
    EXPECT_EQ(m.down->first_line, 7);
    EXPECT_TRUE(m.down->transaction);
}

TEST(MigrationBody, DownBeforeUpIsAllowed) {
    const Migration m = parse("-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t ();");
    EXPECT_EQ(m.up.sql, "CREATE TABLE t ();");
    EXPECT_EQ(m.up.first_line, 4);
    ASSERT_TRUE(m.down);
    EXPECT_EQ(m.down->sql, "DROP TABLE t;\n");
    EXPECT_EQ(m.down->first_line, 2);
}

TEST(MigrationBody, MarkerOnTheLastLineGivesAnEmptySection) {
    const Migration m = parse("-- migrate:up\nSELECT 1;\n-- migrate:down");
    ASSERT_TRUE(m.down);
    EXPECT_EQ(m.down->sql, "");
    EXPECT_EQ(m.down->first_line, 4);
}

TEST(MigrationBody, TransactionFalseOnEitherMarker) {
    const Migration up_only = parse(
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
        "-- migrate:down\nDROP INDEX i;\n");
    EXPECT_FALSE(up_only.up.transaction);
    EXPECT_TRUE(up_only.down->transaction);

    const Migration down_only = parse(
        "-- migrate:up\nSELECT 1;\n"
        "-- migrate:down\ttransaction:false \t\nDROP INDEX CONCURRENTLY i;\n");
    EXPECT_TRUE(down_only.up.transaction);
    EXPECT_FALSE(down_only.down->transaction);
}

TEST(MigrationBody, TransactionTrueIsAccepted) {
    EXPECT_TRUE(parse("-- migrate:up transaction:true\nSELECT 1;\n").up.transaction);
}

TEST(MigrationBody, CrlfIsNormalized) {
    const Migration m =
        parse("-- migrate:up transaction:false\r\nSELECT 1;\r\n-- migrate:down\r\nSELECT 2;\r\n");
    EXPECT_FALSE(m.up.transaction);
    EXPECT_EQ(m.up.sql, "SELECT 1;\n");
    EXPECT_EQ(m.down->sql, "SELECT 2;\n");
}

// ---- lone CRs: PostgreSQL ends a line and a "--" comment at a CR (scan.l), dbmate finds markers at LF only

// The statements the section sends, one by one.
std::vector<std::string> statements_of(const Section& section) {
    std::vector<std::string> texts;
    for (const Statement& statement : split_statements(section.sql)) {
        texts.emplace_back(statement.text);
    }
    return texts;
}

TEST(MigrationBodyLoneCr, CrLineEndsWithoutMarkersRunEveryStatement) {
    const Migration m =
        parse("-- add a table\rCREATE TABLE crtab(a int);\r-- and one more\rCREATE TABLE b();\r");
    EXPECT_EQ(m.up.sql, "-- add a table\rCREATE TABLE crtab(a int);\r-- and one more\rCREATE TABLE b();\r");
    EXPECT_EQ(statements_of(m.up),
              (std::vector<std::string>{"CREATE TABLE crtab(a int);", "CREATE TABLE b();"}));
    EXPECT_FALSE(m.down);
}

TEST(MigrationBodyLoneCr, AStrayCrAfterACommentInAnLfFile) {
    const Migration m =
        parse("-- migrate:up\n-- note\rCREATE TABLE crtab2(a int);\n-- migrate:down\nDROP TABLE crtab2;\n");
    EXPECT_EQ(m.up.sql, "-- note\rCREATE TABLE crtab2(a int);\n");
    EXPECT_EQ(statements_of(m.up), std::vector<std::string>{"CREATE TABLE crtab2(a int);"});
    EXPECT_EQ(m.down->first_line, 5);  // the CR ends line 2
}

TEST(MigrationBodyLoneCr, ACrInAStringOrADollarQuoteStaysInTheText) {
    const Migration m =
        parse("-- migrate:up\nINSERT INTO t VALUES ('a\r-- b');\nDO $$ BEGIN\r-- c\rEND $$;\n");
    EXPECT_EQ(m.up.sql, "INSERT INTO t VALUES ('a\r-- b');\nDO $$ BEGIN\r-- c\rEND $$;\n");
    EXPECT_EQ(statements_of(m.up),
              (std::vector<std::string>{"INSERT INTO t VALUES ('a\r-- b');", "DO $$ BEGIN\r-- c\rEND $$;"}));
}

TEST(MigrationBodyLoneCr, AMarkerEndingInALoneCrIsAnError) {
    // A file with CR line endings: dbmate sees one line, up to its end, and no down marker.
    EXPECT_EQ(
        error_of("-- migrate:up\rCREATE TABLE t (a int);\r-- migrate:down\rDROP TABLE t;\r"),
        "migrations/2_x.sql:1: a carriage return (CR) without LF after '-- migrate:up': PostgreSQL ends a "
        "line there, dbmate does not, and markers are read line by line; save the file with LF or CRLF "
        "line endings");
    EXPECT_NE(error_of("\n-- migrate:up transaction:false\rCREATE INDEX CONCURRENTLY i ON t (a);\n")
                  .find("2_x.sql:2: a carriage return (CR) "
                        "without LF after '-- migrate:up "
                        "transaction:false'"),
              std::string::npos);
    EXPECT_NE(error_of("-- migrate:up\nSELECT 1;\n-- migrate:down\r").find("2_x.sql:3: "), std::string::npos);
}

TEST(MigrationBodyLoneCr, AMarkerAfterALoneCrIsAnError) {
    // Read as a comment, it would run DROP TABLE in the up section.
    EXPECT_EQ(
        error_of("-- migrate:up\nCREATE TABLE t (a int);\n-- done\r-- migrate:down\nDROP TABLE t;\n"),
        "migrations/2_x.sql:4: '-- migrate:down' after a carriage return (CR) without LF: PostgreSQL ends "
        "a line there, dbmate does not, and markers are read line by line; save the file with LF or CRLF "
        "line endings");
    EXPECT_NE(error_of("-- intro\r-- migrate:up\r\nSELECT 1;\n").find("2_x.sql:2: '-- migrate:up' after"),
              std::string::npos);
    // What is no marker at the start of a line is none after a CR either, and an indented one is refused
    // after a CR as after an LF (the fuzz property: a file reads the same with either line end).
    EXPECT_EQ(error_of("-- migrate:up\nSELECT 1; -- done\r  -- migrated below\r---- migrate:down\n"), "");
    EXPECT_NE(error_of("-- migrate:up\nSELECT 1; -- done\r  -- migrate:down\rDROP TABLE t;\n")
                  .find("2_x.sql:3: indented marker"),
              std::string::npos);
}

TEST(MigrationBodyLoneCr, CrCrLfEndsAMarkerLineAsCrlfDoes) {
    // A file converted to CRLF twice: every CRLF becomes LF, the CR before it stays.
    const Migration m = parse("-- migrate:up\r\r\nSELECT 1;\r\r\n-- migrate:down\r\r\nSELECT 2;\r\r\n");
    EXPECT_EQ(m.up.sql, "SELECT 1;\r\n");
    EXPECT_EQ(m.up.first_line, 2);
    ASSERT_TRUE(m.down);
    EXPECT_EQ(m.down->sql, "SELECT 2;\r\n");
    EXPECT_EQ(m.down->first_line, 4);
}

TEST(MigrationBodyLoneCr, SqlAfterALoneCrBeforeTheFirstMarkerIsAnError) {
    EXPECT_EQ(error_of("-- intro\rSELECT 1;\n-- migrate:up\nSELECT 2;\n"),
              "migrations/2_x.sql:2: SQL before the first '-- migrate:' marker "
              "(only comments and blank lines may precede it)");
}

TEST(MigrationBodyLoneCr, LinesAfterLoneCrsCountInMessages) {
    // The message quotes the statement's first line, up to the CR.
    EXPECT_NE(error_of("-- migrate:up\n-- why\rBEGIN\rISOLATION LEVEL SERIALIZABLE;\n")
                  .find("2_x.sql:3: transaction control 'BEGIN' in a transactional section"),
              std::string::npos);
    EXPECT_NE(
        error_of("-- migrate:up\nSELECT 1;\rCOPY t TO STDOUT;\r").find("2_x.sql:3: 'COPY t TO STDOUT;'"),
        std::string::npos);
    const Migration m = parse("-- a\r-- b\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n");
    EXPECT_EQ(m.up.first_line, 4);
    EXPECT_EQ(m.down->first_line, 6);
}

TEST(MigrationBodyLoneCr, ACommentAfterTheCopysSemicolonEndsAtALoneCr) {
    EXPECT_NE(error_of("COPY t FROM stdin; -- rows\rSELECT 1;\n1\n\\.\n")
                  .find("2_x.sql:1: 'COPY t FROM stdin;': COPY ... FROM STDIN must end its line"),
              std::string::npos);
}

TEST(MigrationBody, MarkerTwiceIsAnError) {
    EXPECT_EQ(error_of("-- migrate:up\nSELECT 1;\n-- migrate:up\n"),
              "migrations/2_x.sql:3: second '-- migrate:up' marker (the first is on line 1)");
    EXPECT_EQ(error_of("-- migrate:up\n-- migrate:down\n\n-- migrate:down\n"),
              "migrations/2_x.sql:4: second '-- migrate:down' marker (the first is on line 2)");
}

TEST(MigrationBody, UnknownOptionIsAnError) {
    EXPECT_EQ(error_of("\n\n\n-- migrate:up transactions:false\n"),
              "migrations/2_x.sql:4: unknown marker option 'transactions:false' "
              "(expected transaction:false)");
    EXPECT_EQ(error_of("-- migrate:up transaction:false transaction:true\n"),
              "migrations/2_x.sql:1: marker option 'transaction' given twice");
}

TEST(MigrationBody, UnknownMarkerIsAnError) {
    EXPECT_EQ(error_of("-- migrate:up\nSELECT 1;\n-- migrate:upgrade\n"),
              "migrations/2_x.sql:3: unknown marker '-- migrate:upgrade' "
              "(expected '-- migrate:up' or '-- migrate:down')");
    // Mistyped markers fail rather than silently running the down SQL as part of up.
    EXPECT_NE(error_of("-- migrate:up\nSELECT 1;\n-- Migrate:Down\nDROP TABLE t;\n"), "");
    EXPECT_NE(error_of("-- migrate: up\n"), "");
}

// dbmate#108: dbmate and the server both read an indented marker as a comment, so its down SQL would run as
// part of up, and the version be recorded.
TEST(MigrationBody, AnIndentedMarkerIsAnError) {
    EXPECT_EQ(error_of("-- migrate:up\nALTER TABLE t ADD c int;\n  -- migrate:down\nALTER TABLE t DROP c;\n"),
              "migrations/2_x.sql:3: indented marker '-- migrate:down': a marker must start its line (dbmate "
              "reads it only there, and would run what follows as part of the section before); remove the "
              "blanks before it");
    EXPECT_NE(error_of("-- migrate:up\nSELECT 1;\n\t--  Migrate:Down transaction:false\nSELECT 2;\n"), "");
    EXPECT_NE(error_of("\t-- migrate:up\nSELECT 1;\n"), "");
    // Indented ordinary comments stay comments.
    EXPECT_EQ(parse("-- migrate:up\n  -- migrating users\nSELECT 1;\n").up.sql,
              "  -- migrating users\nSELECT 1;\n");
}

TEST(MigrationBody, SqlBeforeTheFirstMarkerIsAnError) {
    EXPECT_EQ(error_of("-- intro\nSELECT 1;\n-- migrate:up\nSELECT 2;\n"),
              "migrations/2_x.sql:2: SQL before the first '-- migrate:' marker "
              "(only comments and blank lines may precede it)");
}

TEST(MigrationBody, CommentsBeforeTheFirstMarkerAreFine) {
    const Migration m = parse("-- intro\n/* a\n /* nested */ ; */\n\n;\n-- migrate:up\nSELECT 2;\n");
    EXPECT_EQ(m.up.sql, "SELECT 2;\n");
    EXPECT_EQ(m.up.first_line, 7);
}

TEST(MigrationBody, MissingUpMarkerIsAnError) {
    EXPECT_EQ(error_of("-- migrate:down\nDROP TABLE t;\n"),
              "migrations/2_x.sql:1: no '-- migrate:up' marker");
}

TEST(MigrationBody, NulByteIsAnError) {
    using namespace std::string_literals;
    EXPECT_EQ(error_of("SELECT 1;\nSELECT '\0';\n"s),
              "migrations/2_x.sql:2: NUL byte (the file must be SQL text)");
}

TEST(MigrationBody, OrdinaryCommentsAreNotMarkers) {
    const Migration m =
        parse("-- migrate:up\n-- migrating users: see ticket\n---- migrate:down\nSELECT 1;\n");
    EXPECT_FALSE(m.down);
}

TEST(MigrationBody, Utf8ByteOrderMarkIsIgnored) {
    const Migration with_markers =
        parse("\xEF\xBB\xBF-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n");
    EXPECT_EQ(with_markers.up.sql, "SELECT 1;\n");
    EXPECT_EQ(with_markers.up.first_line, 2);
    EXPECT_EQ(with_markers.down->first_line, 4);
    const Migration plain = parse("\xEF\xBB\xBFSELECT 1;\r\n");
    EXPECT_EQ(plain.up.sql, "SELECT 1;\n");
    // Only at the start: elsewhere the bytes are text (the server decides what they mean).
    EXPECT_EQ(parse("SELECT '\xEF\xBB\xBF';\n").up.sql, "SELECT '\xEF\xBB\xBF';\n");
}

TEST(MigrationBody, Utf16IsAnError) {
    using namespace std::string_literals;
    EXPECT_EQ(error_of("\xFF\xFES\0E\0L\0"s),
              "migrations/2_x.sql:1: the file is UTF-16 (its byte-order mark says so); save it as UTF-8");
    EXPECT_EQ(error_of("\xFE\xFF\0S\0E"s),
              "migrations/2_x.sql:1: the file is UTF-16 (its byte-order mark says so); save it as UTF-8");
    EXPECT_EQ(error_of("\xFF\xFE\0\0S\0\0\0"s),
              "migrations/2_x.sql:1: the file is UTF-32 (its byte-order mark says so); save it as UTF-8");
}

TEST(MigrationBody, TransactionControlInATransactionalSectionIsAnError) {
    EXPECT_EQ(
        error_of("-- migrate:up\nBEGIN;\nCREATE TABLE accounts (id int);\nCOMMIT;\n"),
        "migrations/2_x.sql:2: transaction control 'BEGIN;' in a transactional section: pgentry runs the "
        "section in one transaction, and this would commit half a migration; remove it, or use "
        "'-- migrate:up transaction:false'");
    EXPECT_NE(error_of("CREATE TABLE a (id int);\n\n  COMMIT AND CHAIN;\n")
                  .find("2_x.sql:3: transaction control "
                        "'COMMIT AND CHAIN;'"),
              std::string::npos);
    EXPECT_NE(
        error_of("-- migrate:up\nSELECT 1;\n-- migrate:down\nDROP TABLE a;\nEND;\n")
            .find(
                "2_x.sql:5: transaction control 'END;' in a transactional section: pgentry runs the section "
                "in one transaction, and this would commit half a migration; remove it, or use "
                "'-- migrate:down transaction:false'"),
        std::string::npos);
    EXPECT_NE(error_of("SELECT 1;\n/* a\n b */ ROLLBACK;\n").find("2_x.sql:3: "), std::string::npos);
}

TEST(MigrationBody, TransactionControlIsFineOutsideATransaction) {
    EXPECT_EQ(error_of("-- migrate:up transaction:false\nBEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n"), "");
}

TEST(MigrationBody, SavepointsAndBodiesAreNotTransactionControl) {
    EXPECT_EQ(
        error_of(
            "SAVEPOINT a;\nSELECT 1;\nROLLBACK TO SAVEPOINT a;\nRELEASE a;\n"
            "DO $$ BEGIN PERFORM 1; END $$;\n"
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; "
            "END;\n"),
        "");
}

TEST(MigrationBody, CopyFromStdinWithData) {
    const Migration m = parse("-- migrate:up\nCOPY t FROM stdin;\n1;2\n\\.\nSELECT 1;\n");
    EXPECT_EQ(m.up.sql, "COPY t FROM stdin;\n1;2\n\\.\nSELECT 1;\n");
}

TEST(MigrationBody, CopyFromStdinWithoutBackslashDotIsAnError) {
    EXPECT_EQ(error_of("-- migrate:up\nCREATE TABLE t (a int);\nCOPY t FROM stdin;\n1\n2\n-- "
                       "migrate:down\nDROP TABLE t;\n"),
              "migrations/2_x.sql:3: 'COPY t FROM stdin;': no line '\\.' ends its data (from line 4 to the "
              "end of the "
              "section, which would be loaded as rows)");
}

TEST(MigrationBody, CopyFromStdinNotEndingItsLineIsAnError) {
    EXPECT_EQ(error_of("COPY t FROM stdin; SELECT 1;\n1\n\\.\n"),
              "migrations/2_x.sql:1: 'COPY t FROM stdin;': COPY ... FROM STDIN must end its line "
              "(nothing "
              "but comments after its ';'): its data is the lines that follow it, up to a line '\\.'");
    EXPECT_NE(error_of("SELECT 1;\nCOPY t FROM stdin")
                  .find("2_x.sql:2: 'COPY t FROM stdin': COPY ... FROM STDIN must"),
              std::string::npos);
}

TEST(MigrationBody, CopyToStdoutIsAnError) {
    EXPECT_EQ(error_of("-- migrate:up transaction:false\nSELECT 1;\nCOPY (SELECT 1) TO STDOUT;\n"),
              "migrations/2_x.sql:3: 'COPY (SELECT 1) TO STDOUT;': COPY ... TO STDOUT is not supported (a "
              "migration "
              "has nowhere to send the rows)");
}

// ---- checksums

TEST(MigrationChecksum, IsLowercaseHexSha256OfUp) {
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(parse("SELECT 1;\n").checksum, sha256_hex("SELECT 1;\n"));
    EXPECT_EQ(parse("-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n").checksum,
              sha256_hex("SELECT 1;\n"));
}

TEST(MigrationChecksum, CrlfFileMatchesItsLfTwin) {
    const std::string lf =
        "-- migrate:up\nCREATE TABLE t (id int);\nSELECT 1;\n-- migrate:down\nDROP TABLE t;\n";
    const std::string crlf =
        "-- migrate:up\r\nCREATE TABLE t (id int);\r\nSELECT 1;\r\n-- migrate:down\r\nDROP TABLE t;\r\n";
    EXPECT_EQ(parse(crlf).checksum, parse(lf).checksum);
    EXPECT_EQ(parse("SELECT 1;\r\n").checksum, parse("SELECT 1;\n").checksum);
}

// Databases hold these checksums: the SHA-256 of up with CRLF as LF (SPEC.md), and nothing else normalized. A
// lone CR, which now ends a comment, is still hashed as itself.
TEST(MigrationChecksum, OnlyCrlfIsNormalized) {
    EXPECT_EQ(parse("SELECT 1;\r\nSELECT 2;\n").checksum, sha256_hex("SELECT 1;\nSELECT 2;\n"));
    EXPECT_EQ(parse("SELECT 1;\r\r\n").checksum, sha256_hex("SELECT 1;\r\n"));
    EXPECT_EQ(parse("-- add a table\rCREATE TABLE t (id int);\r").checksum,
              sha256_hex("-- add a table\rCREATE TABLE t (id int);\r"));
}

TEST(MigrationChecksum, ByteOrderMarkIsNotPartOfIt) {
    EXPECT_EQ(parse("\xEF\xBB\xBFSELECT 1;\n").checksum, parse("SELECT 1;\n").checksum);
    EXPECT_EQ(parse("\xEF\xBB\xBF-- migrate:up\r\nSELECT 1;\r\n").checksum,
              parse("-- migrate:up\nSELECT 1;\n").checksum);
}

TEST(MigrationChecksum, EditingDownDoesNotChangeIt) {
    EXPECT_EQ(parse("-- migrate:up\nSELECT 1;\n-- migrate:down\nDROP TABLE a;\n").checksum,
              parse("-- migrate:up\nSELECT 1;\n-- migrate:down\nDROP TABLE b CASCADE;\n").checksum);
    EXPECT_NE(parse("-- migrate:up\nSELECT 1;\n").checksum, parse("-- migrate:up\nSELECT 2;\n").checksum);
}

}  // namespace
}  // namespace pgentry::migrations
