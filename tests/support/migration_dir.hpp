#pragma once
// A temporary migrations directory, removed with everything in it at destruction.
#include <filesystem>
#include <string>
#include <string_view>

namespace pgentry::test {

class MigrationDir {
public:
    MigrationDir();
    ~MigrationDir();
    MigrationDir(const MigrationDir&) = delete;
    MigrationDir& operator=(const MigrationDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }

    // Writes (or overwrites) file_name with body exactly as given; returns its path.
    std::filesystem::path write(const std::string& file_name, std::string_view body) const;
    void remove(const std::string& file_name) const;

private:
    std::filesystem::path path_;
};

// A directory made with mkdtemp under $TMPDIR (or /tmp) whose name starts with prefix.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace pgentry::test
