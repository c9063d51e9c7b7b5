#include <unistd.h>

#include "config/options.hpp"

namespace pgentry::config {

Environment current_environment() {
    Environment env;
    // clearenv() may leave environ null.
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const std::size_t equals = text.find('=');
        if (equals != std::string_view::npos) {
            // emplace keeps the first of duplicate names, the one getenv() returns.
            env.emplace(text.substr(0, equals), text.substr(equals + 1));
        }
    }
    return env;
}

}  // namespace pgentry::config
