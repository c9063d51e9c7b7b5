#include "config/edit_distance.hpp"

#include <gtest/gtest.h>

using pgentry::config::edit_distance;

TEST(EditDistance, SameWordsAreZeroApart) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("mode", "mode"), 0u);
}

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
    EXPECT_EQ(edit_distance("mode", "mod"), 1u);    // deletion
    EXPECT_EQ(edit_distance("lock", "locks"), 1u);  // insertion
    EXPECT_EQ(edit_distance("lock", "lack"), 1u);   // substitution
    EXPECT_EQ(edit_distance("wait-timout", "wait-timeout"), 1u);
    EXPECT_EQ(edit_distance("lcok", "lock"), 2u);  // a swap is two edits
    EXPECT_EQ(edit_distance("", "steps"), 5u);
    EXPECT_EQ(edit_distance("to", ""), 2u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(EditDistance, IsSymmetric) {
    for (const auto& [a, b] : {std::pair{"database-url", "databse-ulr"}, std::pair{"x", "--to"},
                               std::pair{"migrations-dir", "migrations-table"}}) {
        EXPECT_EQ(edit_distance(a, b), edit_distance(b, a)) << a << " / " << b;
    }
}
