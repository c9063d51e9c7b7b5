// The example server's view of PostgreSQL: is it there, and what have the migrations made of it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace example {

struct AppliedMigration {
    std::string version;
    std::string name;  // from the migration file; empty when this image does not ship the file
    std::string applied_at;
};

struct FrontPage {
    std::string visit;  // the id of the visits row this request added
    std::vector<AppliedMigration> migrations;
};

// Each call opens and closes its own connection: no pool to go stale while the database restarts or fails
// over, and nothing left open when the server stops.
class Database {
public:
    // conninfo: a libpq URI or key=value string; empty means libpq's PG* variables and defaults.
    Database(std::string conninfo, std::filesystem::path migrations_dir);

    // Throws std::runtime_error with libpq's message when `SELECT 1` does not succeed.
    void ping() const;
    FrontPage record_visit(const std::string& path) const;

private:
    std::string conninfo_;
    std::filesystem::path migrations_dir_;
};

// The same sources pgentry reads, so the app reaches the database pgentry migrated: DATABASE_URL, else the
// file named by DATABASE_URL_FILE (a Docker secret), else empty.
std::string database_url_from_environment();

}  // namespace example
