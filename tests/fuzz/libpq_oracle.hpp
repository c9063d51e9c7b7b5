#pragma once
// libpq as the fuzz targets' oracle of what a password is: the values PQconninfoParse gives the password
// and sslpassword keys (the secrets libpq would send or use), whatever pgentry's own reading says.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

namespace pgentry::fuzz {

// The passwords libpq reads in text (URI or key=value conninfo), or nullopt when libpq rejects it.
inline std::optional<std::vector<std::string>> libpq_passwords(const std::string& text) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
    PQfreemem(error);
    if (options == nullptr) {
        return std::nullopt;
    }
    std::vector<std::string> passwords;
    for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
        const std::string_view keyword = option->keyword;
        if (option->val != nullptr && (keyword == "password" || keyword == "sslpassword")) {
            passwords.emplace_back(option->val);
        }
    }
    PQconninfoFree(options);
    return passwords;
}

}  // namespace pgentry::fuzz
