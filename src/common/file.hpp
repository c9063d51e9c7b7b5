#pragma once
#include <filesystem>
#include <string>

namespace pgentry {

// The whole file; throws std::system_error with the errno of open or read.
std::string read_file(const std::filesystem::path& path);

}  // namespace pgentry
