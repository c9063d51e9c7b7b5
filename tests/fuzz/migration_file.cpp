// Fuzz target: a migration file, name and body (pgentry::migrations::parse_file_name, parse_migration).
// Input: the file name, a '\n', then the body (no '\n': all of it is the name, the body is empty).
// Properties, beyond not crashing:
//   - parse_file_name accepts exactly "<1-18 digits>_<[A-Za-z0-9_-]+>.sql" (an independent model below),
//     with the number's value as version and the part after '_' as name;
//   - parse_migration either returns, or throws pgentry::Error(65) "<path>:<line>: ..." with a line of the
//     file; no other exception escapes;
//   - a returned migration: sections are substrings of the body with CRLF normalized, the checksum is the
//     SHA-256 of the up section, a body with a NUL byte is never accepted;
//   - CRLF line endings change nothing: the same body with every "\n" as "\r\n" parses to the same
//     sections and checksum, or fails with the same message;
//   - CR line endings read as LF ones: when the same body with every "\n" as "\r" parses, the body parses
//     too, to the same up section with its line ends as CRs;
//   - parsing is deterministic.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "check.hpp"
#include "common/error.hpp"
#include "common/sha256.hpp"
#include "migrations/migration.hpp"

using pgentry::fuzz::check;
namespace migrations = pgentry::migrations;

namespace {

constexpr std::string_view path = "fuzz.sql";

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

// The file name grammar of SPEC.md, written out again independently of file_name.cpp.
std::optional<migrations::FileName> model_file_name(std::string_view text) {
    if (!text.ends_with(".sql")) {
        return std::nullopt;
    }
    text.remove_suffix(4);
    std::size_t digits = 0;
    std::int64_t version = 0;
    while (digits < text.size() && is_digit(text[digits])) {
        if (digits < 18) {
            version = version * 10 + (text[digits] - '0');
        }
        ++digits;
    }
    if (digits == 0 || digits > 18 || digits + 1 >= text.size() || text[digits] != '_') {
        return std::nullopt;
    }
    const std::string_view name = text.substr(digits + 1);
    for (const char c : name) {
        if (!is_name_char(c)) {
            return std::nullopt;
        }
    }
    return migrations::FileName{version, std::string(name)};
}

void check_file_name(std::string_view text) {
    const std::optional<migrations::FileName> parsed = migrations::parse_file_name(text);
    const std::optional<migrations::FileName> expected = model_file_name(text);
    check(parsed.has_value() == expected.has_value(), "parse_file_name accepts exactly the SPEC grammar",
          text);
    if (parsed) {
        check(parsed->version == expected->version && parsed->name == expected->name,
              "parse_file_name returns the version's value and the name", text);
    }
}

std::string without_crlf(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
            out += text[i];
        }
    }
    return out;
}

std::string with_crlf(std::string_view text) {
    std::string out;
    for (const char c : text) {
        out += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    return out;
}

std::string with_cr(std::string_view text) {
    std::string out(text);
    std::replace(out.begin(), out.end(), '\n', '\r');
    return out;
}

bool is_lone_cr(std::string_view text, std::size_t i) {
    return text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n');
}

// Lines as PostgreSQL counts them: each LF, CRLF or lone CR ends one.
int line_count(std::string_view text) {
    int lines = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        lines += text[i] == '\n' || is_lone_cr(text, i) ? 1 : 0;
    }
    return lines;
}

// What a parse produced, comparable between runs: the migration, or the error message.
struct Outcome {
    std::variant<migrations::Migration, std::string> value;
};

Outcome parse(std::string_view body) {
    const migrations::FileName name{1, "fuzz"};
    try {
        return {migrations::parse_migration(name, path, body)};
    } catch (const pgentry::Error& error) {
        return {std::string(error.what()) + " (exit " + std::to_string(error.code()) + ")"};
    }
}

bool same_section(const migrations::Section& a, const migrations::Section& b) {
    return a.sql == b.sql && a.first_line == b.first_line && a.transaction == b.transaction;
}

bool same(const Outcome& a, const Outcome& b) {
    if (a.value.index() != b.value.index()) {
        return false;
    }
    if (const auto* error = std::get_if<std::string>(&a.value)) {
        return *error == std::get<std::string>(b.value);
    }
    const auto& x = std::get<migrations::Migration>(a.value);
    const auto& y = std::get<migrations::Migration>(b.value);
    return same_section(x.up, y.up) && x.down.has_value() == y.down.has_value() &&
           (!x.down || same_section(*x.down, *y.down)) && x.checksum == y.checksum;
}

void check_error(std::string_view body, const std::string& message) {
    check(message.ends_with(" (exit 65)"), "only Error(65) escapes parse_migration", message);
    const std::string prefix = std::string(path) + ":";
    check(message.starts_with(prefix), "an error names the file", message);
    std::size_t i = prefix.size();
    int line = 0;
    while (i < message.size() && is_digit(message[i]) && line < 1'000'000) {
        line = line * 10 + (message[i++] - '0');
    }
    check(i < message.size() && message.compare(i, 2, ": ") == 0, "an error names a line", message);
    check(line >= 1 && line <= line_count(body), "an error's line is a line of the file", message);
}

void check_migration(std::string_view body, const migrations::Migration& migration) {
    const std::string normalized = without_crlf(body);
    check(body.find('\0') == std::string_view::npos, "a body with a NUL byte is rejected");
    check(normalized.find(migration.up.sql) != std::string::npos, "the up section is part of the body");
    check(migration.up.first_line >= 1 && migration.up.first_line <= line_count(normalized) + 1,
          "the up section starts on a line of the file");
    if (migration.down) {
        check(normalized.find(migration.down->sql) != std::string::npos,
              "the down section is part of the body");
        check(migration.down->first_line >= 1 && migration.down->first_line <= line_count(normalized) + 1,
              "the down section starts on a line of the file");
    }
    check(migration.checksum == pgentry::sha256_hex(migration.up.sql), "the checksum is SHA-256 of up");
}

// CR line endings read as LF ones: when the body with every "\n" as "\r" parses, the body parses too, to the
// same up section with its line ends as CRs.
void check_cr_twin(const Outcome& outcome, std::string_view body) {
    const Outcome cr = parse(with_cr(body));
    if (const auto* twin = std::get_if<migrations::Migration>(&cr.value)) {
        const auto* migration = std::get_if<migrations::Migration>(&outcome.value);
        check(migration != nullptr && with_cr(migration->up.sql) == twin->up.sql,
              "CR line endings parse like LF ones", body);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view input = pgentry::fuzz::as_text(data, size);
    const std::size_t newline = input.find('\n');
    check_file_name(input.substr(0, newline));
    const std::string_view body =
        newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

    const Outcome outcome = parse(body);
    if (const auto* error = std::get_if<std::string>(&outcome.value)) {
        check_error(body, *error);
    } else {
        check_migration(body, std::get<migrations::Migration>(outcome.value));
    }
    check(same(outcome, parse(body)), "parsing is deterministic");
    if (body.find('\r') == std::string_view::npos) {
        check(same(outcome, parse(with_crlf(body))), "CRLF line endings parse like LF", body);
        check_cr_twin(outcome, body);
    }
    return 0;
}
