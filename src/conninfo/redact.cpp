#include "conninfo/redact.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>

// The text redacted here is often exactly what libpq rejected, so nothing below trusts it to be
// well formed. Where two readings are possible the password is taken to be the larger span: showing
// less of a URL is harmless, showing part of a password is not.
namespace pgentry::conninfo {
namespace {

constexpr std::string_view mask = "****";
constexpr std::size_t npos = std::string_view::npos;

// A password in a connection string: the characters to replace (quotes included), the text as
// written and the value libpq would use (percent-decoded or unescaped).
struct Found {
    std::size_t begin;
    std::size_t end;
    std::string written;
    std::string value;
};

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

bool contains_nocase(std::string_view text, std::string_view part) {
    for (std::size_t i = 0; i + part.size() <= text.size(); ++i) {
        if (starts_with_nocase(text.substr(i), part)) {
            return true;
        }
    }
    return false;
}

// password, sslpassword, and the misspellings libpq rejects but whose value is still the user's
// secret (PASSWORD, pasword, passwd, pwd): a key that looks like one is treated as one.
bool is_password_key(std::string_view key) {
    return contains_nocase(key, "pass") || contains_nocase(key, "word") || contains_nocase(key, "pwd");
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    const int lower = std::tolower(static_cast<unsigned char>(c));
    return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
}

// Malformed escapes stay as written.
std::string percent_decode(std::string_view text) {
    std::string decoded;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const int high = text[i] == '%' && i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
        const int low = high >= 0 ? hex_value(text[i + 2]) : -1;
        if (low >= 0) {
            decoded.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else {
            decoded.push_back(text[i]);
        }
    }
    return decoded;
}

// "name=" as a URI query parameter starts; used to tell a query's '?' or '&' from one in a password.
bool starts_parameter(std::string_view text) {
    if (text.empty() || !(std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_')) {
        return false;
    }
    const auto name_end = std::find_if(text.begin(), text.end(), [](char c) {
        return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    });
    return name_end != text.end() && *name_end == '=';
}

// Where the text after "scheme://" starts, or npos for key=value conninfo. Any scheme counts
// (jdbc:postgresql://, a mistyped postgress://): what matters is not printing its password.
std::size_t uri_rest(std::string_view text) {
    const std::size_t separator = text.find("://");
    if (separator == npos) {
        return npos;
    }
    // A quote before the scheme is not part of it: docker run --env-file keeps DATABASE_URL='postgres://...'
    // as is.
    const std::size_t start = std::min(text.find_first_not_of(" \t\r\n'"), separator);
    const std::string_view scheme = text.substr(start, separator - start);
    const bool is_scheme = !scheme.empty() && scheme.find_first_of(" \t\r\n='") == npos;
    return is_scheme ? separator + 3 : npos;
}

std::size_t last_at_before(std::string_view text, std::size_t from, std::size_t limit) {
    const std::size_t at = text.substr(0, std::min(limit, text.size())).rfind('@');
    return at != npos && at >= from ? at : npos;
}

std::size_t query_start(std::string_view text, std::size_t from) {
    for (std::size_t q = text.find('?', from); q != npos; q = text.find('?', q + 1)) {
        if (starts_parameter(text.substr(q + 1))) {
            return q;
        }
    }
    return npos;
}

Found found_at(std::string_view text, std::size_t begin, std::size_t end, std::string value) {
    return {begin, end, std::string(text.substr(begin, end - begin)), std::move(value)};
}

// userinfo ends at the last '@' before the path (libpq's reading, extended to '@' in a password) or
// before the query (a password with '/' in it, as base64 makes them); the later of the two wins.
// No '@': "scheme://user:secret" whose host was cut off (a '#' comment in a config line, a typo). What
// follows the first ':' is a port only if it is digits; anything else may be a password and is hidden.
void find_in_authority(std::string_view text, std::size_t rest, std::vector<Found>& out) {
    const std::size_t end = std::min(text.find_first_of("/ \t\n'\"", rest), query_start(text, rest));
    const std::size_t colon = text.find(':', rest);
    if (text.substr(rest).starts_with('[') || colon == npos || colon + 1 >= std::min(end, text.size())) {
        return;
    }
    const std::string_view after = text.substr(colon + 1, std::min(end, text.size()) - colon - 1);
    if (std::ranges::all_of(after, [](char c) { return (c >= '0' && c <= '9') || c == ','; })) {
        return;
    }
    out.push_back(found_at(text, colon + 1, colon + 1 + after.size(), percent_decode(after)));
}

void find_in_userinfo(std::string_view text, std::size_t rest, std::vector<Found>& out) {
    const std::size_t before_path = last_at_before(text, rest, text.find('/', rest));
    const std::size_t before_query = last_at_before(text, rest, query_start(text, rest));
    const std::size_t at = before_path == npos    ? before_query
                           : before_query == npos ? before_path
                                                  : std::max(before_path, before_query);
    if (at == npos) {
        find_in_authority(text, rest, out);
        return;
    }
    const std::size_t colon = text.find(':', rest);
    if (colon != npos && colon + 1 < at) {
        out.push_back(found_at(text, colon + 1, at, percent_decode(text.substr(colon + 1, at - colon - 1))));
    }
}

// A value runs to the next '&' that starts another parameter, so "password=a&b" hides "a&b".
std::size_t parameter_end(std::string_view text, std::size_t from) {
    for (std::size_t amp = text.find('&', from); amp != npos; amp = text.find('&', amp + 1)) {
        if (starts_parameter(text.substr(amp + 1))) {
            return amp;
        }
    }
    return text.size();
}

void find_in_query(std::string_view text, std::size_t rest, std::vector<Found>& out) {
    for (std::size_t p = text.find_first_of("?&", rest); p != npos; p = text.find_first_of("?&", p + 1)) {
        const std::size_t equals = text.find('=', p + 1);
        const std::size_t next = text.find_first_of("?&", p + 1);
        if (equals != npos && equals < next && is_password_key(text.substr(p + 1, equals - p - 1))) {
            const std::size_t begin = equals + 1;
            const std::size_t end = parameter_end(text, begin);
            out.push_back(found_at(text, begin, end, percent_decode(text.substr(begin, end - begin))));
        }
    }
}

void find_in_uri(std::string_view text, std::size_t rest, std::vector<Found>& out) {
    find_in_userinfo(text, rest, out);
    find_in_query(text, rest, out);
}

// A URI inside a value or a stray token (dbname=postgres://...), found in text's offsets.
void find_in_nested_uri(std::string_view text, std::size_t begin, std::size_t end, std::vector<Found>& out) {
    const std::string_view inner = text.substr(begin, end - begin);
    const std::size_t rest = uri_rest(inner);
    if (rest == npos) {
        return;
    }
    std::vector<Found> found;
    find_in_uri(inner, rest, found);
    for (Found& f : found) {
        f.begin += begin;
        f.end += begin;
        out.push_back(std::move(f));
    }
}

struct Value {
    std::size_t begin;        // the opening quote, if any
    std::size_t end;          // the span to mask ends here
    std::size_t inner_begin;  // the text between the quotes
    std::size_t inner_end;
    std::string unescaped;
};

// As libpq reads it: '...' with backslash escapes, or up to the next blank with backslash escapes.
// An unterminated quote runs to the end of the text. The span to mask runs on to the next blank:
// libpq rejects password='it''s', whose author meant the password "it's".
Value read_value(std::string_view text, std::size_t i) {
    const bool quoted = i < text.size() && text[i] == '\'';
    Value value{i, i, i + (quoted ? 1 : 0), 0, {}};
    std::size_t j = value.inner_begin;
    while (j < text.size() && (quoted ? text[j] != '\'' : !is_space(text[j]))) {
        if (text[j] == '\\' && j + 1 < text.size()) {
            ++j;
        }
        value.unescaped.push_back(text[j++]);
    }
    value.inner_end = j;
    value.end = quoted && j < text.size() ? j + 1 : j;
    while (value.end < text.size() && !is_space(text[value.end])) {
        ++value.end;
    }
    return value;
}

std::size_t skip_spaces(std::string_view text, std::size_t i) {
    while (i < text.size() && is_space(text[i])) {
        ++i;
    }
    return i;
}

// key = value pairs. A token that is not key=value is skipped rather than ending the scan, and
// "password secret" (the '=' forgotten) still hides "secret".
void find_in_conninfo(std::string_view text, std::vector<Found>& out) {
    std::size_t i = skip_spaces(text, 0);
    while (i < text.size()) {
        const std::size_t key_begin = i;
        while (i < text.size() && !is_space(text[i]) && text[i] != '=') {
            ++i;
        }
        const std::string_view key = text.substr(key_begin, i - key_begin);
        i = skip_spaces(text, i);
        const bool has_equals = i < text.size() && text[i] == '=';
        if (!has_equals && !is_password_key(key)) {
            find_in_nested_uri(text, key_begin, key_begin + key.size(), out);
            continue;
        }
        Value value = read_value(text, skip_spaces(text, i + (has_equals ? 1 : 0)));
        if (is_password_key(key) && value.inner_end > value.inner_begin) {
            out.push_back({value.begin, value.end,
                           std::string(text.substr(value.inner_begin, value.inner_end - value.inner_begin)),
                           std::move(value.unescaped)});
        } else {
            find_in_nested_uri(text, value.inner_begin, value.inner_end, out);
        }
        i = skip_spaces(text, std::max(value.end, i + 1));
    }
}

std::vector<Found> find_passwords(std::string_view conninfo) {
    std::vector<Found> found;
    if (const std::size_t rest = uri_rest(conninfo); rest != npos) {
        find_in_uri(conninfo, rest, found);
    } else {
        find_in_conninfo(conninfo, found);
    }
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.begin < b.begin; });
    return found;
}

}  // namespace

std::string redact_conninfo(std::string_view conninfo) {
    std::string redacted;
    std::size_t copied = 0;
    // Spans are sorted by start and may overlap (a query inside a too-wide userinfo): mask their union.
    for (const Found& f : find_passwords(conninfo)) {
        if (f.begin >= copied) {
            redacted.append(conninfo.substr(copied, f.begin - copied)).append(mask);
        }
        copied = std::max(copied, f.end);
    }
    return redacted.append(conninfo.substr(std::min(copied, conninfo.size())));
}

std::string redact_message(std::string_view message, std::string_view conninfo) {
    std::string whole(message);
    if (!conninfo.empty()) {
        const std::string redacted = redact_conninfo(conninfo);
        for (std::size_t at = whole.find(conninfo); at != npos;
             at = whole.find(conninfo, at + redacted.size())) {
            whole.replace(at, conninfo.size(), redacted);
        }
    }
    const std::vector<Found> passwords = find_passwords(conninfo);
    const auto in_a_password = [&](std::string_view piece) {
        for (std::size_t at = conninfo.find(piece); !piece.empty() && at != npos;
             at = conninfo.find(piece, at + 1)) {
            for (const Found& f : passwords) {
                if (at < f.end && f.begin < at + piece.size()) {
                    return true;
                }
            }
        }
        return false;
    };
    // A quoted piece runs to the last '"' that keeps it a piece of conninfo (a password may hold '"'), else
    // to the next '"' (libpq's own words, or a value it decoded).
    const auto closing = [&](std::size_t open) {
        const std::size_t next = whole.find('"', open + 1);
        for (std::size_t close = whole.rfind('"'); close != npos && close > next;
             close = whole.rfind('"', close - 1)) {
            if (conninfo.find(std::string_view(whole).substr(open + 1, close - open - 1)) != npos) {
                return close;
            }
        }
        return next;
    };
    std::string shown;
    std::size_t copied = 0;
    for (std::size_t open = whole.find('"'); open != npos; open = whole.find('"', copied)) {
        const std::size_t close = closing(open);
        if (close == npos) {
            break;
        }
        const std::string_view piece = std::string_view(whole).substr(open + 1, close - open - 1);
        shown.append(whole, copied, open + 1 - copied)
            .append(in_a_password(piece) ? mask : piece)
            .push_back('"');
        copied = close + 1;
    }
    return shown.append(whole, std::min(copied, whole.size()));
}

std::vector<std::string> passwords_in(std::string_view conninfo) {
    std::vector<std::string> secrets;
    for (Found& f : find_passwords(conninfo)) {
        for (std::string* s : {&f.written, &f.value}) {
            if (!s->empty() && std::find(secrets.begin(), secrets.end(), *s) == secrets.end()) {
                secrets.push_back(std::move(*s));
            }
        }
    }
    return secrets;
}

std::string scrub(std::string_view text, const std::vector<std::string>& secrets) {
    // Every byte of every occurrence is marked first, then each run of marked bytes becomes one mask:
    // replacing left to right would print the rest of a secret that starts inside an earlier one.
    std::vector<bool> secret(text.size(), false);
    for (std::string_view s : secrets) {
        if (s.empty()) {
            continue;
        }
        for (std::size_t at = text.find(s); at != npos; at = text.find(s, at + 1)) {
            std::fill_n(secret.begin() + static_cast<std::ptrdiff_t>(at), s.size(), true);
        }
    }
    std::string scrubbed;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!secret[i]) {
            scrubbed.push_back(text[i]);
        } else if (i == 0 || !secret[i - 1]) {
            scrubbed.append(mask);
        }
    }
    return scrubbed;
}

std::string trim(std::string_view text) {
    constexpr std::string_view blanks = " \t\r\n\v\f";
    const std::size_t first = text.find_first_not_of(blanks);
    if (first == npos) {
        return "";
    }
    return std::string(text.substr(first, text.find_last_not_of(blanks) - first + 1));
}

std::string shown(std::string_view value) {
    std::string whole = redact_conninfo(value);
    const std::size_t equals = value.find('=');
    if (whole != value || equals == std::string_view::npos) {
        return whole;
    }
    // "--option=VALUE": VALUE may be a conninfo with a password, which the whole text does not read as.
    return std::string(value.substr(0, equals + 1)) + redact_conninfo(value.substr(equals + 1));
}

}  // namespace pgentry::conninfo
