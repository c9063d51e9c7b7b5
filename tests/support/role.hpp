#pragma once
// A login role of the test's own, for least-privilege setups: created with a password and CONNECT on a
// TestDatabase; at destruction its privileges and objects in that database go (DROP OWNED), then the role.
#include <string>

#include "database.hpp"

namespace pgentry::test {

class TestRole {
public:
    // attributes: appended to CREATE ROLE ... LOGIN PASSWORD '...' (CONNECTION LIMIT 3, ...).
    explicit TestRole(TestDatabase& db, const std::string& attributes = "");
    ~TestRole();
    TestRole(const TestRole&) = delete;
    TestRole& operator=(const TestRole&) = delete;

    const std::string& name() const { return name_; }
    std::string url() const;  // the test database as this role

private:
    TestDatabase& db_;
    std::string name_;
    std::string password_;
};

}  // namespace pgentry::test
