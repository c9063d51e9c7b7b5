#pragma once
// One statement's rows, owned (PQclear when it goes).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <libpq-fe.h>

namespace pgentry::db {

class Result {
public:
    explicit Result(PGresult* result) : result_(result, &PQclear) {}
    int rows() const { return PQntuples(result_.get()); }
    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
    std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
    std::optional<std::string> optional_text(int row, int column) const;  // nullopt for NULL
    std::int64_t integer(int row, int column) const;                      // 0 when not a number

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

}  // namespace pgentry::db
