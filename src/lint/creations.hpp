#pragma once
// What a statement adds to the pending run's new objects, once the rules have seen it.
#include "lint/new_objects.hpp"
#include "lint/rules.hpp"

namespace pgentry::lint {

// CREATE TABLE [AS], SELECT INTO, CREATE MATERIALIZED VIEW: a new table; ADD COLUMN: a new column; RENAME of
// something new: its new name is new too; CREATE INDEX on a new table: a new index; ADD CONSTRAINT CHECK or
// FOREIGN KEY, VALIDATE CONSTRAINT: what is valid.
void record_creations(const StatementView& statement, NewObjects& known);

}  // namespace pgentry::lint
