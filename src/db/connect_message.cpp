#include "db/connect_message.hpp"

#include <array>
#include <cctype>

namespace pgentry::db {

namespace {

using namespace std::string_view_literals;

constexpr std::string_view section_start = "connection to server ";
constexpr std::string_view section_end = " failed: ";

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// "FATAL:  28P01: password ..." -> sqlstate 28P01, rest "password ...". Untouched when it is not that shape.
std::string take_sqlstate(std::string_view& line) {
    for (std::string_view severity : {"FATAL:  ", "ERROR:  ", "PANIC:  "}) {
        if (line.starts_with(severity) && line.size() > severity.size() + 7 &&
            line.substr(severity.size() + 5, 2) == ": ") {
            std::string sqlstate(line.substr(severity.size(), 5));
            line.remove_prefix(severity.size() + 7);
            return sqlstate;
        }
    }
    return "";
}

// "DETAIL:  Hot standby mode is disabled." -> "DETAIL: Hot standby mode is disabled."
std::string server_field(std::string_view line) {
    for (std::string_view label : {"DETAIL:  ", "HINT:  "}) {
        if (line.starts_with(label)) {
            return std::string(label.substr(0, label.size() - 1)) + std::string(line.substr(label.size()));
        }
    }
    return std::string(line);
}

void lower_first_letter(std::string& text) {
    // "Connection refused" but not "SSL error" or "SASL authentication failed".
    if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
        std::islower(static_cast<unsigned char>(text[1]))) {
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    }
}

}  // namespace

ConnectMessage parse_connect_message(std::string_view message) {
    ConnectMessage parsed;
    std::string primary;
    std::string remarks;
    while (!message.empty()) {
        const auto newline = message.find('\n');
        std::string_view line = message.substr(0, newline);
        message.remove_prefix(newline == std::string_view::npos ? message.size() : newline + 1);
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
            line.remove_suffix(1);
        }
        // libpq's advice to people ("\tIs the server running on that host...") and the server's source line.
        if (line.empty() || line.starts_with('\t') || line.starts_with("LOCATION:")) {
            continue;
        }
        if (line.starts_with(section_start) && contains(line, section_end)) {
            // A new host's attempt: the message is about the last one.
            line.remove_prefix(line.find(section_end) + section_end.size());
            remarks.clear();
            parsed.sqlstate = take_sqlstate(line);
            primary = line;
        } else if (primary.empty()) {
            parsed.sqlstate = take_sqlstate(line);
            primary = line;
        } else {
            remarks += "; " + server_field(line);
        }
    }
    parsed.text = primary.empty() ? "connection failed" : primary;
    lower_first_letter(parsed.text);
    parsed.text += remarks;
    return parsed;
}

ConnectFailure classify(const ConnectMessage& message, bool needs_password) {
    const std::string_view state = message.sqlstate;
    const std::string_view text = message.text;
    // 28P01 wrong password, 28000 no pg_hba.conf entry or unknown role. PgBouncer refuses a password with
    // 08P01, its code for every failure: "SASL authentication failed" / "password authentication failed".
    if (needs_password || state == "28P01" || state == "28000" ||
        (state == "08P01" && (text.starts_with("SASL authentication failed") ||
                              text.starts_with("password authentication failed")))) {
        return ConnectFailure::credentials;
    }
    // A startup parameter (options=-c..., PGOPTIONS) the server does not know or refuses the value of, or
    // one PgBouncer does not pass on: "unsupported startup parameter: options" (pgbouncer/pgbouncer#875),
    // "... in options: statement_timeout" since 1.20 (pgbouncer/pgbouncer#907).
    if (state == "42704" || state == "22023" ||
        (state == "08P01" && text.starts_with("unsupported startup parameter"))) {
        return ConnectFailure::not_retried;
    }
    if (!state.empty()) {
        return ConnectFailure::retry;
    }
    if (text.starts_with("invalid ")) {
        return ConnectFailure::not_retried;
    }
    // libpq's TLS failures: every certificate and key file message, sslmode=require against a server or
    // pooler without SSL, a handshake the server refuses. Not an EOF: a server restarting mid-handshake.
    // The same for what channel_binding=require and gssencmode=require ask of a server that cannot give it.
    constexpr std::array tls_failures{
        "certificate"sv,         "private key file"sv,         "SSL was required"sv,
        "but it was required"sv, "channel binding required"sv, "GSSAPI encryption required"sv};
    for (std::string_view failure : tls_failures) {
        if (contains(text, failure)) {
            return ConnectFailure::not_retried;
        }
    }
    if (text.starts_with("SSL error: ") && !contains(text, "eof")) {
        return ConnectFailure::not_retried;
    }
    return ConnectFailure::retry;
}

}  // namespace pgentry::db
