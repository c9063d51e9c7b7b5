#include "conninfo/redact.hpp"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using pgentry::conninfo::passwords_in;
using pgentry::conninfo::redact_conninfo;
using pgentry::conninfo::redact_message;
using pgentry::conninfo::scrub;
using pgentry::conninfo::shown;
using pgentry::conninfo::trim;

struct Case {
    std::string input;
    std::string expected;
};

TEST(Redact, UriPasswords) {
    const Case cases[] = {
        {"postgres://app:secret@db/app", "postgres://app:****@db/app"},
        {"postgresql://app:secret@db:5432/app", "postgresql://app:****@db:5432/app"},
        {"postgres://app:p%40ss@h1:5432,h2:5433/app?sslmode=require",
         "postgres://app:****@h1:5432,h2:5433/app?sslmode=require"},
        {"postgres://db/app?password=secret", "postgres://db/app?password=****"},
        {"postgres://db/app?sslmode=require&password=secret&connect_timeout=5",
         "postgres://db/app?sslmode=require&password=****&connect_timeout=5"},
        {"postgres://app:one@db/app?password=two", "postgres://app:****@db/app?password=****"},
        {"postgres://app@db/app", "postgres://app@db/app"},
        {"postgres://db:5432/app", "postgres://db:5432/app"},
        {"postgres://app:@db/app", "postgres://app:@db/app"},
        {"postgres://", "postgres://"},
        {"POSTGRES://app:secret@db/app", "POSTGRES://app:****@db/app"},
        {"postgres://[::1]:5432/app", "postgres://[::1]:5432/app"},
        {"postgres://app:secret@[::1]:5432/app", "postgres://app:****@[::1]:5432/app"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(redact_conninfo(c.input), c.expected) << c.input;
    }
}

TEST(Redact, MalformedUris) {
    const Case cases[] = {
        // '@' in the password, not percent-encoded: the last '@' before the path ends the userinfo.
        {"postgres://app:p@ss@db/app", "postgres://app:****@db/app"},
        {"postgres://app:p@ss@@db", "postgres://app:****@db"},
        // base64 passwords contain '/', '+' and '='.
        {"postgres://app:ab/cd+ef==@db:5432/app", "postgres://app:****@db:5432/app"},
        {"postgres://app:a?b@db/app", "postgres://app:****@db/app"},
        {"postgres://app:a#b@db/app", "postgres://app:****@db/app"},
        {"postgres://app:a:b@db/app", "postgres://app:****@db/app"},
        {"postgres://app:secret@db/app?application_name=web@host",
         "postgres://app:****@db/app?application_name=web@host"},
        {"postgres://db/app?application_name=web@host", "postgres://db/app?application_name=web@host"},
        {"postgres://db/app?password=a&b&sslmode=require", "postgres://db/app?password=****&sslmode=require"},
        {"postgres://db/app?password=a%2", "postgres://db/app?password=****"},
        {"postgres://app:sec ret@db/app", "postgres://app:****@db/app"},
        {"jdbc:postgresql://db/app?user=app&password=secret",
         "jdbc:postgresql://db/app?user=app&password=****"},
        {"postgress://app:secret@db/app", "postgress://app:****@db/app"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(redact_conninfo(c.input), c.expected) << c.input;
    }
}

TEST(Redact, KeyValueConninfo) {
    const Case cases[] = {
        {"host=db password=secret user=app", "host=db password=**** user=app"},
        {"password=secret", "password=****"},
        {"host=db password = 'a b\\'c' user=app", "host=db password = **** user=app"},
        {"password='' host=db", "password='' host=db"},
        {"password='it''s' host=db", "password=**** host=db"},
        {"password=back\\ slash host=db", "password=**** host=db"},
        {"password='unterminated host=db", "password=****"},
        {"host=db  password\t=\tsecret", "host=db  password\t=\t****"},
        {"PASSWORD=secret host=db", "PASSWORD=**** host=db"},
        {"password secret host=db", "password **** host=db"},
        {"garbage password=secret", "garbage password=****"},
        // Keys that look like a password are treated as one: libpq's sslpassword, and misspellings
        // libpq rejects in an error message that would otherwise show the value.
        {"passwordx=hidden", "passwordx=****"},
        {"host=db sslpassword=key-secret", "host=db sslpassword=****"},
        {"host=db pasword=typo-secret", "host=db pasword=****"},
        {"sslmode=require", "sslmode=require"},
        {"dbname=postgres://app:secret@db/app host=db", "dbname=postgres://app:****@db/app host=db"},
        {"host=db", "host=db"},
        {"", ""},
        {"password=", "password="},
        {"=", "="},
        {"'", "'"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(redact_conninfo(c.input), c.expected) << c.input;
    }
}

TEST(Redact, PasswordsInGivesRawAndDecodedValues) {
    using Secrets = std::vector<std::string>;
    EXPECT_EQ(passwords_in("postgres://app:p%40ss@db/app"), (Secrets{"p%40ss", "p@ss"}));
    EXPECT_EQ(passwords_in("postgres://app:plain@db/app"), (Secrets{"plain"}));
    EXPECT_EQ(passwords_in("postgres://db/app?password=a%20b"), (Secrets{"a%20b", "a b"}));
    EXPECT_EQ(passwords_in("password='a b\\'c' host=db"), (Secrets{"a b\\'c", "a b'c"}));
    EXPECT_EQ(passwords_in("postgres://app:one@db/app?password=two"), (Secrets{"one", "two"}));
    EXPECT_EQ(passwords_in("host=db user=app"), Secrets{});
    EXPECT_EQ(passwords_in("password=''"), Secrets{});
}

TEST(Redact, ScrubReplacesEveryOccurrence) {
    EXPECT_EQ(scrub("secret and secret", {"secret"}), "**** and ****");
    EXPECT_EQ(scrub("no match", {"secret"}), "no match");
    EXPECT_EQ(scrub("anything", {""}), "anything");
    EXPECT_EQ(scrub("anything", {}), "anything");
    // Overlapping and adjacent secrets become one mask: no tail of any of them survives.
    EXPECT_EQ(scrub("p@ssword", {"p@ss", "p@ssword"}), "****");
    EXPECT_EQ(scrub("abab", {"ab"}), "****");
    EXPECT_EQ(scrub("x abcd y", {"ab", "bcd"}), "x **** y");
    EXPECT_EQ(scrub("error for \"p@ss\"", passwords_in("postgres://u:p%40ss@h/db")), "error for \"****\"");
}

TEST(Redact, ShownMasksAValueAndAnOptionsValue) {
    EXPECT_EQ(shown("postgres://app:secret@db/app"), "postgres://app:****@db/app");
    EXPECT_EQ(shown("host=db password=secret"), "host=db password=****");
    EXPECT_EQ(shown("--database-ur=postgres://app:secret@db/app"),
              "--database-ur=postgres://app:****@db/app");
    EXPECT_EQ(shown("--x=password=secret"), "--x=password=****");
    EXPECT_EQ(shown("/app/migrations"), "/app/migrations");
    EXPECT_EQ(shown("add_users"), "add_users");
    EXPECT_EQ(shown("--wait-timeout=30s"), "--wait-timeout=30s");
}

// Passwords built from the characters that break naive parsers.
class Passwords {
public:
    std::string next(std::string_view alphabet) {
        std::uniform_int_distribution<std::size_t> length(6, 24);
        std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
        std::string password(length(random_), ' ');
        std::ranges::generate(password, [&] { return alphabet[pick(random_)]; });
        return password;
    }

private:
    std::mt19937 random_{20240705};
};

std::string percent_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string encoded;
    for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~') {
            encoded.push_back(c);
        } else {
            encoded +=
                {'%', hex[static_cast<unsigned char>(c) >> 4], hex[static_cast<unsigned char>(c) & 15]};
        }
    }
    return encoded;
}

std::string quote(std::string_view text) {
    std::string quoted = "'";
    for (const char c : text) {
        if (c == '\'' || c == '\\') {
            quoted.push_back('\\');
        }
        quoted.push_back(c);
    }
    return quoted + "'";
}

void expect_hidden(const std::string& conninfo, const std::string& password) {
    const std::string redacted = redact_conninfo(conninfo);
    EXPECT_EQ(redacted.find(password), std::string::npos) << conninfo << " -> " << redacted;
    const std::vector<std::string> secrets = passwords_in(conninfo);
    EXPECT_NE(std::ranges::find(secrets, password), secrets.end()) << conninfo;
    EXPECT_EQ(scrub("failed: " + conninfo, secrets).find(password), std::string::npos) << conninfo;
}

TEST(Redact, PasswordNeverSurvivesRedaction) {
    constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    // Unencoded, "?name=" in a userinfo password and "&name=" in a query one read as structure (redact.hpp).
    const std::string raw_userinfo = std::string(letters) + "@/:#&=%+!$*()[];,' \\";
    const std::string raw_query = std::string(letters) + "@/:?#=%+!$*()[];,' \\";
    const std::string any = raw_userinfo + "?\"\t";
    const std::string unquoted = std::string(letters) + "@/:?#&=%+!$*()[];,";
    Passwords passwords;
    for (int i = 0; i < 500; ++i) {
        const std::string a = passwords.next(raw_userinfo);
        expect_hidden("postgres://app:" + a + "@db:5432/app?sslmode=require", a);
        expect_hidden("postgresql://app:" + a + "@h1,h2:5433/app", a);
        const std::string b = passwords.next(any);
        expect_hidden("postgres://app:" + percent_encode(b) + "@db/app", b);
        expect_hidden(
            "postgres://db/app?sslmode=require&password=" + percent_encode(b) + "&connect_timeout=3", b);
        const std::string c = passwords.next(raw_query);
        expect_hidden("postgres://db/app?password=" + c, c);
        const std::string d = passwords.next(any);
        expect_hidden("host=db password=" + quote(d) + " user=app", d);
        expect_hidden("password = " + quote(d), d);
        const std::string e = passwords.next(unquoted);
        expect_hidden("host=db password=" + e + " dbname=app", e);
    }
}

TEST(Redact, MessageMasksQuotedPiecesOfThePasswordOnly) {
    const struct {
        std::string message;
        std::string conninfo;
        std::string expected;
    } cases[] = {
        // The URL quoted whole is shown redacted.
        {"bad URI: \"postgres://app:app@db/app\"", "postgres://app:app@db/app",
         "bad URI: \"postgres://app:****@db/app\""},
        // A piece of the password is masked, wherever libpq quotes it.
        {"invalid percent-encoded token: \"p%zz\"", "postgres://app:p%zz@db/app",
         "invalid percent-encoded token: \"****\""},
        {"missing \"=\" after \"cret\" in connection info string", "password='se cret' host=db",
         "missing \"=\" after \"****\" in connection info string"},
        // Pieces from elsewhere stay, even where the password spells them.
        {"invalid integer value \"abc\" for connection option \"port\"", "host=db port=abc password=p",
         "invalid integer value \"abc\" for connection option \"port\""},
        {"user \"app\" is unknown", "postgres://app:secret@db", "user \"app\" is unknown"},
        // A piece that is also the password somewhere is masked: where it stands cannot be told.
        {"invalid integer value \"abc\" for connection option \"port\"", "port=abc password=abc",
         "invalid integer value \"****\" for connection option \"port\""},
        // A '"' inside the password does not end the quoted piece.
        {"invalid percent-encoded token: \"a\"b%zz\"", "postgres://u:a\"b%zz@db",
         "invalid percent-encoded token: \"****\""},
        {"no quotes at all", "password=x", "no quotes at all"},
        {"unpaired \"x", "password=x", "unpaired \"x"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(redact_message(c.message, c.conninfo), c.expected) << c.message;
    }
}

TEST(Redact, ShortPasswordsLeaveOtherWordsAlone) {
    EXPECT_EQ(redact_conninfo("postgres://app:p@db/posts?application_name=p"),
              "postgres://app:****@db/posts?application_name=p");
    EXPECT_EQ(redact_conninfo("host=/tmp/p password=p dbname=p"), "host=/tmp/p password=**** dbname=p");
}

TEST(Redact, TrimRemovesSurroundingBlanksOnly) {
    EXPECT_EQ(trim(" \t postgres://db/a b \r\n"), "postgres://db/a b");
    EXPECT_EQ(trim("\n\n"), "");
    EXPECT_EQ(trim(""), "");
}

}  // namespace
