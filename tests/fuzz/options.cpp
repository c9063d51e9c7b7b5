// Fuzz target: option parsing, pgentry::config::parse(args, env), with a config file and a URL file.
// Input: lines, each tagged by its first byte:
//   a<argument>        a command-line argument (argv[1...])
//   e<NAME>=<value>    an environment variable (NAME of letters, digits, '_', '.', '-')
//   c<line>            a line of the config file named "c"
//   u<line>            a line of the URL file named "u"
//   anything else      ignored
// The files the options may name are "c", "u", "e" (empty) and "d" (a directory), in a private directory:
// the program is linked with -Wl,--wrap=open, and __wrap_open below refuses every other path (ENOENT),
// so that no input can make parse() read /dev/zero, a FIFO or the machine's own files (LLVMFuzzerInitialize
// checks that the redirection holds).
// Properties, beyond not crashing:
//   - parse() returns, or throws a pgentry::Error with exit code 64 (usage); nothing else escapes;
//   - it is deterministic: the same options, or the same message;
//   - an error message holds no password: when every 'Z' of the input is inside a password as libpq reads
//     it (PQconninfoParse, libpq_oracle.hpp, on each argument, variable and file line or the value after
//     its first '='), no 'Z' is in the message.
#include "config/options.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "common/error.hpp"
#include "conninfo/redact.hpp"
#include "libpq_oracle.hpp"

using pgentry::fuzz::check;
namespace config = pgentry::config;

namespace {

std::string sandbox;  // the private directory, made once

std::string in_sandbox(std::string_view name) {
    return sandbox + "/" + std::string(name);
}

void write_file(std::string_view name, const std::string& content) {
    std::ofstream(in_sandbox(name), std::ios::binary | std::ios::trunc) << content;
}

struct Input {
    std::vector<std::string> args;
    config::Environment env;
    std::string config_file;
    std::string url_file;
    std::vector<std::string> texts;  // every argument, variable and file line, for the password check
};

Input decode(std::string_view data) {
    Input input;
    while (!data.empty()) {
        const std::size_t newline = std::min(data.find('\n'), data.size());
        const std::string_view line = data.substr(0, newline);
        data.remove_prefix(std::min(newline + 1, data.size()));
        if (line.empty()) {
            continue;
        }
        // argv and environ are C strings: a NUL ends them.
        std::string text(line.substr(1));
        text.resize(std::min(text.find('\0'), text.size()));
        switch (line.front()) {
        case 'a':
            input.args.push_back(text);
            input.texts.push_back(text);
            break;
        case 'e': {
            // Names as a shell, Docker Compose or Kubernetes passes them: no URL fits in one.
            const std::size_t equals = text.find('=');
            const bool named =
                std::all_of(text.begin(), text.begin() + std::min(equals, text.size()), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
                });
            if (equals != 0 && equals != std::string::npos && named) {
                input.env.emplace(text.substr(0, equals), text.substr(equals + 1));
                input.texts.push_back(text);
            }
            break;
        }
        case 'c':
            input.config_file += std::string(line.substr(1)) + "\n";
            input.texts.emplace_back(line.substr(1));
            break;
        case 'u':
            input.url_file += std::string(line.substr(1)) + "\n";
            input.texts.emplace_back(line.substr(1));
            break;
        default: break;
        }
    }
    return input;
}

// The result of one parse, comparable: the options that matter to the checks, or the message.
std::string outcome(const Input& input, bool& failed) {
    failed = false;
    try {
        const config::Parsed parsed = config::parse(input.args, input.env);
        const config::Options& o = parsed.options;
        std::string summary =
            parsed.print.value_or("") + "|" + std::to_string(static_cast<int>(o.mode)) + "|" +
            o.database_url + "|" + o.migrations_dir.string() + "|" + o.migrations_table + "|" +
            std::to_string(o.wait_timeout.count()) + "|" + std::to_string(o.lock_timeout.count()) + "|" +
            std::to_string(o.stop_timeout.count()) + "|" + o.user.value_or("") + "|" +
            std::to_string(o.rollback_steps) + "|" + std::to_string(o.rollback_to.value_or(-1));
        for (const std::string& word : o.command) {
            summary += "|" + word;
        }
        return summary;
    } catch (const pgentry::Error& error) {
        check(error.code() == pgentry::exit_code::usage, "only Error(64) escapes parse()", error.what());
        failed = true;
        return error.what();
    }
}

// Whether every 'Z' of the input is inside a password as libpq reads it: each piece holding one (an
// argument, a variable, a file line: whole, or the value after its first '=') is a URL or conninfo that
// PQconninfoParse accepts and whose password and sslpassword hold all of that piece's 'Z's. ("%5A" also
// decodes to 'Z': such a piece is not counted.)
bool only_passwords_hold_the_sentinel(const Input& input) {
    // How many 'Z's libpq reads inside a password of text, or -1 when it rejects text.
    const auto in_passwords = [](const std::string& text) -> std::ptrdiff_t {
        const auto passwords = pgentry::fuzz::libpq_passwords(pgentry::conninfo::trim(text));
        if (!passwords || text.find("%5") != std::string::npos) {
            return -1;
        }
        std::ptrdiff_t inside = 0;
        for (const std::string& password : *passwords) {
            inside += std::count(password.begin(), password.end(), 'Z');
        }
        return inside;
    };
    for (const std::string& text : input.texts) {
        const std::ptrdiff_t sentinels = std::count(text.begin(), text.end(), 'Z');
        const std::size_t equals = text.find('=');
        if (sentinels != 0 && in_passwords(text) != sentinels &&
            (equals == std::string::npos || in_passwords(text.substr(equals + 1)) != sentinels)) {
            return false;
        }
    }
    return true;
}

}  // namespace

// read_file's open(2), redirected by the linker: only the sandbox's four names can be opened.
extern "C" int __real_open(const char* path, int flags, ...);
extern "C" int __wrap_open(const char* path, int flags, ...) {
    const std::string_view name = path;
    if (name != "c" && name != "u" && name != "e" && name != "d") {
        errno = ENOENT;
        return -1;
    }
    return __real_open(in_sandbox(name).c_str(), flags);
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    char pattern[] = "/tmp/pgentry-fuzz-options.XXXXXX";
    check(::mkdtemp(pattern) != nullptr, "the sandbox directory can be made");
    sandbox = pattern;
    write_file("e", "");
    check(::mkdir(in_sandbox("d").c_str(), 0700) == 0, "the sandbox directory d can be made");
    // Removed at a normal exit (a crash ends in _Exit and leaves it in /tmp).
    std::atexit([] {
        for (const char* name : {"c", "u", "e"}) {
            ::unlink(in_sandbox(name).c_str());
        }
        ::rmdir(in_sandbox("d").c_str());
        ::rmdir(sandbox.c_str());
    });
    // The sandbox holds only while pgentry reads files with open(2): a file outside must be missing.
    try {
        config::parse({"--config=/etc/passwd", "--mode=migrate-only"}, {});
        pgentry::fuzz::violated("the sandbox refuses /etc/passwd", "parse() succeeded");
    } catch (const pgentry::Error& error) {
        check(std::string_view(error.what()).find("No such file") != std::string_view::npos,
              "the sandbox refuses /etc/passwd (did reading files stop going through open(2)?)",
              error.what());
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const Input input = decode(pgentry::fuzz::as_text(data, size));
    write_file("c", input.config_file);
    write_file("u", input.url_file);

    bool failed = false;
    const std::string first = outcome(input, failed);
    bool failed_again = false;
    check(outcome(input, failed_again) == first && failed == failed_again, "parse() is deterministic", first);
    if (failed && only_passwords_hold_the_sentinel(input)) {
        check(first.find('Z') == std::string::npos, "an error message holds no password", first);
    }
    return 0;
}
