#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pgentry {

// The whole file; throws std::system_error with the errno of open or read.
std::string read_file(const std::filesystem::path& path);

// The whole file when it is a regular file, nullopt when it is anything else (a FIFO named like a migration
// would otherwise block the boot forever); throws std::system_error with the errno of open or read. One
// open, fstat and read: a migrations directory is read on every boot.
std::optional<std::string> read_regular_file(const std::filesystem::path& path);

// text without the UTF-8 byte-order mark that Windows editors put at the start of a file (not part of what
// the file says: a migration, a config file, a URL file).
std::string_view without_utf8_byte_order_mark(std::string_view text);

}  // namespace pgentry
