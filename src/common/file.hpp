#pragma once
#include <dirent.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgentry {

// The whole file; throws std::system_error with the errno of open or read.
std::string read_file(const std::filesystem::path& path);

// The whole file when it is a regular file, nullopt when it is anything else (a FIFO named like a migration
// would otherwise block the boot forever); throws std::system_error with the errno of open or read. One
// open, fstat and read: a migrations directory is read on every boot.
std::optional<std::string> read_regular_file(const std::filesystem::path& path);

// A directory opened once, its files read relative to it (openat): reading a migrations directory, which
// every boot does, then walks the directory's path once instead of once a file.
class Directory {
public:
    // Throws std::system_error with the errno of opening it (ENOENT, ENOTDIR, EACCES...).
    explicit Directory(const std::filesystem::path& path);
    ~Directory();
    Directory(Directory&& other) noexcept;
    Directory& operator=(Directory&&) = delete;

    // The names of the entries that are not directories (a symbolic link counts as what it points to; an
    // entry that cannot be inspected is kept, so that reading it reports why), "." and ".." left out,
    // unsorted. Throws std::system_error with the errno of reading the directory.
    std::vector<std::string> file_names();

    // read_regular_file for the entry name of this directory. Safe from several threads at once.
    std::optional<std::string> read_regular_file(const std::string& name) const;

private:
    DIR* stream_;
};

// text without the UTF-8 byte-order mark that Windows editors put at the start of a file (not part of what
// the file says: a migration, a config file, a URL file).
std::string_view without_utf8_byte_order_mark(std::string_view text);

}  // namespace pgentry
