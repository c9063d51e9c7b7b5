// The --lock kinds: one row each. A new kind is a class in its own file and a row here (and its name in
// config's --lock values).
#include <stdexcept>

#include "db/advisory_lock.hpp"
#include "db/lock_kind.hpp"
#include "db/table_lock.hpp"

namespace pgentry::db {

namespace {

struct LockKindRow {
    std::string_view name;  // as --lock spells it
    std::unique_ptr<LockKind> (*make)(const LockSessions& sessions);
};

template <class Kind>
std::unique_ptr<LockKind> make(const LockSessions& sessions) {
    return std::make_unique<Kind>(sessions);
}

constexpr LockKindRow lock_kinds[] = {
    {"table", make<TableLock>},
    {"advisory", make<AdvisoryLock>},
};

}  // namespace

std::unique_ptr<LockKind> make_lock_kind(std::string_view name, const LockSessions& sessions) {
    for (const LockKindRow& row : lock_kinds) {
        if (row.name == name) {
            return row.make(sessions);
        }
    }
    throw std::invalid_argument("no lock kind is named '" + std::string(name) + "'");
}

}  // namespace pgentry::db
