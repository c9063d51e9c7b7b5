// libpq's connection failure messages as captured here from libpq 15 against PostgreSQL 15 (pg_virtualenv,
// a copy with ssl=on and a self-signed certificate, a pg_basebackup standby with hot_standby=off) and
// PgBouncer 1.18, with what each means: PQconnectStart, PQsetErrorVerbosity(PQERRORS_VERBOSE), PQconnectPoll
// until it fails, PQerrorMessage, as db::Connection::open does.
#include "db/connect_message.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

using pgentry::db::classify;
using pgentry::db::ConnectFailure;
using pgentry::db::parse_connect_message;

struct Sample {
    const char* name;
    std::string libpq_message;
    std::string sqlstate;
    std::string text;
    ConnectFailure failure;
};

const std::string at_5432 = "connection to server at \"127.0.0.1\", port 5432 failed: ";
const std::string at_6439 = "connection to server at \"127.0.0.1\", port 6439 failed: ";

// clang-format off
const Sample samples[] = {
    {"wrong password",
     at_5432 + "FATAL:  28P01: password authentication failed for user \"app\"\nLOCATION:  auth_failed, auth.c:334\n",
     "28P01", "password authentication failed for user \"app\"", ConnectFailure::credentials},
    {"wrong password from a pgpass file: the server's reason stays",
     at_5432 + "FATAL:  28P01: password authentication failed for user \"app\"\nLOCATION:  auth_failed, auth.c:334\n"
               "password retrieved from file \"/tmp/errcap/pgpass\"\n",
     "28P01",
     "password authentication failed for user \"app\"; password retrieved from file \"/tmp/errcap/pgpass\"",
     ConnectFailure::credentials},
    {"standby with hot_standby=off: the primary message and its detail",
     at_5432 + "FATAL:  57P03: the database system is not accepting connections\n"
               "DETAIL:  Hot standby mode is disabled.\nLOCATION:  ProcessStartupPacket, postmaster.c:2426\n",
     "57P03", "the database system is not accepting connections; DETAIL: Hot standby mode is disabled.",
     ConnectFailure::retry},
    {"refused",
     at_5432 + "Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n",
     "", "connection refused", ConnectFailure::retry},
    {"no such database (it may be created by the server's init scripts)",
     at_5432 + "FATAL:  3D000: database \"nosuchdb\" does not exist\nLOCATION:  InitPostgres, postinit.c:948\n",
     "3D000", "database \"nosuchdb\" does not exist", ConnectFailure::retry},
    {"a refused value in options=-c",
     at_5432 + "FATAL:  22023: invalid value for parameter \"work_mem\": \"abc\"\n"
               "LOCATION:  parse_and_validate_value, guc.c:7422\n",
     "22023", "invalid value for parameter \"work_mem\": \"abc\"", ConnectFailure::not_retried},
    {"sslmode=require, server without SSL",
     at_5432 + "server does not support SSL, but SSL was required\n",
     "", "server does not support SSL, but SSL was required", ConnectFailure::not_retried},
    {"wrong CA",
     at_5432 + "SSL error: certificate verify failed\n",
     "", "SSL error: certificate verify failed", ConnectFailure::not_retried},
    {"wrong host name",
     at_5432 + "server certificate for \"db.example\" does not match host name \"127.0.0.1\"\n",
     "", "server certificate for \"db.example\" does not match host name \"127.0.0.1\"",
     ConnectFailure::not_retried},
    {"missing sslrootcert: libpq's advice stays",
     at_5432 + "root certificate file \"/nonexistent/root.crt\" does not exist\n"
               "Either provide the file or change sslmode to disable server certificate verification.\n",
     "", "root certificate file \"/nonexistent/root.crt\" does not exist; Either provide the file or change "
         "sslmode to disable server certificate verification.", ConnectFailure::not_retried},
    {"sslrootcert is a directory",
     at_5432 + "could not read root certificate file \"/tmp/errcap/tls\": no certificate or crl found\n",
     "", "could not read root certificate file \"/tmp/errcap/tls\": no certificate or crl found",
     ConnectFailure::not_retried},
    {"client certificate without its key",
     at_5432 + "certificate present, but not private key file \"/nonexistent.key\"\n",
     "", "certificate present, but not private key file \"/nonexistent.key\"", ConnectFailure::not_retried},
    {"PgBouncer refuses a SCRAM password",
     at_6439 + "FATAL:  08P01: SASL authentication failed\n",
     "08P01", "SASL authentication failed", ConnectFailure::credentials},
    {"channel_binding=require without SSL",
     at_5432 + "channel binding required, but SSL not in use\n",
     "", "channel binding required, but SSL not in use", ConnectFailure::not_retried},
    {"channel_binding=require, server authenticating with md5",
     at_5432 + "channel binding required but not supported by server's authentication request\n",
     "", "channel binding required but not supported by server's authentication request",
     ConnectFailure::not_retried},
    {"gssencmode=require, no GSSAPI to be had",
     at_5432 + "GSSAPI encryption required but was impossible (possibly no credential cache, no server support, or "
               "using a local socket)\n",
     "", "GSSAPI encryption required but was impossible (possibly no credential cache, no server support, or "
         "using a local socket)", ConnectFailure::not_retried},
    {"PgBouncer refuses an md5 password",
     at_6439 + "FATAL:  08P01: password authentication failed\n",
     "08P01", "password authentication failed", ConnectFailure::credentials},
    {"PgBouncer refuses options=-c",
     at_6439 + "FATAL:  08P01: unsupported startup parameter: options\n",
     "08P01", "unsupported startup parameter: options", ConnectFailure::not_retried},
    {"PgBouncer without the database",
     at_6439 + "FATAL:  08P01: no such database: nodb\n",
     "08P01", "no such database: nodb", ConnectFailure::retry},
    {"libpq refuses a setting only once it has a socket (DatabaseUrl::parse's dry runs make none)",
     at_5432 + "invalid integer value \"abc\" for connection option \"keepalives\"\n",
     "", "invalid integer value \"abc\" for connection option \"keepalives\"", ConnectFailure::not_retried},
    {"libpq refuses a setting before connecting",
     "invalid sslmode value: \"sometimes\"\n",
     "", "invalid sslmode value: \"sometimes\"", ConnectFailure::not_retried},
    {"two hosts: the last one's failure",
     "connection to server at \"127.0.0.2\", port 5432 failed: FATAL:  28P01: password authentication failed "
     "for user \"app\"\nLOCATION:  auth_failed, auth.c:334\n" + at_5432 +
     "Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n",
     "", "connection refused", ConnectFailure::retry},
};
// clang-format on

TEST(ConnectMessage, KeepsThePrimaryMessageItsDetailAndLibpqsRemarks) {
    for (const Sample& sample : samples) {
        const auto parsed = parse_connect_message(sample.libpq_message);
        EXPECT_EQ(parsed.sqlstate, sample.sqlstate) << sample.name;
        EXPECT_EQ(parsed.text, sample.text) << sample.name;
    }
}

TEST(ConnectMessage, TellsWhatWaitingCanFix) {
    for (const Sample& sample : samples) {
        EXPECT_EQ(classify(parse_connect_message(sample.libpq_message), false), sample.failure)
            << sample.name;
    }
}

TEST(ConnectMessage, AMissingPasswordIsACredentialsFailure) {
    const auto parsed = parse_connect_message(at_5432 + "fe_sendauth: no password supplied\n");
    EXPECT_EQ(parsed.text, "fe_sendauth: no password supplied");
    EXPECT_EQ(classify(parsed, true), ConnectFailure::credentials);
}

TEST(ConnectMessage, AnEmptyMessageStillSaysSomething) {
    EXPECT_EQ(parse_connect_message("").text, "connection failed");
}

}  // namespace
