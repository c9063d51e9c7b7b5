// Fuzz target: password redaction (pgentry::conninfo::redact_conninfo, passwords_in, scrub).
// The input plants a password in a generated connection string:
//   byte 0        the form: 'u' URI userinfo, 'U' the same percent-encoded, 'q' URI ?password=,
//                 'Q' the same percent-encoded, 'k' key=value conninfo, 'n' a URI as conninfo's dbname
//                 (any other byte picks one by its value);
//   then lines    the password, the user, the host, the rest (other parameters, path, query).
// Every 'Z' is taken out of the surroundings and the password holds at least one, so that a 'Z' in the
// output can only be the password's. Properties, beyond not crashing:
//   - no 'Z' survives redact_conninfo, nor any 4-byte piece of the password as written that neither the
//     surroundings nor the mask spell themselves (a partial leak);
//   - scrub with passwords_in's secrets removes the password from other text, as written and as libpq
//     reads it (percent-decoded or unescaped), unless an '@' after the userinfo makes the span ambiguous;
//   - redact_message masks the password where libpq's message quotes it (as written);
//   - on the whole raw input as a connection string: scrub leaves none of passwords_in's secrets
//     (those without '*', which the mask itself may complete), and both functions are deterministic;
//   - libpq as the oracle (libpq_oracle.hpp), on the raw input when PQconninfoParse accepts it: each
//     password libpq reads that the text spells once, as is (no '%', quote or backslash to decode), is
//     in neither redact_conninfo's rendering nor redact_message's of a message quoting it.
// Raw (unencoded) URI passwords follow redact.hpp's contract: a '?' that starts "?name=" and an '&'
// that starts "&name=" are encoded, since redaction reads those as a query by design.
#include "conninfo/redact.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "libpq_oracle.hpp"

using pgentry::conninfo::passwords_in;
using pgentry::conninfo::redact_conninfo;
using pgentry::conninfo::redact_message;
using pgentry::conninfo::scrub;
using pgentry::fuzz::check;

namespace {

constexpr char sentinel = 'Z';
constexpr std::string_view forms = "uUqQkn";

struct Planted {
    std::string text;      // the connection string
    std::string written;   // the password as the connection string spells it
    std::string value;     // the password libpq would use
    std::string skeleton;  // text with the written password replaced by "****"
    bool ambiguous;        // another '@' after the userinfo's: redaction masks up to the last one
};

bool is_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_unreserved(char c) {
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string percent_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        if (is_unreserved(c)) {
            out += c;
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out += {'%', hex[byte >> 4], hex[byte & 15]};
        }
    }
    return out;
}

// Keeps the bytes that keep, drops the sentinel and NUL (a C string ends there).
template <class Keep>
std::string only(std::string_view text, Keep keep) {
    std::string out;
    for (const char c : text) {
        if (c != sentinel && c != '\0' && keep(c)) {
            out += c;
        }
    }
    return out;
}

// Does text[i] start "name=" (a URI query parameter)?
bool starts_parameter(std::string_view text, std::size_t i) {
    if (i >= text.size() || !(text[i] == '_' || (is_alnum(text[i]) && !(text[i] >= '0' && text[i] <= '9')))) {
        return false;
    }
    while (i < text.size() && (is_alnum(text[i]) || text[i] == '_')) {
        ++i;
    }
    return i < text.size() && text[i] == '=';
}

// A raw URI password, with the delimiter that would start a query parameter percent-encoded.
std::string raw_uri_password(std::string_view password, char delimiter) {
    std::string out;
    for (std::size_t i = 0; i < password.size(); ++i) {
        if (password[i] == delimiter && starts_parameter(password, i + 1)) {
            out += delimiter == '?' ? "%3F" : "%26";
        } else {
            out += password[i];
        }
    }
    return out;
}

// As libpq decodes a URI component; malformed escapes stay (libpq would reject the URI).
std::string percent_decode(std::string_view text) {
    const auto hex = [](char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
    };
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
            out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// A conninfo value as libpq reads it back: style 0 bare (when nothing needs quoting), 1 bare with
// backslash escapes, 2 quoted with '' (a backslash escapes ' and itself).
std::string conninfo_value(std::string_view password, unsigned style) {
    const bool plain = password.find_first_of(" \t\n\r\f\v'\\") == std::string_view::npos;
    if (style % 3 == 0 && plain) {
        return std::string(password);
    }
    const bool quoted = style % 3 != 1;
    std::string out = quoted ? "'" : "";
    for (const char c : password) {
        if (c == '\\' || c == '\'' || (!quoted && is_blank(c))) {
            out += '\\';
        }
        out += c;
    }
    return quoted ? out + "'" : out;
}

// Other conninfo parameters from the words of text: "w0=<word> w1=<word> ...".
std::string conninfo_parameters(std::string_view text) {
    std::string out;
    std::string word;
    int n = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && !is_blank(text[i])) {
            word += text[i];
            continue;
        }
        const std::string value = only(word, [](char c) { return is_unreserved(c) || c == '/' || c == ':'; });
        if (!value.empty()) {
            out += "w" + std::to_string(n++) + "=" + value + " ";
        }
        word.clear();
    }
    return out;
}

Planted plant(char form, std::string password, std::string_view user, std::string_view host,
              std::string_view rest) {
    if (password.find(sentinel) == std::string::npos) {
        password.insert(password.size() / 2, 1, sentinel);
    }
    std::erase(password, '\0');
    const auto no_delimiters = [](char c) {
        return std::string_view(":@/?#").find(c) == std::string_view::npos;
    };
    const std::string clean_user = only(user, no_delimiters);
    const std::string clean_host = only(host, [](char c) { return c != '/' && c != '?' && c != '#'; });
    const std::string clean_rest = only(rest, [](char) { return true; });

    std::string prefix;
    std::string written;
    std::string suffix;
    std::string value = password;
    switch (form) {
    case 'u':
    case 'U':
        prefix = "postgresql://" + clean_user + ":";
        written = form == 'u' ? raw_uri_password(password, '?') : percent_encode(password);
        value = percent_decode(written);
        suffix = "@" + clean_host + clean_rest;
        break;
    case 'q':
    case 'Q':
        prefix = "postgresql://" + clean_user + "@" + clean_host + "/db?" + clean_rest +
                 (clean_rest.empty() ? "" : "&") + "password=";
        written = form == 'q' ? raw_uri_password(password, '&') : percent_encode(password);
        value = percent_decode(written);
        suffix = clean_user.empty() ? "" : "&sslmode=prefer";
        break;
    case 'k':
        prefix = conninfo_parameters(clean_user) + (clean_host.size() % 2 ? "password = " : "password=");
        written = conninfo_value(password, static_cast<unsigned>(clean_host.size() / 2));
        suffix = " " + conninfo_parameters(clean_rest);
        break;
    default:  // 'n'
        prefix = conninfo_parameters(clean_rest) + "dbname=postgresql://" + percent_encode(clean_user) + ":";
        written = percent_encode(password);
        suffix = "@" + percent_encode(clean_host) + "/db";
        break;
    }
    const bool ambiguous = (form == 'u' || form == 'U') && suffix.find('@', 1) != std::string::npos;
    return {prefix + written + suffix, written, value, prefix + "****" + suffix, ambiguous};
}

std::vector<std::string_view> lines(std::string_view text, std::size_t count) {
    std::vector<std::string_view> out;
    while (out.size() + 1 < count) {
        const std::size_t newline = text.find('\n');
        if (newline == std::string_view::npos) {
            break;
        }
        out.push_back(text.substr(0, newline));
        text.remove_prefix(newline + 1);
    }
    out.push_back(text);
    out.resize(count);
    return out;
}

void check_planted(const Planted& planted) {
    const std::string redacted = redact_conninfo(planted.text);
    check(redacted.find(sentinel) == std::string::npos, "redaction leaves no byte of the password",
          planted.text + "  ->  " + redacted);
    for (std::size_t i = 0; i + 4 <= planted.written.size(); ++i) {
        // A piece with a '*' may be the mask's own, next to what the surroundings spell.
        const std::string_view piece = std::string_view(planted.written).substr(i, 4);
        const bool telling =
            piece.find('*') == std::string_view::npos && planted.skeleton.find(piece) == std::string::npos;
        check(!telling || redacted.find(piece) == std::string::npos,
              "redaction leaves no piece of the password", planted.text + "  ->  " + redacted);
    }
    // With two '@' redaction takes the larger span as the password (redact.cpp), and passwords_in
    // returns that span: the smaller one libpq reads is then not a secret of its own.
    const std::vector<std::string> secrets = passwords_in(planted.text);
    for (const std::string& password : {planted.written, planted.value}) {
        if (planted.ambiguous) {
            break;
        }
        const std::string scrubbed = scrub("error near \"" + password + "\" in line", secrets);
        if (scrubbed.find(sentinel) != std::string::npos) {
            std::string found;
            for (const std::string& secret : secrets) {
                found += "  [" + secret + "]";
            }
            pgentry::fuzz::violated("scrub removes the password from other text",
                                    planted.text + "  ->  " + scrubbed + "  secrets:" + found);
        }
    }
    if (!planted.ambiguous) {
        const std::string message = redact_message("bad token: \"" + planted.written + "\"", planted.text);
        check(message.find(sentinel) == std::string::npos, "redact_message masks the quoted password",
              planted.text + "  ->  " + message);
    }
    check(redact_conninfo(planted.text) == redacted, "redaction is deterministic");
}

std::size_t occurrences(std::string_view text, std::string_view part) {
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

void check_against_libpq(const std::string& text) {
    const auto passwords = pgentry::fuzz::libpq_passwords(text);
    if (!passwords || text.find_first_of("%'\\") != std::string::npos) {
        return;
    }
    const std::string redacted = redact_conninfo(text);
    for (const std::string& password : *passwords) {
        // A '*' may join the mask; a '"' would end the quoted piece early.
        if (password.empty() || password.find_first_of("*\"") != std::string::npos ||
            occurrences(text, password) != 1) {
            continue;
        }
        check(redacted.find(password) == std::string::npos, "redaction hides the password libpq reads",
              text + "  ->  " + redacted + "  password: " + password);
        // Only the quoted piece is the password: a short one ("e") also stands in the word "near".
        const std::string quoted = "\"" + password + "\"";
        const std::string message = redact_message("near " + quoted, text);
        check(message.find(quoted) == std::string::npos, "redact_message hides the password libpq reads",
              text + "  ->  " + message);
    }
}

void check_raw(std::string_view text) {
    const std::vector<std::string> secrets = passwords_in(text);
    const std::string scrubbed = scrub(text, secrets);
    for (const std::string& secret : secrets) {
        check(secret.find('*') != std::string::npos || scrubbed.find(secret) == std::string::npos,
              "scrub leaves none of the secrets", secret);
    }
    check(passwords_in(text) == secrets, "passwords_in is deterministic");
    check(redact_conninfo(text) == redact_conninfo(text), "redaction is deterministic");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view input = pgentry::fuzz::as_text(data, size);
    check_raw(input);
    check_against_libpq(std::string(input.substr(0, input.find('\0'))));
    if (input.empty()) {
        return 0;
    }
    const std::size_t known = forms.find(input.front());
    const char form =
        forms[known != std::string_view::npos ? known
                                              : static_cast<unsigned char>(input.front()) % forms.size()];
    const std::vector<std::string_view> parts = lines(input.substr(1), 4);
    check_planted(plant(form, std::string(parts[0]), parts[1], parts[2], parts[3]));
    return 0;
}
