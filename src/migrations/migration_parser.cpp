#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "common/error.hpp"
#include "common/file.hpp"
#include "common/sha256.hpp"
#include "migrations/lines.hpp"
#include "migrations/migration.hpp"
#include "migrations/statement_rules.hpp"
#include "migrations/statement_splitter.hpp"

// The body format of SPEC.md "Migration files": dbmate's markers, found line by line.
//
// dbmate reads a line up to its LF; PostgreSQL also ends one, and so a "--" comment, at a lone CR
// (lines.hpp). Where the two part, the file is refused rather than read either way: a lone CR right after a
// marker, where the server ends the marker's comment and runs what follows while dbmate reads it as the
// marker's options, and a marker after a lone CR, which dbmate does not see and the server skips as a
// comment, running the next section's SQL in this one.

namespace pgentry::migrations {
namespace {

enum class Kind { up, down };

// Sections and what precedes the first marker, as parse_migration returns them.
struct Sections {
    Section up;
    std::optional<Section> down;
    std::string preamble;
};

struct Marker {
    Kind kind;
    bool transaction = true;
    int line = 0;               // 1-based line of the marker itself
    std::size_t begin = 0;      // offset of the marker line
    std::size_t sql_begin = 0;  // offset just past the marker line
};

class BodyParser {
public:
    BodyParser(const std::filesystem::path& path, std::string body) : path_(path), body_(std::move(body)) {}

    // Up and down sections; the up section is the whole body when there is no marker.
    Sections sections() const {
        reject_nul();
        const std::vector<Marker> markers = find_markers();
        if (markers.empty()) {
            return {Section{body_, 1, true}, std::nullopt, ""};
        }
        reject_preamble(markers.front());
        std::optional<Section> up;
        std::optional<Section> down;
        for (std::size_t i = 0; i < markers.size(); ++i) {
            const Marker& marker = markers[i];
            std::optional<Section>& slot = marker.kind == Kind::up ? up : down;
            if (slot) {
                const std::string marker_text = "'-- migrate:" + kind_name(marker.kind) + "'";
                fail(marker.line, "second " + marker_text + " marker (the first is on line " +
                                      std::to_string(slot->first_line - 1) + ")");
            }
            const std::size_t end = i + 1 < markers.size() ? markers[i + 1].begin : body_.size();
            slot = Section{body_.substr(marker.sql_begin, end - marker.sql_begin), marker.line + 1,
                           marker.transaction};
        }
        if (!up) {
            fail(markers.front().line, "no '-- migrate:up' marker");
        }
        return {std::move(*up), std::move(down), body_.substr(0, markers.front().begin)};
    }

private:
    static std::string kind_name(Kind kind) { return kind == Kind::up ? "up" : "down"; }

    // Blanks on a marker line (whose line end is never part of it).
    static constexpr std::string_view blanks = " \t\f\v";
    static constexpr std::string_view keyword = "migrate:";
    static bool is_space(char c) { return blanks.find(c) != std::string_view::npos; }

    [[noreturn]] void fail(int line, const std::string& what) const {
        throw Error(exit_code::invalid_set, path_.string() + ":" + std::to_string(line) + ": " + what);
    }

    // libpq sends queries as C strings: a NUL would silently cut the migration short.
    void reject_nul() const {
        if (const std::size_t nul = body_.find('\0'); nul != std::string::npos) {
            fail(line_at(body_, nul), "NUL byte (the file must be SQL text)");
        }
    }

    void reject_preamble(const Marker& first) const {
        const std::string_view preamble = std::string_view(body_).substr(0, first.begin);
        if (const auto statements = split_statements(preamble); !statements.empty()) {
            fail(line_at(preamble, statements.front().offset),
                 "SQL before the first '-- migrate:' marker (only comments and blank lines may precede it)");
        }
    }

    std::vector<Marker> find_markers() const {
        std::vector<Marker> markers;
        const std::string_view body = body_;
        std::size_t begin = 0;
        for (int line = 1; begin < body.size(); ++line) {
            const Line current = line_from(body, begin);
            reject_indented_marker(current.text, line);  // after a lone CR too: one reading for both endings
            if (begin > 0 && is_lone_cr(body, begin - 1)) {
                reject_marker_after_lone_cr(current.text, line);
            } else if (auto marker = parse_marker(current.text, line)) {
                reject_lone_cr_after_marker(body, current, line);
                marker->line = line;
                marker->begin = begin;
                marker->sql_begin = current.next;
                markers.push_back(*marker);
            }
            begin = current.next;
        }
        return markers;
    }

    static constexpr std::string_view lone_cr_advice =
        "PostgreSQL ends a line there, dbmate does not, and markers are read line by line; "
        "save the file with LF or CRLF line endings";

    // fmt, not "'" + std::string: GCC 12 warns falsely (-Wrestrict at -O3) on the concatenation.
    void reject_marker_after_lone_cr(std::string_view line, int line_number) const {
        if (marker_comment(line)) {
            fail(line_number, fmt::format("'{}' after a carriage return (CR) without LF: {}", trim_end(line),
                                          lone_cr_advice));
        }
    }

    void reject_lone_cr_after_marker(std::string_view body, const Line& line, int line_number) const {
        if (is_lone_cr(body, line.next - 1)) {
            fail(line_number, fmt::format("a carriage return (CR) without LF after '{}': {}",
                                          trim_end(line.text), lone_cr_advice));
        }
    }

    // dbmate reads a marker only at the start of a line (dbmate#108): an indented "-- migrate:down" is a
    // comment to it and to the server, and the down section's SQL would run as part of up, and be recorded.
    void reject_indented_marker(std::string_view line, int line_number) const {
        const std::size_t start = line.find_first_not_of(blanks);
        if (start != 0 && start != std::string_view::npos && marker_comment(line.substr(start))) {
            fail(line_number,
                 fmt::format("indented marker '{}': a marker must start its line (dbmate reads it "
                             "only there, and would run what follows as part of the section "
                             "before); remove the blanks before it",
                             trim_end(line.substr(start))));
        }
    }

    // What follows "--" and blanks when line starts with a marker's comment: "-- migrate:" in any case, so
    // that a mistyped "-- Migrate:down" fails loudly instead of running the down SQL as part of up.
    static std::optional<std::string_view> marker_comment(std::string_view line) {
        if (!line.starts_with("--")) {
            return std::nullopt;
        }
        const std::string_view rest = line.substr(std::min(line.find_first_not_of(" \t", 2), line.size()));
        if (!iequals(rest.substr(0, keyword.size()), keyword)) {
            return std::nullopt;
        }
        return rest;
    }

    // "--", optional blanks, "migrate:", the kind, then blank-separated options.
    std::optional<Marker> parse_marker(std::string_view line, int line_number) const {
        const std::optional<std::string_view> rest = marker_comment(line);
        if (!rest) {
            return std::nullopt;
        }
        const std::string_view after = rest->substr(keyword.size());
        const std::size_t kind_end = std::min(after.find_first_of(blanks), after.size());
        const std::string_view kind = after.substr(0, kind_end);
        if (!rest->starts_with(keyword) || (kind != "up" && kind != "down")) {
            fail(line_number, "unknown marker '" + std::string(trim_end(line)) +
                                  "' (expected '-- migrate:up' or '-- migrate:down')");
        }
        Marker marker{kind == "up" ? Kind::up : Kind::down};
        apply_options(marker, split_words(after.substr(kind_end)), line_number);
        return marker;
    }

    void apply_options(Marker& marker, const std::vector<std::string_view>& options, int line_number) const {
        bool seen = false;
        for (const std::string_view option : options) {
            if (option != "transaction:false" && option != "transaction:true") {
                fail(line_number,
                     "unknown marker option '" + std::string(option) + "' (expected transaction:false)");
            }
            if (seen) {
                fail(line_number, "marker option 'transaction' given twice");
            }
            seen = true;
            marker.transaction = option == "transaction:true";
        }
    }

    static bool iequals(std::string_view text, std::string_view lower) {
        const auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        return std::equal(text.begin(), text.end(), lower.begin(), lower.end(),
                          [&](char a, char b) { return fold(a) == b; });
    }

    static std::vector<std::string_view> split_words(std::string_view text) {
        std::vector<std::string_view> words;
        std::size_t i = 0;
        while (i < text.size()) {
            if (is_space(text[i])) {
                ++i;
                continue;
            }
            std::size_t end = i;
            while (end < text.size() && !is_space(text[end])) {
                ++end;
            }
            words.push_back(text.substr(i, end - i));
            i = end;
        }
        return words;
    }

    static std::string_view trim_end(std::string_view text) {
        while (!text.empty() && is_space(text.back())) {
            text.remove_suffix(1);
        }
        return text;
    }

    const std::filesystem::path& path_;
    std::string body_;
};

// Windows editors start UTF-8 files with a byte-order mark: not SQL, and not part of the checksum, so that
// saving a file again with or without one changes nothing. A UTF-16 or UTF-32 file (its mark says which)
// would reach the server as NUL-ridden bytes.
std::string_view without_byte_order_mark(const std::filesystem::path& path, std::string_view body) {
    if (const std::string_view text = without_utf8_byte_order_mark(body); text.size() != body.size()) {
        return text;
    }
    using namespace std::string_view_literals;
    for (const auto& [mark, encoding] :
         {std::pair{"\xFF\xFE\0\0"sv, "UTF-32"}, std::pair{"\0\0\xFE\xFF"sv, "UTF-32"},
          std::pair{"\xFF\xFE"sv, "UTF-16"}, std::pair{"\xFE\xFF"sv, "UTF-16"}}) {
        if (body.starts_with(mark)) {
            throw Error(exit_code::invalid_set, path.string() + ":1: the file is " + encoding +
                                                    " (its byte-order mark says so); save it as UTF-8");
        }
    }
    return body;
}

std::string normalize_newlines(std::string_view text) {
    if (text.find('\r') == std::string_view::npos) {
        return std::string(text);  // the usual file: one copy, not one append a character
    }
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
            out += text[i];
        }
    }
    return out;
}

}  // namespace

int Section::line_of(std::size_t offset) const {
    return first_line + line_at(sql, offset) - 1;
}

Migration parse_migration(const FileName& name, const std::filesystem::path& path, std::string_view body) {
    auto [up, down, preamble] =
        BodyParser(path, normalize_newlines(without_byte_order_mark(path, body))).sections();
    check_statements(path, up, "up");
    if (down) {
        check_statements(path, *down, "down");
    }
    // SPEC.md's checksum, CRLF normalized and nothing else: databases hold it. A lone CR stays in it, as in
    // the text that runs (one may stand in a string).
    std::string checksum = sha256_hex(up.sql);
    return Migration{name.version,        name.name,          path, std::move(up), std::move(down),
                     std::move(checksum), std::move(preamble)};
}

}  // namespace pgentry::migrations
