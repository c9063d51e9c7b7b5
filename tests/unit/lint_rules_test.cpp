// One table per rule of SPEC.md's Lint table: where it finds the hazard, where it must not (a table or column
// new in the pending run, the safe form of the statement), and the quoting and schema forms of names.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lint/rules.hpp"
#include "lint_fixture.hpp"

namespace pgentry::lint {
namespace {

using testing::lint_one;

struct Case {
    const char* name;
    const char* sql;  // the body of the only pending migration (no markers: all of it is the up section)
    std::vector<std::string> expected;  // rule@line:column
};

void PrintTo(const Case& c, std::ostream* out) {
    *out << c.name;
}

class LintRuleTest : public ::testing::TestWithParam<Case> {};

TEST_P(LintRuleTest, FindsWhatTheRuleIsAbout) {
    EXPECT_EQ(lint_one(GetParam().sql), GetParam().expected) << GetParam().sql;
}

const std::vector<Case> cases = {
    // ban-drop-column
    {"drop_column", "ALTER TABLE users DROP COLUMN last_name;", {"ban-drop-column@1:1"}},
    {"drop_column_if_exists_quoted_schema",
     "SELECT 1;\n  ALTER TABLE \"App\".\"Users\" DROP COLUMN IF EXISTS \"Last\";",
     {"ban-drop-column@2:3"}},
    {"drop_two_columns",
     "ALTER TABLE users DROP COLUMN a, DROP COLUMN b;",
     {"ban-drop-column@1:1", "ban-drop-column@1:1"}},
    {"drop_column_of_new_table", "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;", {}},
    {"drop_column_added_in_run",
     "ALTER TABLE users ADD COLUMN tmp int;\nALTER TABLE users DROP COLUMN tmp;",
     {}},
    // ban-drop-table
    {"drop_table", "DROP TABLE sessions;", {"ban-drop-table@1:1"}},
    {"drop_two_tables_one_new",
     "CREATE TABLE tmp (id int);\nDROP TABLE IF EXISTS tmp, public.old CASCADE;",
     {"ban-drop-table@2:1"}},
    {"drop_view_is_not_a_table", "DROP VIEW v;", {}},
    // renaming-column, renaming-table
    {"rename_column", "ALTER TABLE users RENAME COLUMN name TO full_name;", {"renaming-column@1:1"}},
    {"rename_column_of_new_table", "CREATE TABLE t (a int);\nALTER TABLE t RENAME a TO b;", {}},
    {"rename_table", "ALTER TABLE users RENAME TO people;", {"renaming-table@1:1"}},
    {"rename_new_table_then_alter",
     "CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;\nALTER TABLE u DROP COLUMN a;",
     {}},
    {"rename_index_is_not_a_table", "ALTER INDEX i RENAME TO j;", {}},
    // adding-required-field
    {"add_not_null", "ALTER TABLE users ADD COLUMN age int NOT NULL;", {"adding-required-field@1:1"}},
    {"add_not_null_with_default", "ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0;", {}},
    {"add_not_null_identity",
     "ALTER TABLE t ADD COLUMN n int NOT NULL GENERATED ALWAYS AS IDENTITY;",
     {"adding-field-with-default@1:1"}},
    {"add_nullable", "ALTER TABLE users ADD COLUMN age int;", {}},
    {"add_not_null_to_new_table", "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int NOT NULL;", {}},
    // adding-not-nullable-field
    {"set_not_null", "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", {"adding-not-nullable-field@1:1"}},
    {"set_not_null_new_table", "CREATE TABLE t (a int);\nALTER TABLE t ALTER a SET NOT NULL;", {}},
    {"set_not_null_after_validated_check",
     "ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\n"
     "ALTER TABLE users VALIDATE CONSTRAINT nn;\nALTER TABLE users ALTER email SET NOT NULL;",
     {"constraint-missing-not-valid@2:1"}},
    {"set_not_null_check_not_validated",
     "ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ALTER "
     "email SET NOT NULL;",
     {"adding-not-nullable-field@2:1"}},
    {"drop_not_null", "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", {}},
    // changing-column-type
    {"change_type", "ALTER TABLE users ALTER COLUMN id TYPE bigint;", {"changing-column-type@1:1"}},
    {"set_data_type_using",
     "ALTER TABLE users ALTER id SET DATA TYPE text USING id::text;",
     {"changing-column-type@1:1"}},
    {"change_type_new_table", "CREATE TABLE t (a int);\nALTER TABLE t ALTER a TYPE bigint;", {}},
    // adding-field-with-default
    {"volatile_default",
     "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
     {"adding-field-with-default@1:1"}},
    {"volatile_inside_expression",
     "ALTER TABLE t ADD COLUMN r int DEFAULT (random() * 10)::int;",
     {"adding-field-with-default@1:1"}},
    {"stable_default_now", "ALTER TABLE t ADD COLUMN at timestamptz NOT NULL DEFAULT now();", {}},
    {"constant_default", "ALTER TABLE t ADD COLUMN flags jsonb NOT NULL DEFAULT '{}'::jsonb;", {}},
    {"user_function_default",
     "ALTER TABLE t ADD COLUMN c text DEFAULT app.next_code();",
     {"adding-field-with-default@1:1"}},
    {"serial_column", "ALTER TABLE t ADD COLUMN n bigserial;", {"adding-field-with-default@1:1"}},
    {"stored_generated",
     "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a + 1) STORED;",
     {"adding-field-with-default@1:1"}},
    {"volatile_default_new_table",
     "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();",
     {}},
    // require-concurrent-index-creation
    {"create_index", "CREATE INDEX users_email ON users (email);", {"require-concurrent-index-creation@1:1"}},
    {"create_unique_index_schema",
     "CREATE UNIQUE INDEX i ON app.users (email);",
     {"require-concurrent-index-creation@1:1"}},
    {"create_index_concurrently",
     "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON users (email);",
     {}},
    {"create_index_new_table", "CREATE TABLE t (a int);\nCREATE INDEX ON t (a);", {}},
    {"create_index_new_table_other_schema",
     "CREATE TABLE a.t (x int);\nCREATE INDEX ON b.t (x);",
     {"require-concurrent-index-creation@2:1"}},
    // require-concurrent-index-deletion
    {"drop_index", "DROP INDEX users_email;", {"require-concurrent-index-deletion@1:1"}},
    {"drop_index_concurrently",
     "-- migrate:up transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS users_email;",
     {}},
    {"drop_index_of_new_table", "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;", {}},
    // constraint-missing-not-valid
    {"check_constraint",
     "ALTER TABLE t ADD CONSTRAINT positive CHECK (n > 0);",
     {"constraint-missing-not-valid@1:1"}},
    {"foreign_key",
     "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
     {"constraint-missing-not-valid@1:1"}},
    {"check_not_valid", "ALTER TABLE t ADD CONSTRAINT positive CHECK (n > 0) NOT VALID;", {}},
    {"validate_constraint", "ALTER TABLE t VALIDATE CONSTRAINT positive;", {}},
    {"validate_in_the_adding_transaction",
     "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES u NOT VALID;\n"
     "ALTER TABLE t VALIDATE CONSTRAINT fk;",
     {"constraint-missing-not-valid@2:1"}},
    {"validate_outside_a_transaction",
     "-- migrate:up transaction:false\n"
     "ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;",
     {}},
    {"check_on_new_table", "CREATE TABLE t (n int);\nALTER TABLE t ADD CHECK (n > 0);", {}},
    // disallowed-unique-constraint
    {"unique_constraint",
     "ALTER TABLE users ADD CONSTRAINT email_unique UNIQUE (email);",
     {"disallowed-unique-constraint@1:1"}},
    {"primary_key", "ALTER TABLE items ADD PRIMARY KEY (id);", {"disallowed-unique-constraint@1:1"}},
    {"unique_using_index",
     "ALTER TABLE users ADD CONSTRAINT email_unique UNIQUE USING INDEX users_email;",
     {}},
    {"unique_column", "ALTER TABLE users ADD COLUMN code text UNIQUE;", {"disallowed-unique-constraint@1:1"}},
    {"unique_on_new_table", "CREATE TABLE t (a int);\nALTER TABLE t ADD UNIQUE (a);", {}},
    // ban-concurrent-index-creation-in-transaction
    {"concurrent_in_transaction",
     "CREATE INDEX CONCURRENTLY i ON users (email);",
     {"ban-concurrent-index-creation-in-transaction@1:1"}},
    {"drop_concurrent_in_transaction",
     "-- migrate:up\nDROP INDEX CONCURRENTLY i;",
     {"ban-concurrent-index-creation-in-transaction@2:1"}},
    {"reindex_concurrent_in_transaction",
     "REINDEX INDEX CONCURRENTLY i;",
     {"ban-concurrent-index-creation-in-transaction@1:1"}},
    {"concurrent_outside_transaction", "-- migrate:up transaction:false\nREINDEX TABLE CONCURRENTLY t;", {}},
    // syntax-error: located where the parser stopped, and the other statements are still checked
    {"syntax_error",
     "SELECT 1;\nALTER TABEL users DROP COLUMN a;\nDROP TABLE t;",
     {"syntax-error@2:7", "ban-drop-table@3:1"}},
    // statements that are nothing of the above
    {"create_table", "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);", {}},
    {"insert_update", "INSERT INTO t VALUES (1);\nUPDATE t SET a = 1;", {}},
    {"function_body",
     "CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC\n  DELETE FROM t;\nEND;",
     {}},
    {"down_section_not_checked", "-- migrate:up\nSELECT 1;\n-- migrate:down\nDROP TABLE users;", {}},
};

// The same case with "-- pgentry:allow RULE" before the first marker: every finding of RULE is accepted.
TEST_P(LintRuleTest, AnAllowCommentForTheFileAcceptsIt) {
    const std::string sql = GetParam().sql;
    for (const std::string& expected : GetParam().expected) {
        const std::string rule = expected.substr(0, expected.find('@'));
        const std::string body = "-- pgentry:allow " + rule + "\n" +
                                 (sql.starts_with("-- migrate:up") ? sql : "-- migrate:up\n" + sql);
        for (const std::string& found : lint_one(body)) {
            EXPECT_FALSE(found.starts_with(rule + "@")) << body;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Rules, LintRuleTest, ::testing::ValuesIn(cases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(LintRules, TheTableHasEveryRuleOfTheSpecOnce) {
    std::vector<std::string> names;
    for (const Rule& rule : rules()) {
        names.emplace_back(rule.name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{
                         "ban-drop-column", "ban-drop-table", "renaming-column", "renaming-table",
                         "adding-required-field", "adding-not-nullable-field", "changing-column-type",
                         "adding-field-with-default", "require-concurrent-index-creation",
                         "require-concurrent-index-deletion", "constraint-missing-not-valid",
                         "disallowed-unique-constraint", "ban-concurrent-index-creation-in-transaction"}));
    EXPECT_TRUE(is_rule("syntax-error"));
    EXPECT_FALSE(is_rule("ban-drop-database"));
}

// Each rule's case list covers it: a rule without a "finds" case here would be untested.
TEST(LintRules, EveryRuleHasACaseThatFindsIt) {
    for (const Rule& rule : rules()) {
        bool found = false;
        for (const Case& c : cases) {
            for (const std::string& expected : c.expected) {
                found = found || expected.starts_with(std::string(rule.name) + "@");
            }
        }
        EXPECT_TRUE(found) << rule.name;
    }
}

}  // namespace
}  // namespace pgentry::lint
