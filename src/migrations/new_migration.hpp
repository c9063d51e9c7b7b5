#pragma once
// --mode=new NAME (SPEC.md "Modes"): a new, empty migration file, named as dbmate and Ecto name theirs.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace pgentry::migrations {

// Creates dir/<YYYYMMDDHHMMSS of now in UTC>_<name>.sql holding "-- migrate:up" and "-- migrate:down". When
// a .sql file of dir already has that version (whatever its name: versions compare as numbers), the next
// second that none has. The file is created exclusively (O_EXCL), so two runs in the same second get two
// files. Returns its path (dir / file name).
// Throws Error(64) when name is not one or more letters, digits, '_' or '-' (SPEC.md "Migration files"),
// Error(66) when dir is missing, unreadable or not writable.
// The version a file created at `when` gets: YYYYMMDDHHMMSS in UTC, as a number.
std::int64_t timestamp_version(std::chrono::system_clock::time_point when);

std::filesystem::path create_migration(const std::filesystem::path& dir, std::string_view name,
                                       std::chrono::system_clock::time_point now);

}  // namespace pgentry::migrations
