#pragma once
// SHA-256 through OpenSSL's libcrypto, which only pgentry-migrator links (CMakeLists.txt keeps this file out
// of the libc-only base): the migrations' checksums and the advisory lock's key.
#include <string>
#include <string_view>

namespace pgentry {

// Lowercase hex SHA-256 of text (64 characters). Throws std::runtime_error only when libcrypto cannot
// allocate.
std::string sha256_hex(std::string_view text);

}  // namespace pgentry
