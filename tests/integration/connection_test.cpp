// Reaching the database: waiting for a server that starts late, giving up after --wait-timeout, refusing
// bad credentials at once, and never printing the password, in text or JSON logs.
#include <thread>

#include <boost/json.hpp>

#include "pgentry.hpp"

namespace pgentry::test {
namespace {

TEST(DelayedServer, WaitOnlyReturnsSoonAfterTheServerAcceptsConnections) {
    PrivateCluster cluster;
    MigrationDir dir;
    const auto started = Clock::now();
    Process waiting({pgentry_bin(), "--mode=wait-only", "--database-url=" + cluster.url(),
                     "--migrations-dir=" + dir.str(), "--wait-timeout=30s"});

    std::this_thread::sleep_until(started + 3s);
    ASSERT_FALSE(waiting.wait_for(Clock::now()).has_value()) << "did not wait for the server:\n"
                                                             << waiting.err();
    cluster.start();
    const auto accepting = Clock::now();

    EXPECT_EQ(waiting.wait_for(accepting + 10s), 0) << waiting.err();
    EXPECT_LT(Clock::now() - accepting, 2s)
        << "exited " << seconds(Clock::now() - accepting) << " after the server accepted connections";
    EXPECT_TRUE(
        contains(waiting.err(), "waiting for database at 127.0.0.1:" + std::to_string(cluster.port())));
}

class Unreachable : public ::testing::Test {
protected:
    RunResult wait_only(const std::string& wait_timeout) const {
        return run({pgentry_bin(), "--mode=wait-only", "--wait-timeout=" + wait_timeout,
                    "--database-url=" +
                        make_url("127.0.0.1", std::to_string(port.port()), "postgres", "", "postgres"),
                    "--migrations-dir=" + dir.str()});
    }

    ClosedPort port;
    MigrationDir dir;
};

TEST_F(Unreachable, WaitTimeoutExitsWith69) {
    const auto result = wait_only("1s");
    EXPECT_EQ(result.exit_code, 69) << result;
    EXPECT_GE(result.elapsed, 900ms) << result;
    EXPECT_LT(result.elapsed, 5s) << result;
}

TEST_F(Unreachable, ZeroWaitTimeoutTriesOnce) {
    const auto result = wait_only("0");
    EXPECT_EQ(result.exit_code, 69) << result;
    EXPECT_LT(result.elapsed, 2s) << result;
}

// A login role with a password of the test's own choosing: what pg_virtualenv set is not distinctive.
class TestRole {
public:
    TestRole() : admin_("application_name=pgentry-tests"), name_(unique_name("pgentry_role")) {
        admin_.exec("CREATE ROLE " + name_ + " LOGIN PASSWORD '" + password_ + "'");
    }
    ~TestRole() {
        try {
            admin_.exec("DROP ROLE IF EXISTS " + name_);
        } catch (const std::exception&) {
            // A leftover role in a throw-away cluster harms no later test; a throwing destructor aborts.
        }
    }
    TestRole(const TestRole&) = delete;
    TestRole& operator=(const TestRole&) = delete;

    const std::string& name() const { return name_; }
    const std::string& password() const { return password_; }

private:
    Connection admin_;
    std::string name_;
    // '#' and '/' must be percent-encoded in a URL, so that both spellings can be looked for.
    std::string password_ = "Tell-No0ne#" + unique_name("pw/Zq7");
};

// Base classes are built in order: the role exists before the database it is to own, and outlives it.
struct WithRole {
    TestRole role;
};

class Credentials : public WithRole, public PgentryTest {
protected:
    void SetUp() override {
        if (db.server().host.starts_with("/")) {
            GTEST_SKIP() << "the server is reached through a Unix socket, where passwords may not be checked";
        }
        db.admin().exec("ALTER DATABASE " + db.name() + " OWNER TO " + role.name());
    }

    std::string url_with(const std::string& password) const {
        return make_url(db.server().host, db.server().port, role.name(), password, db.name());
    }
};

TEST_F(Credentials, WrongPasswordExitsWith77WithoutRetrying) {
    const auto result =
        run(command(url_with("Wrong-" + role.password()), "wait-only", {"--wait-timeout=60s"}));
    EXPECT_EQ(result.exit_code, 77) << result;
    EXPECT_LT(result.elapsed, 5s) << result;
}

TEST_F(Credentials, RightPasswordConnects) {
    dir.write("20240101000001_a.sql", "CREATE TABLE a (id int);\n");
    const auto result = run(command(url_with(role.password()), "migrate-only", {}));
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(db.has_table("a"));
}

// Only a config line that starts with '#' is a comment: the password's '#' and what follows reach libpq.
TEST_F(Credentials, ConfigFilePasswordMayHoldAHash) {
    ASSERT_NE(role.password().find('#'), std::string::npos);
    const auto config =
        dir.write("pgentry.conf", "database-url = host=" + db.server().host + " port=" + db.server().port +
                                      " dbname=" + db.name() + " user=" + role.name() +
                                      " password=" + role.password() + "\n");
    const auto result = run({pgentry_bin(), "--mode=wait-only", "--config=" + config.string()});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_FALSE(contains(result.err, role.password())) << result;
}

// A role that may connect but not create: the failure names the step, the SQLSTATE and what to grant, not
// "unexpected failure" (PostgreSQL 15 gives PUBLIC no CREATE on schema public).
class WithoutCreate : public WithRole, public PgentryTest {};

TEST_F(WithoutCreate, NamesTheStepTheSqlstateAndWhatToGrant) {
    db.sql().exec(
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC");  // as PostgreSQL 15 does, on older servers too
    dir.write("20240101000001_a.sql", "CREATE TABLE a (id int);\n");
    const auto url = make_url(db.server().host, db.server().port, role.name(), role.password(), db.name());
    const auto result = run(command(url, "migrate-only", {}));
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_TRUE(contains(result.err,
                         "creating the history table: SQLSTATE 42501: permission denied for schema public"));
    EXPECT_TRUE(contains(result.err,
                         "HINT: creating public.schema_migrations: GRANT CREATE ON SCHEMA \"public\" TO"));
    EXPECT_FALSE(contains(result.err, "unexpected failure"));
}

class Secrets : public Credentials, public ::testing::WithParamInterface<std::string> {
protected:
    // Runs pgentry with the log format under test and checks that no secret shows in what it printed.
    void check(const std::string& label, Args argv, int expected_exit_code, const Env& env = {}) {
        argv.insert(argv.begin() + 1, {"--log-format=" + GetParam(), "--log-level=debug"});
        const auto result = run(argv, env);
        EXPECT_EQ(result.exit_code, expected_exit_code) << label << ": " << result;
        for (const auto& secret : {role.password(), percent_encode(role.password()), wrong_password,
                                   percent_encode(wrong_password)}) {
            EXPECT_FALSE(contains(result.out, secret)) << label << " printed a password on stdout:\n"
                                                       << result;
            EXPECT_FALSE(contains(result.err, secret)) << label << " printed a password on stderr:\n"
                                                       << result;
        }
        if (GetParam() == "json") {
            expect_json_lines(label, result.err);
        }
    }

    static void expect_json_lines(const std::string& label, const std::string& text) {
        for (const auto& line : lines(text)) {
            boost::system::error_code error;
            const auto value = boost::json::parse(line, error);
            const auto* object = error ? nullptr : value.if_object();
            ASSERT_NE(object, nullptr) << label << ": not a JSON object: " << line;
            for (const auto* key : {"ts", "level", "msg"}) {
                EXPECT_TRUE(object->contains(key)) << label << ": no \"" << key << "\" in " << line;
            }
        }
    }

    const std::string wrong_password = "Wrong-" + role.password();
};

TEST_P(Secrets, PasswordNeverAppearsInOutput) {
    const auto url = url_with(role.password());
    dir.write("20240101000001_a.sql",
              "-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\nDROP TABLE a;\n");

    check("migrate-only", command(url, "migrate-only", {}), 0);
    check("status", command(url, "status", {}), 0);
    check("verify", command(url, "verify", {}), 0);
    dir.write("20240101000002_bad.sql", "SELECT * FROM missing;\n");
    check("failing migration", command(url, "migrate-only", {}), 70);
    dir.remove("20240101000002_bad.sql");
    check("rollback", command(url, "rollback", {}), 0);

    const Args without_url{pgentry_bin(), "--mode=wait-only", "--migrations-dir=" + dir.str()};
    check("DATABASE_URL", without_url, 0, {{"DATABASE_URL", url}});
    const auto url_file = dir.write("database-url.secret", url + "\n");
    auto from_file = without_url;
    from_file.push_back("--database-url-file=" + url_file.string());
    check("--database-url-file", from_file, 0);
    const auto config = dir.write("pgentry.conf", "database-url = " + url + "\n");
    auto from_config = without_url;
    from_config.push_back("--config=" + config.string());
    check("config file", from_config, 0);
    check("key=value conninfo",
          command("host=" + db.server().host + " port=" + db.server().port + " dbname=" + db.name() +
                      " user=" + role.name() + " password='" + role.password() + "'",
                  "wait-only", {}),
          0);

    check("wrong password", command(url_with(wrong_password), "wait-only", {}), 77);
    const ClosedPort port;
    check("unreachable",
          command(make_url("127.0.0.1", std::to_string(port.port()), role.name(), role.password(), db.name()),
                  "wait-only", {"--wait-timeout=1s"}),
          69);
    check("usage error", command(url, "wait-only", {"--lock=bogus"}), 64);
}

INSTANTIATE_TEST_SUITE_P(Formats, Secrets, ::testing::Values("text", "json"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pgentry::test
