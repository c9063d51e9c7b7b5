#pragma once
// What the fuzz targets share: a property check that stays on in every build type (assert() would vanish
// under NDEBUG) and reports which property broke, so that a crash file explains itself.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace pgentry::fuzz {

// detail is printed with C escapes for bytes that are not printable ASCII, so that it reads as it is.
[[noreturn]] inline void violated(std::string_view property, std::string_view detail) {
    std::fprintf(stderr, "property violated: %.*s\n  ", static_cast<int>(property.size()), property.data());
    for (const char c : detail) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == '\\' || byte < 0x20 || byte >= 0x7f) {
            std::fprintf(stderr, "\\x%02x", byte);
        } else {
            std::fputc(byte, stderr);
        }
    }
    std::fputc('\n', stderr);
    std::abort();
}

inline void check(bool holds, std::string_view property, std::string_view detail = {}) {
    if (!holds) {
        violated(property, detail);
    }
}

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace pgentry::fuzz
