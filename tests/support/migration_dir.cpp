#include "migration_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace pgentry::test {

std::filesystem::path make_temp_dir(const std::string& prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    return pattern;
}

MigrationDir::MigrationDir() : path_(make_temp_dir("pgentry-migrations-")) {}

MigrationDir::~MigrationDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path MigrationDir::write(const std::string& file_name, std::string_view body) const {
    const auto file = path_ / file_name;
    std::ofstream stream(file, std::ios::binary | std::ios::trunc);
    stream.write(body.data(), static_cast<std::streamsize>(body.size()));
    if (!stream.flush()) {
        throw std::runtime_error("cannot write " + file.string());
    }
    return file;
}

void MigrationDir::remove(const std::string& file_name) const {
    if (!std::filesystem::remove(path_ / file_name)) {
        throw std::runtime_error("no such migration file: " + file_name);
    }
}

}  // namespace pgentry::test
