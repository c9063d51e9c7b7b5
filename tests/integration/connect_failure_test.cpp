// Connection failures that waiting cannot fix end pgentry at the first attempt, with libpq's whole message
// (SPEC.md, exit codes 69 and 77): TLS failures against a real PostgreSQL with ssl=on and a self-signed
// certificate, and what a real PgBouncer refuses (a password, a startup parameter). A wait of 30 s that
// is not taken is the proof: each run must end within 5 s.
#include <pwd.h>
#include <unistd.h>

#include <filesystem>

#include "pgbouncer.hpp"
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

namespace fs = std::filesystem;

constexpr auto not_waited = 5s;

// Files the server programs (user postgres when the test runs as root) must read.
void hand_to_postgres(const fs::path& path) {
    if (::geteuid() != 0) {
        return;
    }
    const passwd* postgres = ::getpwnam("postgres");
    if (postgres == nullptr || ::chown(path.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
        throw std::runtime_error("cannot hand " + path.string() + " to user postgres");
    }
}

RunResult wait_only(const std::string& url) {
    MigrationDir dir;
    return run({pgentry_bin(), "--mode=wait-only", "--wait-timeout=30s", "--database-url=" + url,
                "--migrations-dir=" + dir.str()});
}

// A self-signed certificate for db.example (an EC key: generated in milliseconds).
void make_certificate(const fs::path& dir, const std::string& name) {
    const auto made =
        run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "2", "-subj", "/CN=db.example", "-keyout", (dir / (name + ".key")).string(), "-out",
             (dir / (name + ".crt")).string()});
    if (made.exit_code != 0) {
        throw std::runtime_error("openssl req failed: " + made.err);
    }
    hand_to_postgres(dir / (name + ".key"));
    hand_to_postgres(dir / (name + ".crt"));
    fs::permissions(dir / (name + ".key"), fs::perms::owner_read | fs::perms::owner_write);
}

// --- TLS: a private cluster with ssl=on ----------------------------------------------------------------

class Tls : public ::testing::Test {
protected:
    void SetUp() override {
        hand_to_postgres(certs);
        make_certificate(certs, "server");
        make_certificate(certs, "other");  // a CA that did not sign the server's certificate
        cluster.start();
        Connection admin(cluster.url());
        admin.exec("ALTER SYSTEM SET ssl_cert_file = '" + (certs / "server.crt").string() + "'");
        admin.exec("ALTER SYSTEM SET ssl_key_file = '" + (certs / "server.key").string() + "'");
        admin.exec("ALTER SYSTEM SET ssl = on");
        admin.exec("SELECT pg_reload_conf()");
        ASSERT_TRUE(eventually([&] { return Connection(cluster.url()).scalar("SHOW ssl") == "on"; }, 10s))
            << "the server did not turn ssl on";
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(certs, ignored);
    }

    std::string url(const std::string& query) const { return cluster.url() + "?" + query; }

    fs::path certs = make_temp_dir("pgentry-tls-");
    PrivateCluster cluster;
};

TEST_F(Tls, TheRightCaConnects) {
    const auto result = wait_only(url("sslmode=verify-ca&sslrootcert=" + (certs / "server.crt").string()));
    EXPECT_EQ(result.exit_code, 0) << result;
}

TEST_F(Tls, AWrongCaIsNotRetried) {
    const auto result = wait_only(url("sslmode=verify-ca&sslrootcert=" + (certs / "other.crt").string()));
    EXPECT_EQ(result.exit_code, 69) << result;
    EXPECT_LT(result.elapsed, not_waited) << result;
    EXPECT_TRUE(contains(result.err, "not retried: SSL error: certificate verify failed"));
}

TEST_F(Tls, AWrongHostNameIsNotRetried) {
    const auto result = wait_only(url("sslmode=verify-full&sslrootcert=" + (certs / "server.crt").string()));
    EXPECT_EQ(result.exit_code, 69) << result;
    EXPECT_LT(result.elapsed, not_waited) << result;
    EXPECT_TRUE(contains(
        result.err,
        "not retried: server certificate for \"db.example\" does not match host name \"127.0.0.1\""));
}

TEST_F(Tls, AMissingRootCertificateIsNotRetried) {
    const auto missing = certs / "missing.crt";
    const auto result = wait_only(url("sslmode=verify-full&sslrootcert=" + missing.string()));
    EXPECT_EQ(result.exit_code, 69) << result;
    EXPECT_LT(result.elapsed, not_waited) << result;
    EXPECT_TRUE(contains(result.err, "not retried: root certificate file \"" + missing.string() +
                                         "\" does not exist; Either provide the file"));
}

// --- PgBouncer -------------------------------------------------------------------------------------------

class Pgbouncer : public ::testing::Test {
protected:
    void SetUp() override {
        cluster.start();
        Connection(cluster.url()).exec("CREATE ROLE app LOGIN");
        // The cluster trusts local logins: the pooler alone checks the password, with SCRAM as PgBouncer
        // users run it.
        bouncer = std::make_unique<PgBouncer>(
            Server{"127.0.0.1", std::to_string(cluster.port()), "app", "Right-Pooler-Password"},
            PoolerSettings{
                .pool_mode = "session", .pool_size = 2, .extra = {}, .auth_type = "scram-sha-256"});
    }

    // dbname postgres through the pooler, as user app with this password.
    std::string url(const std::string& password) const {
        return make_url("127.0.0.1", std::to_string(bouncer->port()), "app", password, "postgres");
    }

    PrivateCluster cluster;
    std::unique_ptr<PgBouncer> bouncer;
};

TEST_F(Pgbouncer, TheRightPasswordConnects) {
    const auto result = wait_only(url("Right-Pooler-Password"));
    EXPECT_EQ(result.exit_code, 0) << result;
}

// PgBouncer refuses with 08P01, not 28P01: still the credentials, 77 at once.
TEST_F(Pgbouncer, AWrongPasswordIsRefusedCredentials) {
    const auto result = wait_only(url("Wrong-Pooler-Password"));
    EXPECT_EQ(result.exit_code, 77) << result;
    EXPECT_LT(result.elapsed, not_waited) << result;
    EXPECT_TRUE(contains(result.err, "refused the credentials: SASL authentication failed"));
    EXPECT_FALSE(contains(result.err, "Wrong-Pooler-Password"));
}

TEST_F(Pgbouncer, AnUnsupportedStartupParameterIsNotRetried) {
    const auto result = wait_only(url("Right-Pooler-Password") + "?options=-c%20work_mem%3D1MB");
    EXPECT_EQ(result.exit_code, 69) << result;
    EXPECT_LT(result.elapsed, not_waited) << result;
    EXPECT_TRUE(contains(result.err, "not retried: unsupported startup parameter: options"));
}

}  // namespace
}  // namespace pgentry::test
