#include "role.hpp"

namespace pgentry::test {

TestRole::TestRole(TestDatabase& db, const std::string& attributes)
    : db_(db), name_(unique_name("pgentry_role")), password_(unique_name("pw")) {
    db_.admin().exec("CREATE ROLE " + name_ + " LOGIN PASSWORD '" + password_ + "' " + attributes);
    db_.admin().exec("GRANT CONNECT ON DATABASE " + db_.name() + " TO " + name_);
}

TestRole::~TestRole() {
    try {
        // The role's sessions first: DROP ROLE fails while one is still open.
        db_.admin().exec("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = '" +
                         name_ + "'");
        db_.sql().exec("DROP OWNED BY " + name_);
        db_.admin().exec("REVOKE ALL ON DATABASE " + db_.name() + " FROM " + name_);
        db_.admin().exec("DROP ROLE " + name_);
    } catch (const std::exception&) {
        // A leftover role only costs a catalog row in a throw-away cluster; a throwing destructor aborts.
    }
}

std::string TestRole::url() const {
    const Server& server = db_.server();
    return make_url(server.host, server.port, name_, password_, db_.name());
}

}  // namespace pgentry::test
