#include "db/history_shape.hpp"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pgentry::db {

namespace {

struct KnownShape {
    std::string_view tools;  // whose tables have it
    std::string_view ddl;    // as the message shows it
    bool (*matches)(const std::vector<HistoryColumn>& columns);
};

// dbmate 2.36 (measured here) and Rails: `version varchar PRIMARY KEY`, older dbmate with a length.
bool version_text_only(const std::vector<HistoryColumn>& columns) {
    return columns.size() == 1 && columns[0].name == "version" &&
           columns[0].type.starts_with("character varying");
}

bool version_and_dirty(const std::vector<HistoryColumn>& columns) {
    return columns.size() == 2 && columns[0].name == "version" && columns[0].integer &&
           columns[1].name == "dirty" && columns[1].type == "boolean";
}

constexpr KnownShape known_shapes[] = {
    {"dbmate's or Rails'", "version varchar PRIMARY KEY", version_text_only},
    {"golang-migrate's", "version bigint PRIMARY KEY, dirty boolean", version_and_dirty},
};

const HistoryColumn* column_named(const std::vector<HistoryColumn>& columns, std::string_view name) {
    const auto found =
        std::find_if(columns.begin(), columns.end(), [&](const HistoryColumn& c) { return c.name == name; });
    return found == columns.end() ? nullptr : &*found;
}

}  // namespace

std::optional<std::string> foreign_history(const std::vector<HistoryColumn>& columns,
                                           const TableName& table) {
    std::vector<std::string> wrong;
    const HistoryColumn* version = column_named(columns, "version");
    if (!version) {
        wrong.emplace_back("no version column");
    } else if (!version->integer) {
        wrong.push_back("version is " + version->type);
    }
    if (!column_named(columns, "inserted_at")) {
        wrong.emplace_back("no inserted_at column");
    }
    if (wrong.empty()) {
        return std::nullopt;
    }
    std::string whose = "it looks like another tool's history table";
    for (const KnownShape& shape : known_shapes) {
        if (shape.matches(columns)) {
            whose = fmt::format("it has {} shape ({})", shape.tools, shape.ddl);
            break;
        }
    }
    return fmt::format(
        "--migrations-table={0} names a table pgentry cannot share: {1} (pgentry shares Ecto's table: "
        "version bigint, inserted_at timestamp(0)); {2}. pgentry changed nothing in it: give pgentry a "
        "table of its own with --migrations-table=NAME (e.g. --migrations-table=pgentry_migrations), or "
        "keep that tool and run it with --migrate-command",
        table.text(), fmt::join(wrong, ", "), whose);
}

std::vector<HistoryColumn> history_columns(Connection& connection, const TableName& located) {
    const Result result = connection.exec(
        "SELECT attname, format_type(atttypid, atttypmod), atttypid::regtype IN ('bigint', 'integer', "
        "'smallint') FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum",
        {located.quoted()});
    std::vector<HistoryColumn> columns;
    columns.reserve(static_cast<std::size_t>(result.rows()));
    for (int row = 0; row < result.rows(); ++row) {
        columns.push_back({result.text(row, 0), result.text(row, 1), result.text(row, 2) == "t"});
    }
    return columns;
}

}  // namespace pgentry::db
