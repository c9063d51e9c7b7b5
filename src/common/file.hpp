#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace pgentry {

// The whole file; throws std::system_error with the errno of open or read.
std::string read_file(const std::filesystem::path& path);

// text without the UTF-8 byte-order mark that Windows editors put at the start of a file (not part of what
// the file says: a migration, a config file, a URL file).
std::string_view without_utf8_byte_order_mark(std::string_view text);

}  // namespace pgentry
