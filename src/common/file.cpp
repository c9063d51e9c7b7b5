#include "common/file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace pgentry {

// POSIX rather than ifstream: a directory opens fine as an ifstream and then reads as empty, and the
// errno of a failure is what the user needs to see ("Permission denied" on a secret file).
std::string read_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category());
    }
    std::string content;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) != 0) {
        if (n > 0) {
            content.append(buffer, static_cast<std::size_t>(n));
        } else if (errno != EINTR) {
            const int error = errno;
            ::close(fd);
            throw std::system_error(error, std::generic_category());
        }
    }
    ::close(fd);
    return content;
}

namespace {

std::optional<std::string> read_regular_file_at(int dir_fd, const char* path) {
    // O_NONBLOCK: opening a FIFO without a writer returns at once, and fstat then tells what it is.
    const int fd = ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category());
    }
    struct stat status {};
    if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        ::close(fd);
        return std::nullopt;
    }
    // One byte more than the size: a file that grew meanwhile is read on until its end.
    std::string content(static_cast<std::size_t>(status.st_size) + 1, '\0');
    std::size_t length = 0;
    for (;;) {
        const ssize_t n = ::read(fd, content.data() + length, content.size() - length);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            throw std::system_error(error, std::generic_category());
        }
        length += static_cast<std::size_t>(n);
        if (n == 0 || length < content.size()) {
            break;  // end of file: a regular file reads short only there
        }
        content.resize(content.size() * 2);
    }
    ::close(fd);
    content.resize(length);
    return content;
}

}  // namespace

std::optional<std::string> read_regular_file(const std::filesystem::path& path) {
    return read_regular_file_at(AT_FDCWD, path.c_str());
}

Directory::Directory(const std::filesystem::path& path) : stream_(::opendir(path.c_str())) {
    if (stream_ == nullptr) {
        throw std::system_error(errno, std::generic_category());
    }
}

Directory::Directory(Directory&& other) noexcept : stream_(std::exchange(other.stream_, nullptr)) {}

Directory::~Directory() {
    if (stream_ != nullptr) {
        ::closedir(stream_);
    }
}

std::vector<std::string> Directory::file_names() {
    ::rewinddir(stream_);
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(stream_)) {
        const std::string_view name = entry->d_name;
        bool directory = entry->d_type == DT_DIR;
        if (entry->d_type == DT_LNK || entry->d_type == DT_UNKNOWN) {
            struct stat status {};
            directory =
                ::fstatat(::dirfd(stream_), entry->d_name, &status, 0) == 0 && S_ISDIR(status.st_mode);
        }
        if (!directory && name != "." && name != "..") {
            names.emplace_back(name);
        }
        errno = 0;
    }
    if (errno != 0) {
        throw std::system_error(errno, std::generic_category());
    }
    return names;
}

std::optional<std::string> Directory::read_regular_file(const std::string& name) const {
    return read_regular_file_at(::dirfd(stream_), name.c_str());
}

std::string_view without_utf8_byte_order_mark(std::string_view text) {
    constexpr std::string_view mark = "\xEF\xBB\xBF";
    return text.starts_with(mark) ? text.substr(mark.size()) : text;
}

}  // namespace pgentry
