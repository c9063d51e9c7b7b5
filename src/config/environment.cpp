#include <unistd.h>

#include "config/options.hpp"

namespace pgentry::config {

Environment current_environment() {
    Environment env;
    // clearenv() may leave environ null.
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const std::size_t equals = text.find('=');
        const std::string_view name = text.substr(0, equals);
        // database_url.cpp's chain: its PGENTRY_ names, then DATABASE_URL(_FILE).
        const bool read =
            name.starts_with("PGENTRY_") || name == "DATABASE_URL" || name == "DATABASE_URL_FILE";
        if (read && equals != std::string_view::npos) {
            // emplace keeps the first of duplicate names, the one getenv() returns.
            env.emplace(text.substr(0, equals), text.substr(equals + 1));
        }
    }
    return env;
}

}  // namespace pgentry::config
